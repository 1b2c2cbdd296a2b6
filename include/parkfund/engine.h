/*
 * engine: the monthly close. Reads the data as known at the newest batch,
 * computes every figure of SPEC §5 once, checks that the capital accounts
 * reconcile, and stores it as a numbered run; verify recomputes a stored run
 * from the data as known at its cut-off batch and compares every figure.
 * Uses calc for the numerics and store for the data; prints nothing.
 *
 * What a run holds (struct pf_run, store.h) — the contract report, export and
 * show render from:
 *
 * results (SPEC §6 export rows): dimension, fund (NULL = portfolio in CNY), key,
 *   metric, and a value (money as exact cents; ratios/rates as doubles) or a
 *   reason. Order: for each fund (by id) its `fund` rows, its partners (by id),
 *   its projects (by id), then its grouping dimensions (chain, segment, theme,
 *   region, overseas_centre, park, instrument, currency, vintage; keys sorted,
 *   each dimension ending with key "*" for hhi/top5_share/top10_share); then the
 *   portfolio (fund NULL): dimension `fund` (one row set per fund, exposure in
 *   CNY), the grouping dimensions, chain risk, chain_corr.
 *
 * rows (tables the workbooks show), tbl / fund / key / col / date / value:
 *   "account"  fund F, key partner id or "*" (the whole fund), col
 *              "<period>.<line>", period month|qtd|ytd|itd, date = the period's
 *              beginning date (the day before it starts); lines (cents):
 *              beginning_nav, contrib_investment, contrib_management_fee,
 *              contrib_expenses, contrib_other, dist_return_of_capital, dist_gain,
 *              dist_income, dist_other, management_fees (negative), expenses
 *              (negative), investment_income, change_in_value (the balancing
 *              figure), ending_nav, commitment, beginning_unfunded,
 *              new_commitments, less_contributions (negative), plus_recallable,
 *              unfunded_adjustment (floor at zero), ending_unfunded; plus
 *              "<period>.interest" (a fraction, value).
 *   "block"    the date-netted cash-flow blocks behind each XIRR: fund F (or
 *              NULL for the portfolio), key = block id ("net", "gross",
 *              "partner:<id>", "project:<id>", "<dimension>:<key>"), col "flow",
 *              one row per date (cents; the last row is the NAV at D, col "nav").
 *              The IRR result that uses a block names it in results order; the
 *              report writes the block and an XIRR formula over it.
 *   "nav_history" fund NULL, key chain code, col "nav", date month-end, cents CNY;
 *              and fund F, key F, cols "paid_in", "distributions", "nav" per
 *              month-end (the J-curve), cents in the fund's currency.
 *   "risk"     fund NULL, key chain, col "return", date quarter end, value.
 *
 * notes: checks (name, ok, detail) and warnings (name, detail), in order.
 */
#ifndef PARKFUND_ENGINE_H
#define PARKFUND_ENGINE_H

#include "parkfund/model.h"
#include "parkfund/store.h"
#include "parkfund/util.h"

struct pf_close_opts {
    pf_date as_of;
    const char *benchmark; /* index id for PME, NULL: PME metrics empty with a reason */
    /* may be NULL; called with (done, total) while computing */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
    /* may be NULL; pf_engine_close fills the wall and CPU seconds of its three phases
     * (load the data set, compute, store the run) for `close --timings` */
    struct pf_close_timings {
        double wall[3], cpu[3];
    } *timings;
};

/*
 * Compute a run from a data set (pure: no database). The run's as_of, batch,
 * engine, taxonomy, benchmark and input_rows are filled; digest and created_at
 * are the caller's. A missing FX rate or benchmark level is PF_EDATA naming
 * the currency (or index) and date; a failed reconciliation is PF_EINTERNAL.
 */
pf_status pf_engine_compute(const struct pf_dataset *ds, const struct pf_close_opts *o,
                            struct pf_run **out, struct pf_err *err);

/*
 * The close: load the data as known at the newest batch, compute, store the
 * run in one write transaction. *out (may be NULL) receives the stored run.
 */
pf_status pf_engine_close(struct pf_store *st, const struct pf_close_opts *o,
                          struct pf_run **out, struct pf_err *err);

/* One difference found by verify. Strings borrowed for the callback's duration. */
struct pf_diff {
    int64_t run;
    const char *what;     /* "dimension/fund/key/metric" or "rows tbl/fund/key/col/date" */
    const char *stored;
    const char *recomputed;
};

/*
 * Verify run `id` (0 = every run): recompute from the data as known at its
 * cut-off batch and compare every result and row exactly, and the input
 * digest. Calls fn for each difference (may be NULL); *ndiff counts them.
 * PF_OK even with differences (the caller maps ndiff > 0 to exit 1).
 */
pf_status pf_engine_verify(struct pf_store *st, int64_t id,
                           void (*fn)(void *arg, const struct pf_diff *d), void *arg,
                           size_t *nruns, size_t *ndiff, struct pf_err *err);

/* Format a result's value the way export and diffs print it (round-trip). */
char *pf_result_format(const struct pf_result *r, char *buf, size_t n);

/* ---- forecast (SPEC §11) ----
 *
 * A forecast projects every fund of a stored run (Takahashi & Alexander, see
 * forecast.h) and is stored with that run; verify recomputes it. Its results
 * (struct pf_forecast's res, in this order) are SPEC §6 rows:
 *   forecast_options  fund NULL, key "*": years, paths, seed (values),
 *                     target_nav (CNY cents, or empty "no target given")
 *   per fund (by id):
 *   forecast_fit      key "*": fitted (1/0), quarters (of history), residual (RMS,
 *                     a fraction of the commitment); keys growth, bow, call_scale:
 *                     value and stderr (stderr empty with the reason when the
 *                     defaults are used); keys life, yield: value
 *   forecast          key "<quarter>|<series>|<pct>", metric amount (cents, fund
 *                     currency); quarter "2027Q1", series calls, distributions,
 *                     net_cash_flow (distributions - calls), nav; pct p5 .. p95
 *   forecast_partner  key "<partner>|<quarter>|calls|p50" (and p95, and
 *                     distributions) for the next four quarters: the fund's band
 *                     times the partner's share of the unfunded (calls) or its
 *                     interest (distributions)
 *   then the portfolio: forecast, fund NULL, the same keys in CNY (path-wise sums
 *   at the as-of FX rates); forecast_partner, fund NULL: each partner across its
 *   funds in CNY (path-wise sums of its shares, then the percentiles); with a
 *   target, forecast_pacing, key = the first quarter of each forecast year:
 *   new_commitments, nav_p50_existing, nav_p50.
 * Notes (warnings): fits that fell back to defaults, chains without risk
 * figures, a clipped covariance, negative NAVs.
 */
struct pf_forecast_opts {
    int years;             /* 1..50 */
    size_t paths;          /* >= 1 */
    unsigned long seed;    /* 0 .. 2^32 - 1 */
    bool has_target;
    pf_cents target_nav;   /* CNY cents */
    void (*progress)(void *arg, size_t done, size_t total); /* may be NULL */
    void *progress_arg;
};
/* The documented default seed (the paper's year). */
#define PF_FORECAST_DEFAULT_SEED 2002UL
/* paths x quarters at most (memory: about 130 bytes each with 8 chains, so 4,000,000
 * is about 500 MB; the default 10,000 x 40 is a tenth of it) */
#define PF_FORECAST_MAX_PATH_QUARTERS 4000000

/*
 * Compute a forecast of run (as stored) with the data set it was computed
 * from (pure: no database). *out's created_at is the caller's. A missing FX
 * rate is PF_EDATA naming the currency and date.
 */
pf_status pf_engine_forecast_compute(const struct pf_run *run, const struct pf_dataset *ds,
                                     const struct pf_forecast_opts *o, struct pf_forecast **out,
                                     struct pf_err *err);
/* Load run run_id (0 = newest), compute and store a forecast; *out the stored one. */
pf_status pf_engine_forecast(struct pf_store *st, int64_t run_id,
                             const struct pf_forecast_opts *o, struct pf_forecast **out,
                             struct pf_err *err);

#endif
