/*
 * risk: the portfolio's NAV by industry chain over time (month-ends, CNY), the
 * chains' quarterly modified-Dietz returns, their statistics and correlations
 * (SPEC §5 "Risk per chain"), and each fund's J-curve.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

/*
 * Each chain's projects, found once: proj[at[c] .. at[c+1]) are chain c's, in data set
 * order, cur[k] the NAV cursor of proj[k]. The month-end and quarter-end NAVs asked
 * every project its chain at every date (projects x chains x dates string comparisons,
 * a tenth of a large close).
 */
struct chain_set {
    size_t *at;
    int *proj;
    struct eng_nav_cursor *cur;
};

static void
chain_set_build(const struct eng *e, const char **chains, size_t nch, struct chain_set *cs)
{
    const struct pf_dataset *ds = e->ds;
    int *which = pf_xmalloc((ds->nprojects + 1) * sizeof *which);
    size_t p, c, *pos;

    cs->at = pf_xcalloc(nch + 2, sizeof *cs->at);
    cs->proj = pf_xmalloc((ds->nprojects + 1) * sizeof *cs->proj);
    for (p = 0; p < ds->nprojects; p++) {
        which[p] = -1;
        for (c = 0; c < nch; c++)
            if (strcmp(ds->projects[p].chain, chains[c]) == 0) {
                which[p] = (int)c;
                cs->at[c + 1]++;
                break;
            }
    }
    for (c = 0; c < nch; c++)
        cs->at[c + 1] += cs->at[c];
    pos = pf_xmalloc((nch + 1) * sizeof *pos);
    memcpy(pos, cs->at, (nch + 1) * sizeof *pos);
    for (p = 0; p < ds->nprojects; p++)
        if (which[p] >= 0)
            cs->proj[pos[which[p]]++] = (int)p;
    cs->cur = pf_xmalloc((ds->nprojects + 1) * sizeof *cs->cur);
    for (p = 0; p <= ds->nprojects; p++)
        eng_nav_cursor_init(&cs->cur[p]);
    free(pos);
    free(which);
}

static void
chain_set_release(struct chain_set *cs)
{
    free(cs->at);
    free(cs->proj);
    free(cs->cur);
}

/*
 * The chain's project NAV on t in CNY. For the NAV history a project counts from its
 * commitment date; for the Dietz returns every project counts (committed_only false),
 * so the NAVs cover exactly the projects whose flows the return counts. The dates asked
 * of one chain never go back (its projects' cursors).
 */
static pf_status
chain_nav_cny(struct eng *e, struct chain_set *cs, size_t c, pf_date t,
              bool committed_only, pf_wide *out)
{
    const struct pf_dataset *ds = e->ds;
    size_t k;
    pf_status rc;

    *out = 0;
    for (k = cs->at[c]; k < cs->at[c + 1]; k++) {
        int p = cs->proj[k];
        const struct pf_project *pj = &ds->projects[p];
        pf_cents v;
        if (committed_only && pj->commitment_date > t)
            continue;
        if ((rc = eng_conv(e, eng_cursor_nav(e, p, &cs->cur[k], t), pj->currency, "CNY", t, &v)))
            return rc;
        *out += v;
    }
    return PF_OK;
}

/* The first investment on or before D (PF_DATE_NONE without one). */
static pf_date
first_investment(const struct eng *e)
{
    const struct pf_dataset *ds = e->ds;
    pf_date first = PF_DATE_NONE;
    size_t i;
    for (i = 0; i < ds->njflows; i++)
        if (ds->jflows[i].kind == PF_J_INVESTMENT && ds->jflows[i].date <= e->D &&
            (first == PF_DATE_NONE || ds->jflows[i].date < first))
            first = ds->jflows[i].date;
    return first;
}

/* The chain's money in (+) and out (-) of its projects in (S, E], in CNY. */
static void
chain_flows(const struct eng *e, const struct chain_set *cs, size_t c, pf_date S, pf_date E,
            pf_date **fd, double **fa, size_t *nf)
{
    const struct pf_dataset *ds = e->ds;
    size_t k, i, cap_d = 0, cap_a = 0;
    *nf = 0;
    for (k = cs->at[c]; k < cs->at[c + 1]; k++) {
        struct span s = e->proj_flows[cs->proj[k]];
        for (i = s.lo; i < s.hi; i++) {
            const struct pf_project_flow *jf = &ds->jflows[i];
            if (jf->date <= S || jf->date > E)
                continue;
            PF_GROW(*fd, *nf + 1, cap_d);
            PF_GROW(*fa, *nf + 1, cap_a);
            (*fd)[*nf] = jf->date;
            /* money in is positive; proceeds and income are money taken out */
            (*fa)[*nf] = (double)(jf->kind == PF_J_INVESTMENT ? e->flow_in_cny[i]
                                                               : -e->flow_in_cny[i]) / 100.0;
            (*nf)++;
        }
    }
}

static void
put_statistics(struct eng *e, const char *chain, const double *series, size_t ns)
{
    struct pf_metric sd = pf_stdev(series, ns);

    put_metric(e, "chain", NULL, chain, "mean_return", pf_mean(series, ns));
    put_metric(e, "chain", NULL, chain, "stdev_return", sd);
    if (!sd.reason)
        sd.value *= 2.0; /* quarterly to annual: sqrt(4) */
    put_metric(e, "chain", NULL, chain, "volatility", sd);
    if (ns > 0)
        pf_run_value(e->run, "chain", NULL, chain, "max_drawdown", pf_max_drawdown(series, ns));
    else
        pf_run_empty(e->run, "chain", NULL, chain, "max_drawdown", "no quarterly returns");
}

/*
 * Risk per chain: quarterly modified-Dietz returns in CNY (the last quarter
 * ends at D), their statistics, and the correlation between chains over the
 * quarters both have a return.
 */
pf_status
chain_risk(struct eng *e, const char **chains, size_t nch)
{
    pf_date first = first_investment(e), q, *qends = NULL;
    struct chain_set cs = { NULL, NULL, NULL };
    size_t nq = 0, cq = 0, c, i, j;
    double *ret = NULL;
    bool *has = NULL;
    pf_status rc = PF_OK;

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
    chain_set_build(e, chains, nch, &cs);
    for (c = 0; c < nch; c++) {
        double *series = pf_xcalloc(nq + 1, sizeof *series);
        size_t ns = 0;
        for (j = 0; j < nq; j++) {
            pf_date E = qends[j];
            /* the first quarter starts at the quarter end before the first investment */
            pf_date S = j == 0 ? pf_date_add_months_end(pf_date_quarter_end(first), -3)
                               : qends[j - 1];
            pf_wide nav_begin, nav_end;
            pf_date *fd = NULL;
            double *fa = NULL;
            size_t nf = 0;
            struct pf_metric r;
            rc = chain_nav_cny(e, &cs, c, S, false, &nav_begin);
            if (rc == PF_OK)
                rc = chain_nav_cny(e, &cs, c, E, false, &nav_end);
            if (rc) {
                free(series);
                goto cleanup;
            }
            chain_flows(e, &cs, c, S, E, &fd, &fa, &nf);
            r = pf_modified_dietz((double)nav_begin / 100.0, (double)nav_end / 100.0, S, E, fd,
                                  fa, nf);
            free(fd);
            free(fa);
            if (!r.reason) {
                ret[c * nq + j] = r.value;
                has[c * nq + j] = true;
                series[ns++] = r.value;
                pf_run_row_value(e->run, "risk", NULL, chains[c], "return", E, r.value);
            }
        }
        put_statistics(e, chains[c], series, ns);
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
    chain_set_release(&cs);
    free(qends);
    free(ret);
    free(has);
    return rc;
}

/* Month-end NAV by chain in CNY, from the month of the first project flow to D. */
pf_status
chain_nav_history(struct eng *e, const char **chains, size_t nch)
{
    const struct pf_dataset *ds = e->ds;
    pf_date first = PF_DATE_NONE, me;
    struct chain_set cs = { NULL, NULL, NULL };
    size_t i;
    pf_status rc = PF_OK;

    for (i = 0; i < ds->njflows; i++)
        if (ds->jflows[i].date <= e->D && (first == PF_DATE_NONE || ds->jflows[i].date < first))
            first = ds->jflows[i].date;
    if (first == PF_DATE_NONE)
        return PF_OK;
    chain_set_build(e, chains, nch, &cs);
    for (me = pf_date_month_end(first);; me = pf_date_add_months_end(me, 1)) {
        pf_date t = me > e->D ? e->D : me;
        for (i = 0; i < nch; i++) {
            pf_wide v;
            TRY(chain_nav_cny(e, &cs, i, t, true, &v));
            TRY(put_row_money(e, "nav_history", NULL, chains[i], "nav", t, v));
        }
        if (t == e->D)
            break;
    }
cleanup:
    chain_set_release(&cs);
    return rc;
}

/* The fund's J-curve: paid-in, distributions and NAV month by month since inception. */
pf_status
fund_nav_history(struct eng *e, int f)
{
    const struct pf_fund *fd = &e->ds->funds[f];
    const char *F = fd->fund_id;
    struct fund_sweep *sw = NULL;
    pf_date me;
    pf_status rc = PF_OK;

    if (fd->inception == PF_DATE_NONE || fd->inception > e->D)
        return PF_OK;
    sw = fund_sweep_new(e, f);
    for (me = pf_date_month_end(fd->inception);; me = pf_date_add_months_end(me, 1)) {
        pf_date t = me > e->D ? e->D : me;
        struct fund_position m;
        TRY(fund_position_sweep(e, sw, t, &m));
        TRY(put_row_money(e, "nav_history", F, F, "paid_in", t, m.paid_in));
        TRY(put_row_money(e, "nav_history", F, F, "distributions", t, m.distributions));
        TRY(put_row_money(e, "nav_history", F, F, "nav", t, m.nav));
        /* the J-curve's two lines, so the workbook renders them rather than computes them */
        TRY(put_row_money(e, "nav_history", F, F, "net_cash", t, m.distributions - m.paid_in));
        TRY(put_row_money(e, "nav_history", F, F, "net_value", t,
                          m.distributions + m.nav - m.paid_in));
        if (t == e->D)
            break;
    }
cleanup:
    fund_sweep_free(sw);
    return rc;
}
