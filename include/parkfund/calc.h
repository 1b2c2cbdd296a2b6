/*
 * calc: pure numerical kernels (SPEC §5). Inputs are arrays, outputs are values
 * or reasons. No I/O, no SQLite, no cJSON; GSL lives here and nowhere else.
 * Thread-safe: no globals (each pf_rng is its own state).
 *
 * Dates are pf_date (days since 1970-01-01); amounts are doubles in one currency
 * (money becomes double only here, for ratios and rates; pf_cents elsewhere).
 *
 * A metric is a value or a reason: when `reason` is non-NULL there is no value
 * (`value` is then 0 and must not be shown). Reasons are static lowercase
 * strings, never freed. No function here returns NaN in a pf_metric.
 *
 * Memory rule: nothing returned here needs freeing except a pf_rng
 * (pf_rng_free). Scratch memory is taken with pf_xmalloc and released before
 * return.
 *
 * GSL's default error handler aborts; every program that links calc calls
 * gsl_set_error_handler_off() first, and calc checks GSL's return codes.
 */
#ifndef PARKFUND_CALC_H
#define PARKFUND_CALC_H

#include <stddef.h>
#include <stdint.h>

#include "parkfund/util.h"

/*
 * Turn GSL's abort-on-error handler off, once, before any other calc call:
 * calc checks every GSL status itself (GSL manual, "Error handling"). Every
 * program linking calc calls this first; it is the only GSL call outside calc.
 */
void pf_calc_init(void);

struct pf_metric {
    double value;
    const char *reason; /* != NULL => no value; static string, never freed */
};

/* ---- discounting and IRR (Excel XNPV / XIRR convention) ---- */

/*
 * XNPV: sum a[i] / (1+rate)^((d[i]-d0)/365) with d0 the earliest of d[]. Dates
 * may come in any order and repeat. n == 0 gives 0. A rate <= -1 has no
 * meaning and gives NaN (the only NaN in calc; callers pass a solved rate).
 * Excel and LibreOffice take d0 as the first date listed; with the earliest date
 * first, as for every sorted schedule, the two agree.
 */
double pf_xnpv(double rate, const pf_date *d, const double *a, size_t n);

/*
 * Largest number of distinct roots pf_xirr reports. More than this many sign
 * changes in real fund flows does not happen; the excess is dropped (see below).
 */
#define PF_XIRR_MAX_ROOTS 8

struct pf_xirr_result {
    struct pf_metric m;                  /* the chosen rate, or a reason */
    size_t nroots;                       /* distinct roots found (1 when unique) */
    double roots[PF_XIRR_MAX_ROOTS];     /* ascending; the caller warns when nroots > 1 */
};

/*
 * XIRR: the rate r > -1 with pf_xnpv(r) == 0. Roots do not depend on d0, so the
 * result matches Excel and LibreOffice for dates in any order.
 *
 * Which root: Newton's method on XNPV from `guess` (Excel's default is 0.1), as
 * Excel and LibreOffice do; the root it converges to is the answer. If Newton
 * leaves the domain, stalls, or does not converge in 100 steps, the rate axis
 * is scanned for sign changes of XNPV (in x = ln(1+r), from r = -1 + 1e-14 to
 * r = 8e13) and each bracket is solved with GSL's Brent solver
 * (gsl_root_fsolver_brent); the root nearest the guess is chosen. A guess that
 * is not a finite number above -1 is replaced by 0.1.
 *
 * Several roots: by Descartes' rule of signs (which holds for real exponents),
 * the number of roots is at most the number of sign changes of the netted,
 * date-ordered flows. A second bound (Laguerre's rule on partial sums, as
 * Norstrom applied it to IRR, used forwards for r > 0 and backwards in time for
 * r < 0): at most as many roots as the sign changes of the running totals from
 * the first flow, plus those of the running totals from the last, plus one if
 * the flows sum to 0 (a running total whose sign rounding leaves in doubt
 * voids this bound). When either bound is 1 or less, Newton's root is the only
 * one and no scan runs; if Newton failed, the scan stops at the first root it
 * finds (and does not run when the bound is 0). The result is what the full
 * scan gives. Otherwise the scan runs to the end and
 * every distinct root found goes into roots[] (ascending, at most
 * PF_XIRR_MAX_ROOTS, the chosen one always kept). Two roots closer together than the scan's step (about 1% in 1+r near
 * r = 0, coarser far away) can be missed: a double root touching zero is such a
 * case and is reported as no rate.
 *
 * Reasons (m.reason; m.value is then 0, nroots 0):
 *   "fewer than two flows"             n < 2
 *   "all flows are zero"
 *   "flows do not change sign"         no positive or no negative flow
 *   "no rate solves the flows"         sign changes, but XNPV never crosses 0
 *   "rate is too close to -100%"       the root is below -1 + 1e-14
 *   "rate is too large"                the root is above 8e13 (8e15 %)
 *   "amounts must be finite"           (with PF_EDATA)
 *   "internal error in the root solver" (with PF_EINTERNAL)
 *
 * Returns PF_OK whenever *out is filled with a value or a reason for the
 * flows; PF_EDATA for a non-finite amount; PF_EINTERNAL if GSL reports a
 * failure the bracketing should have ruled out.
 *
 * Cost (gcc -O2, one core of the development machine, 100 flows): about 4 us
 * with one sign change (Newton only), about 60 us with several (the scan
 * evaluates XNPV at 700 points by running products). Measured with a loop over
 * the fund_100 and fund_100_mixed cases of tests/oracle/xirr.txt. The mixed
 * fund's calls between distributions leave one change in its running totals:
 * since the partial-sum bound it takes no scan: about 7 us (56 us before).
 */
pf_status pf_xirr(const pf_date *d,                 /* flow dates, any order, repeats allowed */
                  const double *a,                  /* signed amounts (+ in, - out) */
                  size_t n,                         /* number of flows */
                  double guess,                     /* Newton's start; Excel: 0.1 */
                  struct pf_xirr_result *out);      /* OUT: rate or reason, all roots */

/* num / den, or reason_if_den_zero (default "division by zero" when NULL). */
struct pf_metric pf_ratio(double num, double den, const char *reason_if_den_zero);

/* ---- public market equivalents ----
 *
 * One flow row per date (the caller nets by date; rows may come in any order).
 * contribution and distribution are positive numbers in the fund currency;
 * index is the benchmark level on that date (latest on or before it, SPEC §5);
 * nav_after is the fund NAV on that date after the flows (only mPME uses it).
 * as_of = D, nav = fund NAV at D, index_end = I_D. Rows dated after D are
 * ignored (SPEC §5). Writing F_i = I_D / I_i for the factor that carries a flow
 * of date i to D at the index's return:
 *
 * Common reasons: "benchmark index is not positive" (an I_i or I_D <= 0 or not
 * finite), "no contributions" (no positive contribution on or before D),
 * "amounts must be finite", and the IRR reasons of pf_xirr for the IRR-based
 * variants. All IRRs are pf_xirr with guess 0.1 and take its chosen root.
 */
struct pf_pme_flow {
    pf_date date;
    double contribution, distribution, index, nav_after;
};
struct pf_pme_input {
    const struct pf_pme_flow *flows;
    size_t n;
    pf_date as_of;
    double nav;
    double index_end;
};

/*
 * Kaplan & Schoar (2005), "Private Equity Performance: Returns, Persistence,
 * and Capital Flows", Journal of Finance 60(4): the ratio of the index-
 * compounded value of what came out to what went in,
 *   KS-PME = (sum dist_i * F_i + NAV) / (sum contrib_i * F_i).
 * Above 1: the fund beat the index. A ratio, not a rate.
 */
struct pf_metric pf_ks_pme(const struct pf_pme_input *in);

/*
 * Gredil, Griffiths & Stucke (2014), "Benchmarking Private Equity: The Direct
 * Alpha Method": compound every net flow to D by the index, then take the IRR,
 *   direct alpha a = XIRR( (dist_i - contrib_i) * F_i at d_i ; NAV at D ).
 * This is the paper's discrete alpha (SPEC §5); its continuous alpha is
 * ln(1 + a). Zero when the fund exactly tracks the index.
 */
struct pf_metric pf_direct_alpha(const struct pf_pme_input *in);

/*
 * Long & Nickels (1996), "A Private Investment Benchmark" (the Index
 * Comparison Method): buy the index with every contribution and sell it with
 * every distribution; the position at D is
 *   V_D = sum (contrib_i - dist_i) * F_i   (may be negative: the method's flaw),
 * and LN-PME = XIRR( -contrib_i + dist_i at d_i ; V_D at D ), to be compared
 * with the fund's IRR. A negative V_D adds a sign change: the IRR may then not
 * exist (a reason) or not be unique (the root Newton reaches from 0.1).
 */
struct pf_metric pf_ln_pme(const struct pf_pme_input *in);

/*
 * Rouvinez (2003), "Private Equity Benchmarking with PME+", Venture Capital
 * Journal: scale every distribution by one factor so that the index position
 * ends exactly at the fund's NAV,
 *   lambda = (sum contrib_i * F_i - NAV) / (sum dist_i * F_i),
 *   PME+ = XIRR( -contrib_i + lambda * dist_i at d_i ; NAV at D ).
 * Reason "no distributions to scale" when sum dist_i * F_i == 0.
 */
struct pf_metric pf_pme_plus(const struct pf_pme_input *in);

/*
 * Cambridge Associates (2013), "Introducing the CA Modified Public Market
 * Equivalent" (mPME): distributions sell the index position in the proportion
 * the fund itself paid out, so the position never goes negative. In date order,
 * with P = 0 and I_prev = I of the first row:
 *   pre_i  = P * I_i / I_prev + contrib_i
 *   w_i    = dist_i / (dist_i + nav_after_i)    (0 when dist_i == 0)
 *   mdist_i = w_i * pre_i ;  P = (1 - w_i) * pre_i
 * and mPME = XIRR( -contrib_i + mdist_i at d_i ; P * I_D / I_last at D ).
 * Reason "nav after a distribution is negative" when dist_i > 0 and
 * nav_after_i < 0 (the weight would exceed 1); a non-finite nav_after_i is
 * "amounts must be finite". Only mPME reads nav_after.
 */
struct pf_metric pf_mpme(const struct pf_pme_input *in);

/* ---- statistics (GSL gsl_stats_*) ---- */

struct pf_metric pf_mean(const double *x, size_t n);  /* n >= 1, else "no values" */
/* Sample standard deviation (divisor n-1); n >= 2, else "fewer than two values". */
struct pf_metric pf_stdev(const double *x, size_t n);
/*
 * Pearson correlation; "fewer than two values" for n < 2, "zero variance" when
 * either series is constant (the coefficient is 0/0 there).
 */
struct pf_metric pf_correlation(const double *x, const double *y, size_t n);
/*
 * Maximum drawdown of the wealth path W_0 = 1, W_k = W_{k-1} * (1 + R_k): the
 * largest (peak - W) / peak with peak the running maximum of W (W_0 included),
 * as a positive fraction; 0 for n == 0 or a path that never falls.
 */
double pf_max_drawdown(const double *returns, size_t n);
/*
 * Modified Dietz return over the period from s (exclusive) to e (inclusive):
 *   R = (end - begin - sum F_i) / (begin + sum w_i F_i),  w_i = (e - d_i) / (e - s),
 * F_i positive for money put in, negative for money taken out; the caller passes
 * the flows dated in (s, e]. Reasons: "empty period" when e <= s, "no capital
 * at work in the period" when the denominator is <= 0.
 */
struct pf_metric pf_modified_dietz(double nav_begin, double nav_end, pf_date s, pf_date e,
                                   const pf_date *d, const double *f, size_t n);
/* Herfindahl-Hirschman index: sum (100 * share_i)^2, shares as fractions (0..10000). */
double pf_hhi(const double *shares, size_t n);
/* Sum of the k largest values (k > n means all) divided by total; 0 if total == 0. */
double pf_top_share(const double *values, size_t n, size_t k, double total);

/* ---- exact allocation ---- */

/*
 * Largest-remainder split of `total` (may be negative) over weights (each >= 0,
 * sum > 0) so that the parts add up to total exactly:
 *   part_i = floor(total * w_i / W), W = sum w_i, computed exactly in 128 bits;
 * the leftover units (total - sum part_i, always in [0, n)) go one each to the
 * largest remainders total * w_i - part_i * W, ties to the lower index. Being a
 * floor, a negative total's odd unit stays with the later indexes (-1 over
 * weights 1,1 gives 0,-1). Returns PF_EDATA (out untouched) if a weight is
 * negative or they sum to 0.
 */
pf_status pf_alloc_largest_remainder(pf_cents total, const int64_t *weights, size_t n,
                                     pf_cents *out /* OUT: n parts */);

/* ---- deterministic random numbers (for the data generator) ---- */

/*
 * A Mersenne Twister (gsl_rng_mt19937) stream: the same seed gives the same
 * numbers on every machine. Seed 0 is GSL's default seed 4357. pf_rng_new never
 * returns NULL (out of memory exits, as pf_xmalloc does); pf_rng_free accepts NULL.
 */
struct pf_rng;
struct pf_rng *pf_rng_new(unsigned long seed);
void pf_rng_free(struct pf_rng *r);
double pf_rng_uniform(struct pf_rng *r);                             /* [0, 1) */
unsigned long pf_rng_uniform_int(struct pf_rng *r, unsigned long n); /* [0, n); 0 if n == 0 */
double pf_rng_gaussian(struct pf_rng *r, double sigma);              /* mean 0 */
/* Lognormal: exp(N(zeta, sigma^2)), gsl_ran_lognormal's parameters. */
double pf_rng_lognormal(struct pf_rng *r, double zeta, double sigma);

#endif
