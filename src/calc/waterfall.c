/*
 * waterfall: the whole-fund distribution waterfall of SPEC §10 (contract in
 * include/parkfund/waterfall.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parkfund/waterfall.h"
#include "parkfund/banned.h"

const char *const pf_tier_names[PF_TIER_COUNT] = {
    "return_of_capital", "preferred_return", "catch_up_gp", "catch_up_lp", "split_gp",
    "split_lp",
};

/* A dated amount the hurdle account grows: + calls, - the class's receipts. */
struct leg {
    pf_date date;
    pf_wide amount;
};

struct state {
    const struct pf_waterfall_terms *t;
    struct leg *legs;
    size_t nlegs, cap;
    pf_wide contributed, returned;    /* tier 1 so far */
    pf_wide profit, gp_profit;        /* tiers 2-4 in all; tiers 3-4 to the GP */
    /* the GP's shares are rounded on the running totals, so rounding never builds up */
    pf_wide catch_up_total, catch_up_gp, split_total, split_gp;
    bool caught_up;  /* the last profit went to the split: the GP holds carry of it all */
    /* growth() by whole days elapsed, filled as asked: the hurdle account is summed
     * over every leg at every distribution, and the same day counts recur (powl was
     * 80 % of a close); a cached value is the very bits growth() returns */
    struct pf_wf_growth *g;
};

struct pf_wf_growth {
    double hurdle;       /* the factors' terms */
    bool simple;
    long double *v;      /* v[d] = growth over d days, when has[d] */
    unsigned char *has;
    size_t n;
};

struct pf_wf_growth *
pf_wf_growth_new(void)
{
    return pf_xcalloc(1, sizeof(struct pf_wf_growth));
}

static void
growth_release(struct pf_wf_growth *g)
{
    free(g->v);
    free(g->has);
}

void
pf_wf_growth_free(struct pf_wf_growth *g)
{
    if (!g)
        return;
    growth_release(g);
    free(g);
}

/* g ready for t's hurdle and day counts 0 .. n - 1 */
static void
growth_prepare(struct pf_wf_growth *g, const struct pf_waterfall_terms *t, size_t n)
{
    if (g->hurdle != t->hurdle || g->simple != t->simple) {
        if (g->has)
            memset(g->has, 0, g->n);
        g->hurdle = t->hurdle;
        g->simple = t->simple;
    }
    if (n > g->n) {
        g->v = pf_xreallocarray(g->v, n, sizeof *g->v);
        g->has = pf_xreallocarray(g->has, n, 1);
        memset(g->has + g->n, 0, n - g->n);
        g->n = n;
    }
}

static long double
growth(const struct pf_waterfall_terms *t, pf_date from, pf_date to)
{
    long double years = (long double)(to - from) / 365.0L;
    if (t->simple)
        return 1.0L + (long double)t->hurdle * years;
    return powl(1.0L + (long double)t->hurdle, years);
}

static pf_wide
round_ld(long double x)
{
    return (pf_wide)(x < 0 ? -floorl(-x + 0.5L) : floorl(x + 0.5L));
}

pf_wide
pf_wide_times_rate(pf_wide amount, double rate)
{
    /* rates carry at most 8 decimals (SPEC §4): scale to an integer and round once */
    pf_wide r = (pf_wide)llround(rate * 1e8);
    return pf_wide_div_round(amount * r, (pf_wide)100000000);
}

static void
add_leg(struct state *s, pf_date d, pf_wide a)
{
    /* legs of one date are one leg (a × f + b × f = (a + b) × f): the hurdle is summed
     * over dates, not over the class's partners' flows on them */
    if (s->nlegs > 0 && s->legs[s->nlegs - 1].date == d) {
        s->legs[s->nlegs - 1].amount += a;
        return;
    }
    if (s->nlegs == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 32;
        s->legs = pf_xreallocarray(s->legs, s->cap, sizeof *s->legs);
    }
    s->legs[s->nlegs].date = d;
    s->legs[s->nlegs].amount = a;
    s->nlegs++;
}

static long double
growth_cached(const struct state *s, pf_date from, pf_date to)
{
    size_t k;
    if (!s->g || to < from || (size_t)(to - from) >= s->g->n)
        return growth(s->t, from, to);
    k = (size_t)(to - from);
    if (!s->g->has[k]) {
        s->g->v[k] = growth(s->t, from, to);
        s->g->has[k] = 1;
    }
    return s->g->v[k];
}

/* H(d) in cents, exactly as computed (long double). */
static long double
hurdle_exact(const struct state *s, pf_date d)
{
    long double h = 0;
    size_t i;
    for (i = 0; i < s->nlegs; i++)
        h += (long double)s->legs[i].amount * growth_cached(s, s->legs[i].date, d);
    return h;
}

/* H(d) in cents, rounded (it bounds a tier, which is whole cents). */
static pf_wide
hurdle_account(const struct state *s, pf_date d)
{
    return round_ld(hurdle_exact(s, d));
}

/*
 * Push one distribution x at date d through the tiers into tier[]. Tiers 1 and 2
 * take x while the hurdle account is positive or capital is still unreturned
 * (whichever bound is larger: after the class has been paid profit, a new call can
 * leave H below the capital not yet returned, and the class still gets its capital
 * back first — so the GP never carries on returned capital).
 */
static void
distribute(struct state *s, pf_date d, pf_wide x, pf_wide tier[PF_TIER_COUNT])
{
    const struct pf_waterfall_terms *t = s->t;
    pf_wide h = hurdle_account(s, d), unreturned = s->contributed - s->returned;
    pf_wide bound, to_class = 0, part, gp;

    if (unreturned < 0)
        unreturned = 0;
    bound = h > unreturned ? h : unreturned;
    if (bound > 0) {
        pf_wide first = x < bound ? x : bound, roc = unreturned < first ? unreturned : first;
        tier[PF_TIER_RETURN_OF_CAPITAL] += roc;
        tier[PF_TIER_PREFERRED_RETURN] += first - roc;
        if (first > roc)
            s->caught_up = false;
        s->returned += roc;
        s->profit += first - roc;
        to_class += first;
        x -= first;
    }
    /* tier 3: catch-up until the GP holds `carry` of the profit distributed */
    if (x > 0 && t->catch_up > t->carry) {
        long double need = ((long double)t->carry * (long double)s->profit -
                            (long double)s->gp_profit) /
                           ((long double)t->catch_up - (long double)t->carry);
        pf_wide y = round_ld(need);
        if (y > 0) {
            part = x < y ? x : y;
            s->catch_up_total += part;
            gp = pf_wide_times_rate(s->catch_up_total, t->catch_up) - s->catch_up_gp;
            s->catch_up_gp += gp;
            tier[PF_TIER_CATCH_UP_GP] += gp;
            tier[PF_TIER_CATCH_UP_LP] += part - gp;
            s->caught_up = false;
            s->profit += part;
            s->gp_profit += gp;
            to_class += part - gp;
            x -= part;
        }
    }
    /* tier 4: the split */
    if (x > 0) {
        s->split_total += x;
        gp = pf_wide_times_rate(s->split_total, t->carry) - s->split_gp;
        s->split_gp += gp;
        tier[PF_TIER_SPLIT_GP] += gp;
        tier[PF_TIER_SPLIT_LP] += x - gp;
        s->caught_up = true;
        s->profit += x;
        s->gp_profit += gp;
        to_class += x - gp;
    }
    if (to_class > 0)
        add_leg(s, d, -to_class);
}

static int
cmp_event(const void *a, const void *b)
{
    const struct pf_wf_event *x = *(const struct pf_wf_event *const *)a;
    const struct pf_wf_event *y = *(const struct pf_wf_event *const *)b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->call != y->call)
        return x->call ? -1 : 1; /* on one date, calls first */
    return x < y ? -1 : x > y; /* stable: input order */
}

pf_status
pf_waterfall_run(const struct pf_waterfall_terms *t, const struct pf_wf_event *ev, size_t n,
                 pf_date as_of, pf_cents final_value, struct pf_waterfall *out)
{
    struct state s;
    struct pf_wf_growth local = { 0, false, NULL, NULL, 0 };
    const struct pf_wf_event **order = NULL;
    pf_wide dists = 0, profit, cap;
    long double h_end, gp_exact;
    size_t i;

    if (!(t->carry >= 0 && t->carry < 1) || !(t->hurdle >= 0 && t->hurdle < 1) ||
        !(t->catch_up >= 0 && t->catch_up <= 1) || final_value < 0)
        return PF_EDATA;
    for (i = 0; i < n; i++)
        if (ev[i].amount <= 0)
            return PF_EDATA;
    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    s.t = t;
    order = pf_xmalloc((n ? n : 1) * sizeof *order);
    for (i = 0; i < n; i++)
        order[i] = &ev[i];
    qsort(order, n, sizeof *order, cmp_event);
    /* every day count the run can ask for: as_of back to the first event (a span
     * beyond a century is computed as asked, not cached) */
    if (n > 0 && order[0]->date <= as_of && as_of - order[0]->date < 40000) {
        s.g = t->growth ? t->growth : &local;
        growth_prepare(s.g, t, (size_t)(as_of - order[0]->date) + 1);
    }
    for (i = 0; i < n && order[i]->date <= as_of; i++) {
        if (order[i]->call) {
            s.contributed += order[i]->amount;
            add_leg(&s, order[i]->date, order[i]->amount);
        } else {
            dists += order[i]->amount;
            distribute(&s, order[i]->date, order[i]->amount, out->distributed);
        }
    }
    if (final_value > 0)
        distribute(&s, as_of, final_value, out->hypothetical);
    out->tiers_gp = out->distributed[PF_TIER_CATCH_UP_GP] + out->distributed[PF_TIER_SPLIT_GP] +
                    out->hypothetical[PF_TIER_CATCH_UP_GP] + out->hypothetical[PF_TIER_SPLIT_GP];
    out->hurdle_at_end = hurdle_account(&s, as_of);
    /* the clawback test at the hypothetical liquidation: the GP keeps no more than
     * carry of the whole life's profit, and nothing the class still needs for its
     * capital and preferred return */
    profit = dists + final_value - s.contributed;
    cap = profit > 0 ? pf_wide_times_rate(profit, t->carry) : 0;
    /* the shortfall is taken unrounded and the result rounded once (rounding is
     * monotonic, so the order against the cap does not matter) */
    /* the GP's tiers unrounded (each tier's share is rounded on its own running total, so
     * their sum may sit a cent off the exact figure); E is rounded once */
    if (t->catch_up > t->carry && s.caught_up)
        /* past the catch-up the GP holds exactly `carry` of all profit distributed */
        gp_exact = (long double)llround(t->carry * 1e8) / 1e8L * (long double)s.profit;
    else
        gp_exact = (long double)llround(t->catch_up * 1e8) / 1e8L *
                       (long double)s.catch_up_total +
                   (long double)llround(t->carry * 1e8) / 1e8L * (long double)s.split_total;
    h_end = hurdle_exact(&s, as_of);
    out->entitlement = round_ld(h_end > 0 ? gp_exact - h_end : gp_exact);
    if (out->entitlement > cap)
        out->entitlement = cap;
    if (out->entitlement < 0)
        out->entitlement = 0;
    free(order);
    free(s.legs);
    growth_release(&local);
    return PF_OK;
}
