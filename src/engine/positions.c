/*
 * positions: what a fund and each of its partners hold "as at" a date — the
 * commitments, the flows by purpose, the project side and the cash (SPEC §5) —
 * and the exact sharing of a fund figure among its partners by interest.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

struct fund_sweep {
    int f;
    pf_date t;                  /* the last date asked; PF_DATE_NONE before the first */
    size_t pi;                  /* the fund's partner flows before pi are in acc */
    struct fund_position acc;   /* their sums (no other field set) */
    struct eng_nav_cursor *cur; /* one per project of the fund */
};

struct fund_sweep *
fund_sweep_new(const struct eng *e, int f)
{
    struct fund_sweep *sw = pf_xcalloc(1, sizeof *sw);
    size_t k, n = e->fund_nprojects[f];
    sw->f = f;
    sw->t = PF_DATE_NONE;
    sw->cur = pf_xcalloc(n + 1, sizeof *sw->cur);
    for (k = 0; k < n; k++)
        eng_nav_cursor_init(&sw->cur[k]);
    return sw;
}

void
fund_sweep_free(struct fund_sweep *sw)
{
    if (!sw)
        return;
    free(sw->cur);
    free(sw);
}

/* fund_position_at, with a sweep (sw not NULL) or from scratch. The sums are of
 * integers, so the sweep's order of adding changes nothing. */
static pf_status
position_at(struct eng *e, int f, pf_date t, struct fund_sweep *sw, struct fund_position *o)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_fund *fd = &ds->funds[f];
    struct span s;
    size_t i, k;
    pf_status rc;

    memset(o, 0, sizeof *o);
    if (t == PF_DATE_NONE)
        return PF_OK;
    s = e->fund_pflows[f];
    i = s.lo;
    if (sw && sw->t != PF_DATE_NONE && t >= sw->t) {
        *o = sw->acc;
        i = sw->pi;
    }
    for (; i < s.hi && ds->pflows[i].date <= t; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        if (pf->kind == PF_CONTRIBUTION) {
            o->contrib[pf->purpose] += pf->amount;
            o->paid_in += pf->amount;
        } else if (is_carry(pf)) {
            o->carry_paid += pf->amount;
        } else {
            o->dist[pf->purpose - PF_P_RETURN_OF_CAPITAL] += pf->amount;
            o->distributions += pf->amount;
            if (pf->recallable)
                o->recallable += pf->amount;
        }
    }
    if (sw) {
        sw->acc = *o;
        sw->pi = i;
        sw->t = t;
    }
    s = e->fund_commits[f];
    for (i = s.lo; i < s.hi; i++)
        if (ds->commitments[i].date <= t)
            o->commitment += ds->commitments[i].amount;
    for (k = 0; k < e->fund_nprojects[f]; k++) {
        int p = e->fund_projects[f][k];
        const struct pf_project *pj = &ds->projects[p];
        pf_cents conv;
        size_t lo = e->proj_flows[p].lo, end;
        pf_wide nav;
        if (sw) {
            nav = eng_cursor_nav(e, p, &sw->cur[k], t);
            end = sw->cur[k].end;
        } else {
            nav = eng_project_nav(e, p, t, NULL);
            end = eng_flows_upto(e, p, t);
        }
        o->invested += e->pre_invested[end] - e->pre_invested[lo];
        o->proceeds += e->pre_proceeds[end] - e->pre_proceeds[lo];
        o->income += e->pre_income[end] - e->pre_income[lo];
        if ((rc = eng_conv(e, nav, pj->currency, fd->currency, t, &conv)) != PF_OK)
            return rc;
        o->project_nav += conv;
    }
    /* SPEC §5: investment and other contributions fund the cash; fees and expenses pass
     * through */
    o->cash = o->contrib[C_INVESTMENT] + o->contrib[C_OTHER] - o->invested + o->proceeds +
              o->income - o->distributions - o->carry_paid;
    o->nav = o->project_nav + o->cash;
    return PF_OK;
}

pf_status
fund_position_at(struct eng *e, int f, pf_date t, struct fund_position *o)
{
    return position_at(e, f, t, NULL, o);
}

pf_status
fund_position_sweep(struct eng *e, struct fund_sweep *sw, pf_date t, struct fund_position *o)
{
    return position_at(e, sw->f, t, sw, o);
}

void
partner_positions_at(const struct eng *e, int f, const int *partners, size_t np, pf_date t,
                     struct partner_position *out)
{
    const struct pf_dataset *ds = e->ds;
    /* one sweep of the fund's facts for all its partners: asking partner by partner
     * cost partners x flows (a fund of 16,000 partners) */
    const int *slot = e->partner_slot;
    struct span s;
    size_t i;

    memset(out, 0, np * sizeof *out);
    if (t == PF_DATE_NONE)
        return;
    partner_slots_set(e, partners, np);
    s = e->fund_commits[f];
    for (i = s.lo; i < s.hi; i++) {
        int p = ds->commitments[i].partner;
        if (p >= 0 && slot[p] >= 0 && ds->commitments[i].date <= t)
            out[slot[p]].commitment += ds->commitments[i].amount;
    }
    s = e->fund_pflows[f];
    for (i = s.lo; i < s.hi && ds->pflows[i].date <= t; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        struct partner_position *o;
        if (pf->partner < 0 || slot[pf->partner] < 0)
            continue;
        o = &out[slot[pf->partner]];
        if (pf->kind == PF_CONTRIBUTION) {
            o->contrib[pf->purpose] += pf->amount;
            o->paid_in += pf->amount;
        } else if (is_carry(pf)) {
            o->carry_received += pf->amount;
        } else {
            o->dist[pf->purpose - PF_P_RETURN_OF_CAPITAL] += pf->amount;
            o->distributions += pf->amount;
            if (pf->recallable)
                o->recallable += pf->amount;
        }
    }
    partner_slots_clear(e, partners, np);
}

void
partner_slots_set(const struct eng *e, const int *partners, size_t np)
{
    size_t i;
    for (i = 0; i < np; i++)
        e->partner_slot[partners[i]] = (int)i;
}

void
partner_slots_clear(const struct eng *e, const int *partners, size_t np)
{
    size_t i;
    for (i = 0; i < np; i++)
        e->partner_slot[partners[i]] = -1;
}

pf_wide
fund_commitment_at(const struct eng *e, int f, pf_date t)
{
    pf_wide c = 0;
    size_t i;
    for (i = e->fund_commits[f].lo; i < e->fund_commits[f].hi; i++)
        if (e->ds->commitments[i].date <= t)
            c += e->ds->commitments[i].amount;
    return c;
}

pf_status
fund_nav_cached(struct eng *e, int f, pf_date t, pf_wide *nav)
{
    struct fund_position x;
    size_t i;
    pf_status rc;

    if (e->navcache_fund != f) {
        e->navcache_fund = f;
        e->navcache_n = 0;
    }
    for (i = 0; i < e->navcache_n; i++)
        if (e->navcache_date[i] == t) {
            *nav = e->navcache_nav[i];
            return PF_OK;
        }
    if ((rc = fund_position_at(e, f, t, &x)) != PF_OK)
        return rc;
    if (e->navcache_n + 1 > e->navcache_cap) {
        size_t nc = e->navcache_cap ? e->navcache_cap * 2 : 64;
        e->navcache_date = pf_xreallocarray(e->navcache_date, nc, sizeof *e->navcache_date);
        e->navcache_nav = pf_xreallocarray(e->navcache_nav, nc, sizeof *e->navcache_nav);
        e->navcache_cap = nc;
    }
    e->navcache_date[e->navcache_n] = t;
    e->navcache_nav[e->navcache_n++] = x.nav;
    *nav = x.nav;
    return PF_OK;
}

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

size_t
fund_partners(const struct eng *e, int f, int **out)
{
    const struct pf_dataset *ds = e->ds;
    /* one pass over the fund's own facts, nothing the size of the whole book: each
     * partner met is marked in partner_slot (then put back), and the list sorted
     * (data set order, which is by id) */
    struct span c = e->fund_commits[f], s = e->fund_pflows[f];
    int *parts = pf_xmalloc((c.hi - c.lo + s.hi - s.lo + 1) * sizeof *parts);
    size_t i, np = 0;

    for (i = c.lo; i < c.hi; i++) {
        int p = ds->commitments[i].partner;
        if (ds->commitments[i].date <= e->D && p >= 0 && e->partner_slot[p] < 0) {
            e->partner_slot[p] = 0;
            parts[np++] = p;
        }
    }
    for (i = s.lo; i < s.hi && ds->pflows[i].date <= e->D; i++) {
        int p = ds->pflows[i].partner;
        if (p >= 0 && e->partner_slot[p] < 0) {
            e->partner_slot[p] = 0;
            parts[np++] = p;
        }
    }
    partner_slots_clear(e, parts, np);
    qsort(parts, np, sizeof *parts, cmp_int);
    *out = parts;
    return np;
}

static pf_wide
sum_of(const pf_wide *w, size_t n)
{
    pf_wide sum = 0;
    size_t i;
    for (i = 0; i < n; i++)
        sum += w[i];
    return sum;
}

pf_status
allocate_by_interest(struct eng *e, int f, pf_wide total, const pf_wide *commitment,
                     const pf_wide *paid_in, size_t n, const char *what, pf_cents *out)
{
    const pf_wide *by;
    int64_t *w = NULL;
    pf_cents t;
    size_t i;
    pf_status rc = PF_OK;
    char buf[48];

    if (n == 0)
        return PF_OK;
    if (!pf_wide_fits(total, &t))
        return pf_err_set(e->err, PF_EDATA, "", "%s of fund '%s' = %s is out of range: sums "
                          "beyond 64-bit cents (about 9.2e16 in currency units) cannot be "
                          "stored", what, e->ds->funds[f].fund_id,
                          pf_wide_format(total, buf, sizeof buf));
    /* nothing committed yet: share by what was paid in; neither: equally */
    by = sum_of(commitment, n) > 0 ? commitment : sum_of(paid_in, n) > 0 ? paid_in : NULL;
    if (by && sum_of(by, n) > (pf_wide)INT64_MAX)
        return pf_err_set(e->err, PF_EDATA, "", "%s of fund '%s': the partners' commitments "
                          "overflow 64-bit cents", what, e->ds->funds[f].fund_id);
    w = pf_xcalloc(n, sizeof *w);
    for (i = 0; i < n; i++)
        w[i] = by ? (int64_t)by[i] : 1;
    if ((rc = pf_alloc_largest_remainder(t, w, n, out)) != PF_OK)
        pf_err_set(e->err, rc, "", "%s of fund '%s' cannot be shared among %zu partners", what,
                   e->ds->funds[f].fund_id, n);
    free(w);
    return rc;
}

pf_wide
unfunded_of(pf_wide commitment, pf_wide paid_in, pf_wide recallable)
{
    pf_wide u = commitment - paid_in + recallable;
    return u < 0 ? 0 : u;
}
