/*
 * close: every figure of SPEC §5 for every fund, partner, project and grouping
 * dimension, computed once from a data set and appended to a pf_run, with the
 * reconciliation checks. This file only orchestrates; each job has its room
 * (engine_int.h lists them). Loops run over sorted arrays, so the same data
 * always gives the same run, bit for bit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

/* ------------------------------------------------------------ one fund */

struct dated {
    pf_date date;
    pf_cents amount;
};

static int
cmp_dated(const void *a, const void *b)
{
    pf_date x = ((const struct dated *)a)->date, y = ((const struct dated *)b)->date;
    return x < y ? -1 : x > y;
}

/* Group idx[0..n) (indices of the fund's facts, in their order) by partner slot into
 * *at (counts, then starts; np + 1) and *out, keeping each partner's facts in order. */
static void
by_partner(const int *slot, const int *partner_of, size_t n, size_t np, size_t **at,
           size_t **out)
{
    size_t i, *pos;
    *at = pf_xcalloc(np + 2, sizeof **at);
    *out = pf_xmalloc((n ? n : 1) * sizeof **out);
    for (i = 0; i < n; i++)
        if (partner_of[i] >= 0 && slot[partner_of[i]] >= 0)
            (*at)[slot[partner_of[i]] + 1]++;
    for (i = 0; i < np; i++)
        (*at)[i + 1] += (*at)[i];
    pos = pf_xmalloc((np + 1) * sizeof *pos);
    memcpy(pos, *at, (np + 1) * sizeof *pos);
    for (i = 0; i < n; i++)
        if (partner_of[i] >= 0 && slot[partner_of[i]] >= 0)
            (*out)[pos[slot[partner_of[i]]]++] = i;
    free(pos);
}

/* The fund's per-partner indexes of fund_close (flow_at, commit_at, commit_day). */
static void
index_partners(const struct eng *e, struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    struct span fl = e->fund_pflows[fc->f], cm = e->fund_commits[fc->f];
    size_t nf = fl.hi - fl.lo, nc = cm.hi - cm.lo, i, k;
    const int *slot = e->partner_slot;
    int *who = pf_xmalloc((nf + nc + 1) * sizeof *who);
    struct dated *order = pf_xmalloc((nc + 1) * sizeof *order);

    partner_slots_set(e, fc->partners, fc->npartners);
    for (i = 0; i < nf; i++)
        who[i] = ds->pflows[fl.lo + i].partner;
    by_partner(slot, who, nf, fc->npartners, &fc->flow_at, &fc->flow_idx);
    for (i = 0; i < nf; i++)
        fc->flow_idx[i] += fl.lo;
    for (i = 0; i < nc; i++)
        who[i] = ds->commitments[cm.lo + i].partner;
    by_partner(slot, who, nc, fc->npartners, &fc->commit_at, &fc->commit_idx);
    for (i = 0; i < nc; i++)
        fc->commit_idx[i] += cm.lo;
    /* the fund's commitments by date (the sums of a date are exact, so their order
     * within the date does not matter) */
    for (i = 0; i < nc; i++) {
        order[i].date = ds->commitments[cm.lo + i].date;
        order[i].amount = ds->commitments[cm.lo + i].amount;
    }
    qsort(order, nc, sizeof *order, cmp_dated);
    fc->commit_day = pf_xmalloc((nc + 1) * sizeof *fc->commit_day);
    fc->commit_cum = pf_xmalloc((nc + 1) * sizeof *fc->commit_cum);
    for (i = 0, k = 0; i < nc; i++) {
        const struct dated *c = &order[i];
        if (k > 0 && fc->commit_day[k - 1] == c->date) {
            fc->commit_cum[k - 1] += c->amount;
            continue;
        }
        fc->commit_day[k] = c->date;
        fc->commit_cum[k] = (k > 0 ? fc->commit_cum[k - 1] : 0) + c->amount;
        k++;
    }
    fc->ncommit_day = k;
    partner_slots_clear(e, fc->partners, fc->npartners);
    free(who);
    free(order);
}

/* The fund's commitments up to t (fund_commitment_at, by bisection). */
static pf_wide
fund_commitment_by_day(const struct fund_close *fc, pf_date t)
{
    size_t lo = 0, hi = fc->ncommit_day;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fc->commit_day[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? fc->commit_cum[lo - 1] : 0;
}

/* The fund's partners, their positions at D, and the NAV and cash shared among them. */
static pf_status
share_among_partners(struct eng *e, struct fund_close *fc)
{
    size_t i, np;
    pf_status rc = PF_OK;

    np = fc->npartners = fund_partners(e, fc->f, &fc->partners);
    fc->pos = pf_xcalloc(np + 1, sizeof *fc->pos);
    fc->commitment = pf_xcalloc(np + 1, sizeof *fc->commitment);
    fc->paid_in = pf_xcalloc(np + 1, sizeof *fc->paid_in);
    fc->nav = pf_xcalloc(np + 1, sizeof *fc->nav);
    fc->cash = pf_xcalloc(np + 1, sizeof *fc->cash);
    index_partners(e, fc);
    partner_positions_at(e, fc->f, fc->partners, np, e->D, fc->pos);
    for (i = 0; i < np; i++) {
        fc->commitment[i] = fc->pos[i].commitment;
        fc->paid_in[i] = fc->pos[i].paid_in;
    }
    TRY(fund_economics(e, fc->f, e->D, fc->partners, np, &fc->at_D, &fc->econ));
    if (fc->econ.has_terms) /* net of carry (SPEC §10) */
        memcpy(fc->nav, fc->econ.nav_net, np * sizeof *fc->nav);
    else
        TRY(allocate_by_interest(e, fc->f, fc->at_D.nav, fc->commitment, fc->paid_in, np,
                                 "the NAV", fc->nav));
    TRY(allocate_by_interest(e, fc->f, fc->at_D.cash, fc->commitment, fc->paid_in, np, "the cash",
                             fc->cash));
cleanup:
    return rc;
}

/* The fund's carry figures and its waterfall's tiers (SPEC §10). */
static pf_status
carry_rows(struct eng *e, const struct fund_close *fc)
{
    const struct economics *x = &fc->econ;
    const char *F = fc->id;
    char buf[48];
    int k;
    pf_status rc = PF_OK;

    TRY(put_money(e, "fund", F, F, "carry_paid", x->K));
    TRY(put_money(e, "fund", F, F, "carry_accrued", x->A));
    TRY(put_money(e, "fund", F, F, "carry_entitled", x->E));
    TRY(put_money(e, "fund", F, F, "clawback", x->A < 0 ? -x->A : 0));
    TRY(put_money(e, "fund", F, F, "nav_net", x->F - x->A));
    for (k = 0; k < PF_TIER_COUNT; k++) {
        TRY(put_money(e, "waterfall", F, pf_tier_names[k], "distributed", x->wf.distributed[k]));
        TRY(put_money(e, "waterfall", F, pf_tier_names[k], "hypothetical",
                      x->wf.hypothetical[k]));
        TRY(put_money(e, "waterfall", F, pf_tier_names[k], "total",
                      x->wf.distributed[k] + x->wf.hypothetical[k]));
    }
    if (x->A < 0)
        warn(e, "clawback", "fund '%s': the GP has been paid %s more carry than it is entitled "
             "to at a liquidation on D (clawback exposure)", F,
             pf_wide_format(-x->A, buf, sizeof buf));
cleanup:
    return rc;
}

/* The fund's own rows (SPEC §6: dimension, fund and key all the fund's id). */
static pf_status
fund_rows(struct eng *e, struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    const struct fund_position *T = &fc->at_D;
    const char *F = fc->id;
    struct block blk = { 0 };
    pf_wide guidance = 0, unfunded = 0,
            lp_nav = fc->econ.has_terms ? T->nav - fc->econ.A : T->nav;
    size_t i;
    pf_status rc = PF_OK;

    TRY(put_money(e, "fund", F, F, "commitment", T->commitment));
    TRY(put_money(e, "fund", F, F, "paid_in", T->paid_in));
    TRY(put_money(e, "fund", F, F, "distributions", T->distributions));
    TRY(put_money(e, "fund", F, F, "nav", T->nav));
    TRY(put_money(e, "fund", F, F, "cash", T->cash));
    /* what can still be called: each partner's unfunded, floored on its own, summed (a
     * partner paid in past its commitment does not lower the others' unfunded) */
    for (i = 0; i < fc->npartners; i++)
        unfunded += unfunded_of(fc->pos[i].commitment, fc->pos[i].paid_in,
                                fc->pos[i].recallable);
    TRY(put_money(e, "fund", F, F, "unfunded", unfunded));
    if (T->commitment)
        pf_run_value(e->run, "fund", F, F, "interest", 1.0); /* the whole fund */
    else
        pf_run_empty(e->run, "fund", F, F, "interest", "the fund has no commitments");
    /* with terms the LPs' figures are net of accrued carry: terminal value F - A */
    put_multiples(e, "fund", F, F, T->paid_in, T->distributions, lp_nav, T->commitment);
    for (i = e->fund_pflows[fc->f].lo; i < e->fund_pflows[fc->f].hi && ds->pflows[i].date <= e->D;
         i++)
        if (!is_carry(&ds->pflows[i])) /* carried interest is not an LP flow (SPEC §10) */
            block_add(&blk, ds->pflows[i].date, ds->pflows[i].kind == PF_CONTRIBUTION
                                                    ? -ds->pflows[i].amount
                                                    : ds->pflows[i].amount);
    if (fc->econ.has_terms) {
        struct block before = { 0 };
        for (i = 0; i < blk.n; i++)
            block_add(&before, blk.d[i], blk.a[i]);
        rc = irr_block_rate(e, &before, F, "net_before_carry", "fund", F,
                            "net_irr_before_carry", T->nav, &fc->net_irr_before_carry);
        block_release(&before);
        if (rc)
            goto cleanup;
    }
    TRY(irr_block_rate(e, &blk, F, "net", "fund", F, "net_irr", lp_nav, &fc->net_irr));
    TRY(pme_all(e, fc->f, NULL, 0, "fund", F, F, lp_nav, NULL));
    for (i = 0; i < fc->npartners; i++)
        if (strcmp(ds->partners[fc->partners[i]].kind, "guidance_fund") == 0)
            guidance += fc->pos[i].commitment;
    if (guidance > 0)
        pf_run_value(e->run, "fund", F, F, "leverage", (double)T->commitment / (double)guidance);
    else
        pf_run_empty(e->run, "fund", F, F, "leverage", "no guidance-fund commitment");
    if (fc->econ.has_terms)
        TRY(carry_rows(e, fc));
cleanup:
    block_release(&blk);
    return rc;
}

/* The fund's projects as a whole: the AMAC counts, crowd-in, its exposure and gross IRR. */
static pf_status
fund_projects(struct eng *e, struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    const char *F = fc->id;
    const struct pf_fund *fd = &ds->funds[fc->f];
    size_t k, n_invested = 0, n_held = 0, n_exited = 0, n_listed = 0, n_counted = 0;
    size_t n_written_off = 0, n_held_inv = 0, n_exited_inv = 0, n_walk = 0;
    struct block blk = { 0 };
    char day[16], buf[48];
    pf_status rc = PF_OK;

    memset(&fc->total, 0, sizeof fc->total);
    for (k = 0; k < e->fund_nprojects[fc->f]; k++) {
        int p = e->fund_projects[fc->f][k];
        const struct pf_project *pj = &ds->projects[p];
        struct project_measures *m = &fc->pms[p];
        TRY(project_measures(e, p, fd->currency, false, m));
        if (!m->counted)
            continue;
        n_counted++;
        measures_add(&fc->total, m);
        if (m->invested > 0)
            n_invested++;
        if (pj->exit_date != PF_DATE_NONE && pj->exit_date <= e->D)
            n_exited++;
        else if (m->nav > 0)
            n_held++;
        if (pj->listed_date != PF_DATE_NONE && pj->listed_date <= e->D)
            n_listed++;
        /* of the invested projects: held, exited or written off (invested, not exited,
         * nothing left); these three must come back to the invested count */
        if (m->invested > 0) {
            if (pj->exit_date != PF_DATE_NONE && pj->exit_date <= e->D)
                n_exited_inv++;
            else if (m->nav > 0)
                n_held_inv++;
            else
                n_written_off++;
        }
        if (m->invested > 0 && !m->valued)
            warn(e, "missing_valuation", "project '%s' in fund '%s' has no valuation on or "
                 "before %s: carried at cost", pj->project_id, F,
                 pf_date_format(e->D, day, sizeof day));
    }
    put_metric(e, "fund", F, F, "crowd_in",
               pf_ratio((double)(fc->total.invested + fc->total.co_invested),
                        (double)fc->total.invested, "nothing invested"));
    pf_run_value(e->run, "fund", F, F, "projects_invested", (double)n_invested);
    pf_run_value(e->run, "fund", F, F, "projects_held", (double)n_held);
    pf_run_value(e->run, "fund", F, F, "projects_exited", (double)n_exited);
    pf_run_value(e->run, "fund", F, F, "projects_listed", (double)n_listed);
    pf_run_value(e->run, "fund", F, F, "projects_written_off", (double)n_written_off);
    /* the invested count a second way: each counted project's investment flows walked
     * one by one (not the measures above) */
    for (k = 0; k < e->fund_nprojects[fc->f]; k++) {
        int p = e->fund_projects[fc->f][k];
        struct span sp = e->proj_flows[p];
        pf_wide inv = 0;
        size_t j;
        if (ds->projects[p].commitment_date > e->D)
            continue;
        for (j = sp.lo; j < sp.hi && ds->jflows[j].date <= e->D; j++)
            if (ds->jflows[j].kind == PF_J_INVESTMENT)
                inv += e->flow_in_fund[j];
        if (inv > 0)
            n_walk++;
    }
    TRY(check(e, n_held_inv + n_exited_inv + n_written_off == n_walk, "project_counts",
              "fund '%s': of the invested projects, held (%zu) + exited (%zu) + written off "
              "(%zu) = invested (%zu)", F, n_held_inv, n_exited_inv, n_written_off, n_walk));
    TRY(put_exposure(e, "fund", F, F, &fc->total, n_counted, fc->total.nav,
                     fc->total.invested, false));
    for (k = 0; k < e->fund_nprojects[fc->f]; k++)
        if (fc->pms[e->fund_projects[fc->f][k]].counted)
            project_flows_to(e, e->fund_projects[fc->f][k], false, &blk);
    TRY(irr_block_rate(e, &blk, F, "gross", "fund", F, "gross_irr", fc->total.nav,
                       &fc->gross_irr));
    if (fc->at_D.cash < 0)
        warn(e, "negative_cash", "fund '%s' has negative cash %s on %s: more was invested or "
             "distributed than paid in", F, pf_wide_format(fc->at_D.cash, buf, sizeof buf),
             pf_date_format(e->D, day, sizeof day));
cleanup:
    block_release(&blk);
    return rc;
}

/*
 * The gross-to-net bridge: gross IRR (projects) -> net IRR before carry (the LPs' flows,
 * terminal NAV before accrued carry) -> net IRR after carry, and the two spreads: what
 * fees, expenses and cash drag cost the partners, and what the carry costs them.
 */
static void
gross_to_net(struct eng *e, const struct fund_close *fc)
{
    const char *F = fc->id;
    struct pf_metric a = { 0, NULL }, b = { 0, NULL };
    if (fc->gross_irr.reason || fc->net_irr_before_carry.reason)
        a.reason = "an IRR of the bridge is empty";
    else
        a.value = fc->gross_irr.value - fc->net_irr_before_carry.value;
    if (fc->net_irr_before_carry.reason || fc->net_irr.reason)
        b.reason = "an IRR of the bridge is empty";
    else
        b.value = fc->net_irr_before_carry.value - fc->net_irr.value;
    put_metric(e, "fund", F, F, "spread_fees_costs", a);
    put_metric(e, "fund", F, F, "spread_carry", b);
}

/* The partner's interest on each of its flow dates, for mPME's NAV (partner i of fc). */
static double *
interest_on_flow_dates(const struct eng *e, const struct fund_close *fc, size_t i)
{
    const struct pf_dataset *ds = e->ds;
    size_t j, k, nd = 0;
    pf_date last = PF_DATE_NONE;
    double *at;

    for (k = fc->flow_at[i]; k < fc->flow_at[i + 1]; k++) {
        const struct pf_partner_flow *pf = &ds->pflows[fc->flow_idx[k]];
        if (pf->date > e->D)
            break;
        if (pf->date != last) {
            last = pf->date;
            nd++;
        }
    }
    at = pf_xcalloc(nd + 1, sizeof *at);
    nd = 0;
    last = PF_DATE_NONE;
    for (k = fc->flow_at[i]; k < fc->flow_at[i + 1]; k++) {
        const struct pf_partner_flow *pf = &ds->pflows[fc->flow_idx[k]];
        pf_wide mine = 0, all;
        if (pf->date > e->D)
            break;
        if (pf->date == last)
            continue;
        last = pf->date;
        for (j = fc->commit_at[i]; j < fc->commit_at[i + 1]; j++)
            if (ds->commitments[fc->commit_idx[j]].date <= last)
                mine += ds->commitments[fc->commit_idx[j]].amount;
        all = fund_commitment_by_day(fc, last);
        at[nd++] = all ? (double)mine / (double)all : 0;
    }
    return at;
}

/* 返投: the fund's investments into the guidance fund's own region / its commitment. */
static void
reinvestment(struct eng *e, const struct fund_close *fc, size_t i)
{
    const struct pf_partner *pp = &e->ds->partners[fc->partners[i]];
    pf_wide local = 0;
    size_t k;

    if (!pp->region || !*pp->region) {
        pf_run_empty(e->run, "partner", fc->id, pp->partner_id, "reinvestment",
                     "the guidance fund has no region");
        return;
    }
    for (k = 0; k < e->fund_nprojects[fc->f]; k++) {
        int p = e->fund_projects[fc->f][k];
        if (fc->pms[p].counted && strcmp(e->proj_region[p], pp->region) == 0)
            local += fc->pms[p].invested;
    }
    put_metric(e, "partner", fc->id, pp->partner_id, "reinvestment",
               pf_ratio((double)local, (double)fc->pos[i].commitment, "nothing committed"));
}

static pf_status
partner_rows(struct eng *e, struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    const struct fund_position *T = &fc->at_D;
    const char *F = fc->id;
    struct block blk = { 0 };
    double *interest_at = NULL;
    char bkey[300];
    size_t i, j;
    pf_status rc = PF_OK;

    for (i = 0; i < fc->npartners; i++) {
        const struct pf_partner *pp = &ds->partners[fc->partners[i]];
        const struct partner_position *pt = &fc->pos[i];
        const char *P = pp->partner_id;
        TRY(put_money(e, "partner", F, P, "commitment", pt->commitment));
        TRY(put_money(e, "partner", F, P, "paid_in", pt->paid_in));
        TRY(put_money(e, "partner", F, P, "distributions", pt->distributions));
        TRY(put_money(e, "partner", F, P, "nav", fc->nav[i]));
        TRY(put_money(e, "partner", F, P, "cash", fc->cash[i]));
        TRY(put_money(e, "partner", F, P, "unfunded",
                      unfunded_of(pt->commitment, pt->paid_in, pt->recallable)));
        if (T->commitment)
            pf_run_value(e->run, "partner", F, P, "interest",
                         (double)pt->commitment / (double)T->commitment);
        else
            pf_run_empty(e->run, "partner", F, P, "interest", "the fund has no commitments");
        put_multiples(e, "partner", F, P, pt->paid_in, pt->distributions, fc->nav[i],
                      pt->commitment);
        for (j = fc->flow_at[i]; j < fc->flow_at[i + 1]; j++) {
            const struct pf_partner_flow *pf = &ds->pflows[fc->flow_idx[j]];
            if (pf->date > e->D)
                break;
            if (!is_carry(pf))
                block_add(&blk, pf->date, pf->kind == PF_CONTRIBUTION ? -pf->amount : pf->amount);
        }
        snprintf(bkey, sizeof bkey, "partner:%s", P);
        TRY(irr_block(e, &blk, F, bkey, "partner", P, "net_irr", fc->nav[i]));
        block_release(&blk);
        interest_at = interest_on_flow_dates(e, fc, i);
        TRY(pme_all(e, fc->f, fc->flow_idx + fc->flow_at[i], fc->flow_at[i + 1] - fc->flow_at[i],
                    "partner", F, P, fc->nav[i], interest_at));
        free(interest_at);
        interest_at = NULL;
        if (strcmp(pp->kind, "guidance_fund") == 0)
            reinvestment(e, fc, i);
        if (fc->econ.has_terms) {
            TRY(put_money(e, "partner", F, P, "carry_charged", fc->econ.charged[i]));
            TRY(put_money(e, "partner", F, P, "carry_accrued", fc->econ.accrued[i]));
            if (fc->econ.terms->concession_e8 > 0) {
                TRY(put_money(e, "partner", F, P, "concession_given", fc->econ.given[i]));
                TRY(put_money(e, "partner", F, P, "concession_received",
                              fc->econ.received[i]));
            }
        }
    }
cleanup:
    block_release(&blk);
    free(interest_at);
    return rc;
}

/*
 * The checks of the fund as at D that can fail: each compares two computations
 * that share no code (the partners' own flows against the fund's totals, the NAV
 * shares against the interests, the cash flow by flow against the prefix sums).
 */
static pf_status
reconcile(struct eng *e, const struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    const struct fund_position *T = &fc->at_D;
    const char *F = fc->id;
    pf_wide paid_in = 0, distributions = 0, cash = 0, total = 0, nav_sum = 0, cash_sum = 0;
    bool shares_ok = true;
    size_t i, k;
    pf_status rc = PF_OK;

    for (i = 0; i < fc->npartners; i++) {
        paid_in += fc->pos[i].paid_in;
        distributions += fc->pos[i].distributions;
        total += fc->commitment[i];
    }
    /* each partner's NAV (with terms: its exact NAV net of carry) and cash within a fen
     * of its interest of the fund's */
    for (i = 0; i < fc->npartners && total > 0; i++) {
        pf_wide dn = (pf_wide)fc->nav[i] * total - fc->commitment[i] * T->nav;
        pf_wide dc = (pf_wide)fc->cash[i] * total - fc->commitment[i] * T->cash;
        if (fc->econ.has_terms)
            dn = fabsl((long double)fc->nav[i] - fc->econ.exact[i]) < 1.0L ? 0 : total;
        if (dn >= total || dn <= -total || dc >= total || dc <= -total)
            shares_ok = false;
        nav_sum += fc->nav[i];
        cash_sum += fc->cash[i];
    }
    if (total > 0)
        shares_ok = shares_ok && cash_sum == T->cash &&
                    nav_sum == (fc->econ.has_terms ? T->nav - fc->econ.A : T->nav);
    if (fc->econ.has_terms) {
        const struct economics *x = &fc->econ;
        pf_wide tiers_d = 0, tiers_h = 0;
        int tier;
        TRY(check(e, nav_sum + x->A == T->nav, "carry_identity", "fund '%s': the partners' "
                  "NAVs net of carry plus the accrued carry (%lld cents) equal the fund's NAV "
                  "(%lld cents)", F, (long long)x->A, (long long)T->nav));
        for (tier = 0; tier < PF_TIER_COUNT; tier++) {
            tiers_d += x->wf.distributed[tier];
            tiers_h += x->wf.hypothetical[tier];
        }
        TRY(check(e, tiers_d == x->class_gross_distributions && tiers_h == x->final_value &&
                     x->E <= x->wf.tiers_gp + 1,
                  "waterfall_tiers", "fund '%s': the tiers hold every distribution of the "
                  "carry class plus the carry paid (%lld cents) and the hypothetical one (%lld "
                  "cents), and the GP is entitled to no more than its tiers (to the cent their "
                  "rounding may move)", F,
                  (long long)x->class_gross_distributions, (long long)x->final_value));
    }
    TRY(check(e, shares_ok, "partners_nav_share", "fund '%s': each partner's NAV and cash is "
              "its interest (commitment / the fund's) of the fund's, to the fen, and they sum "
              "to the fund's NAV (%lld cents) and cash (%lld cents)", F, (long long)T->nav,
              (long long)T->cash));
    TRY(check(e, paid_in == T->paid_in, "partners_paid_in", "fund '%s': partners' paid-in "
              "sums to the fund's (%lld cents)", F, (long long)T->paid_in));
    TRY(check(e, distributions == T->distributions, "partners_distributions", "fund '%s': "
              "partners' distributions sum to the fund's (%lld cents)", F,
              (long long)T->distributions));
    /* cash by its definition, summed a second way: flow by flow */
    for (i = e->fund_pflows[fc->f].lo;
         i < e->fund_pflows[fc->f].hi && ds->pflows[i].date <= e->D; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        if (pf->kind == PF_DISTRIBUTION)
            cash -= pf->amount;
        else if (pf->purpose == PF_P_INVESTMENT || pf->purpose == PF_P_OTHER_IN)
            cash += pf->amount;
    }
    for (k = 0; k < e->fund_nprojects[fc->f]; k++) {
        struct span s = e->proj_flows[e->fund_projects[fc->f][k]];
        for (i = s.lo; i < s.hi && ds->jflows[i].date <= e->D; i++)
            cash += ds->jflows[i].kind == PF_J_INVESTMENT ? -e->flow_in_fund[i]
                                                         : e->flow_in_fund[i];
    }
    TRY(check(e, cash == T->cash, "cash_definition", "fund '%s': cash = investment and other "
              "contributions - project investments + project inflows - distributions = %lld "
              "cents", F, (long long)T->cash));
cleanup:
    return rc;
}

/* Each counted project's own rows and gross IRR. */
static pf_status
project_rows(struct eng *e, const struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    struct block blk = { 0 };
    char bkey[300];
    size_t k;
    pf_status rc = PF_OK;

    for (k = 0; k < e->fund_nprojects[fc->f]; k++) {
        int p = e->fund_projects[fc->f][k];
        const struct pf_project *pj = &ds->projects[p];
        if (!fc->pms[p].counted)
            continue;
        TRY(put_exposure(e, "project", fc->id, pj->project_id, &fc->pms[p], 1, fc->total.nav,
                         fc->total.invested, true));
        project_flows_to(e, p, false, &blk);
        snprintf(bkey, sizeof bkey, "project:%s", pj->project_id);
        TRY(irr_block(e, &blk, fc->id, bkey, "project", pj->project_id, "gross_irr",
                      fc->pms[p].nav));
        block_release(&blk);
    }
cleanup:
    block_release(&blk);
    return rc;
}

/*
 * Look-through: each partner's NAV split into its share of the fund's cash and of the
 * projects' NAV by chain, to the fen. The cash share is the partner's allocated cash;
 * the rest of its NAV is shared among the chains by their NAV (largest remainder), so
 * a partner's rows add up to its NAV exactly.
 */
static pf_status
look_through(struct eng *e, const struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    const char **chains = pf_xcalloc(e->fund_nprojects[fc->f] + 1, sizeof *chains);
    pf_wide *chain_nav = NULL, total = 0;
    int64_t *w = NULL;
    pf_cents *part = NULL;
    size_t nch = 0, k, i, c, m = 0;
    pf_status rc = PF_OK;

    for (k = 0; k < e->fund_nprojects[fc->f]; k++) {
        int p = e->fund_projects[fc->f][k];
        if (fc->pms[p].counted)
            chains[nch++] = ds->projects[p].chain;
    }
    qsort(chains, nch, sizeof *chains, cmp_str);
    for (i = 0; i < nch; i++)
        if (m == 0 || strcmp(chains[m - 1], chains[i]) != 0)
            chains[m++] = chains[i];
    nch = m;
    chain_nav = pf_xcalloc(nch + 1, sizeof *chain_nav);
    w = pf_xcalloc(nch + 1, sizeof *w);
    part = pf_xcalloc(nch + 1, sizeof *part);
    for (k = 0; k < e->fund_nprojects[fc->f]; k++) {
        int p = e->fund_projects[fc->f][k];
        if (!fc->pms[p].counted)
            continue;
        for (c = 0; c < nch && strcmp(chains[c], ds->projects[p].chain) != 0; c++)
            ;
        chain_nav[c] += fc->pms[p].nav;
    }
    for (c = 0; c < nch; c++) {
        if (!pf_wide_fits(chain_nav[c], &w[c]))
            TRY(put_money(e, "chain", fc->id, chains[c], "nav", chain_nav[c]));
        total += chain_nav[c];
    }
    for (c = 0; c < nch && total == 0; c++)
        w[c] = 1; /* nothing left in any chain: a rounding fen, shared equally */
    for (i = 0; i < fc->npartners; i++) {
        const char *P = ds->partners[fc->partners[i]].partner_id;
        pf_wide projects = (pf_wide)fc->nav[i] - fc->cash[i];
        pf_cents rest;
        TRY(put_row_money(e, "lookthrough", fc->id, P, "cash", e->D, fc->cash[i]));
        if (nch == 0)
            continue;
        if (!pf_wide_fits(projects, &rest))
            TRY(put_row_money(e, "lookthrough", fc->id, P, "projects", e->D, projects));
        if ((rc = pf_alloc_largest_remainder(rest, w, nch, part)) != PF_OK) {
            pf_err_set(e->err, rc, "", "the look-through of partner '%s' in fund '%s' cannot "
                       "be shared among its chains", P, fc->id);
            goto cleanup;
        }
        for (c = 0; c < nch; c++)
            TRY(put_row_money(e, "lookthrough", fc->id, P, chains[c], e->D, part[c]));
    }
cleanup:
    free(chains);
    free(chain_nav);
    free(w);
    free(part);
    return rc;
}

static pf_status
close_fund(struct eng *e, int f, struct project_measures *pms)
{
    struct fund_close fc;
    pf_status rc = PF_OK;
    int dim;

    memset(&fc, 0, sizeof fc);
    fc.f = f;
    fc.id = e->ds->funds[f].fund_id;
    fc.pms = pms;
    TRY(fund_position_at(e, f, e->D, &fc.at_D));
    TRY(share_among_partners(e, &fc));
    TRY(fund_rows(e, &fc));
    TRY(fund_projects(e, &fc));
    TRY(partner_rows(e, &fc));
    if (fc.econ.has_terms) {
        TRY(fee_control(e, &fc));
        gross_to_net(e, &fc);
    }
    TRY(reconcile(e, &fc));
    TRY(capital_accounts(e, &fc));
    TRY(look_through(e, &fc));
    TRY(project_rows(e, &fc));
    for (dim = 0; dim < DIM_GROUPING_COUNT; dim++)
        TRY(exposure(e, e->fund_projects[f], e->fund_nprojects[f], pms, (enum dimension)dim,
                     fc.id, false));
    TRY(fund_nav_history(e, f));
cleanup:
    economics_release(&fc.econ);
    free(fc.partners);
    free(fc.flow_at);
    free(fc.flow_idx);
    free(fc.commit_at);
    free(fc.commit_idx);
    free(fc.commit_day);
    free(fc.commit_cum);
    free(fc.pos);
    free(fc.commitment);
    free(fc.paid_in);
    free(fc.nav);
    free(fc.cash);
    return rc;
}

/* ------------------------------------------------------ portfolio (CNY) */

static pf_status
portfolio(struct eng *e)
{
    const struct pf_dataset *ds = e->ds;
    struct project_measures *pmc = pf_xcalloc(ds->nprojects + 1, sizeof *pmc);
    int *all = pf_xmalloc((ds->nprojects + 1) * sizeof *all);
    const char **chains = pf_xmalloc((ds->nprojects + 1) * sizeof *chains);
    size_t n = 0, nch = 0, i, m = 0;
    pf_status rc = PF_OK;
    int dim;

    for (i = 0; i < ds->nprojects; i++) {
        if (ds->projects[i].fund < 0)
            continue;
        TRY(project_measures(e, (int)i, "CNY", true, &pmc[i]));
        all[n++] = (int)i;
    }
    TRY(exposure(e, all, n, pmc, DIM_FUND, NULL, true));
    for (dim = 0; dim < DIM_GROUPING_COUNT; dim++)
        TRY(exposure(e, all, n, pmc, (enum dimension)dim, NULL, true));
    /* chains with projects, in alphabetical order (chain_corr keys are a|b, a < b) */
    for (i = 0; i < n; i++)
        if (pmc[all[i]].counted)
            chains[nch++] = ds->projects[all[i]].chain;
    qsort(chains, nch, sizeof *chains, cmp_str);
    for (i = 0; i < nch; i++)
        if (m == 0 || strcmp(chains[m - 1], chains[i]) != 0)
            chains[m++] = chains[i];
    nch = m;
    TRY(chain_risk(e, chains, nch));
    TRY(chain_nav_history(e, chains, nch));
cleanup:
    free(pmc);
    free(all);
    free(chains);
    return rc;
}

/*
 * The whole portfolio's own figures in CNY (dimension fund, fund null, key "*"):
 * commitments and LP flows converted at their dates, NAV and unfunded at D, the
 * multiples and the net IRR over every fund's LP flows (its block is "net" with no
 * fund). Appended after every other result, so no earlier line of the export moves.
 */
static pf_status
portfolio_totals(struct eng *e)
{
    const struct pf_dataset *ds = e->ds;
    pf_wide commitment = 0, paid_in = 0, distributions = 0, nav = 0, unfunded = 0;
    pf_wide fund_unfunded = 0, lp_nav;
    struct block blk = { 0 };
    struct economics x;
    int *parts = NULL;
    struct partner_position *pos = NULL;
    size_t f, i, np;
    pf_cents c;
    pf_status rc = PF_OK;

    for (f = 0; f < ds->nfunds; f++) {
        const char *cur = ds->funds[f].currency;
        struct fund_position at;
        if (ds->funds[f].inception != PF_DATE_NONE && ds->funds[f].inception > e->D)
            continue;
        for (i = e->fund_commits[f].lo; i < e->fund_commits[f].hi; i++)
            if (ds->commitments[i].date <= e->D) {
                TRY(eng_conv(e, ds->commitments[i].amount, cur, "CNY", ds->commitments[i].date,
                             &c));
                commitment += c;
            }
        for (i = e->fund_pflows[f].lo; i < e->fund_pflows[f].hi && ds->pflows[i].date <= e->D;
             i++) {
            const struct pf_partner_flow *pf = &ds->pflows[i];
            if (is_carry(pf))
                continue; /* carried interest is not an LP flow (SPEC §10) */
            TRY(eng_conv(e, pf->amount, cur, "CNY", pf->date, &c));
            if (pf->kind == PF_CONTRIBUTION)
                paid_in += c;
            else
                distributions += c;
            block_add(&blk, pf->date, pf->kind == PF_CONTRIBUTION ? -(pf_wide)c : (pf_wide)c);
        }
        TRY(fund_position_at(e, (int)f, e->D, &at));
        /* the LPs' NAV: net of accrued carry for a fund with terms (SPEC §10); the
         * unfunded: each partner's, floored on its own, as the fund's own figure */
        np = fund_partners(e, (int)f, &parts);
        rc = fund_economics(e, (int)f, e->D, parts, np, &at, &x);
        pos = pf_xreallocarray(pos, np + 1, sizeof *pos);
        partner_positions_at(e, (int)f, parts, np, e->D, pos);
        for (i = 0; rc == PF_OK && i < np; i++)
            fund_unfunded += unfunded_of(pos[i].commitment, pos[i].paid_in, pos[i].recallable);
        free(parts);
        parts = NULL;
        lp_nav = x.has_terms ? at.nav - x.A : at.nav;
        economics_release(&x);
        TRY(rc);
        TRY(eng_conv(e, lp_nav, cur, "CNY", e->D, &c));
        nav += c;
        TRY(eng_conv(e, fund_unfunded, cur, "CNY", e->D, &c));
        unfunded += c;
        fund_unfunded = 0;
    }
    TRY(put_money(e, "fund", NULL, "*", "commitment", commitment));
    TRY(put_money(e, "fund", NULL, "*", "paid_in", paid_in));
    TRY(put_money(e, "fund", NULL, "*", "distributions", distributions));
    TRY(put_money(e, "fund", NULL, "*", "nav", nav));
    TRY(put_money(e, "fund", NULL, "*", "unfunded", unfunded));
    put_multiples(e, "fund", NULL, "*", paid_in, distributions, nav, commitment);
    TRY(irr_block(e, &blk, NULL, "net", "fund", "*", "net_irr", nav));
    block_release(&blk);
    /* every counted project as one (the exposure tables' total rows): gross MOIC and IRR */
    {
        pf_wide inv = 0, real = 0, pnav = 0;
        for (i = 0; i < ds->nprojects; i++) {
            struct project_measures m;
            if (ds->projects[i].fund < 0) /* the same projects as the exposure tables */
                continue;
            TRY(project_measures(e, (int)i, "CNY", true, &m));
            if (!m.counted)
                continue;
            inv += m.invested;
            real += m.realised;
            pnav += m.nav;
            project_flows_to(e, (int)i, true, &blk);
        }
        put_metric(e, "fund", NULL, "*", "moic",
                   pf_ratio((double)(real + pnav), (double)inv, "nothing invested"));
        TRY(irr_block(e, &blk, NULL, "gross", "fund", "*", "gross_irr", pnav));
    }
cleanup:
    block_release(&blk);
    free(parts);
    free(pos);
    return rc;
}

/*
 * What a statement needs to total a partner's funds in CNY: each fund currency's
 * rate at D (row fx, key the currency, col rate) and each partner's paid-in and
 * distributions converted at that rate (row partner_cny, key the partner). Rows
 * appended after every other row.
 */
static pf_status
currency_rows(struct eng *e)
{
    const struct pf_dataset *ds = e->ds;
    size_t f, i;
    int *parts = NULL;
    struct partner_position *pos = NULL;
    pf_status rc = PF_OK;

    for (f = 0; f < ds->nfunds; f++) {
        const char *F = ds->funds[f].fund_id, *cur = ds->funds[f].currency;
        int64_t r8;
        size_t np;
        if (ds->funds[f].inception != PF_DATE_NONE && ds->funds[f].inception > e->D)
            continue;
        TRY(eng_rate_e8(e, cur, e->D, &r8));
        pf_run_row_value(e->run, "fx", F, cur, "rate", e->D, (double)r8 / 1e8);
        np = fund_partners(e, (int)f, &parts);
        pos = pf_xreallocarray(pos, np + 1, sizeof *pos);
        partner_positions_at(e, (int)f, parts, np, e->D, pos);
        for (i = 0; i < np; i++) {
            const char *P = ds->partners[parts[i]].partner_id;
            pf_cents c;
            TRY(eng_conv(e, pos[i].paid_in, cur, "CNY", e->D, &c));
            TRY(put_row_money(e, "partner_cny", F, P, "paid_in", e->D, c));
            TRY(eng_conv(e, pos[i].distributions, cur, "CNY", e->D, &c));
            TRY(put_row_money(e, "partner_cny", F, P, "distributions", e->D, c));
        }
        free(parts);
        parts = NULL;
    }
cleanup:
    free(parts);
    free(pos);
    return rc;
}

/*
 * Each counted project's latest valuation on or before D (row valuation, key the
 * project, col its method, date the valuation's date, value its age in days at D), so
 * the schedule of investments can show it and flag stale ones. A project never valued
 * has no row (it is carried at cost). Appended after every other row.
 */
static void
valuation_rows(struct eng *e)
{
    const struct pf_dataset *ds = e->ds;
    size_t p, i;

    for (p = 0; p < ds->nprojects; p++) {
        const struct pf_project *pj = &ds->projects[p];
        struct span v = e->proj_vals[p];
        const struct pf_valuation *last = NULL;
        if (pj->fund < 0 || pj->commitment_date > e->D ||
            (ds->funds[pj->fund].inception != PF_DATE_NONE &&
             ds->funds[pj->fund].inception > e->D))
            continue;
        for (i = v.lo; i < v.hi; i++)
            if (ds->valuations[i].date <= e->D)
                last = &ds->valuations[i];
        if (!last)
            continue;
        pf_run_row_value(e->run, "valuation", pj->fund_id, pj->project_id,
                         last->method && *last->method ? last->method : "other", last->date,
                         (double)(e->D - last->date));
    }
}

/* ------------------------------------------------------------------ entry */

static int
cmp_pflow(const void *a, const void *b, const struct pf_dataset *ds)
{
    const struct pf_partner_flow *x = a, *y = b;
    const char *fx = x->fund >= 0 ? ds->funds[x->fund].fund_id : "";
    const char *fy = y->fund >= 0 ? ds->funds[y->fund].fund_id : "";
    int c = strcmp(fx, fy);
    if (c)
        return c;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return strcmp(x->flow_id, y->flow_id);
}

static int
cmp_jflow(const void *a, const void *b, const struct pf_dataset *ds)
{
    const struct pf_project_flow *x = a, *y = b;
    const char *px = x->project >= 0 ? ds->projects[x->project].project_id : "";
    const char *py = y->project >= 0 ? ds->projects[y->project].project_id : "";
    int c = strcmp(px, py);
    if (c)
        return c;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return strcmp(x->flow_id, y->flow_id);
}

/* Merge the sorted arrays a (n) and b (m) of elements of `size` into a new array. */
static void *
merge_sorted(const void *a, size_t n, const void *b, size_t m, size_t size,
             int (*cmp)(const void *, const void *, const struct pf_dataset *),
             const struct pf_dataset *ds)
{
    char *out = pf_xmalloc((n + m + 1) * size);
    const char *pa = a, *pb = b;
    size_t i = 0, j = 0, k = 0;
    while (i < n || j < m) {
        if (j == m || (i < n && cmp(pa + i * size, pb + j * size, ds) <= 0))
            memcpy(out + (k++) * size, pa + (i++) * size, size);
        else
            memcpy(out + (k++) * size, pb + (j++) * size, size);
    }
    return out;
}

/*
 * The data as a close on D sees it: a flow whose reversal is dated after D still
 * counts (the reversal is not known on D). Returns ds itself when no such flow exists;
 * otherwise a shallow copy whose flow arrays (only) are the caller's to free.
 */
static const struct pf_dataset *
as_seen_on(const struct pf_dataset *ds, pf_date D, struct pf_dataset *copy)
{
    struct pf_partner_flow *pr = NULL;
    struct pf_project_flow *jr = NULL;
    size_t np = 0, nj = 0, i;

    for (i = 0; i < ds->npflows_rev; i++)
        if (ds->pflows_rev[i].reversed_on > D)
            np++;
    for (i = 0; i < ds->njflows_rev; i++)
        if (ds->jflows_rev[i].reversed_on > D)
            nj++;
    if (np == 0 && nj == 0)
        return ds;
    *copy = *ds;
    pr = pf_xcalloc(np + 1, sizeof *pr);
    jr = pf_xcalloc(nj + 1, sizeof *jr);
    np = nj = 0;
    for (i = 0; i < ds->npflows_rev; i++)
        if (ds->pflows_rev[i].reversed_on > D)
            pr[np++] = ds->pflows_rev[i];
    for (i = 0; i < ds->njflows_rev; i++)
        if (ds->jflows_rev[i].reversed_on > D)
            jr[nj++] = ds->jflows_rev[i];
    copy->pflows = merge_sorted(ds->pflows, ds->npflows, pr, np, sizeof *pr, cmp_pflow, ds);
    copy->npflows = ds->npflows + np;
    copy->jflows = merge_sorted(ds->jflows, ds->njflows, jr, nj, sizeof *jr, cmp_jflow, ds);
    copy->njflows = ds->njflows + nj;
    copy->nreversed = ds->nreversed >= 2 * (np + nj) ? ds->nreversed - 2 * (np + nj) : 0;
    free(pr);
    free(jr);
    return copy;
}

pf_status
pf_engine_compute(const struct pf_dataset *all, const struct pf_close_opts *o,
                  struct pf_run **out, struct pf_err *err)
{
    struct pf_dataset copy;
    const struct pf_dataset *ds = as_seen_on(all, o->as_of, &copy);
    struct eng e;
    struct project_measures *pms = NULL;
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
    TRY(portfolio_totals(&e));
    TRY(currency_rows(&e));
    valuation_rows(&e);
    if (o->progress)
        o->progress(o->progress_arg, ds->nfunds + 1, ds->nfunds + 1);
    *out = run;
    run = NULL;
cleanup:
    eng_release(&e);
    free(pms);
    pf_run_free(run);
    if (ds != all) {
        free(copy.pflows);
        free(copy.jflows);
    }
    return rc;
}

/* ------------------------------------------- load, compute, store (the CLI's close) */

/* The phase that ends now: its seconds into o->timings, and the clocks restarted. */
static void
lap(const struct pf_close_opts *o, int phase, double *w0, double *c0)
{
    double w = pf_wall_seconds(), c = pf_cpu_seconds();
    if (o && o->timings) {
        o->timings->wall[phase] = w - *w0;
        o->timings->cpu[phase] = c - *c0;
    }
    *w0 = w;
    *c0 = c;
}

pf_status
pf_engine_close(struct pf_store *st, const struct pf_close_opts *o, struct pf_run **out,
                struct pf_err *err)
{
    struct pf_dataset *ds = NULL;
    struct pf_run *run = NULL;
    int64_t batch = 0;
    char digest[65], now[32];
    pf_status rc;
    bool in_tx = false;
    double w0 = pf_wall_seconds(), c0 = pf_cpu_seconds();

    if (out)
        *out = NULL;
    /* read one snapshot, compute with no lock held (imports may go on meanwhile:
     * the run records the batch it saw), then take the write lock only to store */
    TRY(pf_store_begin_read(st, err));
    in_tx = true;
    TRY(pf_store_last_batch(st, &batch, err));
    if (batch == 0) {
        rc = pf_err_set(err, PF_ENOINPUT, "", "nothing imported yet (run 'parkfund import')");
        goto cleanup;
    }
    TRY(pf_store_load_dataset(st, batch, &ds, digest, err));
    pf_store_rollback(st);
    in_tx = false;
    lap(o, 0, &w0, &c0);
    TRY(pf_engine_compute(ds, o, &run, err));
    lap(o, 1, &w0, &c0);
    TRY(pf_store_begin_write(st, err));
    in_tx = true;
    run->digest = pf_xstrdup(digest);
    run->created_at = pf_xstrdup(pf_now_iso(now, sizeof now, NULL));
    TRY(pf_store_put_run(st, run, err));
    TRY(pf_store_commit(st, err));
    in_tx = false;
    lap(o, 2, &w0, &c0);
    if (out) {
        *out = run;
        run = NULL;
    }
cleanup:
    if (in_tx)
        pf_store_rollback(st);
    pf_dataset_free(ds);
    pf_run_free(run);
    return rc;
}
