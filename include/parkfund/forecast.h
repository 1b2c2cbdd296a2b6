/*
 * forecast: the numerics of SPEC §11, part of calc (GSL inside, no I/O, no
 * SQLite). The Takahashi & Alexander (2002) model of an illiquid fund's calls,
 * distributions and NAV, quarterly; its calibration to a fund's own history by
 * gsl_multifit_nlinear; a correlated Monte Carlo of chain growth (GSL mt19937,
 * one seeded stream per path, so a path's numbers do not depend on how many
 * paths or threads there are); and percentiles.
 *
 * Units: amounts are doubles in one currency's minor units (cents); rates are
 * fractions. Annual parameters are converted to quarters once:
 *   growth    g_q  = (1 + G)^(1/4) - 1
 *   calls     rc_q = 1 - (1 - min(1, s * RC_k))^(1/4), RC_k the annual call rate
 *                    of fund year k (the year the quarter starts in, k >= 1)
 *   dist.     rd_q = 1 - (1 - min(1, max(Y, (a/L)^B)))^(1/4), a the fund's age
 *                    in years at the quarter's end
 * so four quarters at a constant annual rate call (distribute) exactly that
 * annual fraction. One quarter, from unfunded U and NAV N:
 *   C = rc_q * U;  D = rd_q * N * (1 + g);  N' = N * (1 + g) + C - D;  U' = U - C
 * with 1 + g floored at 0 (a draw below -100 % growth loses everything, never
 * more), so the NAV is never negative and the calls never exceed U.
 *
 * Memory rule: pf_fc_result_free frees what pf_forecast_simulate returns;
 * nothing else here allocates visibly.
 */
#ifndef PARKFUND_FORECAST_H
#define PARKFUND_FORECAST_H

#include <stddef.h>

#include "parkfund/util.h"

/* The paper's annual call schedule by fund year: 25 %, 33 1/3 %, then 50 %
 * (a commitment is then called 25 % a year for three years). */
#define PF_TA_DEFAULT_GROWTH 0.13 /* the paper's illustrative fund: G = 13 % a year */
#define PF_TA_DEFAULT_BOW 2.5
#define PF_TA_DEFAULT_LIFE 10.0
#define PF_TA_DEFAULT_YIELD 0.0

struct pf_ta_params {
    double growth;       /* G, annual */
    double bow;          /* B */
    double life;         /* L, years (> 0) */
    double yield;        /* Y, annual floor of the distribution rate */
    double call_scale;   /* s, multiplies every annual call rate (1 = the schedule) */
    const double *calls; /* annual call rates by fund year (calls[0] = year 1); the
                            last repeats; NULL = the paper's schedule */
    size_t ncalls;
};

/* Fill p with the defaults above and the paper's call schedule. */
void pf_ta_defaults(struct pf_ta_params *p);
/* Quarterly call rate for a quarter starting at age a0 (years since inception). */
double pf_ta_call_rate(const struct pf_ta_params *p, double a0);
/* Quarterly distribution rate for a quarter ending at age a1. */
double pf_ta_dist_rate(const struct pf_ta_params *p, double a1);
/* Quarterly growth (1 + G)^(1/4) - 1. */
double pf_ta_quarterly_growth(double annual);

/*
 * One quarter of the model (see the top of this file) with quarterly growth gq,
 * from ages a0 to a1. Updates *unfunded and *nav; *call and *dist receive the
 * quarter's flows.
 */
void pf_ta_step(const struct pf_ta_params *p, double gq, double a0, double a1,
                double *unfunded, double *nav, double *call, double *dist);

/*
 * The deterministic projection: n quarters from (unfunded, nav), ages[0..n] at
 * the quarter boundaries. calls, dists, navs receive n values each.
 */
void pf_ta_project(const struct pf_ta_params *p, double unfunded, double nav, const double *ages,
                   size_t n, double *calls, double *dists, double *navs);

/* ---- calibration ---- */

/*
 * A fund's quarterly history: n quarters; ages[0..n] at the boundaries;
 * unfunded[t] and nav[t] at the start of quarter t (t = 0..n, nav[n] the last
 * NAV); calls[t], dists[t] during quarter t. Amounts in one currency.
 */
struct pf_ta_history {
    size_t n;
    const double *ages, *unfunded, *nav, *calls, *dists;
    double scale; /* residuals are divided by it (the commitment): fractions */
};

/* Fewer quarters than this: the defaults, not a fit (SPEC §11). */
#define PF_TA_MIN_QUARTERS 8

struct pf_ta_fit {
    int fitted;          /* 1: G, B, s were fitted; 0: defaults kept (see reason) */
    const char *reason;  /* static, when !fitted */
    double growth, bow, call_scale;       /* the values in use */
    double se_growth, se_bow, se_scale;   /* standard errors (fitted only) */
    double residual;     /* RMS of the scaled residuals at the values in use */
    size_t nobs;         /* residuals: 3 per quarter */
    size_t iterations;
};

/*
 * Fit G, B and s to the history by nonlinear least squares (GSL
 * gsl_multifit_nlinear, trust region with Levenberg-Marquardt steps, started
 * from base's values). Residuals per quarter t, each divided by h->scale:
 *   calls[t] - rc_q(s) * unfunded[t]
 *   dists[t] - rd_q(B) * nav[t] * (1 + g)
 *   nav[t+1] - (nav[t] * (1 + g) + calls[t] - dists[t])
 * Standard errors: sqrt of the diagonal of sigma^2 (J'J)^-1 with sigma^2 = RSS
 * / (nobs - 3). Fewer than PF_TA_MIN_QUARTERS quarters, a fit that does not
 * converge, or values outside G > -1, B > 0, s > 0 (or not finite) keep base's
 * values with fitted = 0 and a reason; never NaN. Always PF_OK.
 */
pf_status pf_ta_calibrate(const struct pf_ta_params *base, const struct pf_ta_history *h,
                          struct pf_ta_fit *out);

/* ---- Monte Carlo ---- */

/*
 * A square root F (F F' = A) of the n x n covariance A (row-major): Cholesky
 * when A is positive definite; otherwise A is clipped to the nearest positive
 * semi-definite matrix (eigenvalues below 0 set to 0, gsl_eigen_symmv) and F =
 * V sqrt(max(L, 0)). *clipped says which; *min_eig is A's smallest eigenvalue
 * (only when clipped). PF_EDATA for a non-finite or asymmetric entry.
 */
pf_status pf_fc_factor(const double *A, size_t n, double *F /* OUT: n x n */, int *clipped,
                       double *min_eig);

/*
 * The chain shocks of one path: nq quarters x n chains (row-major), each
 * quarter F z with z standard normal from an mt19937 seeded by (seed, path)
 * alone.
 */
void pf_fc_shocks(const double *F, size_t n, size_t nq, unsigned long seed, size_t path,
                  double *out);

#define PF_FC_SERIES 4 /* calls, distributions, net_cash_flow, nav */
#define PF_FC_NPCT 5   /* p5, p25, p50, p75, p95 */
extern const char *const pf_fc_series_names[PF_FC_SERIES];
extern const char *const pf_fc_pct_names[PF_FC_NPCT];
extern const double pf_fc_pcts[PF_FC_NPCT];

struct pf_fc_fund {
    struct pf_ta_params p;
    double unfunded, nav; /* at the start, fund currency */
    const double *ages;   /* nq + 1 */
    const double *weight; /* per chain: the fund's NAV share (may all be 0) */
    double fx;            /* CNY per unit of the fund's currency */
};

/*
 * One path of one fund: quarterly growth g_q + sum_c weight[c] * shocks[t][c];
 * nq quarters of calls, distributions, net cash flow (distributions - calls)
 * and NAV into out[series * nq + t].
 */
void pf_fc_path(const struct pf_fc_fund *f, size_t nq, size_t nchains, const double *shocks,
                double *out);

/* A group's member: a fund and the weights its calls and distributions count
 * with (a partner's share times the fund's FX rate, say). */
struct pf_fc_member {
    size_t fund;
    double wcalls, wdists;
};
struct pf_fc_group {
    const struct pf_fc_member *m;
    size_t n;
};

struct pf_fc_spec {
    const struct pf_fc_fund *funds;
    size_t nfunds, nchains, nq, npaths;
    const double *cov; /* nchains x nchains, quarterly */
    unsigned long seed;
    int threads;       /* 1 or 2: the paths split in halves; the same bits either way */
    /* optional: groups whose path-wise weighted sums of calls and distributions over
     * the first group_nq quarters get percentiles too (a partner across funds) */
    const struct pf_fc_group *groups;
    size_t ngroups, group_nq;
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

struct pf_fc_result {
    double *fund;      /* [fund][series][quarter][pct] percentiles, fund currency */
    double *portfolio; /* [series][quarter][pct], CNY (funds at their fx) */
    double *group;     /* [group][calls, distributions][quarter < group_nq][pct] */
    int clipped;       /* the covariance was not positive definite */
    double min_eig;
};

/*
 * The Monte Carlo: npaths paths of nq quarters; percentiles (linear
 * interpolation between order statistics, h = (npaths - 1) * p, as
 * gsl_stats_quantile_from_sorted_data) per fund, quarter and series, and of
 * the portfolio's path-wise CNY sums. Zero covariance: every percentile is the
 * deterministic projection. PF_EDATA (reason in *why) for a bad covariance or
 * npaths == 0.
 */
pf_status pf_forecast_simulate(const struct pf_fc_spec *s, struct pf_fc_result **out,
                               const char **why);
void pf_fc_result_free(struct pf_fc_result *r);
/* Index helpers into pf_fc_result. */
size_t pf_fc_fund_index(size_t nq, size_t fund, size_t series, size_t q, size_t pct);
size_t pf_fc_port_index(size_t nq, size_t series, size_t q, size_t pct);
size_t pf_fc_group_index(size_t gnq, size_t group, size_t series, size_t q, size_t pct);

/* The p-quantile (0..1) of x[0..n) by linear interpolation; reorders x. */
double pf_fc_quantile(double *x, size_t n, double p);
/* The same for np <= 5 ascending probabilities at once (one multi-rank
 * quickselect); out[i] equals pf_fc_quantile(x, n, p[i]). Reorders x. */
void pf_fc_quantiles(double *x, size_t n, const double *p, size_t np, double *out);

#endif
