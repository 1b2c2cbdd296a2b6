/*
 * forecast: Takahashi & Alexander's fund model, its calibration and a
 * correlated Monte Carlo (SPEC §11). Pure numerics: arrays in, arrays out.
 * The contract (formulas, units, what each function guarantees) is in
 * include/parkfund/forecast.h.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "parkfund/forecast.h"
#include "parkfund/banned.h"

static const double paper_calls[] = { 0.25, 1.0 / 3.0, 0.5 };

const char *const pf_fc_series_names[PF_FC_SERIES] = { "calls", "distributions",
                                                        "net_cash_flow", "nav" };
const char *const pf_fc_pct_names[PF_FC_NPCT] = { "p5", "p25", "p50", "p75", "p95" };
const double pf_fc_pcts[PF_FC_NPCT] = { 0.05, 0.25, 0.50, 0.75, 0.95 };

/* --- the model --- */

void
pf_ta_defaults(struct pf_ta_params *p)
{
    memset(p, 0, sizeof *p);
    p->growth = PF_TA_DEFAULT_GROWTH;
    p->bow = PF_TA_DEFAULT_BOW;
    p->life = PF_TA_DEFAULT_LIFE;
    p->yield = PF_TA_DEFAULT_YIELD;
    p->call_scale = 1.0;
    p->calls = paper_calls;
    p->ncalls = sizeof paper_calls / sizeof *paper_calls;
}

/* An annual fraction as the quarterly fraction that compounds to it. */
static double
quarterly_fraction(double annual)
{
    if (!(annual > 0))
        return 0;
    if (annual >= 1)
        return 1;
    return 1 - pow(1 - annual, 0.25);
}

double
pf_ta_quarterly_growth(double annual)
{
    if (!(annual > -1))
        return -1;
    return pow(1 + annual, 0.25) - 1;
}

double
pf_ta_call_rate(const struct pf_ta_params *p, double a0)
{
    const double *rc = p->calls ? p->calls : paper_calls;
    size_t n = p->calls ? p->ncalls : sizeof paper_calls / sizeof *paper_calls;
    size_t k;
    double y = floor(a0 + 1e-9); /* fund year k = y + 1; ages on a boundary start the year */

    if (n == 0)
        return 0;
    if (!(y >= 0))
        y = 0;
    k = y >= (double)n ? n - 1 : (size_t)y;
    return quarterly_fraction(p->call_scale * rc[k]);
}

double
pf_ta_dist_rate(const struct pf_ta_params *p, double a1)
{
    double rd;
    if (!(p->life > 0) || !(a1 > 0))
        rd = p->yield;
    else {
        rd = pow(a1 / p->life, p->bow);
        if (rd < p->yield)
            rd = p->yield;
    }
    return quarterly_fraction(rd);
}

void
pf_ta_step(const struct pf_ta_params *p, double gq, double a0, double a1, double *unfunded,
           double *nav, double *call, double *dist)
{
    double grow = 1 + gq, grown;
    if (!(grow > 0))
        grow = 0;
    grown = *nav * grow;
    *call = pf_ta_call_rate(p, a0) * *unfunded;
    *dist = pf_ta_dist_rate(p, a1) * grown;
    *unfunded -= *call;
    *nav = grown + *call - *dist;
    if (*nav < 0) /* rounding only: dist <= grown by construction */
        *nav = 0;
}

void
pf_ta_project(const struct pf_ta_params *p, double unfunded, double nav, const double *ages,
              size_t n, double *calls, double *dists, double *navs)
{
    double gq = pf_ta_quarterly_growth(p->growth);
    size_t t;
    for (t = 0; t < n; t++) {
        pf_ta_step(p, gq, ages[t], ages[t + 1], &unfunded, &nav, &calls[t], &dists[t]);
        navs[t] = nav;
    }
}

/* --- calibration --- */

struct fit_data {
    const struct pf_ta_history *h;
    const struct pf_ta_params *base;
};

static int
fit_f(const gsl_vector *x, void *arg, gsl_vector *f)
{
    const struct fit_data *d = arg;
    const struct pf_ta_history *h = d->h;
    struct pf_ta_params p = *d->base;
    double g, grow;
    size_t t;

    p.growth = gsl_vector_get(x, 0);
    p.bow = gsl_vector_get(x, 1);
    p.call_scale = gsl_vector_get(x, 2);
    g = pf_ta_quarterly_growth(p.growth);
    grow = 1 + g;
    for (t = 0; t < h->n; t++) {
        double rc = pf_ta_call_rate(&p, h->ages[t]);
        double rd = pf_ta_dist_rate(&p, h->ages[t + 1]);
        gsl_vector_set(f, 3 * t, (h->calls[t] - rc * h->unfunded[t]) / h->scale);
        gsl_vector_set(f, 3 * t + 1, (h->dists[t] - rd * h->nav[t] * grow) / h->scale);
        gsl_vector_set(f, 3 * t + 2,
                       (h->nav[t + 1] - (h->nav[t] * grow + h->calls[t] - h->dists[t])) /
                           h->scale);
    }
    return GSL_SUCCESS;
}

static double
rms_at(const struct pf_ta_params *p, const struct pf_ta_history *h)
{
    struct fit_data d = { h, p };
    gsl_vector *x = gsl_vector_alloc(3), *f = gsl_vector_alloc(3 * h->n);
    double ss;
    gsl_vector_set(x, 0, p->growth);
    gsl_vector_set(x, 1, p->bow);
    gsl_vector_set(x, 2, p->call_scale);
    fit_f(x, &d, f);
    ss = gsl_blas_dnrm2(f);
    gsl_vector_free(x);
    gsl_vector_free(f);
    return ss / sqrt((double)(3 * h->n));
}

static void
keep_defaults(const struct pf_ta_params *base, const struct pf_ta_history *h,
              struct pf_ta_fit *out, const char *why)
{
    size_t iters = out->iterations;
    memset(out, 0, sizeof *out);
    out->fitted = 0;
    out->reason = why;
    out->growth = base->growth;
    out->bow = base->bow;
    out->call_scale = base->call_scale;
    out->nobs = 3 * h->n;
    out->iterations = iters;
    if (h->n > 0 && h->scale > 0) {
        out->residual = rms_at(base, h);
        if (!isfinite(out->residual))
            out->residual = 0;
    }
}

/* One weighted Levenberg-Marquardt fit from x0; weights NULL = unweighted. */
static int
fit_once(gsl_multifit_nlinear_fdf *fdf, const double *x0v, const gsl_vector *wts,
         gsl_multifit_nlinear_workspace *w, int *info)
{
    double xs[3];
    gsl_vector_const_view x0 = gsl_vector_const_view_array(x0v, 3);
    int gs;
    memcpy(xs, x0v, sizeof xs);
    gs = wts ? gsl_multifit_nlinear_winit(&x0.vector, wts, fdf, w)
             : gsl_multifit_nlinear_init(&x0.vector, fdf, w);
    if (gs == GSL_SUCCESS)
        gs = gsl_multifit_nlinear_driver(500, 1e-14, 1e-14, 0.0, NULL, NULL, info, w);
    return gs;
}

pf_status
pf_ta_calibrate(const struct pf_ta_params *base, const struct pf_ta_history *h,
                struct pf_ta_fit *out)
{
    gsl_multifit_nlinear_fdf fdf;
    gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w = NULL;
    gsl_matrix *covar = NULL;
    gsl_vector *wts = NULL, *f = NULL, *xv = NULL;
    struct fit_data d = { h, base };
    double rcond = 0, chi2, sigma2, v[3], se[3], x0[3], var[3];
    size_t n = 3 * h->n, i, t;
    int info = 0, gs;

    memset(out, 0, sizeof *out);
    if (h->n < PF_TA_MIN_QUARTERS) {
        keep_defaults(base, h, out, "defaults: fewer than 8 quarters of history");
        return PF_OK;
    }
    if (!(h->scale > 0)) {
        keep_defaults(base, h, out, "defaults: the fund has no commitment");
        return PF_OK;
    }
    memset(&fdf, 0, sizeof fdf);
    fdf.f = fit_f;
    fdf.df = NULL; /* finite differences */
    fdf.n = n;
    fdf.p = 3;
    fdf.params = &d;
    fp.trs = gsl_multifit_nlinear_trs_lm;
    fp.fdtype = GSL_MULTIFIT_NLINEAR_CTRDIFF;
    w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n, 3);
    covar = gsl_matrix_alloc(3, 3);
    wts = gsl_vector_alloc(n);
    f = gsl_vector_alloc(n);
    xv = gsl_vector_alloc(3);
    x0[0] = base->growth;
    x0[1] = base->bow;
    x0[2] = base->call_scale;
    /* stage 1, unweighted: calls, distributions and NAV residuals come in
     * different sizes, so stage 2 weights each series by 1 / its residual
     * variance at the stage-1 fit (feasible weighted least squares); the
     * standard errors then follow from the weighted Jacobian */
    gs = fit_once(&fdf, x0, NULL, w, &info);
    if (gs == GSL_SUCCESS) {
        for (i = 0; i < 3; i++)
            gsl_vector_set(xv, i, gsl_vector_get(gsl_multifit_nlinear_position(w), i));
        fit_f(xv, &d, f);
        for (i = 0; i < 3; i++) {
            double ss = 0;
            for (t = 0; t < h->n; t++)
                ss += gsl_vector_get(f, 3 * t + i) * gsl_vector_get(f, 3 * t + i);
            var[i] = ss / (double)h->n;
            if (!(var[i] > 1e-24)) /* an exactly fitted series: cap its weight */
                var[i] = 1e-24;
        }
        for (t = 0; t < h->n; t++)
            for (i = 0; i < 3; i++)
                gsl_vector_set(wts, 3 * t + i, 1.0 / var[i]);
        if (isfinite(gsl_vector_get(xv, 0)) && isfinite(gsl_vector_get(xv, 1)) &&
            isfinite(gsl_vector_get(xv, 2)))
            for (i = 0; i < 3; i++)
                x0[i] = gsl_vector_get(xv, i);
        gs = fit_once(&fdf, x0, wts, w, &info);
    }
    out->iterations = gsl_multifit_nlinear_niter(w);
    if (gs != GSL_SUCCESS) {
        keep_defaults(base, h, out, "defaults: the fit did not converge");
        goto cleanup;
    }
    for (i = 0; i < 3; i++)
        v[i] = gsl_vector_get(gsl_multifit_nlinear_position(w), i);
    if (!isfinite(v[0]) || !isfinite(v[1]) || !isfinite(v[2]) || !(v[0] > -1) ||
        !(v[1] > 0) || !(v[2] > 0)) {
        keep_defaults(base, h, out, "defaults: the fit left the parameters' domain");
        goto cleanup;
    }
    if (gsl_multifit_nlinear_rcond(&rcond, w) != GSL_SUCCESS || !(rcond > 1e-9)) {
        keep_defaults(base, h, out, "defaults: the history does not identify G, B and "
                                    "the call scale (e.g. no distributions yet)");
        goto cleanup;
    }
    /* the workspace's residual and Jacobian are weighted (sqrt(W) f, sqrt(W) J) */
    gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, covar);
    chi2 = gsl_blas_dnrm2(gsl_multifit_nlinear_residual(w));
    chi2 *= chi2;
    sigma2 = chi2 / (double)(n - 3);
    for (i = 0; i < 3; i++) {
        se[i] = sqrt(sigma2 * gsl_matrix_get(covar, i, i));
        if (!isfinite(se[i])) {
            keep_defaults(base, h, out, "defaults: the fit's standard errors are not finite");
            goto cleanup;
        }
    }
    out->fitted = 1;
    out->growth = v[0];
    out->bow = v[1];
    out->call_scale = v[2];
    out->se_growth = se[0];
    out->se_bow = se[1];
    out->se_scale = se[2];
    {
        struct pf_ta_params p = *base;
        p.growth = v[0];
        p.bow = v[1];
        p.call_scale = v[2];
        out->residual = rms_at(&p, h); /* unweighted, as a fraction of the commitment */
    }
    out->nobs = n;
cleanup:
    gsl_multifit_nlinear_free(w);
    gsl_matrix_free(covar);
    gsl_vector_free(wts);
    gsl_vector_free(f);
    gsl_vector_free(xv);
    return PF_OK;
}

/* --- Monte Carlo --- */

pf_status
pf_fc_factor(const double *A, size_t n, double *F, int *clipped, double *min_eig)
{
    gsl_matrix *m = NULL, *evec = NULL;
    gsl_vector *eval = NULL;
    gsl_eigen_symmv_workspace *ws = NULL;
    size_t i, j, k;
    int gs;

    *clipped = 0;
    *min_eig = 0;
    if (n == 0)
        return PF_OK;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            if (!isfinite(A[i * n + j]) || A[i * n + j] != A[j * n + i])
                return PF_EDATA;
    m = gsl_matrix_alloc(n, n);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            gsl_matrix_set(m, i, j, A[i * n + j]);
    gs = gsl_linalg_cholesky_decomp1(m);
    if (gs == GSL_SUCCESS) {
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                F[i * n + j] = j <= i ? gsl_matrix_get(m, i, j) : 0.0;
        gsl_matrix_free(m);
        return PF_OK;
    }
    /* not positive definite: the nearest PSD matrix by eigenvalue clipping */
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            gsl_matrix_set(m, i, j, A[i * n + j]);
    eval = gsl_vector_alloc(n);
    evec = gsl_matrix_alloc(n, n);
    ws = gsl_eigen_symmv_alloc(n);
    gsl_eigen_symmv(m, eval, evec, ws);
    gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC); /* deterministic order */
    *clipped = 1;
    *min_eig = gsl_vector_get(eval, n - 1);
    for (i = 0; i < n; i++)
        for (k = 0; k < n; k++) {
            double l = gsl_vector_get(eval, k);
            F[i * n + k] = gsl_matrix_get(evec, i, k) * (l > 0 ? sqrt(l) : 0.0);
        }
    gsl_eigen_symmv_free(ws);
    gsl_matrix_free(evec);
    gsl_vector_free(eval);
    gsl_matrix_free(m);
    return PF_OK;
}

/* splitmix64: one well-mixed 32-bit seed per (seed, path). */
static unsigned long
path_seed(unsigned long seed, size_t path)
{
    uint64_t z = ((uint64_t)seed << 32) ^ (uint64_t)path;
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (unsigned long)(z & 0xFFFFFFFFULL);
}

static void
shocks_with(gsl_rng *r, const double *F, size_t n, size_t nq, unsigned long seed, size_t path,
            double *out, double *z)
{
    size_t t, i, k;
    gsl_rng_set(r, path_seed(seed, path));
    for (t = 0; t < nq; t++) {
        for (k = 0; k < n; k++)
            z[k] = gsl_ran_gaussian_ziggurat(r, 1.0);
        for (i = 0; i < n; i++) {
            double s = 0;
            for (k = 0; k < n; k++)
                s += F[i * n + k] * z[k];
            out[t * n + i] = s;
        }
    }
}

void
pf_fc_shocks(const double *F, size_t n, size_t nq, unsigned long seed, size_t path, double *out)
{
    gsl_rng *r;
    double *z;
    if (n == 0)
        return;
    r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        r = pf_xmalloc(SIZE_MAX); /* out of memory: pf_xmalloc's exit */
    z = pf_xmalloc(n * sizeof *z);
    shocks_with(r, F, n, nq, seed, path, out, z);
    free(z);
    gsl_rng_free(r);
}

/* One path with the fund's quarterly rates precomputed (rc[t], rd[t]); the
 * same arithmetic as pf_ta_step, in the same order, so results are identical. */
static void
path_fast(const struct pf_fc_fund *f, size_t nq, size_t nchains, const double *shocks,
          const double *rc, const double *rd, double gq, double *out)
{
    double u = f->unfunded, nav = f->nav;
    size_t t, k;
    for (t = 0; t < nq; t++) {
        double g = gq, grow, grown, c, d;
        if (shocks)
            for (k = 0; k < nchains; k++)
                g += f->weight[k] * shocks[t * nchains + k];
        grow = 1 + g;
        if (!(grow > 0))
            grow = 0;
        grown = nav * grow;
        c = rc[t] * u;
        d = rd[t] * grown;
        u -= c;
        nav = grown + c - d;
        if (nav < 0)
            nav = 0;
        out[0 * nq + t] = c;
        out[1 * nq + t] = d;
        out[2 * nq + t] = d - c;
        out[3 * nq + t] = nav;
    }
}

void
pf_fc_path(const struct pf_fc_fund *f, size_t nq, size_t nchains, const double *shocks,
           double *out)
{
    double gq = pf_ta_quarterly_growth(f->p.growth);
    double u = f->unfunded, nav = f->nav, c, d;
    size_t t, k;
    for (t = 0; t < nq; t++) {
        double g = gq;
        if (shocks)
            for (k = 0; k < nchains; k++)
                g += f->weight[k] * shocks[t * nchains + k];
        pf_ta_step(&f->p, g, f->ages[t], f->ages[t + 1], &u, &nav, &c, &d);
        out[0 * nq + t] = c;
        out[1 * nq + t] = d;
        out[2 * nq + t] = d - c;
        out[3 * nq + t] = nav;
    }
}

static void
swap_d(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* The k-th smallest of x[0..n) (k < n) by quickselect; reorders x. */
static double
select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, i, j;
        double pivot;
        /* median of three at lo, mid, hi */
        if (x[mid] < x[lo])
            swap_d(&x[mid], &x[lo]);
        if (x[hi] < x[lo])
            swap_d(&x[hi], &x[lo]);
        if (x[hi] < x[mid])
            swap_d(&x[hi], &x[mid]);
        pivot = x[mid];
        i = lo;
        j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                swap_d(&x[i], &x[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return x[k];
    }
    return x[k];
}

double
pf_fc_quantile(double *x, size_t n, double p)
{
    double h, frac, a, b;
    size_t lo, i;
    if (n == 0)
        return 0;
    if (n == 1)
        return x[0];
    h = (double)(n - 1) * p;
    lo = (size_t)floor(h);
    if (lo >= n - 1)
        return select_kth(x, n, n - 1);
    frac = h - (double)lo;
    a = select_kth(x, n, lo);
    if (frac == 0)
        return a;
    /* after selection, every element right of lo is >= a: the next order statistic
     * is their minimum */
    b = x[lo + 1];
    for (i = lo + 2; i < n; i++)
        if (x[i] < b)
            b = x[i];
    return a + frac * (b - a);
}

/* Put the order statistics of the ranks r[0..nr) (ascending, within [lo, hi])
 * in place: after the call x[r[i]] is the r[i]-th smallest. A quickselect that
 * recurses only into the sides holding wanted ranks. */
static void
multiselect(double *x, size_t lo, size_t hi, const size_t *r, size_t nr)
{
    while (nr > 0 && lo < hi) {
        size_t mid = lo + (hi - lo) / 2, i = lo, j = hi, nl = 0, k;
        double pivot;
        if (x[mid] < x[lo])
            swap_d(&x[mid], &x[lo]);
        if (x[hi] < x[lo])
            swap_d(&x[hi], &x[lo]);
        if (x[hi] < x[mid])
            swap_d(&x[hi], &x[mid]);
        pivot = x[mid];
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                swap_d(&x[i], &x[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        /* [lo, j] <= pivot, (j, i) == pivot, [i, hi] >= pivot */
        while (nl < nr && r[nl] <= j && j != (size_t)-1)
            nl++;
        if (nl > 0 && j != (size_t)-1)
            multiselect(x, lo, j, r, nl);
        for (k = nl; k < nr && r[k] < i; k++)
            ;
        r += k;
        nr -= k;
        lo = i;
    }
}

void
pf_fc_quantiles(double *x, size_t n, const double *p, size_t np, double *out)
{
    size_t ranks[2 * PF_FC_NPCT + 2] = { 0 }, nr = 0, i;
    if (n == 0) {
        for (i = 0; i < np; i++)
            out[i] = 0;
        return;
    }
    for (i = 0; i < np && nr + 2 <= sizeof ranks / sizeof *ranks; i++) {
        double h = (double)(n - 1) * p[i];
        size_t lo = (size_t)floor(h);
        if (lo > n - 1)
            lo = n - 1;
        if (nr == 0 || ranks[nr - 1] < lo)
            ranks[nr++] = lo;
        if (lo + 1 < n && ranks[nr - 1] < lo + 1)
            ranks[nr++] = lo + 1;
    }
    multiselect(x, 0, n - 1, ranks, nr);
    for (i = 0; i < np; i++) {
        double h = (double)(n - 1) * p[i], frac;
        size_t lo = (size_t)floor(h);
        if (lo >= n - 1) {
            out[i] = x[n - 1];
            continue;
        }
        frac = h - (double)lo;
        out[i] = frac == 0 ? x[lo] : x[lo] + frac * (x[lo + 1] - x[lo]);
    }
}

size_t
pf_fc_fund_index(size_t nq, size_t fund, size_t series, size_t q, size_t pct)
{
    return (((fund * PF_FC_SERIES + series) * nq + q) * PF_FC_NPCT) + pct;
}

size_t
pf_fc_port_index(size_t nq, size_t series, size_t q, size_t pct)
{
    return ((series * nq + q) * PF_FC_NPCT) + pct;
}

size_t
pf_fc_group_index(size_t gnq, size_t group, size_t series, size_t q, size_t pct)
{
    return (((group * 2 + series) * gnq + q) * PF_FC_NPCT) + pct;
}

void
pf_fc_result_free(struct pf_fc_result *r)
{
    if (!r)
        return;
    free(r->group);
    free(r->fund);
    free(r->portfolio);
    free(r);
}

/* A share of the work for one thread: paths [p0, p1) or quantile rows [k0, k1).
 * Threads write disjoint entries, and every sum over funds runs in fund order
 * within one path, so one thread or two give the same bits. */
struct job {
    const struct pf_fc_spec *s;
    int phase;            /* 0 shocks, 1 one fund's paths, 2 quantiles */
    size_t p0, p1;        /* paths */
    size_t k0, k1;        /* quantile rows of base (each P long) */
    const double *F;
    double *shocks, *vals, *port, *base, *out;
    const struct pf_fc_fund *fd;
    const double *rc, *rd;
    double gq;
};

static void *
run_job(void *arg)
{
    struct job *j = arg;
    const struct pf_fc_spec *s = j->s;
    size_t nq = s->nq, nc = s->nchains, P = s->npaths, p, k;
    if (j->phase == 0) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        double *z = pf_xmalloc(nc * sizeof *z);
        if (!r)
            r = pf_xmalloc(SIZE_MAX);
        for (p = j->p0; p < j->p1; p++)
            shocks_with(r, j->F, nc, nq, s->seed, p, j->shocks + p * nq * nc, z);
        free(z);
        gsl_rng_free(r);
    } else if (j->phase == 1) {
        double *one = pf_xmalloc(PF_FC_SERIES * nq * sizeof *one);
        for (p = j->p0; p < j->p1; p++) {
            path_fast(j->fd, nq, nc, j->shocks ? j->shocks + p * nq * nc : NULL, j->rc, j->rd,
                      j->gq, one);
            for (k = 0; k < PF_FC_SERIES * nq; k++) {
                j->vals[k * P + p] = one[k];
                j->port[k * P + p] += one[k] * j->fd->fx;
            }
        }
        free(one);
    } else {
        for (k = j->k0; k < j->k1; k++)
            pf_fc_quantiles(j->base + k * P, P, pf_fc_pcts, PF_FC_NPCT, j->out + k * PF_FC_NPCT);
    }
    return NULL;
}

/* Run job a on a second thread (when asked and possible) and b here. */
static void
run_pair(struct job *a, struct job *b, int threads)
{
    pthread_t t;
    if (threads > 1 && pthread_create(&t, NULL, run_job, a) == 0) {
        run_job(b);
        pthread_join(t, NULL);
        return;
    }
    run_job(a); /* a thread could not be had: the same work, in turn */
    run_job(b);
}

pf_status
pf_forecast_simulate(const struct pf_fc_spec *s, struct pf_fc_result **out, const char **why)
{
    struct pf_fc_result *res = NULL;
    size_t nq = s->nq, P = s->npaths, nc = s->nchains, f, q, half = s->npaths / 2;
    size_t rows = PF_FC_SERIES * nq;
    double *F = NULL, *shocks = NULL, *vals = NULL, *port = NULL, *rcq = NULL, *rdq = NULL;
    struct job a, b;
    pf_status rc = PF_OK;

    *out = NULL;
    *why = NULL;
    if (P == 0 || nq == 0) {
        *why = "no paths or no quarters to simulate";
        return PF_EDATA;
    }
    res = pf_xcalloc(1, sizeof *res);
    res->fund = pf_xcalloc(s->nfunds * PF_FC_SERIES * nq * PF_FC_NPCT, sizeof(double));
    res->portfolio = pf_xcalloc(PF_FC_SERIES * nq * PF_FC_NPCT, sizeof(double));
    memset(&a, 0, sizeof a);
    a.s = s;
    if (nc > 0) {
        F = pf_xcalloc(nc * nc, sizeof *F);
        if (pf_fc_factor(s->cov, nc, F, &res->clipped, &res->min_eig) != PF_OK) {
            *why = "the chains' covariance is not a finite symmetric matrix";
            rc = PF_EDATA;
            goto cleanup;
        }
        /* every path's chain shocks once (P x nq x nc), shared by all funds */
        shocks = pf_xreallocarray(NULL, P * nq, nc * sizeof *shocks);
        a.phase = 0;
        a.F = F;
        a.shocks = shocks;
        b = a;
        a.p0 = 0;
        a.p1 = b.p0 = half;
        b.p1 = P;
        run_pair(&a, &b, s->threads);
    }
    vals = pf_xreallocarray(NULL, rows, P * sizeof *vals);
    port = pf_xcalloc(rows * P, sizeof *port);
    rcq = pf_xmalloc(nq * sizeof *rcq);
    rdq = pf_xmalloc(nq * sizeof *rdq);
    for (f = 0; f < s->nfunds; f++) {
        const struct pf_fc_fund *fd = &s->funds[f];
        for (q = 0; q < nq; q++) {
            rcq[q] = pf_ta_call_rate(&fd->p, fd->ages[q]);
            rdq[q] = pf_ta_dist_rate(&fd->p, fd->ages[q + 1]);
        }
        memset(&a, 0, sizeof a);
        a.s = s;
        a.phase = 1;
        a.shocks = shocks;
        a.vals = vals;
        a.port = port;
        a.fd = fd;
        a.rc = rcq;
        a.rd = rdq;
        a.gq = pf_ta_quarterly_growth(fd->p.growth);
        b = a;
        a.p0 = 0;
        a.p1 = b.p0 = half;
        b.p1 = P;
        run_pair(&a, &b, s->threads);
        a.phase = b.phase = 2;
        a.base = b.base = vals;
        a.out = b.out = res->fund + pf_fc_fund_index(nq, f, 0, 0, 0);
        a.k0 = 0;
        a.k1 = b.k0 = rows / 2;
        b.k1 = rows;
        run_pair(&a, &b, s->threads);
        if (s->progress)
            s->progress(s->progress_arg, f + 1, s->nfunds + 1);
    }
    memset(&a, 0, sizeof a);
    a.s = s;
    a.phase = 2;
    a.base = port;
    a.out = res->portfolio;
    b = a;
    a.k0 = 0;
    a.k1 = b.k0 = rows / 2;
    b.k1 = rows;
    run_pair(&a, &b, s->threads);

    /* groups: each member fund's first quarters again, path by path (cheap: a few
     * quarters), summed with the weights in member order, then the percentiles */
    if (s->ngroups > 0 && s->group_nq > 0) {
        size_t gnq = s->group_nq < nq ? s->group_nq : nq, g, m, p, t;
        double *sum = pf_xmalloc(2 * gnq * P * sizeof *sum);
        double *one = pf_xmalloc(PF_FC_SERIES * gnq * sizeof *one);
        double *grc = pf_xmalloc(gnq * sizeof *grc), *grd = pf_xmalloc(gnq * sizeof *grd);
        res->group = pf_xcalloc(s->ngroups * 2 * gnq * PF_FC_NPCT, sizeof(double));
        for (g = 0; g < s->ngroups; g++) {
            memset(sum, 0, 2 * gnq * P * sizeof *sum);
            for (m = 0; m < s->groups[g].n; m++) {
                const struct pf_fc_member *mb = &s->groups[g].m[m];
                const struct pf_fc_fund *fd = &s->funds[mb->fund];
                double gq = pf_ta_quarterly_growth(fd->p.growth);
                for (t = 0; t < gnq; t++) {
                    grc[t] = pf_ta_call_rate(&fd->p, fd->ages[t]);
                    grd[t] = pf_ta_dist_rate(&fd->p, fd->ages[t + 1]);
                }
                for (p = 0; p < P; p++) {
                    /* the first gnq quarters: a prefix of the path's shocks */
                    path_fast(fd, gnq, nc, shocks ? shocks + p * nq * nc : NULL, grc,
                                     grd, gq, one);
                    for (t = 0; t < gnq; t++) {
                        sum[t * P + p] += one[t] * mb->wcalls;
                        sum[(gnq + t) * P + p] += one[gnq + t] * mb->wdists;
                    }
                }
            }
            for (t = 0; t < 2 * gnq; t++)
                pf_fc_quantiles(sum + t * P, P, pf_fc_pcts, PF_FC_NPCT,
                                res->group + pf_fc_group_index(gnq, g, 0, 0, 0) +
                                    t * PF_FC_NPCT);
        }
        free(sum);
        free(one);
        free(grc);
        free(grd);
    }
    if (s->progress)
        s->progress(s->progress_arg, s->nfunds + 1, s->nfunds + 1);
    *out = res;
    res = NULL;
cleanup:
    free(F);
    free(shocks);
    free(vals);
    free(port);
    free(rcq);
    free(rdq);
    pf_fc_result_free(res);
    return rc;
}
