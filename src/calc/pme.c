/*
 * pme: public market equivalents (SPEC §5). Each variant turns the fund's flows
 * and a benchmark index into either a ratio (Kaplan-Schoar) or an IRR through
 * pf_xirr; the formulas and their papers are in calc.h.
 */
#include <math.h>
#include <stdlib.h>

#include "parkfund/calc.h"
#include "parkfund/banned.h"

/* --- internal --- */

/* The rows on or before D, in date order, with F_i = I_D / I_i beside them. */
struct pme_rows {
    size_t n;
    struct pf_pme_flow *r;
    double *f;
};

static int
cmp_flow(const void *pa, const void *pb)
{
    const struct pf_pme_flow *x = pa, *y = pb;
    return (x->date > y->date) - (x->date < y->date);
}

static void
rows_release(struct pme_rows *p)
{
    free(p->r);
    free(p->f);
}

/* Checks shared by every variant; on failure returns the reason and holds no memory. */
static const char *
rows_build(const struct pf_pme_input *in, struct pme_rows *p)
{
    size_t i, m = 0;
    double contrib = 0;

    p->n = 0;
    p->r = NULL;
    p->f = NULL;
    if (!isfinite(in->nav))
        return "amounts must be finite";
    if (!isfinite(in->index_end) || !(in->index_end > 0))
        return "benchmark index is not positive";
    p->r = pf_xreallocarray(NULL, in->n ? in->n : 1, sizeof *p->r);
    p->f = pf_xreallocarray(NULL, in->n ? in->n : 1, sizeof *p->f);
    for (i = 0; i < in->n; i++) {
        const struct pf_pme_flow *fl = &in->flows[i];
        if (fl->date > in->as_of)
            continue; /* SPEC §5: flows dated after D are ignored */
        if (!isfinite(fl->contribution) || !isfinite(fl->distribution)) {
            rows_release(p);
            return "amounts must be finite";
        }
        if (fl->contribution < 0 || fl->distribution < 0) {
            rows_release(p);
            return "contributions and distributions must not be negative";
        }
        if (!isfinite(fl->index) || !(fl->index > 0)) {
            rows_release(p);
            return "benchmark index is not positive";
        }
        p->r[m++] = *fl;
        contrib += fl->contribution;
    }
    if (!(contrib > 0)) {
        rows_release(p);
        return "no contributions";
    }
    qsort(p->r, m, sizeof *p->r, cmp_flow);
    for (i = 0; i < m; i++)
        p->f[i] = in->index_end / p->r[i].index;
    p->n = m;
    return NULL;
}

static struct pf_metric
reason(const char *why)
{
    struct pf_metric m = { 0, why };
    return m;
}

/* IRR of amounts a[i] at the rows' dates plus `terminal` at D, Excel's guess 0.1. */
static struct pf_metric
irr_with_terminal(const struct pme_rows *p, const double *a, pf_date as_of, double terminal)
{
    pf_date *d = pf_xreallocarray(NULL, p->n + 1, sizeof *d);
    double *v = pf_xreallocarray(NULL, p->n + 1, sizeof *v);
    struct pf_xirr_result res;
    size_t i;

    for (i = 0; i < p->n; i++) {
        d[i] = p->r[i].date;
        v[i] = a[i];
    }
    d[p->n] = as_of;
    v[p->n] = terminal;
    (void)pf_xirr(d, v, p->n + 1, 0.1, &res); /* a failure leaves res.m.reason set */
    free(d);
    free(v);
    return res.m;
}

/* --- public --- */

struct pf_metric
pf_ks_pme(const struct pf_pme_input *in)
{
    struct pme_rows p;
    const char *why = rows_build(in, &p);
    double num = in->nav, den = 0;
    size_t i;

    if (why)
        return reason(why);
    for (i = 0; i < p.n; i++) {
        num += p.r[i].distribution * p.f[i];
        den += p.r[i].contribution * p.f[i];
    }
    rows_release(&p);
    return pf_ratio(num, den, "no contributions");
}

struct pf_metric
pf_direct_alpha(const struct pf_pme_input *in)
{
    struct pme_rows p;
    const char *why = rows_build(in, &p);
    struct pf_metric m;
    double *a;
    size_t i;

    if (why)
        return reason(why);
    a = pf_xreallocarray(NULL, p.n, sizeof *a);
    for (i = 0; i < p.n; i++)
        a[i] = (p.r[i].distribution - p.r[i].contribution) * p.f[i];
    m = irr_with_terminal(&p, a, in->as_of, in->nav);
    free(a);
    rows_release(&p);
    return m;
}

struct pf_metric
pf_ln_pme(const struct pf_pme_input *in)
{
    struct pme_rows p;
    const char *why = rows_build(in, &p);
    struct pf_metric m;
    double *a, position = 0;
    size_t i;

    if (why)
        return reason(why);
    a = pf_xreallocarray(NULL, p.n, sizeof *a);
    for (i = 0; i < p.n; i++) {
        a[i] = p.r[i].distribution - p.r[i].contribution;
        /* the index position is linear in the flows: each one grows by F_i to D */
        position += (p.r[i].contribution - p.r[i].distribution) * p.f[i];
    }
    m = irr_with_terminal(&p, a, in->as_of, position);
    free(a);
    rows_release(&p);
    return m;
}

struct pf_metric
pf_pme_plus(const struct pf_pme_input *in)
{
    struct pme_rows p;
    const char *why = rows_build(in, &p);
    struct pf_metric m;
    double *a, cf = 0, df = 0, lambda;
    size_t i;

    if (why)
        return reason(why);
    for (i = 0; i < p.n; i++) {
        cf += p.r[i].contribution * p.f[i];
        df += p.r[i].distribution * p.f[i];
    }
    if (df == 0) {
        rows_release(&p);
        return reason("no distributions to scale");
    }
    lambda = (cf - in->nav) / df;
    a = pf_xreallocarray(NULL, p.n, sizeof *a);
    for (i = 0; i < p.n; i++)
        a[i] = lambda * p.r[i].distribution - p.r[i].contribution;
    m = irr_with_terminal(&p, a, in->as_of, in->nav);
    free(a);
    rows_release(&p);
    return m;
}

struct pf_metric
pf_mpme(const struct pf_pme_input *in)
{
    struct pme_rows p;
    const char *why = rows_build(in, &p);
    struct pf_metric m;
    double *a, position = 0;
    size_t i;

    if (why)
        return reason(why);
    a = pf_xreallocarray(NULL, p.n, sizeof *a);
    for (i = 0; i < p.n; i++) {
        const struct pf_pme_flow *r = &p.r[i];
        double pre, w = 0;
        if (!isfinite(r->nav_after)) {
            m = reason("amounts must be finite");
            goto done;
        }
        pre = (i ? position * r->index / p.r[i - 1].index : 0) + r->contribution;
        if (r->distribution > 0) {
            if (r->nav_after < 0) {
                m = reason("nav after a distribution is negative");
                goto done;
            }
            w = r->distribution / (r->distribution + r->nav_after);
        }
        a[i] = w * pre - r->contribution;
        position = (1 - w) * pre;
    }
    m = irr_with_terminal(&p, a, in->as_of, position * p.f[p.n - 1]);
done:
    free(a);
    rows_release(&p);
    return m;
}
