/*
 * market: the FX rates (CNY per unit, 8 decimals, every business day from
 * before the first flow to as_of) for every currency a project may use, and
 * a CSI 300-like index ("csi300"). Geometric random walks; the Gulf and Hong
 * Kong currencies are pegged to the dollar, the pataca to the Hong Kong dollar.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"
#include "parkfund/banned.h"

struct ccy {
    const char *code;
    double start;   /* CNY per unit ten years before as_of */
    double vol;     /* annual volatility */
    double drift;   /* annual drift of the log rate */
    const char *peg;/* pegged to this earlier currency, or NULL */
    double ratio;   /* units of this currency per unit of peg */
};

static const struct ccy ccys[] = {
    { "USD", 6.55, 0.045, 0.005, NULL, 0 },
    { "EUR", 7.40, 0.070, 0.000, NULL, 0 },
    { "GBP", 9.20, 0.080, -0.012, NULL, 0 },
    { "HKD", 0, 0, 0, "USD", 7.80 },
    { "MOP", 0, 0, 0, "HKD", 1.03 },
    { "AED", 0, 0, 0, "USD", 3.6725 },
    { "SAR", 0, 0, 0, "USD", 3.75 },
    { "THB", 0.196, 0.060, 0.000, NULL, 0 },
    { "IDR", 0.00049, 0.080, -0.020, NULL, 0 },
    { "MYR", 1.62, 0.070, -0.010, NULL, 0 },
    { "SGD", 4.75, 0.050, 0.000, NULL, 0 },
    { "ZAR", 0.50, 0.150, -0.040, NULL, 0 },
    { "EGP", 0.84, 0.120, -0.110, NULL, 0 },
};

/* Is the currency used by some park present in this data set? */
static int
ccy_used(const struct gen *g, const char *code)
{
    size_t i;

    if (strcmp(code, "USD") == 0)
        return 1; /* the overseas funds' currency */
    if (pf_taxonomy_count(g->tax, PF_TAX_CURRENCY) && !pf_taxonomy_has(g->tax, PF_TAX_CURRENCY, code))
        return 0;
    for (i = 0; i < gen_nnamed_parks; i++)
        if (strcmp(gen_named_parks[i].currency, code) == 0
            && pf_taxonomy_region_known(g->tax, gen_named_parks[i].region))
            return 1;
    return 0;
}

void
gen_fx_series(struct gen *g)
{
    struct pf_rng *r = pf_rng_new(gen_subseed(g->seed, 3));
    size_t nc = sizeof ccys / sizeof *ccys, i, k, ndays;
    int64_t *tmp[sizeof ccys / sizeof *ccys] = { 0 };
    pf_date d;

    g->fx_day0 = gen_bizday_after(g->start - 45);
    ndays = (size_t)(g->as_of - g->fx_day0) + 1;
    g->fx = pf_xcalloc(nc, sizeof *g->fx);
    for (i = 0; i < nc; i++) {
        const struct ccy *c = &ccys[i];
        double x = log(c->start) + pf_rng_gaussian(r, 0.03), noise = 0;
        size_t peg = 0;

        tmp[i] = pf_xreallocarray(NULL, ndays, sizeof **tmp);
        if (c->peg)
            for (peg = 0; peg < i && strcmp(ccys[peg].code, c->peg) != 0; peg++)
                ;
        for (k = 0; k < ndays; k++) {
            double rate;
            d = g->fx_day0 + (pf_date)k;
            if (k > 0 && gen_weekday(d) >= 5) { /* weekends carry Friday's rate */
                tmp[i][k] = tmp[i][k - 1];
                continue;
            }
            if (c->peg) {
                /* a narrow band around the peg */
                noise = 0.9 * noise + pf_rng_gaussian(r, 0.0004);
                rate = (double)tmp[peg][k] / 1e8 / c->ratio * (1 + noise);
            } else {
                x += (c->drift - c->vol * c->vol / 2) / 252 + pf_rng_gaussian(r, c->vol / sqrt(252));
                rate = exp(x);
            }
            tmp[i][k] = pf_cents_round(rate * 1e8);
            if (tmp[i][k] < 1)
                tmp[i][k] = 1;
        }
    }
    for (i = 0; i < nc; i++) {
        if (ccy_used(g, ccys[i].code)) {
            g->fx[g->nfx].code = ccys[i].code;
            g->fx[g->nfx++].rate_e8 = tmp[i];
        } else {
            free(tmp[i]);
        }
    }
    /* date-major rows, business days only */
    for (k = 0; k < ndays; k++) {
        d = g->fx_day0 + (pf_date)k;
        if (gen_weekday(d) >= 5)
            continue;
        for (i = 0; i < g->nfx; i++) {
            gen_row_begin(g);
            gen_col_date(g, d);
            gen_col(g, g->fx[i].code);
            gen_col_e8(g, g->fx[i].rate_e8[k]);
            gen_row_end(g, GF_FX);
        }
    }
    pf_rng_free(r);
}

int
gen_fx_has(const struct gen *g, const char *code)
{
    size_t i;

    if (strcmp(code, "CNY") == 0)
        return 1;
    for (i = 0; i < g->nfx; i++)
        if (strcmp(g->fx[i].code, code) == 0)
            return 1;
    return 0;
}

void
gen_benchmark(struct gen *g)
{
    struct pf_rng *r = pf_rng_new(gen_subseed(g->seed, 4));
    double x = log(3500.0) + pf_rng_gaussian(r, 0.08), mu = 0.04, vol = 0.22;
    pf_date d;

    for (d = g->fx_day0; d <= g->as_of; d++) {
        if (gen_weekday(d) >= 5)
            continue;
        if (d > g->fx_day0)
            x += (mu - vol * vol / 2) / 252 + pf_rng_gaussian(r, vol / sqrt(252));
        gen_row_begin(g);
        gen_col(g, "csi300");
        gen_col_date(g, d);
        gen_col_money(g, pf_cents_round(exp(x) * 100));
        gen_row_end(g, GF_BENCH);
    }
    pf_rng_free(r);
}
