/* ratio: a quotient that is empty with a reason rather than infinite or NaN. */
#include <math.h>

#include "parkfund/calc.h"
#include "parkfund/banned.h"

struct pf_metric
pf_ratio(double num, double den, const char *reason_if_den_zero)
{
    struct pf_metric m = { 0, NULL };
    if (den == 0)
        m.reason = reason_if_den_zero ? reason_if_den_zero : "division by zero";
    else if (!isfinite(num) || !isfinite(den))
        m.reason = "not a finite number";
    else
        m.value = num / den;
    return m;
}
