/*
 * engine internals (engine folder only): the indexed book a close computes from,
 * and the rooms of the close. Each room is one file:
 *
 *   book.c         indexes over the data set, FX conversion, project NAV, cash-flow blocks
 *   positions.c    a fund's and a partner's totals as at a date; allocation by interest
 *   emit.c         storing figures (range-checked money), warnings, checks, IRR blocks
 *   exposure.c     per-project measures and the grouping dimensions (exposure, HHI)
 *   performance.c  the fund's and partners' own figures: multiples, net IRR, PME
 *   accounts.c     the ILPA-shaped capital accounts by period and their checks
 *   risk.c         chain NAV history, quarterly returns, risk statistics, correlation
 *   close.c        the close itself: orchestrates the rooms, fund by fund, then the
 *                  portfolio; and pf_engine_close (load, compute, store)
 *
 * Money: single amounts are int64 cents (pf_cents) as imported or converted; every
 * sum is accumulated in 128 bits (pf_wide) and range-checked once, where it is
 * stored (emit.c), so an overflow is a clear PF_EDATA naming the figure, never a
 * wrapped number.
 */
#ifndef PARKFUND_ENGINE_INT_H
#define PARKFUND_ENGINE_INT_H

#include "parkfund/calc.h"
#include "parkfund/engine.h"

#define TRY(x)                                                                            \
    do {                                                                                  \
        if ((rc = (x)) != PF_OK)                                                          \
            goto cleanup;                                                                 \
    } while (0)

/* One range [lo, hi) into a sorted dataset array. */
struct span {
    size_t lo, hi;
};

/* A cash-flow block being built: (date, cents) pairs, netted by date on finish. */
struct block {
    pf_date *d;
    pf_wide *a;
    size_t n, cap;
};

/* The grouping dimensions of SPEC §5 in export order; DIM_FUND groups the
 * portfolio's projects by fund. */
enum dimension {
    DIM_CHAIN,
    DIM_SEGMENT,
    DIM_THEME,
    DIM_REGION,
    DIM_OVERSEAS_CENTRE,
    DIM_PARK,
    DIM_INSTRUMENT,
    DIM_CURRENCY,
    DIM_VINTAGE,
    DIM_GROUPING_COUNT,
    DIM_FUND = DIM_GROUPING_COUNT
};
extern const char *const dimension_names[DIM_GROUPING_COUNT + 1];

struct eng {
    const struct pf_dataset *ds;
    struct pf_taxonomy *tax;
    const struct pf_close_opts *o;
    pf_date D;
    struct pf_run *run;
    struct pf_err *err;

    struct span *proj_flows;   /* per project: its flows in ds->jflows */
    struct span *proj_vals;    /* per project: its valuations in ds->valuations */
    struct span *fund_pflows;  /* per fund: its partner flows in ds->pflows */
    struct span *fund_commits; /* per fund: its commitments in ds->commitments */
    pf_cents *flow_in_fund;    /* per project flow: amount in the fund's currency (0 after D) */
    pf_cents *flow_in_cny;     /* per project flow: amount in CNY (0 after D) */
    pf_cents *flow_in_own;     /* per project flow: amount in its project's currency */
    pf_cents *val_in_own;      /* per valuation: value in its project's currency */
    /* prefix sums over ds->jflows (entry i = sum of flows before i), so any date range
     * of one project's flows sums in O(log n): */
    pf_wide *pre_net;          /* investments - proceeds, project currency (NAV roll-forward) */
    pf_wide *pre_invested, *pre_proceeds, *pre_income; /* in the fund's currency */
    /* the fund's NAV on dates already asked for (mPME weights), per fund being closed */
    pf_date *navcache_date;
    pf_wide *navcache_nav;
    size_t navcache_n, navcache_cap;
    int navcache_fund;
    int **fund_projects;       /* per fund: its projects (indices, by id) */
    size_t *fund_nprojects;
    const char **proj_park;    /* per project: park id ("unknown" without one) */
    const char **proj_region, **proj_centre;
    struct span bench;         /* the benchmark's levels in ds->bench */
    bool have_bench;
    /* per partner of the data set: its place among the partners a fund's sweep is
     * about, or -1. All -1 between uses: a sweep sets its partners' entries and puts
     * them back (partner_slots_set/_clear), so no fund's work costs the size of the
     * whole book */
    int *partner_slot;
    struct pf_wf_growth *wf_growth; /* the waterfalls' hurdle factors, kept across runs */
    char *acct_cols;           /* accounts.c: the account rows' column names, made once */
};

/* ---- book.c ---- */

/* CNY per unit of cur at the latest rate on or before d, as rate x 1e8 (1e8 for CNY). */
pf_status eng_rate_e8(struct eng *e, const char *cur, pf_date d, int64_t *rate_e8);
/*
 * Convert cents from one currency to another at the rates on or before d, exactly:
 * v x rate(from) / rate(to) in 128-bit integers, rounded once to the cent, ties away
 * from zero. A result beyond 64 bits is PF_EDATA naming the currencies.
 */
pf_status eng_conv(struct eng *e, pf_wide v, const char *from, const char *to, pf_date d,
                   pf_cents *out);
/* Project NAV at t in the project's currency (SPEC §5 roll-forward, floored at 0). */
pf_wide eng_project_nav(const struct eng *e, int p, pf_date t, bool *valued);
/* First index of project p's flows dated after t (its range's end if none). */
size_t eng_flows_upto(const struct eng *e, int p, pf_date t);
/*
 * A project's NAV at dates that only move forward (month-ends, quarter-ends):
 * eng_project_nav's answer, by the same formula, with its searches replaced by
 * positions carried from the date before, so a project's NAVs at all the dates of a
 * history cost one pass over its flows and valuations (issue 12: one sweep). Flows
 * [lo, end) are dated on or before t, valuations [lo, val) too, flows [lo, after) on
 * or before the latest of those valuations. A date before the last one asked starts
 * the cursor again. Init before first use, one cursor per project and history.
 */
struct eng_nav_cursor {
    size_t end, val, after;
    pf_date t; /* the last date asked; PF_DATE_NONE before the first */
};
void eng_nav_cursor_init(struct eng_nav_cursor *cur);
pf_wide eng_cursor_nav(const struct eng *e, int p, struct eng_nav_cursor *cur, pf_date t);
/* Benchmark level on or before d. */
pf_status eng_bench_level(struct eng *e, pf_date d, double *level);

void block_add(struct block *b, pf_date d, pf_wide a);
void block_finish(struct block *b); /* sort by date and net */
void block_release(struct block *b);

pf_status eng_prepare(struct eng *e);
void eng_release(struct eng *e);

/* ---- positions.c ---- */

/* Contribution purposes and distribution types, in the statement's order. */
enum { C_INVESTMENT, C_MANAGEMENT_FEE, C_EXPENSES, C_OTHER, C_COUNT };
enum { D_RETURN_OF_CAPITAL, D_GAIN, D_INCOME, D_OTHER, D_COUNT };

/* Everything about a fund "as at t" (flows dated on or before t), in its currency.
 * Carried interest paid to the GP leaves the cash but is not an LP distribution. */
struct fund_position {
    pf_wide commitment;
    pf_wide contrib[C_COUNT], dist[D_COUNT];
    pf_wide paid_in, distributions, recallable, carry_paid;
    pf_wide invested, proceeds, income; /* project flows */
    pf_wide project_nav, cash, nav;
};

/* A partner's own commitments and flows in one fund as at t. */
struct partner_position {
    pf_wide commitment, contrib[C_COUNT], dist[D_COUNT], paid_in, distributions, recallable;
    pf_wide carry_received; /* a gp partner's carried interest: not in its distributions */
};

static inline bool
is_carry(const struct pf_partner_flow *pf)
{
    return pf->kind == PF_DISTRIBUTION && pf->purpose == PF_P_CARRIED_INTEREST;
}

pf_status fund_position_at(struct eng *e, int f, pf_date t, struct fund_position *o);
/*
 * fund_position_at for one fund at dates that only move forward (its month-ends):
 * the partner flows are added from where the date before stopped and each project's
 * NAV comes from its cursor, so a fund's history costs one pass over its flows
 * instead of one per date (issue 12: one sweep per fund). The same figures; a date
 * before the last one asked is answered from scratch. fund_sweep_new / _free pair.
 */
struct fund_sweep;
struct fund_sweep *fund_sweep_new(const struct eng *e, int f);
void fund_sweep_free(struct fund_sweep *sw);
pf_status fund_position_sweep(struct eng *e, struct fund_sweep *sw, pf_date t,
                              struct fund_position *o);
void partner_slots_set(const struct eng *e, const int *partners, size_t np);
void partner_slots_clear(const struct eng *e, const int *partners, size_t np);
/* What each of partners[0..np) (distinct data set indices) holds in fund f as at t,
 * into out[0..np), in one sweep of the fund's commitments and flows */
void partner_positions_at(const struct eng *e, int f, const int *partners, size_t np, pf_date t,
                          struct partner_position *out);
pf_wide fund_commitment_at(const struct eng *e, int f, pf_date t);
/* The fund's NAV on t, computed once per fund and date (partners ask for the same dates). */
pf_status fund_nav_cached(struct eng *e, int f, pf_date t, pf_wide *nav);
/* Partners of fund f as at D (a commitment or a flow on or before D), by id. */
size_t fund_partners(const struct eng *e, int f, int **out);
/*
 * Share `total` among n partners by their commitments (SPEC §5), exactly, by the
 * largest remainder; with nothing committed by what was paid in; with neither,
 * equally. `what` names the figure in an error.
 */
pf_status allocate_by_interest(struct eng *e, int f, pf_wide total, const pf_wide *commitment,
                               const pf_wide *paid_in, size_t n, const char *what,
                               pf_cents *out);
pf_wide unfunded_of(pf_wide commitment, pf_wide paid_in, pf_wide recallable);

/* ---- emit.c: every figure reaches the run through these ---- */

pf_status put_money(struct eng *e, const char *dim, const char *fund, const char *key,
                    const char *metric, pf_wide v);
pf_status put_row_money(struct eng *e, const char *tbl, const char *fund, const char *key,
                        const char *col, pf_date d, pf_wide v);
void put_metric(struct eng *e, const char *dim, const char *fund, const char *key,
                const char *metric, struct pf_metric m);
void warn(struct eng *e, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record a reconciliation check; a failed one is PF_EINTERNAL with its message. */
pf_status check(struct eng *e, bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Store a finished block as rows and its XIRR as (dim, fund, key, metric). */
pf_status irr_block(struct eng *e, struct block *b, const char *fund, const char *block_key,
                    const char *dim, const char *key, const char *metric, pf_wide nav);
/* The same, also returning the rate (or its reason) in *irr. */
pf_status irr_block_rate(struct eng *e, struct block *b, const char *fund,
                         const char *block_key, const char *dim, const char *key,
                         const char *metric, pf_wide nav, struct pf_metric *irr);
int cmp_str(const void *a, const void *b);

/* ---- exposure.c ---- */

/* A project's measures as at D, in one currency (the fund's, or CNY). */
struct project_measures {
    pf_wide committed, invested, realised, nav, unfunded, co_invested;
    bool counted;       /* committed on or before D */
    bool valued;        /* has a valuation on or before D */
};

pf_status project_measures(struct eng *e, int p, const char *cur, bool cny,
                           struct project_measures *m);
void measures_add(struct project_measures *acc, const struct project_measures *x);
void project_flows_to(const struct eng *e, int p, bool cny, struct block *b);
pf_status put_exposure(struct eng *e, const char *dim, const char *fund, const char *key,
                       const struct project_measures *s, size_t count, pf_wide total_nav,
                       pf_wide total_invested, bool with_nav);
/* One grouping dimension over a set of projects: rows per key, then key "*". */
pf_status exposure(struct eng *e, const int *projs, size_t np,
                   const struct project_measures *pms, enum dimension dim, const char *fund,
                   bool cny);

/* ---- performance.c ---- */

/*
 * The PME family for one set of LP flows (the fund's, or one partner's).
 * interest_at[i] turns the fund's NAV after the i-th flow date into the holder's.
 */
/* only[0..nonly): the ds->pflows indices of one partner's flows in the fund, in date
 * order (NULL: all the fund's flows) */
pf_status pme_all(struct eng *e, int f, const size_t *only, size_t nonly, const char *dim,
                  const char *fund, const char *key, pf_wide nav_at_D,
                  const double *interest_at);
/* Multiples (tvpi, dpi, rvpi, pic) of one holder. */
void put_multiples(struct eng *e, const char *dim, const char *fund, const char *key,
                   pf_wide paid_in, pf_wide distributions, pf_wide nav, pf_wide commitment);

/* ---- economics.c: a fund's terms applied (SPEC §10) ---- */

#include "parkfund/waterfall.h"

struct economics {
    bool has_terms;                 /* false: SPEC §5 only (no terms, or nothing committed) */
    const struct pf_fund_terms *terms;
    pf_wide F, K, C;                /* fund NAV, carry paid, commitments, as at the date */
    pf_wide class_commitment, class_calls, class_gross_distributions;
    pf_wide V, E, A;                /* class value, GP entitlement, accrued carry (E - K) */
    pf_wide final_value;            /* the waterfall's hypothetical distribution: V - K */
    struct pf_waterfall wf;
    /* per partner of the fund (the close's order): */
    bool *member;                   /* in the carry class */
    long double *exact;             /* the exact NAV net of carry (and of the concession) */
    pf_cents *nav_net;              /* rounded: Σ nav_net + A = F */
    pf_cents *charged, *accrued;    /* members' shares of K and A */
    pf_cents *given, *received;     /* the concession */
};

/* The economics of fund f as at t for its partners (their order); without terms
 * x->has_terms is false and nothing is allocated. */
pf_status fund_economics(struct eng *e, int f, pf_date t, const int *partners, size_t np,
                         const struct fund_position *pos, struct economics *x);
void economics_release(struct economics *x);

/* ---- the fund being closed, shared by its rooms ---- */

struct fund_close {
    int f;
    const char *id;
    struct fund_position at_D;
    int *partners;                  /* indices into ds->partners, by id */
    size_t npartners;
    struct partner_position *pos;   /* per partner, as at D */
    pf_wide *commitment, *paid_in;  /* per partner, allocation weights at D */
    pf_cents *nav, *cash;           /* per partner, allocated at D */
    struct project_measures *pms;   /* per project of the data set (this fund's filled) */
    struct project_measures total;  /* this fund's counted projects */
    struct economics econ;          /* at D (has_terms false for a fund without terms) */
    struct pf_metric gross_irr, net_irr_before_carry, net_irr; /* for the bridge */
    /* partner i's flows of the fund, in date order: flow_idx[flow_at[i] .. flow_at[i+1]),
     * indices into ds->pflows; its commitments likewise (commit_at, commit_idx); and
     * the fund's commitments by date with their running total, for the fund's
     * commitment on any date by bisection. Every per-partner walk uses these, so a
     * fund's work is linear in its partners (a fund of 16,000) */
    size_t *flow_at, *flow_idx, *commit_at, *commit_idx;
    pf_date *commit_day;
    pf_wide *commit_cum;
    size_t ncommit_day;
};

/* ---- fees.c: the management-fee control (a fund with terms) ---- */

pf_status fee_control(struct eng *e, const struct fund_close *fc);

/* ---- accounts.c ---- */

pf_status capital_accounts(struct eng *e, struct fund_close *fc);

/* ---- risk.c ---- */

pf_status chain_risk(struct eng *e, const char **chains, size_t nch);
pf_status chain_nav_history(struct eng *e, const char **chains, size_t nch);
pf_status fund_nav_history(struct eng *e, int f);

#endif
