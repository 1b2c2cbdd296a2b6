/*
 * waterfall (calc layer): the whole-fund (European, 先回本后分利) distribution
 * waterfall of SPEC §10, run on the carry class as one investor. Pure: no I/O,
 * no database, no allocation that outlives a call.
 *
 * Input: the class's contributions and its gross distributions (its own
 * distributions plus the carry paid to the GP on that date), in any order, and a
 * final hypothetical distribution V at D (the class's share of NAV + carry paid).
 * The events are taken in date order, on one date calls first, then the actual
 * distributions, then (at D) the hypothetical one. Each distribution is pushed
 * through the tiers:
 *
 *   1+2  100 % to the class while the hurdle account
 *            H(s) = Σ cᵢ·f(s − tᵢ) − Σ ℓⱼ·f(s − sⱼ)
 *        is positive (ℓⱼ the class's part of the gross distribution at sⱼ;
 *        f(d) = (1 + hurdle)^(d/365), or 1 + hurdle·d/365 when simple) or capital
 *        is unreturned. Of that, tier 1 (return of capital) is the part up to the
 *        contributions not yet returned in tier 1; the rest is tier 2 (preferred
 *        return). A later call raises H again and so reopens both. (SPEC §10 ends
 *        tiers 1-2 at H <= 0; after the class has been paid profit a new call can
 *        leave H below the unreturned capital, and then this reading still returns
 *        the capital first, so the GP never carries on returned capital and its
 *        entitlement stays within carry x profit.)
 *   3    catch-up, only when catch_up > carry: catch_up of each unit to the GP,
 *        the rest to the class, until the GP holds `carry` of all profit
 *        distributed so far (tiers 2, 3 and 4);
 *   4    the split: carry to the GP, 1 − carry to the class.
 *
 * The GP's entitlement E is its tiers 3-4 (distributed and hypothetical) after the
 * clawback test of a whole-fund waterfall at the hypothetical liquidation: it keeps
 * no more than carry x the whole life's profit (all distributions + the final value
 * - all calls), and gives back whatever the class is still owed of capital and
 * preferred return (H > 0 after the final distribution). So carry taken on early
 * profits that later calls or losses undo shows as E < K: clawback exposure.
 *
 * Money is exact: every tier amount is whole cents, the parts of one
 * distribution add up to it exactly, and the GP's share of a tier is rounded on
 * the tier's running total, half away from zero (the class gets the rest), so the
 * rounding never accumulates beyond half a cent per tier. The hurdle account and the catch-up
 * target are computed in long double and rounded to the cent before they bound
 * an amount.
 */
#ifndef PARKFUND_WATERFALL_H
#define PARKFUND_WATERFALL_H

#include <stdbool.h>
#include <stddef.h>

#include "parkfund/util.h"

enum pf_tier {
    PF_TIER_RETURN_OF_CAPITAL,
    PF_TIER_PREFERRED_RETURN,
    PF_TIER_CATCH_UP_GP,
    PF_TIER_CATCH_UP_LP,
    PF_TIER_SPLIT_GP,
    PF_TIER_SPLIT_LP,
    PF_TIER_COUNT
};
/* "return_of_capital", "preferred_return", "catch_up_gp", "catch_up_lp", "split_gp",
 * "split_lp" (SPEC §10's keys of the waterfall dimension). */
extern const char *const pf_tier_names[PF_TIER_COUNT];

/*
 * The hurdle's growth factor f(d) by whole days elapsed, computed once and kept for
 * the next run with the same hurdle (a fund's waterfall is rerun at each period's
 * start, and funds share hurdles): a cached factor is the same bits as a fresh one.
 * One per thread. pf_wf_growth_free accepts NULL.
 */
struct pf_wf_growth;
struct pf_wf_growth *pf_wf_growth_new(void);
void pf_wf_growth_free(struct pf_wf_growth *g);

struct pf_waterfall_terms {
    double carry;     /* 0 <= carry < 1 */
    double hurdle;    /* 0 <= hurdle < 1, per year */
    double catch_up;  /* 0 <= catch_up <= 1 */
    bool simple;      /* simple hurdle (else compound) */
    struct pf_wf_growth *growth; /* may be NULL: a cache for the one run */
};

struct pf_wf_event {
    pf_date date;
    pf_cents amount;  /* > 0 */
    bool call;        /* a contribution of the class (else a gross distribution) */
};

struct pf_waterfall {
    pf_wide distributed[PF_TIER_COUNT];  /* the actual distributions, to date */
    pf_wide hypothetical[PF_TIER_COUNT]; /* the final hypothetical one at D */
    pf_wide tiers_gp;                    /* tiers 3 and 4 to the GP, both kinds */
    pf_wide entitlement;                 /* E: the GP's tiers (unrounded) after the clawback
                                            test, rounded once: within a cent of tiers_gp */
    pf_wide hurdle_at_end;               /* H after the final distribution, cents */
};

/*
 * Run the waterfall. Events dated after as_of are ignored; final_value (>= 0) is
 * the hypothetical distribution at as_of. PF_EINVAL for terms out of range or a
 * non-positive amount (out untouched).
 */
pf_status pf_waterfall_run(const struct pf_waterfall_terms *t, const struct pf_wf_event *ev,
                           size_t n, pf_date as_of, pf_cents final_value,
                           struct pf_waterfall *out);

/* Amount x rate rounded to the cent, half away from zero (0 <= rate <= 1). */
pf_wide pf_wide_times_rate(pf_wide amount, double rate);

#endif
