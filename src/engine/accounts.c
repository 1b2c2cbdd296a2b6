/*
 * accounts: the ILPA-shaped capital accounts (SPEC §5 "Periods", §7) for the
 * fund and each partner, for the month, quarter-to-date, year-to-date and since
 * inception, and the checks that make them trustworthy.
 *
 * Every line but one is computed from the flows directly: contributions and
 * distributions by purpose, fees and expenses (the fee and expense contributions,
 * spent at once), investment income (the projects' dividends, interest and fee
 * income), and the unfunded roll-forward (its floor adjustment computed from the
 * floor itself). The change in value is the only balancing figure, and the close
 * checks it against an independent derivation from the projects' side: their NAV
 * at the end less at the start, less investments, plus proceeds in the period
 * (the realised and unrealised gain), to the fen. A line that goes missing (say,
 * fees left out) makes the two disagree and the close refuses to store the run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

enum period { P_MONTH, P_QTD, P_YTD, P_ITD, P_COUNT };
static const char *const period_names[P_COUNT] = { "month", "qtd", "ytd", "itd" };

enum line {
    L_BEGINNING_NAV,
    L_CONTRIB_INVESTMENT, /* four contribution purposes, in enum C_ order */
    L_CONTRIB_FEE,
    L_CONTRIB_EXPENSES,
    L_CONTRIB_OTHER,
    L_DIST_RETURN_OF_CAPITAL, /* four distribution types, in enum D_ order */
    L_DIST_GAIN,
    L_DIST_INCOME,
    L_DIST_OTHER,
    L_MANAGEMENT_FEES,
    L_EXPENSES,
    L_INVESTMENT_INCOME,
    L_CARRIED_INTEREST,      /* carry lines (SPEC §10): only for a fund with terms or carry */
    L_ACCRUED_CARRY_CHANGE,
    L_CHANGE_IN_VALUE,
    L_ENDING_NAV,
    L_COMMITMENT,
    L_BEGINNING_UNFUNDED,
    L_NEW_COMMITMENTS,
    L_LESS_CONTRIBUTIONS,
    L_PLUS_RECALLABLE,
    L_UNFUNDED_ADJUSTMENT,
    L_ENDING_UNFUNDED,
    L_ACCRUED_CARRY_BEGINNING, /* ILPA's incentive-allocation lines (memo, not in the sums) */
    L_CARRY_PAID,
    L_INCENTIVE_CHANGE,
    L_ACCRUED_CARRY_ENDING,
    L_ENDING_NAV_GROSS,
    L_COUNT
};
#define IS_CARRY_LINE(l)                                                                   \
    ((l) == L_CARRIED_INTEREST || (l) == L_ACCRUED_CARRY_CHANGE || (l) >= L_ACCRUED_CARRY_BEGINNING)
static const char *const line_names[L_COUNT] = {
    "beginning_nav", "contrib_investment", "contrib_management_fee", "contrib_expenses",
    "contrib_other", "dist_return_of_capital", "dist_gain", "dist_income", "dist_other",
    "management_fees", "expenses", "investment_income", "carried_interest",
    "accrued_carry_change", "change_in_value", "ending_nav",
    "commitment", "beginning_unfunded", "new_commitments", "less_contributions",
    "plus_recallable", "unfunded_adjustment", "ending_unfunded", "accrued_carry_beginning",
    "carry_paid", "incentive_allocation_change", "accrued_carry_ending", "ending_nav_gross",
};

struct lines {
    pf_wide v[L_COUNT];
};

/* What one holder had at the period's start and at D. NAV is net of accrued carry;
 * carry is the carry paid charged to it, accrued its share of the accrued carry. */
struct holding {
    pf_wide nav, income, commitment, paid_in, recallable;
    const pf_wide *contrib, *dist;
    pf_wide carry, accrued;
};

static pf_date
period_begin(pf_date D, enum period period, pf_date inception)
{
    int y, m, d;
    pf_date_to_ymd(D, &y, &m, &d);
    switch (period) {
    case P_MONTH: return pf_date_from_ymd(y, m, 1) - 1;
    case P_QTD: return pf_date_from_ymd(y, ((m - 1) / 3) * 3 + 1, 1) - 1;
    case P_YTD: return pf_date_from_ymd(y, 1, 1) - 1;
    default: return inception == PF_DATE_NONE ? PF_DATE_NONE : inception - 1;
    }
}

/* How much the floor at zero lifted an unfunded balance (over-called capital). */
static pf_wide
floor_lift(pf_wide commitment, pf_wide paid_in, pf_wide recallable)
{
    pf_wide raw = commitment - paid_in + recallable;
    return raw < 0 ? -raw : 0;
}

/* The statement lines of one holder from its position at B and at D; income is its
 * share of the period's investment income. */
static void
make_lines(struct lines *L, const struct holding *b, const struct holding *d, pf_wide income)
{
    pf_wide flows = 0;
    int i;

    memset(L, 0, sizeof *L);
    L->v[L_BEGINNING_NAV] = b->nav;
    for (i = 0; i < C_COUNT; i++) {
        L->v[L_CONTRIB_INVESTMENT + i] = d->contrib[i] - b->contrib[i];
        flows += L->v[L_CONTRIB_INVESTMENT + i];
    }
    for (i = 0; i < D_COUNT; i++) {
        L->v[L_DIST_RETURN_OF_CAPITAL + i] = d->dist[i] - b->dist[i];
        flows -= L->v[L_DIST_RETURN_OF_CAPITAL + i];
    }
    /* fees and expenses are paid in by the partner and spent at once (SPEC §5) */
    L->v[L_MANAGEMENT_FEES] = -L->v[L_CONTRIB_FEE];
    L->v[L_EXPENSES] = -L->v[L_CONTRIB_EXPENSES];
    L->v[L_INVESTMENT_INCOME] = income;
    /* carry paid out of the fund and the change in accrued carry reduce the NAV net */
    L->v[L_CARRIED_INTEREST] = -(d->carry - b->carry);
    L->v[L_ACCRUED_CARRY_CHANGE] = -(d->accrued - b->accrued);
    L->v[L_ENDING_NAV] = d->nav;
    /* the one balancing figure; checked against the projects' side by the caller */
    L->v[L_CHANGE_IN_VALUE] = d->nav - (b->nav + flows + L->v[L_MANAGEMENT_FEES] +
                                        L->v[L_EXPENSES] + income + L->v[L_CARRIED_INTEREST] +
                                        L->v[L_ACCRUED_CARRY_CHANGE]);
    /* ILPA: accrued at start - paid + periodic change = accrued at end */
    L->v[L_ACCRUED_CARRY_BEGINNING] = b->accrued;
    L->v[L_CARRY_PAID] = d->carry - b->carry;
    L->v[L_INCENTIVE_CHANGE] = d->accrued - b->accrued + (d->carry - b->carry);
    L->v[L_ACCRUED_CARRY_ENDING] = d->accrued;
    L->v[L_ENDING_NAV_GROSS] = d->nav + d->accrued;
    L->v[L_COMMITMENT] = d->commitment;
    L->v[L_BEGINNING_UNFUNDED] = unfunded_of(b->commitment, b->paid_in, b->recallable);
    L->v[L_NEW_COMMITMENTS] = d->commitment - b->commitment;
    L->v[L_LESS_CONTRIBUTIONS] = -(d->paid_in - b->paid_in);
    L->v[L_PLUS_RECALLABLE] = d->recallable - b->recallable;
    L->v[L_UNFUNDED_ADJUSTMENT] = floor_lift(d->commitment, d->paid_in, d->recallable) -
                                  floor_lift(b->commitment, b->paid_in, b->recallable);
    L->v[L_ENDING_UNFUNDED] = unfunded_of(d->commitment, d->paid_in, d->recallable);
}

/* The unfunded roll-forward adds up (every line of it computed on its own). */
static bool
unfunded_adds_up(const struct lines *L)
{
    return L->v[L_BEGINNING_UNFUNDED] + L->v[L_NEW_COMMITMENTS] + L->v[L_LESS_CONTRIBUTIONS] +
           L->v[L_PLUS_RECALLABLE] + L->v[L_UNFUNDED_ADJUSTMENT] == L->v[L_ENDING_UNFUNDED];
}

/* An account row's column, "period.line" (line L_COUNT: "period.interest"), formatted
 * once per close instead of once per row (a large close writes a million). */
#define ACCT_COL_SIZE 48
static const char *
acct_col(struct eng *e, enum period period, int line)
{
    int p, l;
    if (!e->acct_cols) {
        e->acct_cols = pf_xmalloc((size_t)P_COUNT * (L_COUNT + 1) * ACCT_COL_SIZE);
        for (p = 0; p < P_COUNT; p++)
            for (l = 0; l <= L_COUNT; l++)
                snprintf(e->acct_cols + ((size_t)p * (L_COUNT + 1) + (size_t)l) * ACCT_COL_SIZE,
                         ACCT_COL_SIZE, "%s.%s", period_names[p],
                         l < L_COUNT ? line_names[l] : "interest");
    }
    return e->acct_cols + ((size_t)period * (L_COUNT + 1) + (size_t)line) * ACCT_COL_SIZE;
}

static pf_status
put_lines(struct eng *e, const char *fund, const char *key, enum period period, pf_date B,
          const struct lines *L, double interest, bool with_carry)
{
    int i;
    pf_status rc = PF_OK;

    for (i = 0; i < L_COUNT; i++) {
        if (!with_carry && IS_CARRY_LINE(i))
            continue; /* a fund without terms or carry: the §5 statement, unchanged */
        TRY(put_row_money(e, "account", fund, key, acct_col(e, period, i), B, L->v[i]));
    }
    pf_run_row_value(e->run, "account", fund, key, acct_col(e, period, L_COUNT), B, interest);
cleanup:
    return rc;
}

/*
 * The projects' realised and unrealised gain in (B, D], in the fund's currency,
 * walked project by project and flow by flow (not through the fund totals the
 * statement lines come from).
 */
static pf_status
project_gain(struct eng *e, int f, pf_date B, pf_wide *gain)
{
    const struct pf_dataset *ds = e->ds;
    const char *cur = ds->funds[f].currency;
    size_t k, i;
    pf_status rc;

    *gain = 0;
    for (k = 0; k < e->fund_nprojects[f]; k++) {
        int p = e->fund_projects[f][k];
        const struct pf_project *pj = &ds->projects[p];
        struct span s = e->proj_flows[p];
        pf_cents nav_end, nav_start = 0;
        if ((rc = eng_conv(e, eng_project_nav(e, p, e->D, NULL), pj->currency, cur, e->D,
                           &nav_end)))
            return rc;
        if (B != PF_DATE_NONE &&
            (rc = eng_conv(e, eng_project_nav(e, p, B, NULL), pj->currency, cur, B,
                           &nav_start)))
            return rc;
        *gain += (pf_wide)nav_end - nav_start;
        for (i = s.lo; i < s.hi; i++) {
            const struct pf_project_flow *j = &ds->jflows[i];
            if ((B != PF_DATE_NONE && j->date <= B) || j->date > e->D)
                continue;
            if (j->kind == PF_J_INVESTMENT)
                *gain -= e->flow_in_fund[i];
            else if (j->kind == PF_J_PROCEEDS)
                *gain += e->flow_in_fund[i];
        }
    }
    return PF_OK;
}

/*
 * Each partner's NAV is its interest (commitment / the fund's) of the fund's NAV to
 * within the fen the largest remainder may move it, and they sum to the fund's.
 * Skipped (true) when nothing is committed: then the shares follow paid-in.
 */
static bool
nav_shares_ok(pf_wide fund_nav, const pf_wide *commitment, const pf_cents *nav, size_t n)
{
    pf_wide total = 0, sum = 0;
    size_t i;
    for (i = 0; i < n; i++)
        total += commitment[i];
    if (total <= 0)
        return true;
    for (i = 0; i < n; i++) {
        pf_wide diff = (pf_wide)nav[i] * total - commitment[i] * fund_nav;
        if (diff >= total || diff <= -total)
            return false;
        sum += nav[i];
    }
    return sum == fund_nav;
}

pf_status
capital_accounts(struct eng *e, struct fund_close *fc)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_fund *fd = &ds->funds[fc->f];
    const char *F = fc->id;
    const struct fund_position *T = &fc->at_D;
    size_t np = fc->npartners, i;
    pf_wide *commit_B = pf_xcalloc(np + 1, sizeof *commit_B);
    pf_wide *paid_in_B = pf_xcalloc(np + 1, sizeof *paid_in_B);
    pf_cents *nav_B = pf_xcalloc(np + 1, sizeof *nav_B);
    pf_cents *income = pf_xcalloc(np + 1, sizeof *income);
    struct partner_position *at_B = pf_xcalloc(np + 1, sizeof *at_B);
    pf_status rc = PF_OK;
    int per, li;

    const struct economics *xd = &fc->econ;
    bool with_carry = xd->has_terms || T->carry_paid != 0;
    pf_wide A_D = xd->has_terms ? xd->A : 0;
    pf_cents *carry_D = pf_xcalloc(np + 1, sizeof *carry_D);
    pf_cents *carry_B = pf_xcalloc(np + 1, sizeof *carry_B);
    struct economics xb;

    memset(&xb, 0, sizeof xb);
    /* the carry paid charged to each partner: the class's by the waterfall's terms;
     * without terms, every partner by interest */
    if (xd->has_terms)
        memcpy(carry_D, xd->charged, np * sizeof *carry_D);
    else if (T->carry_paid != 0)
        TRY(allocate_by_interest(e, fc->f, T->carry_paid, fc->commitment, fc->paid_in, np,
                                 "the carry paid", carry_D));
    for (per = 0; per < P_COUNT; per++) {
        pf_date B = period_begin(e->D, (enum period)per, fd->inception);
        struct fund_position TB;
        struct lines FL, PL, SUM;
        struct holding hb, hd;
        pf_wide gain, A_B;

        if (B != PF_DATE_NONE && B >= e->D)
            B = e->D; /* a period that has not started: an empty roll-forward */
        TRY(fund_position_at(e, fc->f, B, &TB));
        economics_release(&xb);
        /* the waterfall rerun at the period's start */
        TRY(fund_economics(e, fc->f, B, fc->partners, np, &TB, &xb));
        A_B = xb.has_terms ? xb.A : 0;
        hb = (struct holding){ TB.nav - A_B, 0, TB.commitment, TB.paid_in, TB.recallable,
                               TB.contrib, TB.dist, TB.carry_paid, A_B };
        hd = (struct holding){ T->nav - A_D, 0, T->commitment, T->paid_in, T->recallable,
                               T->contrib, T->dist, T->carry_paid, A_D };
        make_lines(&FL, &hb, &hd, T->income - TB.income);
        /* the fund's unfunded is its partners' (each floored on its own), summed */
        FL.v[L_BEGINNING_UNFUNDED] = FL.v[L_ENDING_UNFUNDED] = FL.v[L_UNFUNDED_ADJUSTMENT] = 0;
        partner_positions_at(e, fc->f, fc->partners, np, B, at_B);
        for (i = 0; i < np; i++) {
            const struct partner_position *d = &fc->pos[i];
            FL.v[L_BEGINNING_UNFUNDED] += unfunded_of(at_B[i].commitment, at_B[i].paid_in,
                                                      at_B[i].recallable);
            FL.v[L_ENDING_UNFUNDED] += unfunded_of(d->commitment, d->paid_in, d->recallable);
            FL.v[L_UNFUNDED_ADJUSTMENT] +=
                floor_lift(d->commitment, d->paid_in, d->recallable) -
                floor_lift(at_B[i].commitment, at_B[i].paid_in, at_B[i].recallable);
        }
        TRY(put_lines(e, F, "*", (enum period)per, B, &FL, 1.0, with_carry));
        TRY(project_gain(e, fc->f, B, &gain));
        TRY(check(e, FL.v[L_CHANGE_IN_VALUE] == gain, "change_in_value",
                  "fund '%s' %s: the change in value (ending NAV less beginning NAV, flows, "
                  "fees, expenses and income) equals the projects' realised and unrealised "
                  "gain (NAV at end - NAV at start - investments + proceeds: %lld cents)", F,
                  period_names[per], (long long)gain));
        TRY(check(e, unfunded_adds_up(&FL), "unfunded_rollforward",
                  "fund '%s' %s: beginning unfunded + new commitments - contributions + "
                  "recallable + floor adjustment = ending unfunded", F, period_names[per]));

        for (i = 0; i < np; i++) {
            commit_B[i] = at_B[i].commitment;
            paid_in_B[i] = at_B[i].paid_in;
        }
        if (xb.has_terms) {
            bool ok = true;
            pf_wide sum = 0;
            memcpy(nav_B, xb.nav_net, np * sizeof *nav_B);
            memcpy(carry_B, xb.charged, np * sizeof *carry_B);
            for (i = 0; i < np; i++) {
                ok = ok && fabsl((long double)nav_B[i] - xb.exact[i]) < 1.0L;
                sum += nav_B[i];
            }
            TRY(check(e, ok && sum + xb.A == TB.nav, "partners_nav_share", "fund '%s' %s: each "
                      "partner's beginning NAV is its NAV net of carry to the fen, and they sum "
                      "to the fund's less the accrued carry", F, period_names[per]));
        } else {
            TRY(allocate_by_interest(e, fc->f, TB.nav, commit_B, paid_in_B, np,
                                     "the beginning NAV", nav_B));
            memset(carry_B, 0, np * sizeof *carry_B);
            if (TB.carry_paid != 0)
                TRY(allocate_by_interest(e, fc->f, TB.carry_paid, commit_B, paid_in_B, np,
                                         "the carry paid", carry_B));
            TRY(check(e, nav_shares_ok(TB.nav, commit_B, nav_B, np), "partners_nav_share",
                      "fund '%s' %s: each partner's beginning NAV is its interest of the fund's "
                      "(to the fen) and they sum to it", F, period_names[per]));
        }
        TRY(allocate_by_interest(e, fc->f, FL.v[L_INVESTMENT_INCOME], fc->commitment, fc->paid_in,
                                 np, "the investment income", income));
        memset(&SUM, 0, sizeof SUM);
        for (i = 0; i < np; i++) {
            const struct partner_position *d = &fc->pos[i];
            const char *P = ds->partners[fc->partners[i]].partner_id;
            hb = (struct holding){ nav_B[i], 0, at_B[i].commitment, at_B[i].paid_in,
                                   at_B[i].recallable, at_B[i].contrib, at_B[i].dist,
                                   carry_B[i], xb.has_terms ? xb.accrued[i] : 0 };
            hd = (struct holding){ fc->nav[i], 0, d->commitment, d->paid_in, d->recallable,
                                   d->contrib, d->dist, carry_D[i],
                                   xd->has_terms ? xd->accrued[i] : 0 };
            make_lines(&PL, &hb, &hd, income[i]);
            TRY(put_lines(e, F, P, (enum period)per, B, &PL,
                          T->commitment ? (double)d->commitment / (double)T->commitment : 0,
                          with_carry));
            TRY(check(e, unfunded_adds_up(&PL), "unfunded_rollforward", "partner '%s' in "
                      "fund '%s' %s: the unfunded roll-forward adds up", P, F,
                      period_names[per]));
            for (li = 0; li < L_COUNT; li++)
                SUM.v[li] += PL.v[li];
        }
        if (np > 0) {
            bool same = true;
            for (li = 0; li < L_COUNT; li++)
                if (SUM.v[li] != FL.v[li])
                    same = false;
            TRY(check(e, same, "partners_rollforward", "fund '%s' %s: every statement line "
                      "of the partners sums to the fund's", F, period_names[per]));
        }
    }
cleanup:
    economics_release(&xb);
    free(carry_D);
    free(carry_B);
    free(commit_B);
    free(paid_in_B);
    free(nav_B);
    free(income);
    free(at_B);
    return rc;
}
