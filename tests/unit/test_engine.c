/*
 * Unit tests for the engine on a tiny hand-built data set whose figures are
 * worked out by hand below (no database involved).
 *
 * Fund F (CNY), incepted 2020-01-01. Partners A and B commit 600.00 and 400.00.
 *   2020-01-01  A pays in 300.00, B 200.00 (investment)          PI = 500.00
 *   2020-01-02  project P invests 400.00
 *   2020-12-31  P pays a dividend of 100.00; P valued at 500.00
 *   2021-01-01  distribution 100.00 (A 60.00, B 40.00) - after D
 * As of D = 2020-12-31:
 *   project NAV = 500.00 (valuation on D, no flows after it)
 *   cash = 500.00 - 400.00 + 100.00 - 0 = 200.00;  NAV = 700.00
 *   TVPI = RVPI = 700/500 = 1.4; DPI = 0; PIC = 500/1000 = 0.5; unfunded 500.00
 *   partners: A NAV = 700 x 0.6 = 420.00, B = 280.00 (exact, no remainder)
 *   net IRR: -500 on 2020-01-01, +700 on 2020-12-31, 365 days apart: 1.4 - 1 = 0.4
 *   gross IRR: -400 on 2020-01-02, +600 on 2020-12-31 (364 days): 1.5^(365/364) - 1
 *   project MOIC = (100 + 500) / 400 = 1.5
 *   YTD capital account (begins 2019-12-31): beginning 0, contributions 500,
 *   income 100, change in value = 700 - 500 - 100 = 100, ending 700.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "parkfund/calc.h"
#include "parkfund/engine.h"
#include "parkfund/util.h"
#include "engine/engine_int.h"

static pf_date
d(const char *s)
{
    pf_date x;
    const char *why;
    pf_date_parse(s, &x, &why);
    return x;
}

static struct pf_dataset *
tiny(void)
{
    struct pf_dataset *ds = pf_xcalloc(1, sizeof *ds);
    struct pf_taxonomy *tax = NULL;
    struct pf_err err = { 0 };

    if (pf_taxonomy_load_dir("models/taxonomy", &tax, &err) != PF_OK) {
        fprintf(stderr, "cannot load taxonomy: %s\n", err.msg);
        exit(1);
    }
    ds->taxonomy_json = pf_taxonomy_json(tax);
    pf_taxonomy_free(tax);
    ds->batch = 1;
    ds->nparks = 1;
    ds->parks = pf_xcalloc(1, sizeof *ds->parks);
    ds->parks[0] = (struct pf_park){ pf_xstrdup("PK"), pf_xstrdup("园区"), pf_xstrdup(""),
                                     pf_xstrdup("CN-SC"), pf_xstrdup(""), pf_xstrdup("national") };
    ds->nenterprises = 1;
    ds->enterprises = pf_xcalloc(1, sizeof *ds->enterprises);
    ds->enterprises[0] = (struct pf_enterprise){ pf_xstrdup("E"), pf_xstrdup("企业"),
                                                 pf_xstrdup("PK"), pf_xstrdup(""),
                                                 pf_xstrdup("it"), pf_xstrdup("upstream"), 0 };
    ds->nfunds = 1;
    ds->funds = pf_xcalloc(1, sizeof *ds->funds);
    ds->funds[0] = (struct pf_fund){ pf_xstrdup("F"), pf_xstrdup("基金"), pf_xstrdup("CNY"),
                                     pf_xstrdup(""), d("2020-01-01"), 2020 };
    ds->npartners = 2;
    ds->partners = pf_xcalloc(2, sizeof *ds->partners);
    ds->partners[0] = (struct pf_partner){ pf_xstrdup("A"), pf_xstrdup("甲"),
                                           pf_xstrdup("guidance_fund"), pf_xstrdup("CN-SC") };
    ds->partners[1] = (struct pf_partner){ pf_xstrdup("B"), pf_xstrdup("乙"),
                                           pf_xstrdup("bank"), pf_xstrdup("") };
    ds->nprojects = 1;
    ds->projects = pf_xcalloc(1, sizeof *ds->projects);
    ds->projects[0] = (struct pf_project){
        pf_xstrdup("P"), pf_xstrdup("F"), pf_xstrdup("E"), pf_xstrdup("项目"), pf_xstrdup("it"),
        pf_xstrdup("upstream"), pf_xstrdup(""), pf_xstrdup("equity"), pf_xstrdup("CNY"),
        0, 0, 100000, 50000, d("2020-01-02"), PF_DATE_NONE, PF_DATE_NONE };
    ds->ncommitments = 2;
    ds->commitments = pf_xcalloc(2, sizeof *ds->commitments);
    ds->commitments[0] = (struct pf_commitment){ 0, 0, d("2020-01-01"), 60000 };
    ds->commitments[1] = (struct pf_commitment){ 1, 0, d("2020-01-01"), 40000 };
    ds->npflows = 4;
    ds->pflows = pf_xcalloc(4, sizeof *ds->pflows);
    ds->pflows[0] = (struct pf_partner_flow){ pf_xstrdup("c1"), 0, 0, d("2020-01-01"),
                                              PF_CONTRIBUTION, PF_P_INVESTMENT, 30000, false, PF_DATE_NONE };
    ds->pflows[1] = (struct pf_partner_flow){ pf_xstrdup("c2"), 0, 1, d("2020-01-01"),
                                              PF_CONTRIBUTION, PF_P_INVESTMENT, 20000, false, PF_DATE_NONE };
    ds->pflows[2] = (struct pf_partner_flow){ pf_xstrdup("d1"), 0, 0, d("2021-01-01"),
                                              PF_DISTRIBUTION, PF_P_GAIN, 6000, false, PF_DATE_NONE };
    ds->pflows[3] = (struct pf_partner_flow){ pf_xstrdup("d2"), 0, 1, d("2021-01-01"),
                                              PF_DISTRIBUTION, PF_P_GAIN, 4000, false, PF_DATE_NONE };
    ds->njflows = 2;
    ds->jflows = pf_xcalloc(2, sizeof *ds->jflows);
    ds->jflows[0] = (struct pf_project_flow){ pf_xstrdup("j1"), 0, d("2020-01-02"),
                                              PF_J_INVESTMENT, 40000, pf_xstrdup("CNY"), PF_DATE_NONE };
    ds->jflows[1] = (struct pf_project_flow){ pf_xstrdup("j2"), 0, d("2020-12-31"),
                                              PF_J_DIVIDEND, 10000, pf_xstrdup("CNY"), PF_DATE_NONE };
    ds->nvaluations = 1;
    ds->valuations = pf_xcalloc(1, sizeof *ds->valuations);
    ds->valuations[0] = (struct pf_valuation){ 0, d("2020-12-31"), 50000, pf_xstrdup("CNY"),
                                               pf_xstrdup("dcf") };
    return ds;
}

static const struct pf_result *
get(const struct pf_run *run, const char *dim, const char *fund, const char *key,
    const char *metric)
{
    size_t i;
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        if (!strcmp(r->dimension, dim) && !strcmp(r->key, key) && !strcmp(r->metric, metric) &&
            (fund ? r->fund && !strcmp(r->fund, fund) : !r->fund))
            return r;
    }
    return NULL;
}

static pf_cents
money(const struct pf_run *run, const char *dim, const char *fund, const char *key,
      const char *metric)
{
    const struct pf_result *r = get(run, dim, fund, key, metric);
    return r && r->is_money && r->has_value ? r->cents : -999999999;
}

static double
val(const struct pf_run *run, const char *dim, const char *fund, const char *key,
    const char *metric)
{
    const struct pf_result *r = get(run, dim, fund, key, metric);
    return r && !r->is_money && r->has_value ? r->value : -999.0;
}

static pf_cents
row(const struct pf_run *run, const char *key, const char *col)
{
    size_t i;
    for (i = 0; i < run->nrows; i++)
        if (!strcmp(run->rows[i].tbl, "account") && !strcmp(run->rows[i].key, key) &&
            !strcmp(run->rows[i].col, col))
            return run->rows[i].cents;
    return -999999999;
}

static void
test_tiny(void)
{
    struct pf_dataset *ds = tiny();
    struct pf_close_opts o = { d("2020-12-31"), NULL, NULL, NULL, NULL };
    struct pf_run *run = NULL;
    struct pf_err err = { 0 };
    const struct pf_result *r;

    CHECK(pf_engine_compute(ds, &o, &run, &err) == PF_OK);
    if (!run) {
        fprintf(stderr, "compute failed: %s\n", err.msg);
        pf_dataset_free(ds);
        return;
    }
    CHECK_INT(money(run, "fund", "F", "F", "commitment"), 100000);
    CHECK_INT(money(run, "fund", "F", "F", "paid_in"), 50000);
    CHECK_INT(money(run, "fund", "F", "F", "distributions"), 0);
    CHECK_INT(money(run, "fund", "F", "F", "cash"), 20000);
    CHECK_INT(money(run, "fund", "F", "F", "nav"), 70000);
    CHECK_INT(money(run, "fund", "F", "F", "unfunded"), 50000);
    CHECK_NEAR(val(run, "fund", "F", "F", "tvpi"), 1.4, 1e-15);
    CHECK_NEAR(val(run, "fund", "F", "F", "rvpi"), 1.4, 1e-15);
    CHECK_NEAR(val(run, "fund", "F", "F", "dpi"), 0.0, 0);
    CHECK_NEAR(val(run, "fund", "F", "F", "pic"), 0.5, 1e-15);
    CHECK_NEAR(val(run, "fund", "F", "F", "net_irr"), 0.4, 1e-9);
    CHECK_NEAR(val(run, "fund", "F", "F", "gross_irr"), pow(1.5, 365.0 / 364.0) - 1, 1e-9);
    /* leverage: 1000 committed / 600 from the guidance fund */
    CHECK_NEAR(val(run, "fund", "F", "F", "leverage"), 1000.0 / 600.0, 1e-15);
    /* crowd-in: (400 invested + 500 co-investment) / 400 */
    CHECK_NEAR(val(run, "fund", "F", "F", "crowd_in"), 900.0 / 400.0, 1e-15);
    CHECK_NEAR(val(run, "fund", "F", "F", "projects_held"), 1, 0);
    CHECK_INT(money(run, "partner", "F", "A", "nav"), 42000);
    CHECK_INT(money(run, "partner", "F", "B", "nav"), 28000);
    CHECK_NEAR(val(run, "partner", "F", "A", "interest"), 0.6, 1e-15);
    CHECK_NEAR(val(run, "partner", "F", "A", "net_irr"), 0.4, 1e-9);
    /* reinvestment: 400 invested in CN-SC parks / A's 600 commitment */
    CHECK_NEAR(val(run, "partner", "F", "A", "reinvestment"), 400.0 / 600.0, 1e-15);
    CHECK_NEAR(val(run, "project", "F", "P", "moic"), 1.5, 1e-15);
    CHECK_INT(money(run, "project", "F", "P", "project_unfunded"), 60000);
    /* without a benchmark, PME is empty with a reason, never a number */
    r = get(run, "fund", "F", "F", "ks_pme");
    CHECK(r && !r->has_value && r->reason && strstr(r->reason, "benchmark"));
    /* the YTD capital account, by hand above */
    CHECK_INT(row(run, "*", "ytd.beginning_nav"), 0);
    CHECK_INT(row(run, "*", "ytd.contrib_investment"), 50000);
    CHECK_INT(row(run, "*", "ytd.investment_income"), 10000);
    CHECK_INT(row(run, "*", "ytd.change_in_value"), 10000);
    CHECK_INT(row(run, "*", "ytd.ending_nav"), 70000);
    CHECK_INT(row(run, "A", "ytd.investment_income"), 6000);
    CHECK_INT(row(run, "B", "ytd.ending_nav"), 28000);
    CHECK_INT(row(run, "A", "itd.ending_unfunded"), 30000);
    pf_run_free(run);

    /* a day later the distribution counts: DPI = 100 / 500 and cash falls by 100 */
    o.as_of = d("2021-01-01");
    run = NULL;
    CHECK(pf_engine_compute(ds, &o, &run, &err) == PF_OK);
    if (run) {
        CHECK_INT(money(run, "fund", "F", "F", "distributions"), 10000);
        CHECK_INT(money(run, "fund", "F", "F", "nav"), 60000);
        CHECK_NEAR(val(run, "fund", "F", "F", "dpi"), 0.2, 1e-15);
        /* month period of 2021-01-01 begins 2020-12-31, when the NAV was 700.00 */
        CHECK_INT(row(run, "*", "month.beginning_nav"), 70000);
        CHECK_INT(row(run, "*", "month.dist_gain"), 10000);
        CHECK_INT(row(run, "*", "month.change_in_value"), 0);
    }
    pf_run_free(run);

    /* a flow in another currency than its project's: the dividend of 100.00 paid in USD
     * at 7.00 CNY per USD is 700.00 CNY, so cash = 500 - 400 + 700 = 800 and NAV 1300 */
    free(ds->jflows[1].currency);
    ds->jflows[1].currency = pf_xstrdup("USD");
    ds->nfx = 1;
    ds->fx = pf_xcalloc(1, sizeof *ds->fx);
    ds->fx[0] = (struct pf_fx_rate){ d("2020-01-01"), pf_xstrdup("USD"), 700000000 };
    o.as_of = d("2020-12-31");
    run = NULL;
    CHECK(pf_engine_compute(ds, &o, &run, &err) == PF_OK);
    if (run) {
        CHECK_INT(money(run, "fund", "F", "F", "cash"), 80000);
        CHECK_INT(money(run, "fund", "F", "F", "nav"), 130000);
        CHECK_INT(money(run, "project", "F", "P", "realised"), 70000);
    }
    pf_run_free(run);
    free(ds->fx[0].currency);
    free(ds->fx);
    ds->fx = NULL;
    ds->nfx = 0;

    /* a missing FX rate is an error naming the currency and date */
    free(ds->jflows[1].currency);
    ds->jflows[1].currency = pf_xstrdup("USD");
    free(ds->projects[0].currency);
    ds->projects[0].currency = pf_xstrdup("USD");
    pf_err_clear(&err);
    run = NULL;
    CHECK(pf_engine_compute(ds, &o, &run, &err) == PF_EDATA);
    CHECK(strstr(err.msg, "'USD'") && strstr(err.msg, "2020-01-02"));
    CHECK(run == NULL);
    pf_dataset_free(ds);
}

/*
 * FX conversion is exact integer arithmetic with one rounding, half away from zero
 * (issue 8 point 2). Rates: USD 2.5 and 1.00000001 (two dates), EUR 0.5.
 *   1 cent USD at 2.5 = 2.5 cents CNY -> 3 (half-even would give 2); -1 -> -3
 *   3 cents at 2.5 = 7.5 -> 8 (half-even 8); 5 cents at 2.5 = 12.5 -> 13 (half-even 12)
 *   2^53 + 1 = 9007199254740993 cents at 1.00000001:
 *     9007199254740993 + 9007199254740993 / 1e8 = 9007199254740993 + 90071992.54740993
 *     = 9007199344812985.547... -> 9007199344812986 (a double cannot hold 2^53 + 1)
 *   cross rate: 1 cent EUR -> USD at 0.5 / 2.5 = 0.2 cents -> 0; 3 cents -> 0.6 -> 1;
 *     25 cents -> 5 exactly; 5 cents -> 1
 *   a sum beyond 64 bits (2^62 x 2 x 2.5) is PF_EDATA, not a wrapped number.
 */
static void
test_fx_exact(void)
{
    struct pf_dataset ds;
    struct pf_fx_rate fx[3];
    struct pf_close_opts o;
    struct pf_err err = { 0 };
    struct eng e;
    pf_cents out = 0;

    memset(&ds, 0, sizeof ds);
    memset(&o, 0, sizeof o);
    memset(&e, 0, sizeof e);
    fx[0] = (struct pf_fx_rate){ d("2020-01-01"), (char *)"EUR", 50000000 };
    fx[1] = (struct pf_fx_rate){ d("2020-01-01"), (char *)"USD", 250000000 };
    fx[2] = (struct pf_fx_rate){ d("2021-01-01"), (char *)"USD", 100000001 };
    ds.fx = fx;
    ds.nfx = 3;
    e.ds = &ds;
    e.o = &o;
    e.err = &err;
    CHECK(eng_conv(&e, 1, "USD", "CNY", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, 3);
    CHECK(eng_conv(&e, -1, "USD", "CNY", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, -3);
    CHECK(eng_conv(&e, 3, "USD", "CNY", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, 8);
    CHECK(eng_conv(&e, 5, "USD", "CNY", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, 13);
    CHECK(eng_conv(&e, 9007199254740993LL, "USD", "CNY", d("2021-06-30"), &out) == PF_OK);
    CHECK_INT(out, 9007199344812986LL);
    CHECK(eng_conv(&e, 1, "EUR", "USD", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, 0);
    CHECK(eng_conv(&e, 3, "EUR", "USD", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, 1);
    CHECK(eng_conv(&e, 25, "EUR", "USD", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, 5);
    CHECK(eng_conv(&e, 5, "EUR", "USD", d("2020-06-30"), &out) == PF_OK);
    CHECK_INT(out, 1);
    CHECK(eng_conv(&e, (pf_wide)1 << 63, "USD", "CNY", d("2020-06-30"), &out) == PF_EDATA);
    CHECK(eng_conv(&e, 100, "USD", "CNY", d("2019-06-30"), &out) == PF_EDATA); /* no rate */
}

/*
 * A fund with terms (SPEC §10), worked by hand. Fund F (CNY) from 2021-01-01; GP G (kind
 * gp) commits 100.00, LP A 900.00; both pay in on 2021-01-01; project P costs 1,000.00
 * that day and is valued 2,000.00 on D = 2022-01-01 (365 days). Terms: carry 20 %,
 * hurdle 8 % compound, full catch-up, 2 % fee on commitment.
 *   F = 2,000 (project NAV; cash 0); K = 0; the class is {A}: V = 0.9 x 2,000 = 1,800
 *   waterfall on the class (call 900, hypothetical 1,800 a year later): capital 900,
 *   preferred 72 (8 % of 900), catch-up 18 (0.2 x 72 / 0.8), split 810: GP 162, LP 648
 *   E = 18 + 162 = 180 (20 % of the 900 profit); A = E - K = 180
 *   NAV net: A (1,800 - 180) x 900/900 = 1,620; G 2,000 x 100/1,000 = 200; sum 1,820 =
 *   F - A. Fund net IRR: -1,000 then 1,820 after 365 days: 0.82; before carry (terminal
 *   F = 2,000): 1.0; gross: 1.0; the carry spread 0.18.
 *   Fees: 2 % of 900 (A's commitment; the GP's is not a fee basis) = 18.00 a year: 2021
 *   (365 days) 18.00; 2022 one day 900 x 0.02 / 365 = 0.0493 -> 0.05; since inception
 *   366 days: 18.0493 -> 18.05. Called 0: difference -18.05, more than a year's fee.
 *   ITD statement of A (begins 2020-12-31, nothing committed yet): contributions 900,
 *   accrued carry change -180, change in value 1,620 - 900 + 180 = 900 (90 % of the
 *   fund's 1,000 gain), ending NAV gross of accrued carry 1,800.
 */
static struct pf_dataset *
with_terms(pf_cents carry_paid)
{
    struct pf_dataset *ds = tiny();
    size_t i;

    for (i = 0; i < ds->npartners; i++) {
        free(ds->partners[i].partner_id);
        free(ds->partners[i].kind);
    }
    ds->partners[0].partner_id = pf_xstrdup("A");
    ds->partners[0].kind = pf_xstrdup("bank");
    ds->partners[1].partner_id = pf_xstrdup("G");
    ds->partners[1].kind = pf_xstrdup("gp");
    ds->funds[0].inception = d("2021-01-01");
    ds->commitments[0] = (struct pf_commitment){ 0, 0, d("2021-01-01"), 90000 };
    ds->commitments[1] = (struct pf_commitment){ 1, 0, d("2021-01-01"), 10000 };
    for (i = 0; i < ds->npflows; i++)
        free(ds->pflows[i].flow_id);
    ds->npflows = carry_paid ? 3 : 2;
    ds->pflows[0] = (struct pf_partner_flow){ pf_xstrdup("c1"), 0, 0, d("2021-01-01"),
                                              PF_CONTRIBUTION, PF_P_INVESTMENT, 90000, false,
                                              PF_DATE_NONE };
    ds->pflows[1] = (struct pf_partner_flow){ pf_xstrdup("c2"), 0, 1, d("2021-01-01"),
                                              PF_CONTRIBUTION, PF_P_INVESTMENT, 10000, false,
                                              PF_DATE_NONE };
    ds->pflows[2] = (struct pf_partner_flow){ pf_xstrdup("k1"), 0, 1, d("2021-06-30"),
                                              PF_DISTRIBUTION, PF_P_CARRIED_INTEREST,
                                              carry_paid, false, PF_DATE_NONE };
    if (!carry_paid) {
        free(ds->pflows[2].flow_id);
        ds->pflows[2].flow_id = NULL;
    }
    for (i = 0; i < ds->njflows; i++)
        free(ds->jflows[i].flow_id), free(ds->jflows[i].currency);
    ds->njflows = 1;
    ds->jflows[0] = (struct pf_project_flow){ pf_xstrdup("j1"), 0, d("2021-01-01"),
                                              PF_J_INVESTMENT, 100000, pf_xstrdup("CNY"),
                                              PF_DATE_NONE };
    ds->projects[0].commitment_date = d("2021-01-01");
    ds->valuations[0].date = d("2022-01-01");
    ds->valuations[0].value = 200000;
    ds->nterms = 1;
    ds->terms = pf_xcalloc(1, sizeof *ds->terms);
    ds->terms[0] = (struct pf_fund_terms){
        pf_xstrdup("F"), pf_xstrdup("G"), 0, 1, 20000000, 8000000, 100000000, 2000000, -1, 0,
        false, pf_xstrdup("commitment"), pf_xstrdup("invested"), PF_DATE_NONE, 0,
        pf_xstrdup(""), pf_xstrdup("") };
    return ds;
}

static pf_cents
row_of(const struct pf_run *run, const char *tbl, const char *key, const char *col)
{
    size_t i;
    for (i = 0; i < run->nrows; i++)
        if (!strcmp(run->rows[i].tbl, tbl) && !strcmp(run->rows[i].key, key) &&
            !strcmp(run->rows[i].col, col))
            return run->rows[i].cents;
    return -999999999;
}

static bool
has_note(const struct pf_run *run, const char *name)
{
    size_t i;
    for (i = 0; i < run->nnotes; i++)
        if (!strcmp(run->notes[i].name, name))
            return true;
    return false;
}

static void
test_terms(void)
{
    struct pf_dataset *ds = with_terms(0);
    struct pf_close_opts o = { d("2022-01-01"), NULL, NULL, NULL, NULL };
    struct pf_run *run = NULL;
    struct pf_err err = { 0 };

    CHECK(pf_engine_compute(ds, &o, &run, &err) == PF_OK);
    if (!run) {
        fprintf(stderr, "compute failed: %s\n", err.msg);
        pf_dataset_free(ds);
        return;
    }
    CHECK_INT(money(run, "fund", "F", "F", "nav"), 200000);
    CHECK_INT(money(run, "fund", "F", "F", "carry_paid"), 0);
    CHECK_INT(money(run, "fund", "F", "F", "carry_entitled"), 18000);
    CHECK_INT(money(run, "fund", "F", "F", "carry_accrued"), 18000);
    CHECK_INT(money(run, "fund", "F", "F", "clawback"), 0);
    CHECK_INT(money(run, "fund", "F", "F", "nav_net"), 182000);
    CHECK_INT(money(run, "partner", "F", "A", "nav"), 162000);
    CHECK_INT(money(run, "partner", "F", "G", "nav"), 20000);
    CHECK_INT(money(run, "partner", "F", "A", "carry_accrued"), 18000);
    CHECK_INT(money(run, "partner", "F", "G", "carry_accrued"), 0);
    CHECK_NEAR(val(run, "partner", "F", "A", "tvpi"), 1.8, 1e-15);
    CHECK_INT(money(run, "waterfall", "F", "return_of_capital", "hypothetical"), 90000);
    CHECK_INT(money(run, "waterfall", "F", "preferred_return", "hypothetical"), 7200);
    CHECK_INT(money(run, "waterfall", "F", "catch_up_gp", "hypothetical"), 1800);
    CHECK_INT(money(run, "waterfall", "F", "split_gp", "total"), 16200);
    CHECK_INT(money(run, "waterfall", "F", "split_lp", "total"), 64800);
    CHECK_INT(money(run, "waterfall", "F", "split_lp", "distributed"), 0);
    CHECK_NEAR(val(run, "fund", "F", "F", "net_irr"), 0.82, 1e-9);
    CHECK_NEAR(val(run, "fund", "F", "F", "net_irr_before_carry"), 1.0, 1e-9);
    CHECK_NEAR(val(run, "fund", "F", "F", "gross_irr"), 1.0, 1e-9);
    CHECK_NEAR(val(run, "fund", "F", "F", "spread_carry"), 0.18, 1e-9);
    CHECK_NEAR(val(run, "fund", "F", "F", "spread_fees_costs"), 0.0, 1e-9);
    CHECK_INT(money(run, "fees", "F", "2021", "accrued"), 1800);
    CHECK_INT(money(run, "fees", "F", "2022", "accrued"), 5);
    CHECK_INT(money(run, "fund", "F", "F", "fees_accrued"), 1805);
    CHECK_INT(money(run, "fund", "F", "F", "fees_difference"), -1805);
    CHECK(has_note(run, "fees_difference"));
    CHECK_INT(row_of(run, "account", "A", "itd.accrued_carry_change"), -18000);
    CHECK_INT(row_of(run, "account", "A", "itd.change_in_value"), 90000);
    CHECK_INT(row_of(run, "account", "A", "itd.ending_nav_gross"), 180000);
    CHECK_INT(row_of(run, "account", "*", "itd.ending_nav"), 182000);
    CHECK_INT(row_of(run, "account", "*", "itd.change_in_value"), 100000);
    pf_run_free(run);
    pf_dataset_free(ds);
}

/*
 * Carry overpaid: the GP was paid 300.00 of carry on 2021-06-30 (out of the fund's cash:
 * F = 2,000 - 300 = 1,700). V = 0.9 x (1,700 + 300) = 1,800, and the final hypothetical
 * distribution is the class's NAV before accrual, V - K = 1,500 (the 300 is already among
 * its gross distributions). The class's whole-life profit is 300 + 1,500 - 900 = 900, so
 * the GP may keep at most 20 % = 180.00: E <= 180 and the accrued carry A = E - 300 is
 * negative: a clawback exposure of 300 - E >= 120, reported as such and warned. Whatever
 * E is, Σ NAV net + A = F and A is charged to A.
 */
static void
test_clawback(void)
{
    struct pf_dataset *ds = with_terms(30000);
    struct pf_close_opts o = { d("2022-01-01"), NULL, NULL, NULL, NULL };
    struct pf_run *run = NULL;
    struct pf_err err = { 0 };
    pf_cents E, A;

    CHECK(pf_engine_compute(ds, &o, &run, &err) == PF_OK);
    if (!run) {
        fprintf(stderr, "compute failed: %s\n", err.msg);
        pf_dataset_free(ds);
        return;
    }
    E = money(run, "fund", "F", "F", "carry_entitled");
    A = money(run, "fund", "F", "F", "carry_accrued");
    CHECK_INT(money(run, "fund", "F", "F", "nav"), 170000);
    CHECK_INT(money(run, "fund", "F", "F", "carry_paid"), 30000);
    CHECK(E <= 18000 && E > 17000);
    CHECK_INT(A, E - 30000);
    CHECK_INT(money(run, "fund", "F", "F", "clawback"), 30000 - E);
    CHECK(has_note(run, "clawback"));
    CHECK_INT(money(run, "partner", "F", "A", "nav") + money(run, "partner", "F", "G", "nav") + A,
              170000);
    CHECK_INT(money(run, "partner", "F", "A", "carry_charged"), 30000);
    CHECK_INT(money(run, "partner", "F", "G", "distributions"), 0); /* carry is not one */
    pf_run_free(run);
    pf_dataset_free(ds);
}

/*
 * The sweeps (issue 12): a project's NAV by cursor and a fund's position by sweep, at
 * dates that move forward and once back, against the hand figures of the tiny fund and
 * against the from-scratch functions at every date.
 *   P: 400.00 invested 2020-01-02, a 100.00 dividend and a 500.00 valuation 2020-12-31
 *     NAV 0 before 2020-01-02; 400.00 (cost) until 2020-12-30; 500.00 from 2020-12-31
 *   F: 500.00 paid in 2020-01-01, 100.00 distributed 2021-01-01
 *     NAV = project NAV + cash: 2020-01-01 0 + 500 = 500.00; 2020-06-30 400 + 100 =
 *     500.00; 2020-12-31 500 + 200 (the dividend) = 700.00; 2021-01-31 500 + 100 =
 *     600.00 with distributions 100.00; back to 2020-06-30: 500.00, distributions 0
 */
static void
test_sweeps(void)
{
    static const char *const days[] = { "2019-12-31", "2020-01-01", "2020-01-02",
                                        "2020-06-30", "2020-12-31", "2021-01-31",
                                        "2020-06-30", "2021-06-30" };
    static const pf_cents pnav[] = { 0, 0, 40000, 40000, 50000, 50000, 40000, 50000 };
    static const pf_cents fnav[] = { 0, 50000, 50000, 50000, 70000, 60000, 50000, 60000 };
    static const pf_cents fdist[] = { 0, 0, 0, 0, 0, 10000, 0, 10000 };
    struct pf_dataset *ds = tiny();
    struct pf_close_opts o = { d("2021-06-30"), NULL, NULL, NULL, NULL };
    struct pf_err err = { 0 };
    struct eng e;
    struct eng_nav_cursor cur;
    struct fund_sweep *sw = NULL;
    size_t i;

    memset(&e, 0, sizeof e);
    e.ds = ds;
    e.o = &o;
    e.D = o.as_of;
    e.run = pf_run_new();
    e.err = &err;
    CHECK(eng_prepare(&e) == PF_OK);
    if (err.status)
        goto cleanup;
    eng_nav_cursor_init(&cur);
    sw = fund_sweep_new(&e, 0);
    for (i = 0; i < sizeof days / sizeof *days; i++) {
        pf_date t = d(days[i]);
        struct fund_position a, b;
        CHECK_INT(eng_cursor_nav(&e, 0, &cur, t), pnav[i]);
        CHECK_INT(eng_project_nav(&e, 0, t, NULL), pnav[i]);
        CHECK(fund_position_sweep(&e, sw, t, &a) == PF_OK);
        CHECK(fund_position_at(&e, 0, t, &b) == PF_OK);
        CHECK_INT(a.nav, fnav[i]);
        CHECK_INT(a.distributions, fdist[i]);
        CHECK(memcmp(&a, &b, sizeof a) == 0); /* every field, as from scratch */
    }
cleanup:
    fund_sweep_free(sw);
    eng_release(&e);
    pf_run_free(e.run);
    pf_dataset_free(ds);
}

int
main(void)
{
    pf_calc_init();
    test_terms();
    test_clawback();
    test_tiny();
    test_fx_exact();
    test_sweeps();
    return pf_t_done("engine");
}
