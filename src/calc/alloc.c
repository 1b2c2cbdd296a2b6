/*
 * alloc: the one place where money is rounded (STYLE (c)). A largest-remainder
 * split in exact integer arithmetic, so partners' figures add up to the fund's.
 */
#include <stdlib.h>

#include "parkfund/calc.h"
#include "parkfund/banned.h"

/* total * w needs 127 bits; GCC and Clang both have __int128 (not ISO C, hence
 * __extension__ to keep -Wpedantic quiet). */
__extension__ typedef __int128 pf_i128;

struct remainder {
    pf_i128 r;
    size_t i;
};

static int
cmp_remainder(const void *pa, const void *pb)
{
    const struct remainder *x = pa, *y = pb;
    if (x->r != y->r)
        return x->r > y->r ? -1 : 1;              /* largest remainder first */
    return (x->i > y->i) - (x->i < y->i);         /* ties: lower index first */
}

pf_status
pf_alloc_largest_remainder(pf_cents total, const int64_t *weights, size_t n, pf_cents *out)
{
    struct remainder *rem;
    pf_i128 w = 0, given = 0, left;
    size_t i;

    for (i = 0; i < n; i++) {
        if (weights[i] < 0)
            return PF_EDATA;
        w += weights[i];
    }
    if (w == 0)
        return PF_EDATA;
    rem = pf_xreallocarray(NULL, n, sizeof *rem);
    for (i = 0; i < n; i++) {
        pf_i128 prod = (pf_i128)total * weights[i];
        pf_i128 q = prod / w, r = prod % w;
        if (r < 0) { /* C truncates toward zero; we want the floor */
            q -= 1;
            r += w;
        }
        out[i] = (pf_cents)q; /* |q| <= |total| since w_i <= W */
        given += q;
        rem[i].r = r;
        rem[i].i = i;
    }
    left = (pf_i128)total - given; /* sum of r / W: in [0, n) */
    qsort(rem, n, sizeof *rem, cmp_remainder);
    for (i = 0; (pf_i128)i < left; i++)
        out[rem[i].i] += 1;
    free(rem);
    return PF_OK;
}
