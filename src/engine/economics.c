/*
 * economics: a fund's terms applied (SPEC §10) — the carry class, the carry paid,
 * the whole-fund waterfall on the class as one investor, the accrued carry, the
 * concession (让利) and every partner's NAV net of carry, as at any date (the
 * close asks at D and at each period's start).
 *
 * Every partner's NAV is rounded in one largest-remainder pass over F − A with
 * the exact figures as weights (ties to the smaller partner id), so that
 *   Σ NAV net + A = F
 * holds to the fen by construction; the close records it as SPEC §10 asks and
 * checks, with a computation of its own, that the waterfall's tiers hold every
 * distribution of the class and carry paid (see fund_economics_checks).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

static double
rate_of(int64_t e8)
{
    return (double)e8 / 1e8;
}

/* Is partner p exempt from carry under these terms (the GP, any gp partner, carry_exempt)? */
static bool
exempt(const struct pf_dataset *ds, const struct pf_fund_terms *t, int p)
{
    const struct pf_partner *pp = &ds->partners[p];
    const char *s = t->carry_exempt ? t->carry_exempt : "";
    size_t n = strlen(pp->partner_id);

    if (strcmp(pp->partner_id, t->gp_partner_id) == 0 || strcmp(pp->kind, "gp") == 0)
        return true;
    while (*s) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == n && strncmp(s, pp->partner_id, n) == 0)
            return true;
        s += len;
        if (*s == ';')
            s++;
    }
    return false;
}

/*
 * Share total (possibly negative) among n holders whose exact figures are w[]
 * (they need not add up to total): part = floor(total x w / W), then the units
 * left one each to the largest remainders, ties to the lower index.
 */
static void
share_by_figures(pf_wide total, const long double *w, size_t n, pf_cents *out)
{
    long double W = 0, *rem = pf_xcalloc(n + 1, sizeof *rem);
    pf_wide given = 0, left;
    size_t i, k;

    for (i = 0; i < n; i++)
        W += w[i];
    for (i = 0; i < n; i++) {
        long double x = W != 0 ? (long double)total * w[i] / W : (long double)total / (long double)n;
        long double fl = floorl(x);
        out[i] = (pf_cents)fl;
        rem[i] = x - fl;
        given += out[i];
    }
    left = total - given;
    for (k = 0; left > 0 && k < n; k++, left--) {
        size_t best = n;
        for (i = 0; i < n; i++)
            if (rem[i] >= 0 && (best == n || rem[i] > rem[best]))
                best = i;
        if (best == n)
            break;
        out[best]++;
        rem[best] = -1;
    }
    free(rem);
}

void
economics_release(struct economics *x)
{
    free(x->member);
    free(x->nav_net);
    free(x->exact);
    free(x->charged);
    free(x->accrued);
    free(x->given);
    free(x->received);
    memset(x, 0, sizeof *x);
}

/*
 * 让利: each guidance-fund member of the class gives up `concession` of its share of the
 * class's tiers 3-4 to the other members pro rata (lps) or to the GP (gp), moving the
 * exact NAV figures; nobody to receive it: nothing given, and a warning at D.
 */
static void
concession(struct eng *e, int f, pf_date t, const int *partners, size_t np,
           const pf_wide *commit, int gp_at, struct economics *x)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_fund_terms *terms = x->terms;
    long double conc;
    pf_wide tiers34_lp, recv_base = 0;
    size_t i;

    conc = (long double)terms->concession_e8 / 1e8L;
    tiers34_lp = x->wf.distributed[PF_TIER_CATCH_UP_LP] + x->wf.distributed[PF_TIER_SPLIT_LP] +
                 x->wf.hypothetical[PF_TIER_CATCH_UP_LP] + x->wf.hypothetical[PF_TIER_SPLIT_LP];
    if (conc > 0 && tiers34_lp > 0 && x->class_commitment > 0) {
        bool to_gp = terms->concession_to && strcmp(terms->concession_to, "gp") == 0;
        long double gave = 0;
        for (i = 0; i < np; i++)
            if (x->member[i] && strcmp(ds->partners[partners[i]].kind, "guidance_fund") != 0)
                recv_base += commit[i];
        for (i = 0; i < np; i++) {
            long double g;
            if (!x->member[i] || strcmp(ds->partners[partners[i]].kind, "guidance_fund") != 0)
                continue;
            g = conc * (long double)tiers34_lp * (long double)commit[i] /
                (long double)x->class_commitment;
            if (to_gp ? gp_at < 0 : recv_base == 0)
                continue; /* nobody to receive it: nothing given (a warning below) */
            x->exact[i] -= g;
            x->given[i] = (pf_cents)llroundl(g);
            gave += g;
        }
        if (gave > 0) {
            for (i = 0; i < np; i++) {
                long double r = 0;
                if (to_gp && (int)i == gp_at)
                    r = gave;
                else if (!to_gp && x->member[i] &&
                         strcmp(ds->partners[partners[i]].kind, "guidance_fund") != 0)
                    r = gave * (long double)commit[i] / (long double)recv_base;
                x->exact[i] += r;
                x->received[i] = (pf_cents)llroundl(r);
            }
        } else if (t == e->D) {
            warn(e, "concession_not_applied", "fund '%s': the concession has nobody to go to "
                 "(%s)", ds->funds[f].fund_id, to_gp ? "the GP is not a partner of the fund"
                                                    : "no member of the class besides the "
                                                      "guidance funds");
        }
    }
}

pf_status
fund_economics(struct eng *e, int f, pf_date t, const int *partners, size_t np,
               const struct fund_position *pos, struct economics *x)
{
    const struct pf_dataset *ds = e->ds;
    const struct pf_fund_terms *terms = pf_dataset_terms_of(ds, f);
    struct pf_waterfall_terms wt;
    struct pf_wf_event *ev = NULL;
    size_t nev = 0, cap = 0, i, nmem = 0;
    struct span s = e->fund_pflows[f];
    pf_wide *commit = NULL;
    int64_t *w = NULL;
    struct partner_position *pp = NULL;
    int gp_at = -1;
    pf_status rc = PF_OK;
    char day[16];

    memset(x, 0, sizeof *x);
    x->F = pos->nav;
    x->K = pos->carry_paid;
    x->C = pos->commitment;
    if (!terms || x->C <= 0 || t == PF_DATE_NONE)
        return PF_OK; /* SPEC §5 only: no terms, or nothing committed yet */
    x->has_terms = true;
    x->terms = terms;
    x->member = pf_xcalloc(np + 1, sizeof *x->member);
    x->nav_net = pf_xcalloc(np + 1, sizeof *x->nav_net);
    x->exact = pf_xcalloc(np + 1, sizeof *x->exact);
    x->charged = pf_xcalloc(np + 1, sizeof *x->charged);
    x->accrued = pf_xcalloc(np + 1, sizeof *x->accrued);
    x->given = pf_xcalloc(np + 1, sizeof *x->given);
    x->received = pf_xcalloc(np + 1, sizeof *x->received);
    commit = pf_xcalloc(np + 1, sizeof *commit);
    w = pf_xcalloc(np + 1, sizeof *w);
    pp = pf_xcalloc(np + 1, sizeof *pp);
    partner_positions_at(e, f, partners, np, t, pp);
    for (i = 0; i < np; i++) {
        commit[i] = pp[i].commitment;
        x->member[i] = !exempt(ds, terms, partners[i]);
        if (x->member[i]) {
            x->class_commitment += commit[i];
            nmem++;
        }
        if (strcmp(ds->partners[partners[i]].partner_id, terms->gp_partner_id) == 0)
            gp_at = (int)i;
    }
    /* membership by a lookup per flow, not a search of the partners */
    partner_slots_set(e, partners, np);

    /* the class as one investor: its calls, and its gross distributions (its own
     * distributions plus the carry paid on that date) */
    for (i = s.lo; i < s.hi && ds->pflows[i].date <= t; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        if (!is_carry(pf) && (pf->partner < 0 || e->partner_slot[pf->partner] < 0 ||
                              !x->member[e->partner_slot[pf->partner]]))
            continue;
        PF_GROW(ev, nev + 1, cap);
        ev[nev].date = pf->date;
        ev[nev].amount = pf->amount;
        ev[nev].call = pf->kind == PF_CONTRIBUTION;
        nev++;
        if (pf->kind == PF_CONTRIBUTION)
            x->class_calls += pf->amount;
        else
            x->class_gross_distributions += pf->amount;
    }
    partner_slots_clear(e, partners, np);
    /* V = interest_class x (F + K), to the cent */
    x->V = x->class_commitment > 0
               ? pf_wide_div_round((x->F + x->K) * x->class_commitment, x->C) : 0;
    wt.carry = rate_of(terms->carry_e8);
    wt.hurdle = rate_of(terms->hurdle_e8);
    wt.catch_up = rate_of(terms->catch_up_e8);
    wt.simple = terms->hurdle_simple;
    wt.growth = e->wf_growth;
    if (x->V < 0 || x->V > (pf_wide)INT64_MAX) {
        rc = pf_err_set(e->err, PF_EDATA, "", "fund '%s' on %s: the carry class's value %s is "
                        "out of the waterfall's range", ds->funds[f].fund_id,
                        pf_date_format(t, day, sizeof day), x->V < 0 ? "is negative and" : "");
        goto cleanup;
    }
    /* the hypothetical final distribution is the class's NAV before accrual, V - K: the
     * carry paid is already among the gross distributions on its dates, and F is after
     * it left, so SPEC §10's "V" would count it twice (README, "Readings") */
    x->final_value = x->V - x->K > 0 ? x->V - x->K : 0;
    if ((rc = pf_waterfall_run(&wt, ev, nev, t, (pf_cents)x->final_value, &x->wf)) != PF_OK) {
        pf_err_set(e->err, rc, "", "the waterfall of fund '%s' cannot be run: its terms are "
                   "out of range", ds->funds[f].fund_id);
        goto cleanup;
    }
    x->E = x->wf.entitlement;
    x->A = x->E - x->K;

    /* exact figures: a member (V − E) x c / c_class; anyone else (F + K) x c / C */
    for (i = 0; i < np; i++)
        x->exact[i] = x->member[i] && x->class_commitment > 0
                          ? (long double)(x->V - x->E) * (long double)commit[i] /
                                (long double)x->class_commitment
                          : (long double)(x->F + x->K) * (long double)commit[i] /
                                (long double)x->C;

    concession(e, f, t, partners, np, commit, gp_at, x);
    share_by_figures(x->F - x->A, x->exact, np, x->nav_net);

    /* the members' shares of K and A, to the fen */
    for (i = 0; i < np; i++)
        w[i] = x->member[i] ? (int64_t)commit[i] : 0;
    if (nmem > 0 && x->class_commitment > 0) {
        pf_cents k, a;
        if (!pf_wide_fits(x->K, &k) || !pf_wide_fits(x->A, &a)) {
            rc = pf_err_set(e->err, PF_EDATA, "", "carry of fund '%s' is out of range",
                            ds->funds[f].fund_id);
            goto cleanup;
        }
        if ((rc = pf_alloc_largest_remainder(k, w, np, x->charged)) != PF_OK ||
            (rc = pf_alloc_largest_remainder(a, w, np, x->accrued)) != PF_OK) {
            pf_err_set(e->err, rc, "", "carry of fund '%s' cannot be shared among its class",
                       ds->funds[f].fund_id);
            goto cleanup;
        }
    }
cleanup:
    free(ev);
    free(pp);
    free(commit);
    free(w);
    return rc;
}
