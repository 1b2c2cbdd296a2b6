/*
 * close: every figure of SPEC §5 for every fund, partner, project and grouping
 * dimension, computed once from a data set and appended to a pf_run, followed
 * by the reconciliation checks. Money is integer cents throughout; doubles
 * appear only for ratios and rates (calc). Loops run over sorted arrays, so the
 * same data always gives the same run, bit for bit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

#define TRY(x)                                                                            \
    do {                                                                                  \
        if ((rc = (x)) != PF_OK)                                                          \
            goto cleanup;                                                                 \
    } while (0)

static const char *const periods[] = { "month", "qtd", "ytd", "itd" };
#define NPERIODS 4

static const char *const dims[] = { "chain", "segment", "theme", "region", "overseas_centre",
                                    "park", "instrument", "currency", "vintage" };
#define NDIMS 9

/* ------------------------------------------------------------ fund totals */

/* Everything about a fund "as at t" (flows dated on or before t). */
struct ftot {
    pf_cents commitment;
    pf_cents contrib[4], dist[4]; /* by purpose: investment, fee, expenses, other / roc, gain, income, other */
    pf_cents paid_in, distributions, recallable;
    pf_cents inv, proceeds, income; /* project flows in the fund's currency */
    pf_cents proj_nav, cash, nav;
};

static void
add_checked(pf_cents *acc, pf_cents v, bool *overflow)
{
    if (!pf_cents_add(*acc, v, acc))
        *overflow = true;
}

static pf_status
fund_at(struct eng *e, int f, pf_date t, struct ftot *o)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_fund *fd = &ds->funds[f];
    struct span s;
    bool ovf = false;
    size_t i, k;
    pf_status rc;

    memset(o, 0, sizeof *o);
    if (t == PF_DATE_NONE)
        return PF_OK;
    s = e->fund_cm[f];
    for (i = s.lo; i < s.hi; i++)
        if (ds->commitments[i].date <= t)
            add_checked(&o->commitment, ds->commitments[i].amount, &ovf);
    s = e->fund_pf[f];
    for (i = s.lo; i < s.hi && ds->pflows[i].date <= t; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        if (pf->kind == PF_CONTRIBUTION) {
            add_checked(&o->contrib[pf->purpose], pf->amount, &ovf);
            add_checked(&o->paid_in, pf->amount, &ovf);
        } else {
            add_checked(&o->dist[pf->purpose - PF_P_RETURN_OF_CAPITAL], pf->amount, &ovf);
            add_checked(&o->distributions, pf->amount, &ovf);
            if (pf->recallable)
                add_checked(&o->recallable, pf->amount, &ovf);
        }
    }
    for (k = 0; k < e->fund_nproj[f]; k++) {
        int p = e->fund_proj[f][k];
        const struct pf_project *pj = &ds->projects[p];
        pf_cents nav, conv;
        size_t lo = e->proj_jf[p].lo, end = eng_flows_upto(e, p, t);
        add_checked(&o->inv, e->pre_inv[end] - e->pre_inv[lo], &ovf);
        add_checked(&o->proceeds, e->pre_proc[end] - e->pre_proc[lo], &ovf);
        add_checked(&o->income, e->pre_inc[end] - e->pre_inc[lo], &ovf);
        nav = eng_project_nav(e, p, t, NULL);
        if ((rc = eng_conv(e, nav, pj->currency, fd->currency, t, &conv)) != PF_OK)
            return rc;
        add_checked(&o->proj_nav, conv, &ovf);
    }
    /* SPEC §5: investment and other contributions fund the cash; fees and expenses pass through */
    add_checked(&o->cash, o->contrib[0], &ovf);
    add_checked(&o->cash, o->contrib[3], &ovf);
    add_checked(&o->cash, -o->inv, &ovf);
    add_checked(&o->cash, o->proceeds, &ovf);
    add_checked(&o->cash, o->income, &ovf);
    add_checked(&o->cash, -o->distributions, &ovf);
    o->nav = o->proj_nav;
    add_checked(&o->nav, o->cash, &ovf);
    if (ovf)
        return pf_err_set(e->err, PF_EDATA, "", "amounts of fund '%s' overflow 64-bit cents",
                          fd->fund_id);
    return PF_OK;
}

/* A partner's own flows in one fund as at t. */
struct ptot {
    pf_cents commitment, contrib[4], dist[4], paid_in, distributions, recallable;
};

static void
partner_at(struct eng *e, int f, int partner, pf_date t, struct ptot *o)
{
    const struct pf_dataset *ds = e->ds;
    struct span s;
    size_t i;

    memset(o, 0, sizeof *o);
    if (t == PF_DATE_NONE)
        return;
    s = e->fund_cm[f];
    for (i = s.lo; i < s.hi; i++)
        if (ds->commitments[i].partner == partner && ds->commitments[i].date <= t)
            o->commitment += ds->commitments[i].amount;
    s = e->fund_pf[f];
    for (i = s.lo; i < s.hi && ds->pflows[i].date <= t; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        if (pf->partner != partner)
            continue;
        if (pf->kind == PF_CONTRIBUTION) {
            o->contrib[pf->purpose] += pf->amount;
            o->paid_in += pf->amount;
        } else {
            o->dist[pf->purpose - PF_P_RETURN_OF_CAPITAL] += pf->amount;
            o->distributions += pf->amount;
            if (pf->recallable)
                o->recallable += pf->amount;
        }
    }
}

static pf_cents
fund_commitment_at(const struct eng *e, int f, pf_date t)
{
    pf_cents c = 0;
    size_t i;
    for (i = e->fund_cm[f].lo; i < e->fund_cm[f].hi; i++)
        if (e->ds->commitments[i].date <= t)
            c += e->ds->commitments[i].amount;
    return c;
}

/* The fund's NAV on t, computed once per fund and date (partners ask for the same dates). */
static pf_status
fund_nav_cached(struct eng *e, int f, pf_date t, pf_cents *nav)
{
    struct ftot x;
    size_t i;
    pf_status rc;

    if (e->navc_fund != f) {
        e->navc_fund = f;
        e->navc_n = 0;
    }
    for (i = 0; i < e->navc_n; i++)
        if (e->navc_d[i] == t) {
            *nav = e->navc_v[i];
            return PF_OK;
        }
    if ((rc = fund_at(e, f, t, &x)) != PF_OK)
        return rc;
    if (e->navc_n + 1 > e->navc_cap) {
        size_t nc = e->navc_cap ? e->navc_cap * 2 : 64;
        e->navc_d = pf_xreallocarray(e->navc_d, nc, sizeof *e->navc_d);
        e->navc_v = pf_xreallocarray(e->navc_v, nc, sizeof *e->navc_v);
        e->navc_cap = nc;
    }
    e->navc_d[e->navc_n] = t;
    e->navc_v[e->navc_n++] = x.nav;
    *nav = x.nav;
    return PF_OK;
}

/* --------------------------------------------------------------- helpers */

static void
put_metric(struct eng *e, const char *dim, const char *fund, const char *key,
           const char *metric, struct pf_metric m)
{
    if (m.reason)
        pf_run_empty(e->run, dim, fund, key, metric, m.reason);
    else
        pf_run_value(e->run, dim, fund, key, metric, m.value);
}

static void
warn(struct eng *e, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
warn(struct eng *e, const char *name, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pf_run_note_add(e->run, false, name, 0, msg);
}

/*
 * Store a finished block as rows and solve its XIRR (Excel's convention, guess
 * 0.1) from exactly those netted cents, so the workbook's XIRR over the same
 * cells lands on the same root.
 */
static pf_status
irr_block(struct eng *e, struct block *b, const char *fund, const char *block_key,
          const char *dim, const char *key, const char *metric, pf_cents nav)
{
    struct pf_xirr_result x;
    double *a = NULL;
    pf_date *d = NULL;
    size_t i, n;
    pf_status rc = PF_OK;

    block_finish(b);
    for (i = 0; i < b->n; i++)
        pf_run_row_money(e->run, "block", fund, block_key, "flow", b->d[i], b->a[i]);
    pf_run_row_money(e->run, "block", fund, block_key, "nav", e->D, nav);
    n = b->n + 1;
    a = pf_xmalloc(n * sizeof *a);
    d = pf_xmalloc(n * sizeof *d);
    for (i = 0; i < b->n; i++) {
        a[i] = (double)b->a[i] / 100.0;
        d[i] = b->d[i];
    }
    a[b->n] = (double)nav / 100.0;
    d[b->n] = e->D;
    if ((rc = pf_xirr(d, a, n, 0.1, &x)) != PF_OK) {
        pf_err_set(e->err, rc, "", "irr of '%s' failed", block_key);
        goto cleanup;
    }
    put_metric(e, dim, fund, key, metric, x.m);
    if (x.nroots > 1) {
        char list[300];
        size_t used = 0;
        for (i = 0; i < x.nroots && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%.6f", i ? ", " : "",
                                     x.roots[i]);
        warn(e, "several_irr_roots", "%s %s of '%s'%s%s: the flows have %zu rates (%s); "
             "reported %.6f, the root Excel reaches from 0.1", dim, metric, key,
             fund ? " in fund " : "", fund ? fund : "", x.nroots, list, x.m.value);
    }
cleanup:
    free(a);
    free(d);
    return rc;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Allocate total over partners by commitment weights (SPEC §5), exactly. */
static pf_status
allocate(struct eng *e, pf_cents total, const int64_t *w, const int64_t *fallback, size_t n,
         pf_cents *out)
{
    int64_t sum = 0, fsum = 0;
    size_t i;
    int64_t *ones;
    pf_status rc;

    for (i = 0; i < n; i++) {
        sum += w[i];
        fsum += fallback[i];
    }
    if (n == 0)
        return PF_OK;
    if (sum > 0)
        return pf_alloc_largest_remainder(total, w, n, out);
    if (fsum > 0) /* nothing committed yet: share by what was paid in */
        return pf_alloc_largest_remainder(total, fallback, n, out);
    ones = pf_xmalloc(n * sizeof *ones);
    for (i = 0; i < n; i++)
        ones[i] = 1;
    rc = pf_alloc_largest_remainder(total, ones, n, out);
    free(ones);
    (void)e;
    return rc;
}

/* --------------------------------------------------------- per project */

struct pm {
    pf_cents committed, invested, realised, nav, unfunded, co_inv;
    bool counted;     /* committed on or before D */
    bool valued;      /* has a valuation on or before D */
    pf_cents inv_own; /* investments in the project's currency */
};

/* Add a project's measures to a group's, in checked arithmetic: each amount fits in
 * 64 bits, but sums converted to one currency can overflow where the import could
 * not see it. */
static void
pm_add(struct pm *acc, const struct pm *x, bool *ovf)
{
    add_checked(&acc->committed, x->committed, ovf);
    add_checked(&acc->invested, x->invested, ovf);
    add_checked(&acc->realised, x->realised, ovf);
    add_checked(&acc->nav, x->nav, ovf);
    add_checked(&acc->unfunded, x->unfunded, ovf);
    add_checked(&acc->co_inv, x->co_inv, ovf);
}

static pf_status
overflowed(struct eng *e, const char *fund)
{
    return pf_err_set(e->err, PF_EDATA, "", "amounts %s%s%s overflow 64-bit cents once "
                      "converted to one currency", fund ? "of fund '" : "of the portfolio",
                      fund ? fund : "", fund ? "'" : "");
}

static pf_status
project_measures(struct eng *e, int p, const char *cur, bool cny, struct pm *m)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_project *pj = &ds->projects[p];
    struct span s = e->proj_jf[p];
    pf_cents nav_own, unf_own;
    pf_status rc;
    size_t i;

    memset(m, 0, sizeof *m);
    m->counted = pj->commitment_date <= e->D;
    for (i = s.lo; i < s.hi && ds->jflows[i].date <= e->D; i++) {
        pf_cents a = cny ? e->jf_cny[i] : e->jf_fund[i];
        if (ds->jflows[i].kind == PF_J_INVESTMENT) {
            m->invested += a;
            m->inv_own += e->jf_own[i];
        } else {
            m->realised += a;
        }
    }
    nav_own = eng_project_nav(e, p, e->D, &m->valued);
    if ((rc = eng_conv(e, nav_own, pj->currency, cur, e->D, &m->nav)))
        return rc;
    if (m->counted) {
        if ((rc = eng_conv(e, pj->commitment_amount, pj->currency, cur, pj->commitment_date,
                           &m->committed)))
            return rc;
        if ((rc = eng_conv(e, pj->co_investment, pj->currency, cur, pj->commitment_date,
                           &m->co_inv)))
            return rc;
    }
    unf_own = pj->commitment_amount - m->inv_own;
    if (!m->counted || unf_own < 0)
        unf_own = 0;
    return eng_conv(e, unf_own, pj->currency, cur, e->D, &m->unfunded);
}

/* Add a project's flows (in the chosen currency) to a block. */
static void
project_flows_to(struct eng *e, int p, bool cny, struct block *b)
{
    const struct pf_dataset *ds = e->ds;
    struct span s = e->proj_jf[p];
    size_t i;
    for (i = s.lo; i < s.hi && ds->jflows[i].date <= e->D; i++) {
        pf_cents a = cny ? e->jf_cny[i] : e->jf_fund[i];
        block_add(b, ds->jflows[i].date, ds->jflows[i].kind == PF_J_INVESTMENT ? -a : a);
    }
}

/* ----------------------------------------------------- exposure by groups */

struct group {
    const char *key;
    struct pm sum;
    size_t count;
    struct block blk;
};

static const char *
dim_key(struct eng *e, int p, int dim, char *buf, size_t n)
{
    const struct pf_project *pj = &e->ds->projects[p];
    switch (dim) {
    case 0: return pj->chain;
    case 1: return pj->segment;
    case 2: return pj->theme && *pj->theme ? pj->theme : "none";
    case 3: return e->proj_region[p];
    case 4: return e->proj_centre[p];
    case 5: return e->proj_park[p];
    case 6: return pj->instrument;
    case 7: return pj->currency;
    case 8:
        snprintf(buf, n, "%d", pj->fund >= 0 ? e->ds->funds[pj->fund].vintage : 0);
        return buf;
    case 9: return pj->fund_id; /* the portfolio's "fund" dimension */
    }
    return "";
}

/*
 * The exposure metrics of one group. A fund's own rows already carry `nav` as
 * the fund NAV with cash (SPEC §6), so there the projects' NAV is left out
 * (with_nav false) rather than written twice under one name.
 */
static void
put_exposure(struct eng *e, const char *dim, const char *fund, const char *key,
             const struct pm *s, size_t count, pf_cents tot_nav, pf_cents tot_inv,
             bool with_nav)
{
    pf_run_value(e->run, dim, fund, key, "count", (double)count);
    pf_run_money(e->run, dim, fund, key, "committed", s->committed);
    pf_run_money(e->run, dim, fund, key, "invested", s->invested);
    pf_run_money(e->run, dim, fund, key, "realised", s->realised);
    if (with_nav)
        pf_run_money(e->run, dim, fund, key, "nav", s->nav);
    pf_run_money(e->run, dim, fund, key, "project_unfunded", s->unfunded);
    put_metric(e, dim, fund, key, "moic",
               pf_ratio((double)(s->realised + s->nav), (double)s->invested,
                        "nothing invested"));
    put_metric(e, dim, fund, key, "nav_share",
               pf_ratio((double)s->nav, (double)tot_nav, "total nav is zero"));
    put_metric(e, dim, fund, key, "cost_share",
               pf_ratio((double)s->invested, (double)tot_inv, "nothing invested"));
}

/*
 * One grouping dimension over a set of projects: a row set per key (sorted),
 * each with its gross IRR over its own block, then key "*" with the
 * concentration of NAV (HHI, top-5, top-10).
 */
static pf_status
exposure(struct eng *e, const int *projs, size_t np, const struct pm *pms, int dim,
         const char *dimname, const char *fund, bool cny)
{
    struct group *g = NULL;
    const char **keys = pf_xmalloc((np ? np : 1) * sizeof *keys);
    size_t ng = 0, i, j, nk = 0;
    pf_cents tot_nav = 0, tot_inv = 0;
    double *shares = NULL, *navs = NULL;
    char (*vbuf)[16] = pf_xmalloc((np ? np : 1) * sizeof *vbuf);
    pf_status rc = PF_OK;
    bool ovf = false;
    char bkey[300];

    for (i = 0; i < np; i++) {
        if (!pms[projs[i]].counted)
            continue;
        keys[nk++] = dim_key(e, projs[i], dim, vbuf[i], sizeof vbuf[i]);
        add_checked(&tot_nav, pms[projs[i]].nav, &ovf);
        add_checked(&tot_inv, pms[projs[i]].invested, &ovf);
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
        pm_add(&g[lo].sum, &pms[p], &ovf);
        project_flows_to(e, p, cny, &g[lo].blk);
    }
    if (ovf) {
        rc = overflowed(e, fund);
        goto cleanup;
    }
    shares = pf_xcalloc(ng + 1, sizeof *shares);
    navs = pf_xcalloc(ng + 1, sizeof *navs);
    for (j = 0; j < ng; j++) {
        put_exposure(e, dimname, fund, g[j].key, &g[j].sum, g[j].count, tot_nav, tot_inv,
                     true);
        snprintf(bkey, sizeof bkey, "%s:%s", dimname, g[j].key);
        TRY(irr_block(e, &g[j].blk, fund, bkey, dimname, g[j].key, "gross_irr", g[j].sum.nav));
        shares[j] = tot_nav ? (double)g[j].sum.nav / (double)tot_nav : 0;
        navs[j] = (double)g[j].sum.nav;
    }
    if (tot_nav == 0) {
        pf_run_empty(e->run, dimname, fund, "*", "hhi", "total nav is zero");
        pf_run_empty(e->run, dimname, fund, "*", "top5_share", "total nav is zero");
        pf_run_empty(e->run, dimname, fund, "*", "top10_share", "total nav is zero");
    } else {
        pf_run_value(e->run, dimname, fund, "*", "hhi", pf_hhi(shares, ng));
        pf_run_value(e->run, dimname, fund, "*", "top5_share",
                     pf_top_share(navs, ng, 5, (double)tot_nav));
        pf_run_value(e->run, dimname, fund, "*", "top10_share",
                     pf_top_share(navs, ng, 10, (double)tot_nav));
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

/* ------------------------------------------------------------------- PME */

struct pmeb {
    struct pf_pme_flow *f;
    size_t n, cap;
};

static void
pme_add(struct pmeb *b, pf_date d, double contrib, double dist)
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

/*
 * The PME family for one set of LP flows (fund or partner). nav_scale turns
 * the fund's NAV after each date into this holder's (the partner's interest).
 */
static pf_status
pme_all(struct eng *e, int f, int partner, const char *dim, const char *fund, const char *key,
        pf_cents nav_at_D, const double *interest_at)
{
    static const char *const names[] = { "ks_pme", "direct_alpha", "ln_pme", "pme_plus", "mpme" };
    const struct pf_dataset *ds = e->ds;
    struct pmeb b = { NULL, 0, 0 };
    struct pf_pme_input in;
    struct span s = e->fund_pf[f];
    size_t i;
    pf_status rc = PF_OK;
    int m;

    if (!e->have_bench) {
        for (m = 0; m < 5; m++)
            pf_run_empty(e->run, dim, fund, key, names[m],
                         "no benchmark given (close --benchmark ID)");
        return PF_OK;
    }
    for (i = s.lo; i < s.hi && ds->pflows[i].date <= e->D; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        if (partner >= 0 && pf->partner != partner)
            continue;
        pme_add(&b, pf->date, pf->kind == PF_CONTRIBUTION ? (double)pf->amount / 100.0 : 0,
                pf->kind == PF_DISTRIBUTION ? (double)pf->amount / 100.0 : 0);
    }
    for (i = 0; i < b.n; i++) {
        TRY(eng_bench_level(e, b.f[i].date, &b.f[i].index));
        if (b.f[i].distribution > 0) { /* only mPME reads it, and only on distribution dates */
            pf_cents nav;
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

/* ------------------------------------------------- capital-account periods */

static pf_date
period_begin(pf_date D, int period, pf_date inception)
{
    int y, m, d;
    pf_date_to_ymd(D, &y, &m, &d);
    switch (period) {
    case 0: return pf_date_from_ymd(y, m, 1) - 1;
    case 1: return pf_date_from_ymd(y, ((m - 1) / 3) * 3 + 1, 1) - 1;
    case 2: return pf_date_from_ymd(y, 1, 1) - 1;
    default: return inception == PF_DATE_NONE ? PF_DATE_NONE : inception - 1;
    }
}

struct lines {
    pf_cents v[22];
};
enum {
    L_BEG, L_CI, L_CF, L_CE, L_CO, L_DR, L_DG, L_DI, L_DO, L_FEES, L_EXP, L_INC, L_CHG, L_END,
    L_COMMIT, L_UBEG, L_UNEW, L_ULESS, L_UREC, L_UADJ, L_UEND, L_COUNT
};
static const char *const line_names[L_COUNT] = {
    "beginning_nav", "contrib_investment", "contrib_management_fee", "contrib_expenses",
    "contrib_other", "dist_return_of_capital", "dist_gain", "dist_income", "dist_other",
    "management_fees", "expenses", "investment_income", "change_in_value", "ending_nav",
    "commitment", "beginning_unfunded", "new_commitments", "less_contributions",
    "plus_recallable", "unfunded_adjustment", "ending_unfunded",
};

static pf_cents
unfunded_of(pf_cents commitment, pf_cents paid_in, pf_cents recallable)
{
    pf_cents u = commitment - paid_in + recallable;
    return u < 0 ? 0 : u;
}

/* Fill the statement lines from flow totals at B and D plus the NAVs and income. */
static void
make_lines(struct lines *L, pf_cents beg_nav, pf_cents end_nav, pf_cents income,
           const pf_cents cB[4], const pf_cents cD[4], const pf_cents dB[4], const pf_cents dD[4],
           pf_cents commitB, pf_cents commitD, pf_cents piB, pf_cents piD, pf_cents recB,
           pf_cents recD)
{
    int i;
    pf_cents flows = 0;
    memset(L, 0, sizeof *L);
    L->v[L_BEG] = beg_nav;
    for (i = 0; i < 4; i++) {
        L->v[L_CI + i] = cD[i] - cB[i];
        L->v[L_DR + i] = dD[i] - dB[i];
        flows += L->v[L_CI + i] - L->v[L_DR + i];
    }
    /* fees and expenses are paid in by the partner and spent at once (SPEC §5) */
    L->v[L_FEES] = -L->v[L_CF];
    L->v[L_EXP] = -L->v[L_CE];
    L->v[L_INC] = income;
    L->v[L_END] = end_nav;
    L->v[L_CHG] = end_nav - (beg_nav + flows + L->v[L_FEES] + L->v[L_EXP] + income);
    L->v[L_COMMIT] = commitD;
    L->v[L_UBEG] = unfunded_of(commitB, piB, recB);
    L->v[L_UNEW] = commitD - commitB;
    L->v[L_ULESS] = -(piD - piB);
    L->v[L_UREC] = recD - recB;
    L->v[L_UEND] = unfunded_of(commitD, piD, recD);
    L->v[L_UADJ] = L->v[L_UEND] - (L->v[L_UBEG] + L->v[L_UNEW] + L->v[L_ULESS] + L->v[L_UREC]);
}

static void
put_lines(struct eng *e, const char *fund, const char *key, int period, pf_date B,
          const struct lines *L, double interest)
{
    char col[64];
    int i;
    for (i = 0; i < L_COUNT; i++) {
        snprintf(col, sizeof col, "%s.%s", periods[period], line_names[i]);
        pf_run_row_money(e->run, "account", fund, key, col, B, L->v[i]);
    }
    snprintf(col, sizeof col, "%s.interest", periods[period]);
    pf_run_row_value(e->run, "account", fund, key, col, B, interest);
}

static bool
lines_ok(const struct lines *L)
{
    pf_cents nav = L->v[L_BEG], u = L->v[L_UBEG];
    int i;
    for (i = L_CI; i <= L_CO; i++)
        nav += L->v[i];
    for (i = L_DR; i <= L_DO; i++)
        nav -= L->v[i];
    nav += L->v[L_FEES] + L->v[L_EXP] + L->v[L_INC] + L->v[L_CHG];
    u += L->v[L_UNEW] + L->v[L_ULESS] + L->v[L_UREC] + L->v[L_UADJ];
    return nav == L->v[L_END] && u == L->v[L_UEND];
}

static void
check(struct eng *e, bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
check(struct eng *e, bool ok, const char *name, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pf_run_note_add(e->run, true, name, ok ? 1 : 0, msg);
    if (!ok)
        pf_err_set(e->err, PF_EINTERNAL, "", "reconciliation failed: %s: %s (a bug: nothing "
                   "was stored)", name, msg);
}

/* ----------------------------------------------------------------- a fund */

static pf_status
close_fund(struct eng *e, int f, struct pm *pms)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_fund *fd = &ds->funds[f];
    const char *F = fd->fund_id;
    struct ftot T, TB[NPERIODS];
    struct block blk = { 0 };
    int *parts = NULL;
    size_t np = 0, i, k;
    int64_t *w = NULL, *wpi = NULL, *wB = NULL, *wpiB = NULL;
    pf_cents *pnav = NULL, *pcash = NULL, *tmp = NULL;
    struct ptot *pt = NULL;
    pf_status rc = PF_OK;
    pf_cents gp_nav = 0, inv_sum = 0, coinv = 0, pi_sum = 0, dist_sum = 0, nav_sum = 0,
             cash_sum = 0;
    size_t n_inv = 0, n_held = 0, n_exit = 0, n_list = 0;
    pf_cents guidance = 0;
    char day[16], bkey[300];
    struct pm tot;
    double tvpi_v, dpi_v, rvpi_v;
    struct pf_metric tvpi, dpi, rvpi;
    int per;
    bool ovf = false;

    TRY(fund_at(e, f, e->D, &T));
    /* partners of this fund: a commitment or a flow on or before D */
    parts = pf_xmalloc((ds->npartners ? ds->npartners : 1) * sizeof *parts);
    {
        /* one pass over the fund's own facts, not one per partner of the whole book */
        bool *in = pf_xcalloc(ds->npartners + 1, sizeof *in);
        struct span s = e->fund_cm[f];
        for (i = s.lo; i < s.hi; i++)
            if (ds->commitments[i].date <= e->D && ds->commitments[i].partner >= 0)
                in[ds->commitments[i].partner] = true;
        s = e->fund_pf[f];
        for (i = s.lo; i < s.hi && ds->pflows[i].date <= e->D; i++)
            if (ds->pflows[i].partner >= 0)
                in[ds->pflows[i].partner] = true;
        for (k = 0; k < ds->npartners; k++)
            if (in[k])
                parts[np++] = (int)k;
        free(in);
    }
    pt = pf_xcalloc(np + 1, sizeof *pt);
    w = pf_xcalloc(np + 1, sizeof *w);
    wpi = pf_xcalloc(np + 1, sizeof *wpi);
    wB = pf_xcalloc(np + 1, sizeof *wB);
    wpiB = pf_xcalloc(np + 1, sizeof *wpiB);
    pnav = pf_xcalloc(np + 1, sizeof *pnav);
    pcash = pf_xcalloc(np + 1, sizeof *pcash);
    tmp = pf_xcalloc(np + 1, sizeof *tmp);
    for (i = 0; i < np; i++) {
        partner_at(e, f, parts[i], e->D, &pt[i]);
        w[i] = pt[i].commitment;
        wpi[i] = pt[i].paid_in;
        if (strcmp(ds->partners[parts[i]].kind, "guidance_fund") == 0)
            guidance += pt[i].commitment;
    }
    TRY(allocate(e, T.nav, w, wpi, np, pnav));
    TRY(allocate(e, T.cash, w, wpi, np, pcash));

    /* ---- the fund's own rows ---- */
    pf_run_money(e->run, "fund", F, F, "commitment", T.commitment);
    pf_run_money(e->run, "fund", F, F, "paid_in", T.paid_in);
    pf_run_money(e->run, "fund", F, F, "distributions", T.distributions);
    pf_run_money(e->run, "fund", F, F, "nav", T.nav);
    pf_run_money(e->run, "fund", F, F, "cash", T.cash);
    pf_run_money(e->run, "fund", F, F, "unfunded",
                 unfunded_of(T.commitment, T.paid_in, T.recallable));
    if (T.commitment)
        pf_run_value(e->run, "fund", F, F, "interest", 1.0); /* the whole fund */
    else
        pf_run_empty(e->run, "fund", F, F, "interest", "the fund has no commitments");
    tvpi = pf_ratio((double)(T.distributions + T.nav), (double)T.paid_in, "nothing paid in");
    dpi = pf_ratio((double)T.distributions, (double)T.paid_in, "nothing paid in");
    rvpi = pf_ratio((double)T.nav, (double)T.paid_in, "nothing paid in");
    put_metric(e, "fund", F, F, "tvpi", tvpi);
    put_metric(e, "fund", F, F, "dpi", dpi);
    put_metric(e, "fund", F, F, "rvpi", rvpi);
    put_metric(e, "fund", F, F, "pic", pf_ratio((double)T.paid_in, (double)T.commitment,
                                                "nothing committed"));
    if (!tvpi.reason) {
        tvpi_v = tvpi.value;
        dpi_v = dpi.value;
        rvpi_v = rvpi.value;
        check(e, (tvpi_v - (dpi_v + rvpi_v)) <= 1e-12 * (tvpi_v > 1 ? tvpi_v : 1) &&
                     (dpi_v + rvpi_v - tvpi_v) <= 1e-12 * (tvpi_v > 1 ? tvpi_v : 1),
              "tvpi_identity", "fund '%s': tvpi %.15g = dpi %.15g + rvpi %.15g", F, tvpi_v,
              dpi_v, rvpi_v);
        if (e->err->status)
            goto cleanup;
    }
    for (i = e->fund_pf[f].lo; i < e->fund_pf[f].hi && ds->pflows[i].date <= e->D; i++)
        block_add(&blk, ds->pflows[i].date, ds->pflows[i].kind == PF_CONTRIBUTION
                                                ? -ds->pflows[i].amount : ds->pflows[i].amount);
    TRY(irr_block(e, &blk, F, "net", "fund", F, "net_irr", T.nav));
    block_release(&blk);
    TRY(pme_all(e, f, -1, "fund", F, F, T.nav, NULL));
    if (guidance > 0)
        pf_run_value(e->run, "fund", F, F, "leverage", (double)T.commitment / (double)guidance);
    else
        pf_run_empty(e->run, "fund", F, F, "leverage", "no guidance-fund commitment");
    memset(&tot, 0, sizeof tot);
    for (k = 0; k < e->fund_nproj[f]; k++) {
        int p = e->fund_proj[f][k];
        const struct pf_project *pj = &ds->projects[p];
        struct pm *m = &pms[p];
        TRY(project_measures(e, p, fd->currency, false, m));
        if (!m->counted)
            continue;
        pm_add(&tot, m, &ovf);
        coinv = tot.co_inv;
        if (m->invested > 0)
            n_inv++;
        if (pj->exit_date != PF_DATE_NONE && pj->exit_date <= e->D)
            n_exit++;
        else if (m->nav > 0)
            n_held++;
        if (pj->listed_date != PF_DATE_NONE && pj->listed_date <= e->D)
            n_list++;
        if (m->invested > 0 && !m->valued)
            warn(e, "missing_valuation", "project '%s' in fund '%s' has no valuation on or "
                 "before %s: carried at cost", pj->project_id, F,
                 pf_date_format(e->D, day, sizeof day));
    }
    if (ovf) {
        rc = overflowed(e, F);
        goto cleanup;
    }
    put_metric(e, "fund", F, F, "crowd_in", pf_ratio((double)(tot.invested + coinv),
                                                       (double)tot.invested, "nothing invested"));
    pf_run_value(e->run, "fund", F, F, "projects_invested", (double)n_inv);
    pf_run_value(e->run, "fund", F, F, "projects_held", (double)n_held);
    pf_run_value(e->run, "fund", F, F, "projects_exited", (double)n_exit);
    pf_run_value(e->run, "fund", F, F, "projects_listed", (double)n_list);
    {
        size_t cnt = 0;
        for (k = 0; k < e->fund_nproj[f]; k++)
            cnt += pms[e->fund_proj[f][k]].counted;
        put_exposure(e, "fund", F, F, &tot, cnt, tot.nav, tot.invested, false);
    }
    for (k = 0; k < e->fund_nproj[f]; k++)
        if (pms[e->fund_proj[f][k]].counted)
            project_flows_to(e, e->fund_proj[f][k], false, &blk);
    TRY(irr_block(e, &blk, F, "gross", "fund", F, "gross_irr", tot.nav));
    block_release(&blk);
    if (T.cash < 0)
        warn(e, "negative_cash", "fund '%s' has negative cash %s on %s: more was invested or "
             "distributed than paid in", F, pf_money_format(T.cash, bkey, sizeof bkey),
             pf_date_format(e->D, day, sizeof day));

    /* ---- partners ---- */
    for (i = 0; i < np; i++) {
        const struct pf_partner *pp = &ds->partners[parts[i]];
        const char *P = pp->partner_id;
        struct span s = e->fund_pf[f];
        double interest = T.commitment ? (double)pt[i].commitment / (double)T.commitment : 0;
        double *int_at = NULL;
        size_t nd = 0, j;
        pf_date last = PF_DATE_NONE;

        pf_run_money(e->run, "partner", F, P, "commitment", pt[i].commitment);
        pf_run_money(e->run, "partner", F, P, "paid_in", pt[i].paid_in);
        pf_run_money(e->run, "partner", F, P, "distributions", pt[i].distributions);
        pf_run_money(e->run, "partner", F, P, "nav", pnav[i]);
        pf_run_money(e->run, "partner", F, P, "cash", pcash[i]);
        pf_run_money(e->run, "partner", F, P, "unfunded",
                     unfunded_of(pt[i].commitment, pt[i].paid_in, pt[i].recallable));
        if (T.commitment)
            pf_run_value(e->run, "partner", F, P, "interest", interest);
        else
            pf_run_empty(e->run, "partner", F, P, "interest", "the fund has no commitments");
        put_metric(e, "partner", F, P, "tvpi",
                   pf_ratio((double)(pt[i].distributions + pnav[i]), (double)pt[i].paid_in,
                            "nothing paid in"));
        put_metric(e, "partner", F, P, "dpi", pf_ratio((double)pt[i].distributions,
                                                       (double)pt[i].paid_in, "nothing paid in"));
        put_metric(e, "partner", F, P, "rvpi", pf_ratio((double)pnav[i], (double)pt[i].paid_in,
                                                        "nothing paid in"));
        put_metric(e, "partner", F, P, "pic", pf_ratio((double)pt[i].paid_in,
                                                       (double)pt[i].commitment,
                                                       "nothing committed"));
        for (j = s.lo; j < s.hi && ds->pflows[j].date <= e->D; j++) {
            const struct pf_partner_flow *pf = &ds->pflows[j];
            if (pf->partner != parts[i])
                continue;
            block_add(&blk, pf->date, pf->kind == PF_CONTRIBUTION ? -pf->amount : pf->amount);
        }
        snprintf(bkey, sizeof bkey, "partner:%s", P);
        TRY(irr_block(e, &blk, F, bkey, "partner", P, "net_irr", pnav[i]));
        block_release(&blk);
        /* the partner's interest on each of its flow dates, for mPME's NAV */
        for (j = s.lo; j < s.hi && ds->pflows[j].date <= e->D; j++)
            if (ds->pflows[j].partner == parts[i] && ds->pflows[j].date != last) {
                last = ds->pflows[j].date;
                nd++;
            }
        int_at = pf_xcalloc(nd + 1, sizeof *int_at);
        nd = 0;
        last = PF_DATE_NONE;
        for (j = s.lo; j < s.hi && ds->pflows[j].date <= e->D; j++) {
            struct ptot a;
            pf_cents fc;
            if (ds->pflows[j].partner != parts[i] || ds->pflows[j].date == last)
                continue;
            last = ds->pflows[j].date;
            partner_at(e, f, parts[i], last, &a);
            fc = fund_commitment_at(e, f, last);
            int_at[nd++] = fc ? (double)a.commitment / (double)fc : 0;
        }
        rc = pme_all(e, f, parts[i], "partner", F, P, pnav[i], int_at);
        free(int_at);
        if (rc)
            goto cleanup;
        if (strcmp(pp->kind, "guidance_fund") == 0) {
            pf_cents local = 0;
            if (pp->region && *pp->region) {
                for (k = 0; k < e->fund_nproj[f]; k++) {
                    int p = e->fund_proj[f][k];
                    if (pms[p].counted && strcmp(e->proj_region[p], pp->region) == 0)
                        local += pms[p].invested;
                }
                put_metric(e, "partner", F, P, "reinvestment",
                           pf_ratio((double)local, (double)pt[i].commitment,
                                    "nothing committed"));
            } else {
                pf_run_empty(e->run, "partner", F, P, "reinvestment",
                             "the guidance fund has no region");
            }
        }
        pi_sum += pt[i].paid_in;
        dist_sum += pt[i].distributions;
        nav_sum += pnav[i];
        cash_sum += pcash[i];
    }
    check(e, nav_sum == T.nav, "partners_nav", "fund '%s': partners' NAVs sum to the fund's "
          "(%lld cents)", F, (long long)T.nav);
    check(e, cash_sum == T.cash, "partners_cash", "fund '%s': partners' cash sums to the "
          "fund's (%lld cents)", F, (long long)T.cash);
    check(e, pi_sum == T.paid_in, "partners_paid_in", "fund '%s': partners' paid-in sums to "
          "the fund's (%lld cents)", F, (long long)T.paid_in);
    check(e, dist_sum == T.distributions, "partners_distributions", "fund '%s': partners' "
          "distributions sum to the fund's (%lld cents)", F, (long long)T.distributions);
    {
        /* cash by its definition, summed a second way: flow by flow */
        pf_cents c = 0;
        for (i = e->fund_pf[f].lo; i < e->fund_pf[f].hi && ds->pflows[i].date <= e->D; i++) {
            const struct pf_partner_flow *pf = &ds->pflows[i];
            if (pf->kind == PF_DISTRIBUTION)
                c -= pf->amount;
            else if (pf->purpose == PF_P_INVESTMENT || pf->purpose == PF_P_OTHER_IN)
                c += pf->amount;
        }
        for (k = 0; k < e->fund_nproj[f]; k++) {
            struct span s = e->proj_jf[e->fund_proj[f][k]];
            for (i = s.lo; i < s.hi && ds->jflows[i].date <= e->D; i++)
                c += ds->jflows[i].kind == PF_J_INVESTMENT ? -e->jf_fund[i] : e->jf_fund[i];
        }
        check(e, c == T.cash, "cash_definition", "fund '%s': cash = investment and other "
              "contributions - project investments + project inflows - distributions = %lld "
              "cents", F, (long long)T.cash);
    }
    if (e->err->status)
        goto cleanup;

    /* ---- capital accounts by period (ILPA-shaped) ---- */
    for (per = 0; per < NPERIODS; per++) {
        pf_date B = period_begin(e->D, per, fd->inception);
        struct lines FL, PL, SUM;
        pf_cents *pbeg = tmp, *pinc = NULL;
        int li;

        if (B != PF_DATE_NONE && B >= e->D)
            B = e->D; /* a period that has not started: an empty roll-forward */
        TRY(fund_at(e, f, B, &TB[per]));
        make_lines(&FL, TB[per].nav, T.nav, T.income - TB[per].income, TB[per].contrib,
                   T.contrib, TB[per].dist, T.dist, TB[per].commitment, T.commitment,
                   TB[per].paid_in, T.paid_in, TB[per].recallable, T.recallable);
        put_lines(e, F, "*", per, B, &FL, 1.0);
        check(e, lines_ok(&FL), "rollforward", "fund '%s' %s: beginning + flows + change = "
              "ending, for NAV and unfunded", F, periods[per]);
        pinc = pf_xcalloc(np + 1, sizeof *pinc);
        for (i = 0; i < np; i++) {
            struct ptot b;
            partner_at(e, f, parts[i], B, &b);
            wB[i] = b.commitment;
            wpiB[i] = b.paid_in;
        }
        rc = allocate(e, TB[per].nav, wB, wpiB, np, pbeg);
        if (rc == PF_OK)
            rc = allocate(e, FL.v[L_INC], w, wpi, np, pinc);
        if (rc) {
            free(pinc);
            goto cleanup;
        }
        memset(&SUM, 0, sizeof SUM);
        for (i = 0; i < np; i++) {
            struct ptot b;
            partner_at(e, f, parts[i], B, &b);
            make_lines(&PL, pbeg[i], pnav[i], pinc[i], b.contrib, pt[i].contrib, b.dist,
                       pt[i].dist, b.commitment, pt[i].commitment, b.paid_in, pt[i].paid_in,
                       b.recallable, pt[i].recallable);
            put_lines(e, F, ds->partners[parts[i]].partner_id, per, B, &PL,
                      T.commitment ? (double)pt[i].commitment / (double)T.commitment : 0);
            check(e, lines_ok(&PL), "rollforward", "partner '%s' in fund '%s' %s: beginning + "
                  "flows + change = ending", ds->partners[parts[i]].partner_id, F,
                  periods[per]);
            for (li = 0; li < L_COUNT; li++)
                SUM.v[li] += PL.v[li];
        }
        free(pinc);
        if (np > 0) {
            bool same = true;
            for (li = 0; li < L_COUNT; li++)
                if (li != L_UBEG && li != L_UEND && li != L_UADJ && SUM.v[li] != FL.v[li])
                    same = false;
            check(e, same, "partners_rollforward", "fund '%s' %s: every statement line of "
                  "the partners sums to the fund's", F, periods[per]);
        }
        if (e->err->status)
            goto cleanup;
    }

    /* ---- projects ---- */
    for (k = 0; k < e->fund_nproj[f]; k++) {
        int p = e->fund_proj[f][k];
        const struct pf_project *pj = &ds->projects[p];
        if (!pms[p].counted)
            continue;
        put_exposure(e, "project", F, pj->project_id, &pms[p], 1, tot.nav, tot.invested,
                     true);
        project_flows_to(e, p, false, &blk);
        snprintf(bkey, sizeof bkey, "project:%s", pj->project_id);
        TRY(irr_block(e, &blk, F, bkey, "project", pj->project_id, "gross_irr", pms[p].nav));
        block_release(&blk);
        gp_nav += pms[p].nav;
        inv_sum += pms[p].invested;
    }
    /* ---- grouping dimensions of this fund ---- */
    for (per = 0; per < NDIMS; per++)
        TRY(exposure(e, e->fund_proj[f], e->fund_nproj[f], pms, per, dims[per], F, false));

    /* ---- J-curve: month by month since inception ---- */
    if (fd->inception != PF_DATE_NONE && fd->inception <= e->D) {
        pf_date me = pf_date_month_end(fd->inception);
        for (;; me = pf_date_add_months_end(me, 1)) {
            pf_date t = me > e->D ? e->D : me;
            struct ftot m;
            TRY(fund_at(e, f, t, &m));
            pf_run_row_money(e->run, "nav_history", F, F, "paid_in", t, m.paid_in);
            pf_run_row_money(e->run, "nav_history", F, F, "distributions", t, m.distributions);
            pf_run_row_money(e->run, "nav_history", F, F, "nav", t, m.nav);
            if (t == e->D)
                break;
        }
    }
    (void)gp_nav;
    (void)inv_sum;
cleanup:
    block_release(&blk);
    free(parts);
    free(pt);
    free(w);
    free(wpi);
    free(wB);
    free(wpiB);
    free(pnav);
    free(pcash);
    free(tmp);
    return rc;
}

/* ------------------------------------------------------ portfolio (CNY) */

static pf_status
chain_nav_cny(struct eng *e, const char *chain, pf_date t, pf_cents *out)
{
    const struct pf_dataset *ds = e->ds;
    size_t p;
    pf_status rc;

    *out = 0;
    for (p = 0; p < ds->nprojects; p++) {
        const struct pf_project *pj = &ds->projects[p];
        pf_cents nav, c;
        if (strcmp(pj->chain, chain) != 0 || pj->commitment_date > t)
            continue;
        nav = eng_project_nav(e, (int)p, t, NULL);
        if ((rc = eng_conv(e, nav, pj->currency, "CNY", t, &c)))
            return rc;
        *out += c;
    }
    return PF_OK;
}

/*
 * Risk per chain: quarterly modified-Dietz returns in CNY (the last quarter
 * ends at D), their statistics, and the correlation between chains over the
 * quarters both have a return.
 */
static pf_status
risk(struct eng *e, const char **chains, size_t nch)
{
    const struct pf_dataset *ds = e->ds;
    pf_date first = PF_DATE_NONE, q, *qends = NULL;
    size_t nq = 0, cq = 0, c, i, j, p;
    double *ret = NULL;
    bool *has = NULL;
    pf_status rc = PF_OK;

    for (i = 0; i < ds->njflows; i++)
        if (ds->jflows[i].kind == PF_J_INVESTMENT && ds->jflows[i].date <= e->D &&
            (first == PF_DATE_NONE || ds->jflows[i].date < first))
            first = ds->jflows[i].date;
    if (first != PF_DATE_NONE) {
        for (q = pf_date_quarter_end(first);; q = pf_date_add_months_end(q, 3)) {
            PF_GROW(qends, nq + 1, cq);
            qends[nq++] = q < e->D ? q : e->D;
            if (q >= e->D)
                break;
        }
    }
    ret = pf_xcalloc(nch * (nq + 1) + 1, sizeof *ret);
    has = pf_xcalloc(nch * (nq + 1) + 1, sizeof *has);
    for (c = 0; c < nch; c++) {
        double *series = pf_xcalloc(nq + 1, sizeof *series);
        size_t ns = 0;
        for (j = 0; j < nq; j++) {
            pf_date E = qends[j];
            /* the first quarter starts at the quarter end before the first investment */
            pf_date S = j == 0 ? pf_date_add_months_end(pf_date_quarter_end(first), -3)
                               : qends[j - 1];
            pf_cents nb, ne;
            pf_date *fd = NULL;
            double *fa = NULL;
            size_t nf = 0, cf = 0, cf2 = 0;
            struct pf_metric r;
            rc = chain_nav_cny(e, chains[c], S, &nb);
            if (rc == PF_OK)
                rc = chain_nav_cny(e, chains[c], E, &ne);
            if (rc) {
                free(series);
                goto cleanup;
            }
            for (p = 0; p < ds->nprojects; p++) {
                struct span s = e->proj_jf[p];
                if (strcmp(ds->projects[p].chain, chains[c]) != 0)
                    continue;
                for (i = s.lo; i < s.hi; i++) {
                    const struct pf_project_flow *jf = &ds->jflows[i];
                    if (jf->date <= S || jf->date > E)
                        continue;
                    PF_GROW(fd, nf + 1, cf);
                    PF_GROW(fa, nf + 1, cf2);
                    fd[nf] = jf->date;
                    /* money in is positive; proceeds and income are money taken out */
                    fa[nf] = (double)(jf->kind == PF_J_INVESTMENT ? e->jf_cny[i]
                                                                   : -e->jf_cny[i]) / 100.0;
                    nf++;
                }
            }
            r = pf_modified_dietz((double)nb / 100.0, (double)ne / 100.0, S, E, fd, fa, nf);
            free(fd);
            free(fa);
            if (!r.reason) {
                ret[c * nq + j] = r.value;
                has[c * nq + j] = true;
                series[ns++] = r.value;
                pf_run_row_value(e->run, "risk", NULL, chains[c], "return", E, r.value);
            }
        }
        put_metric(e, "chain", NULL, chains[c], "mean_return", pf_mean(series, ns));
        put_metric(e, "chain", NULL, chains[c], "stdev_return", pf_stdev(series, ns));
        {
            struct pf_metric sd = pf_stdev(series, ns);
            if (!sd.reason)
                sd.value *= 2.0; /* quarterly to annual: sqrt(4) */
            put_metric(e, "chain", NULL, chains[c], "volatility", sd);
        }
        if (ns > 0)
            pf_run_value(e->run, "chain", NULL, chains[c], "max_drawdown",
                         pf_max_drawdown(series, ns));
        else
            pf_run_empty(e->run, "chain", NULL, chains[c], "max_drawdown", "no quarterly returns");
        free(series);
    }
    for (c = 0; c < nch; c++) {
        for (i = c + 1; i < nch; i++) {
            double *x = pf_xcalloc(nq + 1, sizeof *x), *y = pf_xcalloc(nq + 1, sizeof *y);
            size_t n = 0;
            char key[200];
            for (j = 0; j < nq; j++)
                if (has[c * nq + j] && has[i * nq + j]) {
                    x[n] = ret[c * nq + j];
                    y[n] = ret[i * nq + j];
                    n++;
                }
            snprintf(key, sizeof key, "%s|%s", chains[c], chains[i]);
            if (n < 2)
                pf_run_empty(e->run, "chain_corr", NULL, key, "correlation",
                             "fewer than 2 common quarters");
            else
                put_metric(e, "chain_corr", NULL, key, "correlation", pf_correlation(x, y, n));
            free(x);
            free(y);
        }
    }
cleanup:
    free(qends);
    free(ret);
    free(has);
    return rc;
}

static pf_status
portfolio(struct eng *e)
{
    const struct pf_dataset *ds = e->ds;
    struct pm *pmc = pf_xcalloc(ds->nprojects + 1, sizeof *pmc);
    int *all = pf_xmalloc((ds->nprojects + 1) * sizeof *all);
    const char **chains = pf_xmalloc((ds->nprojects + 1) * sizeof *chains);
    size_t n = 0, nch = 0, i;
    pf_status rc = PF_OK;
    int d;

    for (i = 0; i < ds->nprojects; i++) {
        if (ds->projects[i].fund < 0)
            continue;
        TRY(project_measures(e, (int)i, "CNY", true, &pmc[i]));
        all[n++] = (int)i;
    }
    TRY(exposure(e, all, n, pmc, 9, "fund", NULL, true));
    for (d = 0; d < NDIMS; d++)
        TRY(exposure(e, all, n, pmc, d, dims[d], NULL, true));
    /* chains with projects, in alphabetical order (chain_corr keys are a|b, a < b) */
    for (i = 0; i < n; i++)
        if (pmc[all[i]].counted)
            chains[nch++] = ds->projects[all[i]].chain;
    qsort(chains, nch, sizeof *chains, cmp_str);
    {
        size_t m = 0;
        for (i = 0; i < nch; i++)
            if (m == 0 || strcmp(chains[m - 1], chains[i]) != 0)
                chains[m++] = chains[i];
        nch = m;
    }
    TRY(risk(e, chains, nch));
    /* NAV history: month-end NAV by chain in CNY */
    {
        pf_date first = PF_DATE_NONE, me;
        for (i = 0; i < ds->njflows; i++)
            if (ds->jflows[i].date <= e->D && (first == PF_DATE_NONE || ds->jflows[i].date < first))
                first = ds->jflows[i].date;
        if (first != PF_DATE_NONE) {
            for (me = pf_date_month_end(first);; me = pf_date_add_months_end(me, 1)) {
                pf_date t = me > e->D ? e->D : me;
                for (i = 0; i < nch; i++) {
                    pf_cents v;
                    TRY(chain_nav_cny(e, chains[i], t, &v));
                    pf_run_row_money(e->run, "nav_history", NULL, chains[i], "nav", t, v);
                }
                if (t == e->D)
                    break;
            }
        }
    }
cleanup:
    free(pmc);
    free(all);
    free(chains);
    return rc;
}

/* ------------------------------------------------------------------ entry */

pf_status
pf_engine_compute(const struct pf_dataset *ds, const struct pf_close_opts *o,
                  struct pf_run **out, struct pf_err *err)
{
    struct eng e;
    struct pm *pms = NULL;
    struct pf_run *run = pf_run_new();
    pf_status rc = PF_OK;
    size_t f;

    *out = NULL;
    memset(&e, 0, sizeof e);
    e.ds = ds;
    e.o = o;
    e.D = o->as_of;
    e.run = run;
    e.err = err;
    if (!ds->taxonomy_json) {
        rc = pf_err_set(err, PF_ENOINPUT, "", "nothing imported yet (run 'parkfund import')");
        goto cleanup;
    }
    TRY(pf_taxonomy_load_json(ds->taxonomy_json, &e.tax, err));
    run->as_of = o->as_of;
    run->batch = ds->batch;
    run->engine = pf_xstrdup(PF_ENGINE_VERSION);
    run->taxonomy = pf_xstrdup(pf_taxonomy_version(e.tax));
    run->benchmark = o->benchmark ? pf_xstrdup(o->benchmark) : NULL;
    run->input_rows = pf_xasprintf(
        "{\"parks\":%zu,\"enterprises\":%zu,\"funds\":%zu,\"partners\":%zu,\"projects\":%zu,"
        "\"commitments\":%zu,\"partner_flows\":%zu,\"project_flows\":%zu,\"valuations\":%zu,"
        "\"fx_rates\":%zu,\"benchmarks\":%zu,\"reversed_flows\":%zu}",
        ds->nparks, ds->nenterprises, ds->nfunds, ds->npartners, ds->nprojects,
        ds->ncommitments, ds->npflows, ds->njflows, ds->nvaluations, ds->nfx, ds->nbench,
        ds->nreversed);
    TRY(eng_prepare(&e));
    pms = pf_xcalloc(ds->nprojects + 1, sizeof *pms);
    for (f = 0; f < ds->nfunds; f++) {
        if (o->progress)
            o->progress(o->progress_arg, f, ds->nfunds + 1);
        if (ds->funds[f].inception != PF_DATE_NONE && ds->funds[f].inception > e.D)
            continue; /* not yet incepted at D */
        TRY(close_fund(&e, (int)f, pms));
    }
    TRY(portfolio(&e));
    if (o->progress)
        o->progress(o->progress_arg, ds->nfunds + 1, ds->nfunds + 1);
    *out = run;
    run = NULL;
cleanup:
    if (rc == PF_OK && err->status != PF_OK)
        rc = err->status;
    if (rc != PF_OK && *out) {
        pf_run_free(*out);
        *out = NULL;
    }
    eng_release(&e);
    free(pms);
    pf_run_free(run);
    return rc;
}
