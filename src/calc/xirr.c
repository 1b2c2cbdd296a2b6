/*
 * xirr: Excel-convention XNPV and XIRR. Newton from the caller's guess picks the
 * root Excel would report; a scan of the rate axis plus GSL's Brent solver finds
 * the rest (or the only one when Newton fails). Nothing here prints.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "parkfund/calc.h"
#include "parkfund/banned.h"
#include "xirr_int.h"

_Thread_local unsigned long pf_xirr_scans;

/* --- internal --- */

/* Flows netted by date and sorted: t[i] in years of 365 days from the earliest. */
struct xflows {
    size_t n;
    double *t;
    double *a;
    double tmax;
};

struct dated {
    pf_date d;
    double a;
};

static int
cmp_dated(const void *pa, const void *pb)
{
    const struct dated *x = pa, *y = pb;
    return (x->d > y->d) - (x->d < y->d);
}

/* Same-day flows are summed and zero nets dropped: XNPV is unchanged, and the
 * sign pattern Descartes' rule counts is the date-ordered one. */
static void
xflows_build(struct xflows *xf, const pf_date *d, const double *a, size_t n)
{
    struct dated *v = pf_xreallocarray(NULL, n ? n : 1, sizeof *v);
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        v[i].d = d[i];
        v[i].a = a[i];
    }
    qsort(v, n, sizeof *v, cmp_dated);
    xf->t = pf_xreallocarray(NULL, n ? n : 1, sizeof *xf->t);
    xf->a = pf_xreallocarray(NULL, n ? n : 1, sizeof *xf->a);
    for (i = 0; i < n;) {
        size_t j = i;
        double sum = 0;
        while (j < n && v[j].d == v[i].d)
            sum += v[j++].a;
        if (sum != 0) {
            xf->t[m] = (double)((int64_t)v[i].d - (int64_t)v[0].d) / 365.0;
            xf->a[m] = sum;
            m++;
        }
        i = j;
    }
    xf->n = m;
    xf->tmax = m ? xf->t[m - 1] : 0;
    free(v);
}

static void
xflows_release(struct xflows *xf)
{
    free(xf->t);
    free(xf->a);
}

static size_t
sign_changes(const struct xflows *xf)
{
    size_t i, v = 0;
    for (i = 1; i < xf->n; i++)
        if ((xf->a[i] > 0) != (xf->a[i - 1] > 0))
            v++;
    return v;
}

/* Scan limits in x = ln(1+r): 1+r from e^-32 (1.3e-14) to e^32 (7.9e13). */
#define X_LIMIT 32.0

static int
sgn(double v)
{
    return (v > 0) - (v < 0);
}

/*
 * How many roots r > -1 the netted flows can have: a bound that lets a scan
 * that could only find Newton's root again be skipped.
 *
 * Write s = ln(1+r) and f(s) = sum a_k exp(-t_k s) (t ascending, XNPV up to a
 * positive factor). P_k = a_0 + ... + a_k are the partial sums from the first
 * flow, Q_k = a_k + ... + a_{n-1} those from the last; V(.) counts the sign
 * changes of a sequence with its zeros dropped. Then
 *
 *   roots with r > 0   <= V(P_0, ..., P_{n-1})        (Laguerre; Norstrom 1972)
 *   roots with r < 0   <= V(Q_{n-1}, ..., Q_0)        (the same, time reversed)
 *   r = 0 is a root    <=> P_{n-1} = 0
 *
 * so there are at most V(P) + V(Q) + [P_{n-1} = 0] distinct roots in all.
 * Norstrom's criterion alone (one change in P) bounds the roots above 0 only:
 * -1, -1, +3, -0.5 a year apart has one change in P and two IRRs, 18.1 % and -82.1 %
 * (its Q: -0.5, 2.5, 1.5, 0.5 has one change too).
 *
 * Proof for s > 0. With A(u) = P_k on [t_k, t_{k+1}) and A(u) = P_{n-1} from
 * t_{n-1} on (a step function, A = 0 before t_0), exp(-t s) = s * integral from t
 * to infinity of exp(-u s) du gives f(s) = s F(s), F(s) = integral_0^inf A(u)
 * exp(-u s) du: f's roots in s > 0 are those of F, the Laplace transform of A,
 * and A changes sign at most V(P) times (equal t's only drop values of P).
 * Claim: if a function A, bounded by a polynomial and not zero almost
 * everywhere, changes sign m times, F has at most m zeros in s > 0. m = 0: A
 * keeps one sign, so F(s) != 0. m >= 1, last change at u_m: G(s) = exp(u_m s) F(s)
 * = integral A(u) exp(-(u - u_m) s) du has the zeros of F and
 * G'(s) = -exp(u_m s) * (transform of B), B(u) = (u - u_m) A(u); the factor
 * (u - u_m) flips A's sign left of u_m only, so B changes sign m - 1 times; by
 * induction G' has at most m - 1 zeros and by Rolle G at most m. For s < 0 put
 * s' = -s > 0: f = exp(t_{n-1} s') * sum a_k exp(-(t_{n-1} - t_k) s'), the same
 * form with time reversed, whose partial sums are the Q's. At s = 0, f = P_{n-1}.
 * (The case used below, bound <= 1, needs only m <= 1: with one change, B keeps
 * one sign, G is strictly monotone, one zero at most.)
 *
 * The bound is on the exact sums of the doubles in xf. Partial sums are
 * accumulated in floating point, so a sign is taken only when it is certain:
 * the sum is exact so far (checked with Knuth's TwoSum), or it exceeds the
 * recursive-summation error bound (gamma_k * sum |a| <= 2 (k+1) eps sum |a|).
 * An uncertain sign anywhere gives SIZE_MAX (no bound), as does an overflow.
 */
static size_t
partial_sum_changes(const struct xflows *xf, bool backward, int *total_sign)
{
    double s = 0, m = 0;
    bool exact = true;
    int prev = 0, sg = 0;
    size_t k, v = 0;

    for (k = 0; k < xf->n; k++) {
        double a = xf->a[backward ? xf->n - 1 - k : k], t = s + a, bv = t - s;
        /* TwoSum: the rounding error of s + a, zero when the sum is exact */
        double err = (s - (t - bv)) + (a - bv);
        exact = exact && err == 0;
        s = t;
        m += fabs(a);
        if (!(m <= DBL_MAX / 4)) /* and the scan's sums, at most m, stay finite */
            return SIZE_MAX;
        if (exact || fabs(s) > 2.0 * (double)(k + 1) * DBL_EPSILON * m)
            sg = sgn(s);
        else
            return SIZE_MAX;
        if (sg != 0) {
            if (prev != 0 && sg != prev)
                v++;
            prev = sg;
        }
    }
    *total_sign = sg;
    return v;
}

/*
 * Whether the scan's sums mean something everywhere, so that it could find no
 * root the bound rules out. Where every term has underflowed, rounding alone
 * makes signs (flows over five centuries, the earliest date netting to 0 and
 * placing the first flow 68 years after the origin: a "root" at r = 5e4 next
 * to the true one at 1.6e4). Below r = 0 the last flow's term is a_{n-1}
 * exactly; above, the first's is at least |a_0| exp(-32 t_0) (t_0 > 0 only when
 * the earliest date nets to 0). With both far above the subnormals the scan is
 * trusted to see only true crossings; otherwise the bound is not used.
 */
static bool
scan_is_faithful(const struct xflows *xf)
{
    const double floor_term = 0x1p-900;
    return fabs(xf->a[xf->n - 1]) >= floor_term &&
           fabs(xf->a[0]) * exp(-X_LIMIT * xf->t[0]) >= floor_term;
}

static size_t
root_bound(const struct xflows *xf)
{
    int total_p, total_q;
    size_t vp = partial_sum_changes(xf, false, &total_p), vq;

    if (vp == SIZE_MAX)
        return SIZE_MAX;
    vq = partial_sum_changes(xf, true, &total_q);
    if (vq == SIZE_MAX)
        return SIZE_MAX;
    return vp + vq + (total_p == 0);
}

/*
 * XNPV scaled by (1+r)^c, written in x = ln(1+r): sum a_i exp(-(t_i - c) x) with
 * c = tmax below r = 0 and c = 0 above. Every factor is then <= 1, so nothing
 * overflows anywhere on the axis, and the sign (all a bracket needs) is XNPV's.
 */
static double
hx(double x, void *ctx)
{
    const struct xflows *xf = ctx;
    double c = x < 0 ? xf->tmax : 0, s = 0;
    size_t i;
    for (i = 0; i < xf->n; i++)
        s += xf->a[i] * exp(-(xf->t[i] - c) * x);
    return s;
}

/* XNPV and its derivative in r, unscaled: Newton must follow Excel's function. */
static void
f_df(const struct xflows *xf, double r, double *f, double *df, double *mag)
{
    double l = log1p(r), s = 0, ds = 0, m = 0;
    size_t i;
    for (i = 0; i < xf->n; i++) {
        double e = exp(-xf->t[i] * l);
        s += xf->a[i] * e;
        ds -= xf->t[i] * xf->a[i] * e;
        m += fabs(xf->a[i]) * e;
    }
    *f = s;
    *df = ds / (1 + r);
    *mag = m;
}

/*
 * Plain Newton from the guess, as Excel's XIRR documents (iterate from the
 * guess, up to 100 tries). Leaving r > -1 or a non-finite step is a failure,
 * not something to repair: a repaired path would no longer be Excel's.
 */
static bool
newton(const struct xflows *xf, double guess, double *root)
{
    double r = guess;
    int it;

    for (it = 0; it < 100; it++) {
        double f, df, mag, step, next, tol;
        f_df(xf, r, &f, &df, &mag);
        if (!isfinite(f) || !isfinite(df) || !isfinite(mag))
            return false;
        if (f == 0) {
            *root = r;
            return true;
        }
        if (df == 0)
            return false;
        step = f / df;
        next = r - step;
        if (!isfinite(next) || !(next > -1))
            return false;
        /* relative to 1+r near -100%, where absolute steps mean little */
        tol = fmax(1e-12 * (1 + next), 8 * DBL_EPSILON * fmax(1, fabs(next)));
        if (fabs(next - r) <= tol) {
            f_df(xf, next, &f, &df, &mag);
            if (!isfinite(f) || fabs(f) > 1e-6 * mag)
                return false;
            *root = next;
            return true;
        }
        r = next;
    }
    return false;
}


/*
 * Segments of the scan: the step doubles with the distance from r = 0, where
 * real rates live and close roots are likeliest. 350 points a side.
 */
static const double seg_edge[] = { 0, 1, 2, 4, 8, 16, 32 };
static const int seg_steps[] = { 100, 50, 50, 50, 50, 50 };
#define NSEG (sizeof seg_steps / sizeof *seg_steps)

struct scan {
    const struct xflows *xf;
    gsl_root_fsolver *s;
    double *w, *q;       /* per-flow factor and its per-step multiplier */
    double xs[PF_XIRR_MAX_ROOTS * 4];
    size_t nx;
    size_t limit;        /* stop once this many roots are found */
    bool failed;         /* GSL misbehaved */
    bool have_prev;
    double prev_x, prev_h;
};

static void
add_root(struct scan *sc, double x)
{
    if (sc->nx < sizeof sc->xs / sizeof *sc->xs)
        sc->xs[sc->nx++] = x;
}

static void
brent(struct scan *sc, double lo, double hi)
{
    gsl_function fn;
    int status, it;
    double r;

    fn.function = hx;
    fn.params = (void *)sc->xf;
    if (gsl_root_fsolver_set(sc->s, &fn, lo, hi) != GSL_SUCCESS) {
        sc->failed = true;
        return;
    }
    for (it = 0; it < 200; it++) {
        if (gsl_root_fsolver_iterate(sc->s) != GSL_SUCCESS) {
            sc->failed = true;
            return;
        }
        lo = gsl_root_fsolver_x_lower(sc->s);
        hi = gsl_root_fsolver_x_upper(sc->s);
        status = gsl_root_test_interval(lo, hi, 1e-15, 4 * DBL_EPSILON);
        if (status == GSL_SUCCESS)
            break;
        if (status != GSL_CONTINUE) {
            sc->failed = true;
            return;
        }
    }
    r = gsl_root_fsolver_root(sc->s);
    add_root(sc, r);
}

/*
 * One grid point. A sign change against the previous point is re-checked with
 * direct evaluation (the grid uses running products that can drift by a few
 * ulps) and, if it still holds, handed to Brent.
 */
static void
visit(struct scan *sc, double x, double h)
{
    if (sc->have_prev && sgn(h) != sgn(sc->prev_h)) {
        double lo = sc->prev_x, hi = x, hlo = hx(lo, (void *)sc->xf), hhi = hx(hi, (void *)sc->xf);
        if (hlo == 0)
            add_root(sc, lo);
        else if (hhi != 0 && sgn(hlo) != sgn(hhi))
            brent(sc, lo, hi);
    }
    sc->have_prev = true;
    sc->prev_x = x;
    sc->prev_h = h;
}

static void
scan_segment(struct scan *sc, double xa, double xb, int steps)
{
    const struct xflows *xf = sc->xf;
    double c = xa < 0 ? xf->tmax : 0, dx = (xb - xa) / steps;
    size_t i;
    int k;

    for (i = 0; i < xf->n; i++) {
        sc->w[i] = exp(-(xf->t[i] - c) * xa);
        sc->q[i] = exp(-(xf->t[i] - c) * dx);
    }
    /* the last point is the next segment's first, evaluated afresh there */
    for (k = 0; k < steps && sc->nx < sc->limit; k++) {
        double h = 0;
        for (i = 0; i < xf->n; i++) {
            h += xf->a[i] * sc->w[i];
            sc->w[i] *= sc->q[i];
        }
        visit(sc, xa + k * dx, h);
    }
}

static void
scan_all(struct scan *sc)
{
    size_t s;

    for (s = NSEG; s-- > 0 && sc->nx < sc->limit;)
        scan_segment(sc, -seg_edge[s + 1], -seg_edge[s], seg_steps[s]);
    for (s = 0; s < NSEG && sc->nx < sc->limit; s++)
        scan_segment(sc, seg_edge[s], seg_edge[s + 1], seg_steps[s]);
    if (sc->nx < sc->limit)
        visit(sc, X_LIMIT, hx(X_LIMIT, (void *)sc->xf));
}

static int
cmp_double(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

static void
set_reason(struct pf_xirr_result *out, const char *why)
{
    out->m.value = 0;
    out->m.reason = why;
    out->nroots = 0;
}

/* --- public --- */

size_t
pf_xirr_root_bound(const pf_date *d, const double *a, size_t n)
{
    struct xflows xf = { 0, NULL, NULL, 0 };
    size_t b;

    xflows_build(&xf, d, a, n);
    b = xf.n < 2 ? 0 : root_bound(&xf);
    xflows_release(&xf);
    return b;
}

double
pf_xnpv(double rate, const pf_date *d, const double *a, size_t n)
{
    pf_date d0;
    double l, s = 0;
    size_t i;

    if (n == 0)
        return 0;
    if (!(rate > -1))
        return NAN;
    d0 = d[0];
    for (i = 1; i < n; i++)
        if (d[i] < d0)
            d0 = d[i];
    l = log1p(rate);
    for (i = 0; i < n; i++)
        s += a[i] * exp(-((double)((int64_t)d[i] - d0) / 365.0) * l);
    return s;
}

pf_status
pf_xirr(const pf_date *d, const double *a, size_t n, double guess, struct pf_xirr_result *out)
{
    struct xflows xf = { 0, NULL, NULL, 0 };
    struct scan sc;
    bool pos = false, neg = false, have_newton;
    double newton_r = 0, chosen;
    size_t i, nchanges, bound;
    pf_status rc = PF_OK;

    memset(out, 0, sizeof *out);
    memset(&sc, 0, sizeof sc);
    for (i = 0; i < n; i++) {
        if (!isfinite(a[i])) {
            set_reason(out, "amounts must be finite");
            return PF_EDATA;
        }
        pos |= a[i] > 0;
        neg |= a[i] < 0;
    }
    if (n < 2) {
        set_reason(out, "fewer than two flows");
        return PF_OK;
    }
    if (!pos && !neg) {
        set_reason(out, "all flows are zero");
        return PF_OK;
    }
    if (!pos || !neg) {
        set_reason(out, "flows do not change sign");
        return PF_OK;
    }
    if (!isfinite(guess) || !(guess > -1))
        guess = 0.1;

    xflows_build(&xf, d, a, n);
    nchanges = sign_changes(&xf);
    if (nchanges == 0) {
        /* both signs were there, but they cancel within a day */
        set_reason(out, "flows do not change sign");
        goto cleanup;
    }
    have_newton = newton(&xf, guess, &newton_r);
    /*
     * At most one root (Descartes, or the partial sums: root_bound, used only
     * where the scan is faithful to XNPV's signs): the scan could only meet
     * Newton's root again, which the result would then list once as Newton's,
     * exactly as here. Without Newton the scan still finds the root (Brent on
     * the grid cell that brackets it, as always) but stops there, and with no
     * root at all there is nothing to scan for.
     */
    bound = nchanges == 1 ? 1 : scan_is_faithful(&xf) ? root_bound(&xf) : SIZE_MAX;
    if (have_newton && bound <= 1) {
        out->m.value = newton_r;
        out->nroots = 1;
        out->roots[0] = newton_r;
        goto cleanup;
    }

    sc.xf = &xf;
    /* by Descartes' rule there are at most nchanges roots: stop when all are in */
    sc.limit = nchanges < sizeof sc.xs / sizeof *sc.xs ? nchanges : sizeof sc.xs / sizeof *sc.xs;
    if (bound <= 1)
        sc.limit = bound;
    sc.w = pf_xreallocarray(NULL, xf.n, sizeof *sc.w);
    sc.q = pf_xreallocarray(NULL, xf.n, sizeof *sc.q);
    sc.s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!sc.s) {
        rc = PF_EINTERNAL;
        set_reason(out, "internal error in the root solver");
        goto cleanup;
    }
    if (sc.limit > 0) {
        pf_xirr_scans++;
        scan_all(&sc);
    }
    if (sc.failed) {
        rc = PF_EINTERNAL;
        set_reason(out, "internal error in the root solver");
        goto cleanup;
    }
    if (have_newton)
        add_root(&sc, log1p(newton_r));

    if (sc.nx == 0) {
        /* h's sign at the far ends is that of the latest / earliest flow */
        double hlo = hx(-X_LIMIT, &xf), hhi = hx(X_LIMIT, &xf);
        if (sgn(hlo) != sgn(xf.a[xf.n - 1]))
            set_reason(out, "rate is too close to -100%");
        else if (sgn(hhi) != sgn(xf.a[0]))
            set_reason(out, "rate is too large");
        else
            set_reason(out, "no rate solves the flows");
        goto cleanup;
    }

    /* distinct roots, ascending, as rates */
    qsort(sc.xs, sc.nx, sizeof *sc.xs, cmp_double);
    {
        double rates[sizeof sc.xs / sizeof *sc.xs] = { 0 };
        size_t m = 0, keep;
        for (i = 0; i < sc.nx; i++) {
            /* a root on a grid point can be met from both sides */
            if (i && sc.xs[i] - sc.xs[i - 1] <= 1e-9 * fmax(1, fabs(sc.xs[i])))
                continue;
            rates[m++] = expm1(sc.xs[i]);
        }
        if (have_newton)
            chosen = newton_r;
        else {
            chosen = rates[0];
            for (i = 1; i < m; i++)
                if (fabs(rates[i] - guess) < fabs(chosen - guess))
                    chosen = rates[i];
        }
        keep = m < PF_XIRR_MAX_ROOTS ? m : PF_XIRR_MAX_ROOTS;
        memcpy(out->roots, rates, keep * sizeof *rates);
        out->nroots = keep;
        if (m > keep) {
            /* keep the chosen root visible even when the list overflows */
            bool seen = false;
            for (i = 0; i < keep; i++)
                seen |= fabs(out->roots[i] - chosen) <= 1e-9 * fmax(1, fabs(chosen));
            if (!seen)
                out->roots[keep - 1] = chosen;
            qsort(out->roots, keep, sizeof *out->roots, cmp_double);
        }
        /* the Newton root (exact for Excel's function) replaces its twin from Brent */
        for (i = 0; i < keep; i++)
            if (fabs(out->roots[i] - chosen) <= 1e-9 * fmax(1, fabs(chosen)))
                out->roots[i] = chosen;
    }
    out->m.value = chosen;
    out->m.reason = NULL;

cleanup:
    if (sc.s)
        gsl_root_fsolver_free(sc.s);
    free(sc.w);
    free(sc.q);
    xflows_release(&xf);
    return rc;
}
