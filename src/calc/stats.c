/*
 * stats: the risk and concentration figures of SPEC §5 (mean, sample standard
 * deviation, Pearson correlation, maximum drawdown, modified Dietz, HHI, top-k
 * share). Sums go through GSL's gsl_stats_* where GSL has them.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "parkfund/calc.h"
#include "parkfund/banned.h"

void
pf_calc_init(void)
{
    gsl_set_error_handler_off();
}

/* --- internal --- */

static struct pf_metric
value(double v)
{
    struct pf_metric m = { v, NULL };
    return m;
}

static struct pf_metric
reason(const char *why)
{
    struct pf_metric m = { 0, why };
    return m;
}

static bool
all_finite(const double *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

/* Exact test: a rounding-level variance would give a meaningless correlation. */
static bool
constant(const double *x, size_t n)
{
    size_t i;
    for (i = 1; i < n; i++)
        if (x[i] != x[0])
            return false;
    return true;
}

/* --- public --- */

struct pf_metric
pf_mean(const double *x, size_t n)
{
    if (n < 1)
        return reason("no values");
    if (!all_finite(x, n))
        return reason("values must be finite");
    return value(gsl_stats_mean(x, 1, n));
}

struct pf_metric
pf_stdev(const double *x, size_t n)
{
    if (n < 2)
        return reason("fewer than two values");
    if (!all_finite(x, n))
        return reason("values must be finite");
    return value(gsl_stats_sd(x, 1, n));
}

struct pf_metric
pf_correlation(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return reason("fewer than two values");
    if (!all_finite(x, n) || !all_finite(y, n))
        return reason("values must be finite");
    if (constant(x, n) || constant(y, n))
        return reason("zero variance");
    return value(gsl_stats_correlation(x, 1, y, 1, n));
}

double
pf_max_drawdown(const double *returns, size_t n)
{
    double wealth = 1, peak = 1, worst = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        wealth *= 1 + returns[i];
        if (wealth > peak)
            peak = wealth;
        else if ((peak - wealth) / peak > worst)
            worst = (peak - wealth) / peak;
    }
    return worst;
}

struct pf_metric
pf_modified_dietz(double nav_begin, double nav_end, pf_date s, pf_date e, const pf_date *d,
                  const double *f, size_t n)
{
    double len = (double)((int64_t)e - s), flows = 0, weighted = 0, den;
    size_t i;

    if (e <= s)
        return reason("empty period");
    if (!isfinite(nav_begin) || !isfinite(nav_end) || !all_finite(f, n))
        return reason("values must be finite");
    for (i = 0; i < n; i++) {
        flows += f[i];
        weighted += (double)((int64_t)e - d[i]) / len * f[i];
    }
    den = nav_begin + weighted;
    if (!(den > 0))
        return reason("no capital at work in the period");
    return value((nav_end - nav_begin - flows) / den);
}

double
pf_hhi(const double *shares, size_t n)
{
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++)
        s += (100 * shares[i]) * (100 * shares[i]);
    return s;
}

double
pf_top_share(const double *values, size_t n, size_t k, double total)
{
    double *top, s = 0;
    size_t i;

    if (total == 0 || n == 0 || k == 0)
        return 0;
    if (k > n)
        k = n;
    top = pf_xreallocarray(NULL, k, sizeof *top);
    gsl_sort_largest(top, k, values, 1, n);
    for (i = 0; i < k; i++)
        s += top[i];
    free(top);
    return s / total;
}
