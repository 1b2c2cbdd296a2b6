/*
 * fees: the management-fee control of SPEC §10 — the fee the terms imply, accrued
 * daily at rate x basis / 365 and summed per calendar year and since inception,
 * against the management-fee contributions called. A control, not a flow
 * generator: nothing here changes a NAV.
 *
 * Exactness: a day's fee is basis (cents) x rate_e8 / (365 x 1e8); the numerators are
 * summed in 128 bits and divided once per period, rounded half away from zero, so a
 * year's fee and the inception-to-date fee are each rounded once (the years need not
 * add up to the total by a fen, as on any fee notice).
 *
 * The basis on a day d:
 *   commitment  the commitments (dated on or before D) of partners other than the GP
 *               and gp partners, each counted from the inception (late closers pay
 *               from the first close, as their equalisation does);
 *   invested    the cost (investments in fund currency, dated on or before d) of the
 *               fund's projects not exited on or before d;
 *   nav         the projects' NAV at the latest quarter end before d (fund currency).
 * After investment_period_end the _after rate and basis apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

enum basis { B_COMMITMENT, B_INVESTED, B_NAV };

static enum basis
basis_of(const char *s, enum basis dflt)
{
    if (!s || !*s)
        return dflt;
    if (strcmp(s, "commitment") == 0)
        return B_COMMITMENT;
    if (strcmp(s, "nav") == 0)
        return B_NAV;
    return B_INVESTED;
}

/* The projects' cost not yet exited on d (fund currency). */
static pf_wide
invested_on(const struct eng *e, int f, pf_date d)
{
    const struct pf_dataset *ds = e->ds;
    pf_wide cost = 0;
    size_t k;
    for (k = 0; k < e->fund_nprojects[f]; k++) {
        int p = e->fund_projects[f][k];
        const struct pf_project *pj = &ds->projects[p];
        size_t lo = e->proj_flows[p].lo, end = eng_flows_upto(e, p, d);
        if (pj->exit_date != PF_DATE_NONE && pj->exit_date <= d)
            continue;
        cost += e->pre_invested[end] - e->pre_invested[lo];
    }
    return cost;
}

/* The projects' NAV on t (fund currency). */
static pf_status
projects_nav_on(struct eng *e, int f, pf_date t, pf_wide *out)
{
    const struct pf_dataset *ds = e->ds;
    size_t k;
    pf_status rc;
    *out = 0;
    for (k = 0; k < e->fund_nprojects[f]; k++) {
        int p = e->fund_projects[f][k];
        pf_cents c;
        if ((rc = eng_conv(e, eng_project_nav(e, p, t, NULL), ds->projects[p].currency,
                           ds->funds[f].currency, t, &c)))
            return rc;
        *out += c;
    }
    return PF_OK;
}

struct year_fee {
    int year;
    pf_wide accrued_num; /* Σ basis x rate_e8, to divide by 365e8 */
    pf_wide called;
};

pf_status
fee_control(struct eng *e, const struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_fund_terms *t = fc->econ.terms;
    const struct pf_fund *fd = &ds->funds[fc->f];
    const char *F = fc->id;
    struct year_fee *years = NULL;
    size_t ny = 0, i;
    pf_wide commit_basis = 0, total_num = 0, total_called = 0, last_day_num = 0;
    pf_wide q_nav = 0;
    pf_date d, q_end = PF_DATE_NONE;
    pf_status rc = PF_OK;
    const pf_wide div = (pf_wide)365 * 100000000;
    char key[16], buf[48], buf2[48];
    int y0, m0, d0, y1, m1, d1;

    if (fd->inception == PF_DATE_NONE || fd->inception > e->D)
        return PF_OK;
    for (i = e->fund_commits[fc->f].lo; i < e->fund_commits[fc->f].hi; i++) {
        const struct pf_commitment *c = &ds->commitments[i];
        const struct pf_partner *pp = c->partner >= 0 ? &ds->partners[c->partner] : NULL;
        if (c->date > e->D || !pp || strcmp(pp->partner_id, t->gp_partner_id) == 0 ||
            strcmp(pp->kind, "gp") == 0)
            continue;
        commit_basis += c->amount;
    }
    pf_date_to_ymd(fd->inception, &y0, &m0, &d0);
    pf_date_to_ymd(e->D, &y1, &m1, &d1);
    ny = (size_t)(y1 - y0 + 1);
    years = pf_xcalloc(ny + 1, sizeof *years);
    for (i = 0; i < ny; i++)
        years[i].year = y0 + (int)i;
    for (d = fd->inception; d <= e->D; d++) {
        bool after = t->investment_period_end != PF_DATE_NONE && d > t->investment_period_end;
        enum basis b = basis_of(after ? t->fee_basis_after : t->fee_basis,
                                after ? B_INVESTED : B_COMMITMENT);
        int64_t rate = after && t->fee_rate_after_e8 >= 0 ? t->fee_rate_after_e8 : t->fee_rate_e8;
        pf_wide basis = 0;
        int y, m, dd;
        pf_date_to_ymd(d, &y, &m, &dd);
        if (b == B_COMMITMENT) {
            basis = commit_basis;
        } else if (b == B_INVESTED) {
            basis = invested_on(e, fc->f, d);
        } else {
            pf_date qe = pf_date_add_months_end(pf_date_quarter_end(d), -3); /* before d */
            if (qe != q_end) {
                q_end = qe;
                TRY(projects_nav_on(e, fc->f, qe, &q_nav));
            }
            basis = q_nav;
        }
        last_day_num = basis * rate;
        years[y - y0].accrued_num += last_day_num;
        total_num += last_day_num;
    }
    for (i = e->fund_pflows[fc->f].lo;
         i < e->fund_pflows[fc->f].hi && ds->pflows[i].date <= e->D; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        int y, m, dd;
        if (pf->kind != PF_CONTRIBUTION || pf->purpose != PF_P_MANAGEMENT_FEE)
            continue;
        pf_date_to_ymd(pf->date, &y, &m, &dd);
        total_called += pf->amount;
        if (y >= y0 && y <= y1)
            years[y - y0].called += pf->amount;
    }
    for (i = 0; i < ny; i++) {
        pf_wide acc = pf_wide_div_round(years[i].accrued_num, div);
        snprintf(key, sizeof key, "%d", years[i].year);
        TRY(put_money(e, "fees", F, key, "accrued", acc));
        TRY(put_money(e, "fees", F, key, "called", years[i].called));
        TRY(put_money(e, "fees", F, key, "difference", years[i].called - acc));
    }
    {
        pf_wide acc = pf_wide_div_round(total_num, div), diff = total_called - acc;
        pf_wide year_fee = pf_wide_div_round(last_day_num * 365, div); /* a year at today's */
        TRY(put_money(e, "fund", F, F, "fees_accrued", acc));
        TRY(put_money(e, "fund", F, F, "fees_called", total_called));
        TRY(put_money(e, "fund", F, F, "fees_difference", diff));
        if (diff > year_fee || -diff > year_fee)
            warn(e, "fees_difference", "fund '%s': management fees called differ from those "
                 "the terms accrue since inception by %s, more than one year's fee at the "
                 "current rate and basis (%s)", F, pf_wide_format(diff, buf, sizeof buf),
                 pf_wide_format(year_fee, buf2, sizeof buf2));
    }
cleanup:
    free(years);
    return rc;
}
