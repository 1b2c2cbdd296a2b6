/*
 * performance: the LP side's own figures, for the fund and each partner —
 * commitment, paid-in, distributions, NAV, cash, unfunded, interest, the
 * multiples, net IRR over the LP flows and the PME family against the
 * benchmark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

struct pme_flows {
    struct pf_pme_flow *f;
    size_t n, cap;
};

static void
pme_add(struct pme_flows *b, pf_date d, double contrib, double dist)
{
    if (b->n > 0 && b->f[b->n - 1].date == d) {
        b->f[b->n - 1].contribution += contrib;
        b->f[b->n - 1].distribution += dist;
        return;
    }
    PF_GROW(b->f, b->n + 1, b->cap);
    memset(&b->f[b->n], 0, sizeof b->f[b->n]);
    b->f[b->n].date = d;
    b->f[b->n].contribution = contrib;
    b->f[b->n].distribution = dist;
    b->n++;
}

pf_status
pme_all(struct eng *e, int f, const size_t *only, size_t nonly, const char *dim,
        const char *fund, const char *key, pf_wide nav_at_D, const double *interest_at)
{
    static const char *const names[] = { "ks_pme", "direct_alpha", "ln_pme", "pme_plus", "mpme" };
    const struct pf_dataset *ds = e->ds;
    struct pme_flows b = { NULL, 0, 0 };
    struct pf_pme_input in;
    struct span s = e->fund_pflows[f];
    size_t i;
    pf_status rc = PF_OK;
    int m;

    if (!e->have_bench) {
        for (m = 0; m < 5; m++)
            pf_run_empty(e->run, dim, fund, key, names[m],
                         "no benchmark given (close --benchmark ID)");
        return PF_OK;
    }
    for (i = only ? 0 : s.lo; i < (only ? nonly : s.hi); i++) {
        const struct pf_partner_flow *pf = &ds->pflows[only ? only[i] : i];
        if (pf->date > e->D)
            break;
        if (is_carry(pf))
            continue; /* carried interest is not an LP flow (SPEC §10) */
        pme_add(&b, pf->date, pf->kind == PF_CONTRIBUTION ? (double)pf->amount / 100.0 : 0,
                pf->kind == PF_DISTRIBUTION ? (double)pf->amount / 100.0 : 0);
    }
    for (i = 0; i < b.n; i++) {
        TRY(eng_bench_level(e, b.f[i].date, &b.f[i].index));
        if (b.f[i].distribution > 0) { /* only mPME reads it, and only on distribution dates */
            pf_wide nav;
            TRY(fund_nav_cached(e, f, b.f[i].date, &nav));
            b.f[i].nav_after = (double)nav / 100.0 * (interest_at ? interest_at[i] : 1.0);
        }
    }
    in.flows = b.f;
    in.n = b.n;
    in.as_of = e->D;
    in.nav = (double)nav_at_D / 100.0;
    TRY(eng_bench_level(e, e->D, &in.index_end));
    put_metric(e, dim, fund, key, "ks_pme", pf_ks_pme(&in));
    put_metric(e, dim, fund, key, "direct_alpha", pf_direct_alpha(&in));
    put_metric(e, dim, fund, key, "ln_pme", pf_ln_pme(&in));
    put_metric(e, dim, fund, key, "pme_plus", pf_pme_plus(&in));
    put_metric(e, dim, fund, key, "mpme", pf_mpme(&in));
cleanup:
    free(b.f);
    return rc;
}

void
put_multiples(struct eng *e, const char *dim, const char *fund, const char *key,
              pf_wide paid_in, pf_wide distributions, pf_wide nav, pf_wide commitment)
{
    put_metric(e, dim, fund, key, "tvpi", pf_ratio((double)(distributions + nav),
                                                   (double)paid_in, "nothing paid in"));
    put_metric(e, dim, fund, key, "dpi", pf_ratio((double)distributions, (double)paid_in,
                                                  "nothing paid in"));
    put_metric(e, dim, fund, key, "rvpi", pf_ratio((double)nav, (double)paid_in,
                                                   "nothing paid in"));
    put_metric(e, dim, fund, key, "pic", pf_ratio((double)paid_in, (double)commitment,
                                                  "nothing committed"));
}
