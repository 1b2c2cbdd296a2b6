/*
 * book: indexes over the data set (ranges per project and fund), currency
 * conversion at "the latest rate on or before the date", project NAV roll-
 * forward, and the date-netted cash-flow blocks behind every IRR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

/* --- fx --- */

static struct span
fx_span(const struct pf_dataset *ds, const char *cur)
{
    struct span s = { 0, 0 };
    size_t lo = 0, hi = ds->nfx;
    /* first index with currency >= cur */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(ds->fx[mid].currency, cur) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    s.lo = lo;
    hi = ds->nfx;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(ds->fx[mid].currency, cur) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    s.hi = lo;
    return s;
}

pf_status
eng_rate_e8(struct eng *e, const char *cur, pf_date d, int64_t *rate_e8)
{
    struct span s;
    size_t lo, hi;
    char day[16];

    if (strcmp(cur, "CNY") == 0) {
        *rate_e8 = 100000000;
        return PF_OK;
    }
    s = fx_span(e->ds, cur);
    lo = s.lo;
    hi = s.hi;
    /* last rate dated on or before d */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->ds->fx[mid].date <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s.lo)
        return pf_err_set(e->err, PF_EDATA, "", "no fx rate for '%s' on or before %s", cur,
                          pf_date_format(d, day, sizeof day));
    *rate_e8 = e->ds->fx[lo - 1].rate_e8;
    return PF_OK;
}

pf_status
eng_conv(struct eng *e, pf_wide v, const char *from, const char *to, pf_date d, pf_cents *out)
{
    int64_t rf, rt;
    pf_status rc;
    pf_wide x;
    char buf[48];

    if (v == 0 || strcmp(from, to) == 0) {
        x = v;
    } else {
        if ((rc = eng_rate_e8(e, from, d, &rf)) || (rc = eng_rate_e8(e, to, d, &rt)))
            return rc;
        if (rt <= 0)
            return pf_err_set(e->err, PF_EDATA, "", "fx rate of '%s' is zero", to);
        /* |v| < 2^64 once it fits a sum of a few amounts; rates < 2^50: no 128-bit overflow */
        if (v > ((pf_wide)1 << 75) || v < -((pf_wide)1 << 75))
            return pf_err_set(e->err, PF_EDATA, "", "amount %s '%s' is out of range for "
                              "conversion to '%s'", pf_wide_format(v, buf, sizeof buf), from, to);
        x = pf_wide_div_round(v * rf, (pf_wide)rt);
    }
    if (!pf_wide_fits(x, out))
        return pf_err_set(e->err, PF_EDATA, "", "an amount of %s %s (in %s) is out of range: "
                          "beyond 64-bit cents", pf_wide_format(v, buf, sizeof buf), from, to);
    return PF_OK;
}

pf_status
eng_bench_level(struct eng *e, pf_date d, double *level)
{
    size_t lo = e->bench.lo, hi = e->bench.hi;
    char day[16];

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->ds->bench[mid].date <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == e->bench.lo)
        return pf_err_set(e->err, PF_EDATA, "", "no level for benchmark '%s' on or before %s",
                          e->o->benchmark, pf_date_format(d, day, sizeof day));
    *level = (double)e->ds->bench[lo - 1].level_e8 / 1e8;
    return PF_OK;
}

/* --- project NAV --- */

size_t
eng_flows_upto(const struct eng *e, int p, pf_date t)
{
    size_t lo = e->proj_flows[p].lo, hi = e->proj_flows[p].hi;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->ds->jflows[mid].date <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Project p's NAV (SPEC §5 roll-forward) from its positions at t: flows [lo, end) dated
 * on or before t, valuations [lo, val) too, flows [lo, after) on or before the latest
 * of those valuations. The one formula behind eng_project_nav and eng_cursor_nav.
 */
static pf_wide
nav_at(const struct eng *e, int p, size_t end, size_t val, size_t after)
{
    pf_wide nav;
    if (val > e->proj_vals[p].lo) /* rolled forward by investments and proceeds after the
                                     valuation (income does not roll) */
        nav = e->val_in_own[val - 1] + (e->pre_net[end] - e->pre_net[after]);
    else
        nav = e->pre_net[end] - e->pre_net[e->proj_flows[p].lo]; /* cost */
    return nav < 0 ? 0 : nav; /* an exit after the last valuation leaves nothing, not debt */
}

pf_wide
eng_project_nav(const struct eng *e, int p, pf_date t, bool *valued)
{
    const struct pf_dataset *ds = e->ds;
    struct span v = e->proj_vals[p];
    size_t lo = v.lo, hi = v.hi, after = 0;

    /* the latest valuation on or before t */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ds->valuations[mid].date <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (valued)
        *valued = lo > v.lo;
    if (lo > v.lo)
        after = eng_flows_upto(e, p, ds->valuations[lo - 1].date);
    return nav_at(e, p, eng_flows_upto(e, p, t), lo, after);
}

void
eng_nav_cursor_init(struct eng_nav_cursor *cur)
{
    cur->end = cur->val = cur->after = 0;
    cur->t = PF_DATE_NONE;
}

pf_wide
eng_cursor_nav(const struct eng *e, int p, struct eng_nav_cursor *cur, pf_date t)
{
    const struct pf_dataset *ds = e->ds;
    struct span f = e->proj_flows[p], v = e->proj_vals[p];
    bool moved = false;

    if (cur->t == PF_DATE_NONE) {
        cur->end = f.lo;
        cur->val = v.lo;
        cur->after = f.lo;
    } else if (t < cur->t) { /* backwards: not a sweep, start again */
        eng_nav_cursor_init(cur);
        return eng_cursor_nav(e, p, cur, t);
    }
    cur->t = t;
    while (cur->end < f.hi && ds->jflows[cur->end].date <= t)
        cur->end++;
    while (cur->val < v.hi && ds->valuations[cur->val].date <= t) {
        cur->val++;
        moved = true;
    }
    if (moved)
        cur->after = eng_flows_upto(e, p, ds->valuations[cur->val - 1].date);
    return nav_at(e, p, cur->end, cur->val, cur->after);
}

/* --- blocks --- */

void
block_add(struct block *b, pf_date d, pf_wide a)
{
    if (b->n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 16;
        b->d = pf_xreallocarray(b->d, nc, sizeof *b->d);
        b->a = pf_xreallocarray(b->a, nc, sizeof *b->a);
        b->cap = nc;
    }
    b->d[b->n] = d;
    b->a[b->n] = a;
    b->n++;
}

struct da {
    pf_date d;
    pf_wide a;
    size_t i;
};

static int
cmp_da(const void *x, const void *y)
{
    const struct da *p = x, *q = y;
    if (p->d != q->d)
        return p->d < q->d ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

void
block_finish(struct block *b)
{
    struct da *v;
    size_t i, m = 0;
    bool sorted = true;

    for (i = 1; i < b->n; i++)
        if (b->d[i] < b->d[i - 1])
            sorted = false;
    if (!sorted) {
        v = pf_xmalloc((b->n ? b->n : 1) * sizeof *v);
        for (i = 0; i < b->n; i++) {
            v[i].d = b->d[i];
            v[i].a = b->a[i];
            v[i].i = i;
        }
        qsort(v, b->n, sizeof *v, cmp_da);
        for (i = 0; i < b->n; i++) {
            b->d[i] = v[i].d;
            b->a[i] = v[i].a;
        }
        free(v);
    }
    for (i = 0; i < b->n; i++) {
        if (m > 0 && b->d[m - 1] == b->d[i]) {
            b->a[m - 1] += b->a[i];
        } else {
            b->d[m] = b->d[i];
            b->a[m] = b->a[i];
            m++;
        }
    }
    b->n = m;
}

void
block_release(struct block *b)
{
    free(b->d);
    free(b->a);
    memset(b, 0, sizeof *b);
}

/* --- preparation --- */

static const char *
centre_of(struct eng *e, const struct pf_park *pk)
{
    const char *c;
    if (pk->overseas_centre && *pk->overseas_centre)
        return pk->overseas_centre;
    c = pf_taxonomy_region_centre(e->tax, pk->region);
    return c && *c ? c : "other";
}

pf_status
eng_prepare(struct eng *e)
{
    const struct pf_dataset *ds = e->ds;
    size_t i;
    pf_status rc = PF_OK;
    size_t *cap;

    e->proj_flows = pf_xcalloc(ds->nprojects + 1, sizeof *e->proj_flows);
    e->proj_vals = pf_xcalloc(ds->nprojects + 1, sizeof *e->proj_vals);
    e->fund_pflows = pf_xcalloc(ds->nfunds + 1, sizeof *e->fund_pflows);
    e->fund_commits = pf_xcalloc(ds->nfunds + 1, sizeof *e->fund_commits);
    e->flow_in_fund = pf_xcalloc(ds->njflows + 1, sizeof *e->flow_in_fund);
    e->flow_in_cny = pf_xcalloc(ds->njflows + 1, sizeof *e->flow_in_cny);
    e->flow_in_own = pf_xcalloc(ds->njflows + 1, sizeof *e->flow_in_own);
    e->val_in_own = pf_xcalloc(ds->nvaluations + 1, sizeof *e->val_in_own);
    e->pre_net = pf_xcalloc(ds->njflows + 1, sizeof *e->pre_net);
    e->pre_invested = pf_xcalloc(ds->njflows + 1, sizeof *e->pre_invested);
    e->pre_proceeds = pf_xcalloc(ds->njflows + 1, sizeof *e->pre_proceeds);
    e->pre_income = pf_xcalloc(ds->njflows + 1, sizeof *e->pre_income);
    e->navcache_fund = -1;
    e->wf_growth = pf_wf_growth_new();
    e->partner_slot = pf_xmalloc((ds->npartners + 1) * sizeof *e->partner_slot);
    for (i = 0; i < ds->npartners; i++)
        e->partner_slot[i] = -1;
    e->fund_projects = pf_xcalloc(ds->nfunds + 1, sizeof *e->fund_projects);
    e->fund_nprojects = pf_xcalloc(ds->nfunds + 1, sizeof *e->fund_nprojects);
    e->proj_park = pf_xcalloc(ds->nprojects + 1, sizeof *e->proj_park);
    e->proj_region = pf_xcalloc(ds->nprojects + 1, sizeof *e->proj_region);
    e->proj_centre = pf_xcalloc(ds->nprojects + 1, sizeof *e->proj_centre);
    cap = pf_xcalloc(ds->nfunds + 1, sizeof *cap);

    /* facts are sorted by owner, so each owner's facts form one range */
    for (i = 0; i < ds->njflows; i++) {
        int p = ds->jflows[i].project;
        if (p < 0)
            continue;
        if (e->proj_flows[p].hi == 0)
            e->proj_flows[p].lo = i;
        e->proj_flows[p].hi = i + 1;
    }
    for (i = 0; i < ds->nvaluations; i++) {
        int p = ds->valuations[i].project;
        if (p < 0)
            continue;
        if (e->proj_vals[p].hi == 0)
            e->proj_vals[p].lo = i;
        e->proj_vals[p].hi = i + 1;
    }
    for (i = 0; i < ds->npflows; i++) {
        int f = ds->pflows[i].fund;
        if (f < 0)
            continue;
        if (e->fund_pflows[f].hi == 0)
            e->fund_pflows[f].lo = i;
        e->fund_pflows[f].hi = i + 1;
    }
    for (i = 0; i < ds->ncommitments; i++) {
        int f = ds->commitments[i].fund;
        if (f < 0)
            continue;
        if (e->fund_commits[f].hi == 0)
            e->fund_commits[f].lo = i;
        e->fund_commits[f].hi = i + 1;
    }
    for (i = 0; i < ds->nprojects; i++) {
        const struct pf_project *p = &ds->projects[i];
        const struct pf_enterprise *en = p->enterprise >= 0 ? &ds->enterprises[p->enterprise]
                                                            : NULL;
        const struct pf_park *pk = en && en->park >= 0 ? &ds->parks[en->park] : NULL;
        if (p->fund < 0)
            continue;
        PF_GROW(e->fund_projects[p->fund], e->fund_nprojects[p->fund] + 1, cap[p->fund]);
        e->fund_projects[p->fund][e->fund_nprojects[p->fund]++] = (int)i;
        e->proj_park[i] = pk ? pk->park_id : "unknown";
        e->proj_region[i] = pk ? pk->region : "unknown";
        e->proj_centre[i] = pk ? centre_of(e, pk) : "other";
    }
    /* every project flow in its project's and its fund's currency and in CNY, and every
     * valuation in its project's currency, each converted once at its own date (a flow
     * or valuation may come in another currency than its project's) */
    for (i = 0; i < ds->njflows; i++) {
        const struct pf_project_flow *j = &ds->jflows[i];
        const struct pf_project *p;
        e->flow_in_own[i] = j->amount;
        if (j->project < 0 || j->date > e->D)
            continue;
        p = &ds->projects[j->project];
        if ((rc = eng_conv(e, j->amount, j->currency, p->currency, j->date, &e->flow_in_own[i])))
            goto cleanup;
        if (p->fund < 0)
            continue;
        if ((rc = eng_conv(e, j->amount, j->currency, ds->funds[p->fund].currency, j->date,
                           &e->flow_in_fund[i])) != PF_OK)
            goto cleanup;
        if ((rc = eng_conv(e, j->amount, j->currency, "CNY", j->date, &e->flow_in_cny[i])) != PF_OK)
            goto cleanup;
    }
    for (i = 0; i < ds->nvaluations; i++) {
        const struct pf_valuation *v = &ds->valuations[i];
        e->val_in_own[i] = v->value;
        if (v->project < 0 || v->date > e->D)
            continue;
        if ((rc = eng_conv(e, v->value, v->currency, ds->projects[v->project].currency, v->date,
                           &e->val_in_own[i])))
            goto cleanup;
    }
    for (i = 0; i < ds->njflows; i++) {
        const struct pf_project_flow *j = &ds->jflows[i];
        pf_wide net = j->kind == PF_J_INVESTMENT ? e->flow_in_own[i]
                       : j->kind == PF_J_PROCEEDS ? -e->flow_in_own[i] : 0;
        e->pre_net[i + 1] = e->pre_net[i] + net;
        e->pre_invested[i + 1] = e->pre_invested[i] + (j->kind == PF_J_INVESTMENT ? e->flow_in_fund[i] : 0);
        e->pre_proceeds[i + 1] = e->pre_proceeds[i] + (j->kind == PF_J_PROCEEDS ? e->flow_in_fund[i] : 0);
        e->pre_income[i + 1] = e->pre_income[i] + (j->kind != PF_J_INVESTMENT &&
                                             j->kind != PF_J_PROCEEDS ? e->flow_in_fund[i] : 0);
    }
    if (e->o->benchmark) {
        size_t lo = 0, hi = ds->nbench;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(ds->bench[mid].index_id, e->o->benchmark) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        e->bench.lo = lo;
        while (lo < ds->nbench && strcmp(ds->bench[lo].index_id, e->o->benchmark) == 0)
            lo++;
        e->bench.hi = lo;
        if (e->bench.lo == e->bench.hi) {
            rc = pf_err_set(e->err, PF_EDATA, "", "no levels for benchmark '%s' (import "
                            "benchmarks.csv with index_id '%s')", e->o->benchmark,
                            e->o->benchmark);
            goto cleanup;
        }
        e->have_bench = true;
    }
cleanup:
    free(cap);
    return rc;
}

void
eng_release(struct eng *e)
{
    size_t i;
    if (e->fund_projects)
        for (i = 0; i < e->ds->nfunds; i++)
            free(e->fund_projects[i]);
    free(e->fund_projects);
    free(e->fund_nprojects);
    free(e->acct_cols);
    free(e->proj_flows);
    free(e->proj_vals);
    free(e->fund_pflows);
    free(e->fund_commits);
    free(e->flow_in_fund);
    free(e->flow_in_cny);
    free(e->flow_in_own);
    free(e->val_in_own);
    free(e->pre_net);
    free(e->pre_invested);
    free(e->pre_proceeds);
    free(e->pre_income);
    free(e->navcache_date);
    free(e->partner_slot);
    pf_wf_growth_free(e->wf_growth);
    free(e->navcache_nav);
    free(e->proj_park);
    free(e->proj_region);
    free(e->proj_centre);
    pf_taxonomy_free(e->tax);
}
