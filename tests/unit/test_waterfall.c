/*
 * Unit tests for the whole-fund waterfall (SPEC §10), each worked by hand in its
 * comment. Amounts are in cents; 2021-01-01 -> 2022-01-01 is 365 days, so the
 * compound hurdle over it is exactly 8 %.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "parkfund/calc.h"
#include "parkfund/waterfall.h"

static pf_date
d(const char *s)
{
    pf_date x;
    const char *why;
    pf_date_parse(s, &x, &why);
    return x;
}

static const struct pf_waterfall_terms std_terms = { 0.20, 0.08, 1.0, false, NULL };

static void
expect(const struct pf_waterfall *w, const pf_wide want[PF_TIER_COUNT], bool hypothetical)
{
    int i;
    for (i = 0; i < PF_TIER_COUNT; i++)
        CHECK_INT(hypothetical ? w->hypothetical[i] : w->distributed[i], want[i]);
}

/*
 * A published worked example (EisnerAmper, "Using Waterfalls to Allocate an
 * Investment's Distributable Proceeds: GP Catch-Ups with Examples", 22 Feb 2024,
 * example #1): the LP contributes 1,000 on 1 January, the distributable proceeds
 * on 31 December (a full year) are 2,000, preferred return 8 %, with the usual 20 %
 * carry and 100 % catch-up:
 *   return of capital 1,000; preferred return 80 (8 % of 1,000 for one year);
 *   catch-up 20 to the GP (it then holds 20 of 100 profit = 20 %);
 *   the remaining 900 split 80/20: LP 720, GP 180.
 *   GP total 200 = 20 % of the 1,000 profit; LP total 1,800.
 */
static void
test_published_example(void)
{
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true },
                                { d("2022-01-01"), 200000, false } };
    const pf_wide want[PF_TIER_COUNT] = { 100000, 8000, 2000, 0, 18000, 72000 };
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&std_terms, ev, 2, d("2022-01-01"), 0, &w) == PF_OK);
    expect(&w, want, false);
    CHECK_INT(w.entitlement, 20000);
}

/* Below the hurdle: 1,050 back after a year on 1,000 at 8 %: all to the LPs
 * (capital 1,000 + 50 of preferred return), no carry; 30 of hurdle still owed. */
static void
test_below_hurdle(void)
{
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true },
                                { d("2022-01-01"), 105000, false } };
    const pf_wide want[PF_TIER_COUNT] = { 100000, 5000, 0, 0, 0, 0 };
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&std_terms, ev, 2, d("2022-01-01"), 0, &w) == PF_OK);
    expect(&w, want, false);
    CHECK_INT(w.entitlement, 0);
    CHECK_INT(w.hurdle_at_end, 3000); /* 1,080 - 1,050 */
}

/* In the catch-up: 1,090 back: 1,000 + 80, then 10 of catch-up, all to the GP
 * (it would need 20 to hold 20 % of the profit). */
static void
test_in_catch_up(void)
{
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true },
                                { d("2022-01-01"), 109000, false } };
    const pf_wide want[PF_TIER_COUNT] = { 100000, 8000, 1000, 0, 0, 0 };
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&std_terms, ev, 2, d("2022-01-01"), 0, &w) == PF_OK);
    expect(&w, want, false);
    CHECK_INT(w.entitlement, 1000);
}

/*
 * Partial catch-up: carry 20 %, catch-up 50 %, hurdle 9 %; 1,000 in, 1,500 back a
 * year later. 1,000 + 90 to the LPs; the catch-up runs until GP = 20 % of profit:
 * with y in the tier, GP 0.5y = 0.2 (90 + y) -> y = 18 / 0.3 = 60 (GP 30, LP 30);
 * the remaining 350 split: GP 70, LP 280. GP total 100 = 20 % of the 500 profit.
 */
static void
test_partial_catch_up(void)
{
    const struct pf_waterfall_terms t = { 0.20, 0.09, 0.5, false, NULL };
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true },
                                { d("2022-01-01"), 150000, false } };
    const pf_wide want[PF_TIER_COUNT] = { 100000, 9000, 3000, 3000, 7000, 28000 };
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&t, ev, 2, d("2022-01-01"), 0, &w) == PF_OK);
    expect(&w, want, false);
    CHECK_INT(w.entitlement, 10000);
}

/*
 * Simple vs compound hurdle on the same flows: 1,000 in on 2021-01-01, 1,180 back on
 * 2023-01-01 (730 days, two years).
 *   compound: H = 1,000 x 1.08^2 = 1,166.40 -> preferred 166.40; catch-up needs
 *             0.2 x 166.40 / 0.8 = 41.60, only 13.60 is left: GP 13.60.
 *   simple:   H = 1,000 x (1 + 0.08 x 2) = 1,160 -> preferred 160; catch-up needs 40,
 *             20 is left: GP 20.
 */
static void
test_simple_vs_compound(void)
{
    struct pf_waterfall_terms simple = std_terms;
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true },
                                { d("2023-01-01"), 118000, false } };
    const pf_wide want_c[PF_TIER_COUNT] = { 100000, 16640, 1360, 0, 0, 0 };
    const pf_wide want_s[PF_TIER_COUNT] = { 100000, 16000, 2000, 0, 0, 0 };
    struct pf_waterfall w;
    simple.simple = true;
    CHECK(pf_waterfall_run(&std_terms, ev, 2, d("2023-01-01"), 0, &w) == PF_OK);
    expect(&w, want_c, false);
    CHECK_INT(w.entitlement, 1360);
    CHECK(pf_waterfall_run(&simple, ev, 2, d("2023-01-01"), 0, &w) == PF_OK);
    expect(&w, want_s, false);
    CHECK_INT(w.entitlement, 2000);
}

/*
 * A later call reopens the waterfall: 1,000 in (2021-01-01), 1,500 back (2022-01-01):
 * capital 1,000, preferred 80, catch-up 20, split 400 (GP 80, LP 320). Then a second
 * call of 1,000 on 2023-01-01 and, the same day (calls first), 1,000 back: the LPs'
 * second 1,000 of capital is unreturned, so all of it is return of capital (the
 * hurdle account alone, 1,166.40 + 1,000 - 1,400 x 1.08 = 654.40, would have sent
 * 345.60 into the split). GP total stays 100 = 20 % of the 500 profit so far.
 */
static void
test_later_call_reopens(void)
{
    struct pf_wf_event ev[] = { { d("2023-01-01"), 100000, false },
                                { d("2021-01-01"), 100000, true },
                                { d("2022-01-01"), 150000, false },
                                { d("2023-01-01"), 100000, true } };
    const pf_wide want[PF_TIER_COUNT] = { 200000, 8000, 2000, 0, 8000, 32000 };
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&std_terms, ev, 4, d("2023-06-30"), 0, &w) == PF_OK);
    expect(&w, want, false);
    CHECK_INT(w.entitlement, 10000);
}

/* The hypothetical liquidation at D is pushed through the same tiers, kept apart:
 * the published example again, with the 2,000 as the NAV at D instead of paid. */
static void
test_hypothetical(void)
{
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true } };
    const pf_wide want[PF_TIER_COUNT] = { 100000, 8000, 2000, 0, 18000, 72000 };
    const pf_wide zero[PF_TIER_COUNT] = { 0 };
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&std_terms, ev, 1, d("2022-01-01"), 200000, &w) == PF_OK);
    expect(&w, zero, false);
    expect(&w, want, true);
    CHECK_INT(w.entitlement, 20000);
}

/*
 * Carry taken early, undone later (the clawback test): 1,000 in, 1,500 back a year
 * later (the GP's tiers: catch-up 20 + split 80 = 100), then a second call of 1,000
 * and nothing left at D. The whole life's profit is 1,500 - 2,000 = -500, so the GP
 * is entitled to nothing: E = 0 while its tiers hold 100 (a GP paid that 100 has a
 * clawback exposure of 100).
 */
static void
test_clawback(void)
{
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true },
                                { d("2022-01-01"), 150000, false },
                                { d("2023-01-01"), 100000, true } };
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&std_terms, ev, 3, d("2023-06-30"), 0, &w) == PF_OK);
    CHECK_INT(w.tiers_gp, 10000);
    CHECK_INT(w.entitlement, 0);
    CHECK(w.hurdle_at_end > 0); /* the class is still owed its second 1,000 and more */
}

/* Events after D are ignored; bad terms and amounts are refused. */
static void
test_edges(void)
{
    struct pf_wf_event ev[] = { { d("2021-01-01"), 100000, true },
                                { d("2022-06-01"), 900000, false } };
    struct pf_waterfall_terms bad = std_terms;
    struct pf_waterfall w;
    CHECK(pf_waterfall_run(&std_terms, ev, 2, d("2022-01-01"), 0, &w) == PF_OK);
    CHECK_INT(w.entitlement, 0);
    CHECK_INT(w.distributed[PF_TIER_RETURN_OF_CAPITAL], 0);
    bad.carry = 1.0;
    CHECK(pf_waterfall_run(&bad, ev, 2, d("2022-01-01"), 0, &w) == PF_EDATA);
    bad = std_terms;
    bad.catch_up = 1.5;
    CHECK(pf_waterfall_run(&bad, ev, 2, d("2022-01-01"), 0, &w) == PF_EDATA);
    ev[1].amount = 0;
    CHECK(pf_waterfall_run(&std_terms, ev, 2, d("2022-01-01"), 0, &w) == PF_EDATA);
}

/*
 * Properties over generated funds (random calls, distributions and a final value):
 *  - the tiers of every distribution add up to it exactly;
 *  - E <= carry x profit (to the half fen of its rounding), profit = all distributions
 *    + the final value - all calls; E = 0 without profit; E never above the GP's tiers;
 *  - with hurdle 0 and full catch-up, once the class has all its capital back,
 *    E = carry x profit to within a fen.
 */
static void
test_properties(void)
{
    struct pf_rng *r = pf_rng_new(7);
    int round;

    LOOP_BEGIN("random waterfalls: tiers add up, E bounded by carry x profit");
    for (round = 0; round < 2000; round++) {
        struct pf_wf_event ev[24];
        struct pf_waterfall_terms t;
        struct pf_waterfall w;
        size_t n = 1 + pf_rng_uniform_int(r, 23), i;
        pf_wide calls = 0, dists = 0, sum_d = 0, sum_h = 0, profit;
        pf_cents final = (pf_cents)pf_rng_uniform_int(r, 50000000);
        pf_date start = d("2015-01-01"), as_of = d("2025-12-31");
        int k;

        t.carry = (double)pf_rng_uniform_int(r, 30) / 100.0;
        t.hurdle = round % 2 ? 0.0 : (double)pf_rng_uniform_int(r, 12) / 100.0;
        t.catch_up = round % 2 ? 1.0 : (double)pf_rng_uniform_int(r, 101) / 100.0;
        t.simple = pf_rng_uniform_int(r, 2) == 1;
        t.growth = NULL;
        for (i = 0; i < n; i++) {
            ev[i].date = start + (pf_date)pf_rng_uniform_int(r, 4000);
            ev[i].amount = 1 + (pf_cents)pf_rng_uniform_int(r, 10000000);
            ev[i].call = i == 0 || pf_rng_uniform_int(r, 2) == 1;
            if (ev[i].call)
                calls += ev[i].amount;
            else
                dists += ev[i].amount;
        }
        if (!CHECK(pf_waterfall_run(&t, ev, n, as_of, final, &w) == PF_OK))
            continue;
        for (k = 0; k < PF_TIER_COUNT; k++) {
            sum_d += w.distributed[k];
            sum_h += w.hypothetical[k];
            CHECK(w.distributed[k] >= 0 && w.hypothetical[k] >= 0);
        }
        CHECK(sum_d == dists);
        CHECK(sum_h == final);
        profit = dists + final - calls;
        if (profit <= 0)
            CHECK(w.entitlement == 0);
        else
            CHECK((long double)w.entitlement <= (long double)t.carry * (long double)profit + 0.5L + 1e-6L);
        CHECK(w.entitlement <= w.tiers_gp + 1); /* tiers are rounded one by one */
        if (t.hurdle == 0 && t.catch_up == 1.0 && profit > 0 &&
            w.distributed[PF_TIER_RETURN_OF_CAPITAL] + w.hypothetical[PF_TIER_RETURN_OF_CAPITAL] ==
                calls) {
            long double want = (long double)t.carry * (long double)profit;
            CHECK((long double)w.entitlement - want < 1 && want - (long double)w.entitlement < 1);
        }
    }
    LOOP_END();
    pf_rng_free(r);
}

/*
 * A growth cache shared by runs of changing hurdles (the engine keeps one per close)
 * gives the very bits of a run without one: each random run is made twice, with the
 * shared cache and without, and the outcomes compared byte for byte.
 */
static void
test_shared_growth(void)
{
    struct pf_rng *r = pf_rng_new(11);
    struct pf_wf_growth *g = pf_wf_growth_new();
    int round;

    LOOP_BEGIN("a shared growth cache: the same waterfall as none");
    for (round = 0; round < 600; round++) {
        struct pf_wf_event ev[30];
        struct pf_waterfall_terms t;
        struct pf_waterfall a, b;
        size_t n = 2 + pf_rng_uniform_int(r, 28), i;
        pf_date start = d("2012-01-01") + (pf_date)pf_rng_uniform_int(r, 2000);
        pf_date as_of = start + 365 + (pf_date)pf_rng_uniform_int(r, 5000);

        t.carry = 0.2;
        t.catch_up = 1.0;
        t.hurdle = (double)(1 + pf_rng_uniform_int(r, 3)) * 0.03; /* 3, 6 or 9 %, mixed */
        t.simple = pf_rng_uniform_int(r, 3) == 0;
        for (i = 0; i < n; i++) {
            ev[i].date = start + (pf_date)pf_rng_uniform_int(r, (uint64_t)(as_of - start) + 1);
            ev[i].amount = 1 + (pf_cents)pf_rng_uniform_int(r, 50000000);
            ev[i].call = i == 0 || pf_rng_uniform_int(r, 2) == 1;
        }
        memset(&a, 0xA5, sizeof a);
        memset(&b, 0xA5, sizeof b);
        t.growth = g;
        CHECK(pf_waterfall_run(&t, ev, n, as_of, 40000000, &a) == PF_OK);
        t.growth = NULL;
        CHECK(pf_waterfall_run(&t, ev, n, as_of, 40000000, &b) == PF_OK);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    }
    LOOP_END();
    pf_wf_growth_free(g);
    pf_wf_growth_free(NULL);
    pf_rng_free(r);
}

int
main(void)
{
    pf_calc_init();
    test_published_example();
    test_below_hurdle();
    test_in_catch_up();
    test_partial_catch_up();
    test_simple_vs_compound();
    test_later_call_reopens();
    test_hypothetical();
    test_clawback();
    test_edges();
    test_properties();
    test_shared_growth();
    return pf_t_done("waterfall");
}
