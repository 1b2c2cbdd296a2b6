/*
 * exposure: each project's measures as at D (committed, invested, realised, NAV,
 * unfunded commitment) and the grouping dimensions of SPEC §5 — a row set per
 * key with its gross IRR, then the concentration of NAV (HHI, top-5, top-10)
 * under key "*".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

const char *const dimension_names[DIM_GROUPING_COUNT + 1] = {
    [DIM_CHAIN] = "chain",         [DIM_SEGMENT] = "segment",
    [DIM_THEME] = "theme",         [DIM_REGION] = "region",
    [DIM_OVERSEAS_CENTRE] = "overseas_centre",
    [DIM_PARK] = "park",           [DIM_INSTRUMENT] = "instrument",
    [DIM_CURRENCY] = "currency",   [DIM_VINTAGE] = "vintage",
    [DIM_FUND] = "fund",
};

void
measures_add(struct project_measures *acc, const struct project_measures *x)
{
    acc->committed += x->committed;
    acc->invested += x->invested;
    acc->realised += x->realised;
    acc->nav += x->nav;
    acc->unfunded += x->unfunded;
    acc->co_invested += x->co_invested;
}

pf_status
project_measures(struct eng *e, int p, const char *cur, bool cny, struct project_measures *m)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_project *pj = &ds->projects[p];
    struct span s = e->proj_flows[p];
    pf_wide invested_own = 0, unfunded_own;
    pf_cents c;
    pf_status rc;
    size_t i;

    memset(m, 0, sizeof *m);
    m->counted = pj->commitment_date <= e->D;
    for (i = s.lo; i < s.hi && ds->jflows[i].date <= e->D; i++) {
        pf_cents a = cny ? e->flow_in_cny[i] : e->flow_in_fund[i];
        if (ds->jflows[i].kind == PF_J_INVESTMENT) {
            m->invested += a;
            invested_own += e->flow_in_own[i];
        } else {
            m->realised += a;
        }
    }
    if ((rc = eng_conv(e, eng_project_nav(e, p, e->D, &m->valued), pj->currency, cur, e->D,
                       &c)))
        return rc;
    m->nav = c;
    if (m->counted) {
        if ((rc = eng_conv(e, pj->commitment_amount, pj->currency, cur, pj->commitment_date,
                           &c)))
            return rc;
        m->committed = c;
        if ((rc = eng_conv(e, pj->co_investment, pj->currency, cur, pj->commitment_date, &c)))
            return rc;
        m->co_invested = c;
    }
    unfunded_own = pj->commitment_amount - invested_own;
    if (!m->counted || unfunded_own < 0)
        unfunded_own = 0;
    if ((rc = eng_conv(e, unfunded_own, pj->currency, cur, e->D, &c)))
        return rc;
    m->unfunded = c;
    return PF_OK;
}

void
project_flows_to(const struct eng *e, int p, bool cny, struct block *b)
{
    const struct pf_dataset *ds = e->ds;
    struct span s = e->proj_flows[p];
    size_t i;
    for (i = s.lo; i < s.hi && ds->jflows[i].date <= e->D; i++) {
        pf_cents a = cny ? e->flow_in_cny[i] : e->flow_in_fund[i];
        block_add(b, ds->jflows[i].date, ds->jflows[i].kind == PF_J_INVESTMENT ? -a : a);
    }
}

static const char *
dim_key(const struct eng *e, int p, enum dimension dim, char *buf, size_t n)
{
    const struct pf_project *pj = &e->ds->projects[p];
    switch (dim) {
    case DIM_CHAIN: return pj->chain;
    case DIM_SEGMENT: return pj->segment;
    case DIM_THEME: return pj->theme && *pj->theme ? pj->theme : "none";
    case DIM_REGION: return e->proj_region[p];
    case DIM_OVERSEAS_CENTRE: return e->proj_centre[p];
    case DIM_PARK: return e->proj_park[p];
    case DIM_INSTRUMENT: return pj->instrument;
    case DIM_CURRENCY: return pj->currency;
    case DIM_VINTAGE:
        snprintf(buf, n, "%d", pj->fund >= 0 ? e->ds->funds[pj->fund].vintage : 0);
        return buf;
    case DIM_FUND: return pj->fund_id;
    }
    return "";
}

/*
 * The exposure metrics of one group. A fund's own rows already carry `nav` as
 * the fund NAV with cash (SPEC §6), so there the projects' NAV is left out
 * (with_nav false) rather than written twice under one name.
 */
pf_status
put_exposure(struct eng *e, const char *dim, const char *fund, const char *key,
             const struct project_measures *s, size_t count, pf_wide total_nav,
             pf_wide total_invested, bool with_nav)
{
    pf_status rc = PF_OK;

    pf_run_value(e->run, dim, fund, key, "count", (double)count);
    TRY(put_money(e, dim, fund, key, "committed", s->committed));
    TRY(put_money(e, dim, fund, key, "invested", s->invested));
    TRY(put_money(e, dim, fund, key, "realised", s->realised));
    if (with_nav)
        TRY(put_money(e, dim, fund, key, "nav", s->nav));
    TRY(put_money(e, dim, fund, key, "project_unfunded", s->unfunded));
    put_metric(e, dim, fund, key, "moic",
               pf_ratio((double)(s->realised + s->nav), (double)s->invested,
                        "nothing invested"));
    put_metric(e, dim, fund, key, "nav_share",
               pf_ratio((double)s->nav, (double)total_nav, "total nav is zero"));
    put_metric(e, dim, fund, key, "cost_share",
               pf_ratio((double)s->invested, (double)total_invested, "nothing invested"));
cleanup:
    return rc;
}

struct group {
    const char *key;
    struct project_measures sum;
    size_t count;
    struct block blk;
};

pf_status
exposure(struct eng *e, const int *projs, size_t np, const struct project_measures *pms,
         enum dimension dim, const char *fund, bool cny)
{
    const char *dimname = dimension_names[dim];
    struct group *g = NULL;
    const char **keys = pf_xmalloc((np ? np : 1) * sizeof *keys);
    size_t ng = 0, i, j, nk = 0;
    pf_wide total_nav = 0, total_invested = 0;
    double *shares = NULL, *navs = NULL;
    char (*vbuf)[16] = pf_xmalloc((np ? np : 1) * sizeof *vbuf);
    pf_status rc = PF_OK;
    char bkey[300];

    for (i = 0; i < np; i++) {
        if (!pms[projs[i]].counted)
            continue;
        keys[nk++] = dim_key(e, projs[i], dim, vbuf[i], sizeof vbuf[i]);
        total_nav += pms[projs[i]].nav;
        total_invested += pms[projs[i]].invested;
    }
    qsort(keys, nk, sizeof *keys, cmp_str);
    g = pf_xcalloc(nk + 1, sizeof *g);
    for (i = 0; i < nk; i++)
        if (ng == 0 || strcmp(g[ng - 1].key, keys[i]) != 0)
            g[ng++].key = keys[i];
    for (i = 0; i < np; i++) {
        int p = projs[i];
        const char *k;
        size_t lo = 0, hi = ng;
        if (!pms[p].counted)
            continue;
        k = dim_key(e, p, dim, vbuf[i], sizeof vbuf[i]);
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(g[mid].key, k) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        g[lo].count++;
        measures_add(&g[lo].sum, &pms[p]);
        project_flows_to(e, p, cny, &g[lo].blk);
    }
    shares = pf_xcalloc(ng + 1, sizeof *shares);
    navs = pf_xcalloc(ng + 1, sizeof *navs);
    for (j = 0; j < ng; j++) {
        TRY(put_exposure(e, dimname, fund, g[j].key, &g[j].sum, g[j].count, total_nav,
                         total_invested, true));
        snprintf(bkey, sizeof bkey, "%s:%s", dimname, g[j].key);
        TRY(irr_block(e, &g[j].blk, fund, bkey, dimname, g[j].key, "gross_irr", g[j].sum.nav));
        shares[j] = total_nav ? (double)g[j].sum.nav / (double)total_nav : 0;
        navs[j] = (double)g[j].sum.nav;
    }
    if (total_nav == 0) {
        pf_run_empty(e->run, dimname, fund, "*", "hhi", "total nav is zero");
        pf_run_empty(e->run, dimname, fund, "*", "top5_share", "total nav is zero");
        pf_run_empty(e->run, dimname, fund, "*", "top10_share", "total nav is zero");
    } else {
        pf_run_value(e->run, dimname, fund, "*", "hhi", pf_hhi(shares, ng));
        pf_run_value(e->run, dimname, fund, "*", "top5_share",
                     pf_top_share(navs, ng, 5, (double)total_nav));
        pf_run_value(e->run, dimname, fund, "*", "top10_share",
                     pf_top_share(navs, ng, 10, (double)total_nav));
    }
cleanup:
    for (j = 0; j < ng; j++)
        block_release(&g[j].blk);
    free(g);
    free(keys);
    free(shares);
    free(navs);
    free(vbuf);
    return rc;
}
