/*
 * forecast: SPEC §11 orchestration. Reads a stored run's figures (fund
 * commitment, unfunded and NAV; the NAV by chain; the monthly J-curve rows
 * for history; chain risk statistics; partners' unfunded and interest) and
 * the run's data set (fund currency and inception, FX at the as-of date),
 * calibrates each fund, runs the Monte Carlo (calc/forecast.c) and turns the
 * percentiles into SPEC §6 result rows. Deterministic: the same run and
 * options give the same figures, bit for bit, which is what verify checks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/forecast.h"
#include "parkfund/banned.h"

/* --- reading the run --- */

/* What one fund needs from the run, gathered in one pass (a run has millions of
 * rows at scale 100: no per-fund scans). */
struct fund_rows {
    size_t *hist; size_t nhist, chist;   /* its nav_history rows */
    size_t *part; size_t npart, cpart;   /* its partner 'unfunded' results */
    size_t *cm; size_t ncm, ccm;         /* its commitments in the data set */
    double chain_nav;                    /* sum of its positive chain NAVs */
};

struct fc_ctx {
    const struct pf_run *run;
    const struct pf_dataset *ds;
    struct pf_map idx; /* "dim\037fund\037key\037metric" -> result */
    struct fund_rows *fr; /* per ds fund */
    struct pf_forecast *fc;
    struct pf_err *err;
};

static void
result_key(char *buf, size_t n, const char *dim, const char *fund, const char *key,
           const char *metric)
{
    snprintf(buf, n, "%s\037%s\037%s\037%s", dim, fund ? fund : "", key, metric);
}

static const struct pf_result *
find(struct fc_ctx *c, const char *dim, const char *fund, const char *key, const char *metric)
{
    char k[600];
    result_key(k, sizeof k, dim, fund, key, metric);
    return pf_map_get(&c->idx, k);
}

/* A money result in cents, or false when absent or empty. */
static bool
money(struct fc_ctx *c, const char *dim, const char *fund, const char *key, const char *metric,
      pf_cents *out)
{
    const struct pf_result *r = find(c, dim, fund, key, metric);
    if (!r || !r->has_value || !r->is_money)
        return false;
    *out = r->cents;
    return true;
}

static bool
value(struct fc_ctx *c, const char *dim, const char *fund, const char *key, const char *metric,
      double *out)
{
    const struct pf_result *r = find(c, dim, fund, key, metric);
    if (!r || !r->has_value || r->is_money || !isfinite(r->value))
        return false;
    *out = r->value;
    return true;
}

/* CNY per unit of cur at the latest rate on or before d (1 for CNY). */
static pf_status
fx_at(struct fc_ctx *c, const char *cur, pf_date d, double *rate)
{
    const struct pf_dataset *ds = c->ds;
    size_t i;
    bool found = false;
    if (strcmp(cur, "CNY") == 0) {
        *rate = 1;
        return PF_OK;
    }
    for (i = 0; i < ds->nfx; i++)
        if (strcmp(ds->fx[i].currency, cur) == 0 && ds->fx[i].date <= d) {
            *rate = (double)ds->fx[i].rate_e8 / 1e8; /* sorted by date: the last wins */
            found = true;
        }
    if (!found) {
        char day[16];
        return pf_err_set(c->err, PF_EDATA, "", "no fx rate for '%s' on or before %s", cur,
                          pf_date_format(d, day, sizeof day));
    }
    return PF_OK;
}

static void
quarter_label(pf_date qe, char *buf, size_t n)
{
    int y, m, d;
    pf_date_to_ymd(qe, &y, &m, &d);
    snprintf(buf, n, "%04dQ%d", y, (m + 2) / 3);
}

static double
age_years(pf_date inception, pf_date t)
{
    double a = (double)(t - inception) / 365.25;
    return a > 0 ? a : 0;
}

/* The fund's commitments dated on or before t (partners admitted later are not
 * yet committed: their money cannot be called before). */
static double
committed_at(const struct pf_dataset *ds, const struct fund_rows *fr, pf_date t)
{
    double sum = 0;
    size_t i;
    for (i = 0; i < fr->ncm; i++)
        if (ds->commitments[fr->cm[i]].date <= t)
            sum += (double)ds->commitments[fr->cm[i]].amount;
    return sum;
}

/* The fund's quarterly history from the run's J-curve rows (cumulative paid-in
 * and distributions, and NAV, at month ends): the quarter-end rows, from the
 * inception (nothing paid, NAV 0); unfunded = commitments dated by then - paid-in.
 * Arrays sized by the caller (nmax + 1). */

static size_t
history(struct fc_ctx *c, const struct fund_rows *fr, pf_date inception,
        size_t nmax, double *ages, double *unf, double *nav, double *calls, double *dists)
{
    const struct pf_run *run = c->run;
    pf_date last = PF_DATE_NONE;
    double pi_prev = 0, di_prev = 0, pi = 0, di = 0, nv = 0;
    size_t i, n = 0;
    bool have[3] = { false, false, false };

    ages[0] = 0;
    nav[0] = 0;
    unf[0] = committed_at(c->ds, fr, inception);
    for (i = 0; i <= fr->nhist; i++) {
        const struct pf_run_row *r = i < fr->nhist ? &run->rows[fr->hist[i]] : NULL;
        bool is_ours = r != NULL;
        if (last != PF_DATE_NONE && (!r || !is_ours || r->date != last)) {
            /* a date's rows are complete: keep it if it is a quarter end */
            if (have[0] && have[1] && have[2] && last == pf_date_quarter_end(last) &&
                n < nmax) {
                calls[n] = pi - pi_prev;
                dists[n] = di - di_prev;
                ages[n + 1] = age_years(inception, last);
                nav[n + 1] = nv;
                {
                    double k = committed_at(c->ds, fr, last);
                    unf[n + 1] = k - pi > 0 ? k - pi : 0;
                }
                pi_prev = pi;
                di_prev = di;
                n++;
            }
            last = PF_DATE_NONE;
            have[0] = have[1] = have[2] = false;
        }
        if (!r || !is_ours)
            continue;
        last = r->date;
        if (strcmp(r->col, "paid_in") == 0) {
            pi = (double)r->cents;
            have[0] = true;
        } else if (strcmp(r->col, "distributions") == 0) {
            di = (double)r->cents;
            have[1] = true;
        } else if (strcmp(r->col, "nav") == 0) {
            nv = (double)r->cents;
            have[2] = true;
        }
    }
    return n;
}

/* --- results --- */

static void
fc_put_money(struct pf_forecast *fc, const char *dim, const char *fund, const char *key,
          const char *metric, double cents)
{
    pf_run_money(fc->res, dim, fund, key, metric, pf_cents_round(cents));
}

static void
put_bands(struct pf_forecast *fc, const char *fund, const char *const *labels, size_t nq,
          const double *pct, bool portfolio, size_t fi)
{
    size_t s, q, k;
    char key[96];
    for (q = 0; q < nq; q++)
        for (s = 0; s < PF_FC_SERIES; s++)
            for (k = 0; k < PF_FC_NPCT; k++) {
                size_t at = portfolio ? pf_fc_port_index(nq, s, q, k)
                                      : pf_fc_fund_index(nq, fi, s, q, k);
                snprintf(key, sizeof key, "%s|%s|%s", labels[q], pf_fc_series_names[s],
                         pf_fc_pct_names[k]);
                fc_put_money(fc, "forecast", fund, key, "amount", pct[at]);
            }
}

/* A partner's funds, as pf_fc_member's weights, while they are gathered. */
struct grp {
    struct pf_fc_member *m;
    size_t n, cap;
};

/*
 * One forecast's working state, built up in order by the steps of
 * pf_engine_forecast_compute below and freed by fc_work_release. Arrays indexed by
 * "forecast fund" (0 .. nf) hold only the funds in the run; dsidx maps them back to
 * the data set.
 */
struct fc_work {
    struct fc_ctx c;
    const struct pf_forecast_opts *o;
    size_t nq;                       /* quarters projected */
    pf_date qe0;                     /* the quarter end holding the as-of date */
    char **labels;                   /* nq quarter labels */
    const char **chains;             /* nch chains with a volatility */
    double *sd, *cov;                /* their volatilities; covariance nch x nch */
    size_t nch;
    struct pf_fc_fund *funds;        /* nf funds projected */
    struct pf_ta_fit *fits;
    const char **fids;
    size_t *dsidx;
    double *fx, *weights, *ages;
    pf_cents *unfunded;
    size_t nf;
    struct grp *gm;                  /* per ds partner */
    struct pf_fc_group *groups;      /* ngroups partners in one fund or more */
    const char **gpartner;
    size_t ngroups;
    struct pf_fc_result *res;
    char buf[512];                   /* a note's text */
};

/* The run's results by key, and per fund its chain NAV, partners' unfunded results,
 * commitments and NAV history rows. */
static void
fc_index_run(struct fc_ctx *c)
{
    const struct pf_run *run = c->run;
    const struct pf_dataset *ds = c->ds;
    size_t i;

    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        char k[600];
        result_key(k, sizeof k, r->dimension, r->fund, r->key, r->metric);
        pf_map_put(&c->idx, k, (void *)r);
    }
    c->fr = pf_xcalloc(ds->nfunds + 1, sizeof *c->fr);
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        int fi;
        if (!r->fund || !r->has_value || !r->is_money)
            continue;
        if (strcmp(r->dimension, "chain") == 0 && strcmp(r->metric, "nav") == 0 && r->cents > 0) {
            if ((fi = pf_dataset_find_fund(ds, r->fund)) >= 0)
                c->fr[fi].chain_nav += (double)r->cents;
        } else if (strcmp(r->dimension, "partner") == 0 && strcmp(r->metric, "unfunded") == 0) {
            if ((fi = pf_dataset_find_fund(ds, r->fund)) >= 0) {
                PF_GROW(c->fr[fi].part, c->fr[fi].npart + 1, c->fr[fi].cpart);
                c->fr[fi].part[c->fr[fi].npart++] = i;
            }
        }
    }
    for (i = 0; i < ds->ncommitments; i++) {
        struct fund_rows *f = &c->fr[ds->commitments[i].fund];
        PF_GROW(f->cm, f->ncm + 1, f->ccm);
        f->cm[f->ncm++] = i;
    }
    for (i = 0; i < run->nrows; i++) {
        const struct pf_run_row *r = &run->rows[i];
        int fi;
        if (strcmp(r->tbl, "nav_history") || !r->fund || strcmp(r->fund, r->key) || !r->is_money)
            continue;
        if ((fi = pf_dataset_find_fund(ds, r->fund)) >= 0) {
            PF_GROW(c->fr[fi].hist, c->fr[fi].nhist + 1, c->fr[fi].chist);
            c->fr[fi].hist[c->fr[fi].nhist++] = i;
        }
    }
}

/* Chains with risk figures (portfolio rows, in the run's order) and their covariance;
 * a chain without a volatility or a pair without a correlation is noted. */
static void
fc_chains(struct fc_work *w)
{
    const struct pf_run *run = w->c.run;
    struct pf_forecast *fc = w->c.fc;
    size_t i, j, nch = 0;

    w->chains = pf_xcalloc(run->nresults + 1, sizeof *w->chains);
    w->sd = pf_xcalloc(run->nresults + 1, sizeof *w->sd);
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        if (r->fund || strcmp(r->dimension, "chain") != 0 ||
            strcmp(r->metric, "stdev_return") != 0)
            continue;
        if (r->has_value && !r->is_money && isfinite(r->value)) {
            w->chains[nch] = r->key;
            w->sd[nch++] = r->value;
        } else {
            snprintf(w->buf, sizeof w->buf, "chain '%s' has no return volatility (%s): its "
                     "projects grow at their fund's rate without uncertainty", r->key,
                     r->reason ? r->reason : "no value");
            pf_run_note_add(fc->res, false, "forecast_chain", 0, w->buf);
        }
    }
    w->nch = nch;
    w->cov = pf_xcalloc(nch * nch + 1, sizeof *w->cov);
    for (i = 0; i < nch; i++)
        for (j = i; j < nch; j++) {
            double rho = 1;
            if (i != j) {
                char key[256];
                const char *a = w->chains[i], *b = w->chains[j];
                if (strcmp(a, b) > 0) {
                    const char *t = a;
                    a = b;
                    b = t;
                }
                snprintf(key, sizeof key, "%s|%s", a, b);
                if (!value(&w->c, "chain_corr", NULL, key, "correlation", &rho)) {
                    rho = 0;
                    snprintf(w->buf, sizeof w->buf, "chains '%s' have no correlation: taken "
                             "as 0", key);
                    pf_run_note_add(fc->res, false, "forecast_chain", 0, w->buf);
                }
            }
            w->cov[i * nch + j] = w->cov[j * nch + i] = rho * w->sd[i] * w->sd[j];
        }
}

/* Forecast fund nf from data-set fund i: its state at the as-of date, its chain mix and
 * its calibration on its own quarterly history. false: not in the run (incepted after
 * the as-of date). */
static bool
fc_fund(struct fc_work *w, size_t i, pf_status *rc)
{
    struct fc_ctx *c = &w->c;
    const struct pf_fund *fd = &c->ds->funds[i];
    const char *F = fd->fund_id;
    size_t nf = w->nf, nq = w->nq, nch = w->nch, q, j, nh, hmax = 4 * 200;
    struct pf_fc_fund *ff = &w->funds[nf];
    pf_cents commitment = 0, nav = 0, unf = 0, cn;
    double total, *hbuf;

    if (!money(c, "fund", F, F, "nav", &nav) || !money(c, "fund", F, F, "unfunded", &unf))
        return false;
    money(c, "fund", F, F, "commitment", &commitment);
    if ((*rc = fx_at(c, fd->currency, c->run->as_of, &w->fx[nf])) != PF_OK)
        return false;
    w->fids[nf] = F;
    w->dsidx[nf] = i;
    w->unfunded[nf] = unf;
    pf_ta_defaults(&ff->p);
    if (nav < 0) {
        snprintf(w->buf, sizeof w->buf, "fund '%s' has a negative NAV at the as-of date: "
                 "projected from 0", F);
        pf_run_note_add(c->fc->res, false, "forecast_fund", 0, w->buf);
        nav = 0;
    }
    ff->unfunded = (double)unf;
    ff->nav = (double)nav;
    ff->fx = w->fx[nf];
    ff->ages = w->ages + nf * (nq + 1);
    for (q = 0; q <= nq; q++)
        w->ages[nf * (nq + 1) + q] =
            age_years(fd->inception, pf_date_add_months_end(w->qe0, 3 * (int)q));
    /* chain mix: the fund's NAV by chain, as shares of all its projects' NAV */
    ff->weight = w->weights + nf * nch;
    for (j = 0; j < nch; j++)
        if (money(c, "chain", F, w->chains[j], "nav", &cn) && cn > 0)
            w->weights[nf * nch + j] = (double)cn;
    total = c->fr[i].chain_nav;
    for (j = 0; j < nch; j++)
        w->weights[nf * nch + j] = total > 0 ? w->weights[nf * nch + j] / total : 0;

    /* calibration on the fund's own quarterly history */
    hbuf = pf_xcalloc(5 * (hmax + 1), sizeof *hbuf);
    nh = history(c, &c->fr[i], fd->inception, hmax, hbuf, hbuf + (hmax + 1),
                 hbuf + 2 * (hmax + 1), hbuf + 3 * (hmax + 1), hbuf + 4 * (hmax + 1));
    {
        struct pf_ta_history h = { nh, hbuf, hbuf + (hmax + 1), hbuf + 2 * (hmax + 1),
                                   hbuf + 3 * (hmax + 1), hbuf + 4 * (hmax + 1),
                                   (double)commitment };
        pf_ta_calibrate(&ff->p, &h, &w->fits[nf]);
    }
    free(hbuf);
    if (!w->fits[nf].fitted && nh >= PF_TA_MIN_QUARTERS) {
        snprintf(w->buf, sizeof w->buf, "fund '%s': %s", F, w->fits[nf].reason);
        pf_run_note_add(c->fc->res, false, "forecast_fit", 0, w->buf);
    }
    ff->p.growth = w->fits[nf].growth;
    ff->p.bow = w->fits[nf].bow;
    ff->p.call_scale = w->fits[nf].call_scale;
    return true;
}

static pf_status
fc_funds(struct fc_work *w)
{
    const struct pf_dataset *ds = w->c.ds;
    size_t i, nq = w->nq;
    pf_status rc = PF_OK;

    w->funds = pf_xcalloc(ds->nfunds + 1, sizeof *w->funds);
    w->fits = pf_xcalloc(ds->nfunds + 1, sizeof *w->fits);
    w->fids = pf_xcalloc(ds->nfunds + 1, sizeof *w->fids);
    w->dsidx = pf_xcalloc(ds->nfunds + 1, sizeof *w->dsidx);
    w->fx = pf_xcalloc(ds->nfunds + 1, sizeof *w->fx);
    w->unfunded = pf_xcalloc(ds->nfunds + 1, sizeof *w->unfunded);
    w->weights = pf_xcalloc(ds->nfunds * w->nch + 1, sizeof *w->weights);
    w->ages = pf_xcalloc(ds->nfunds * (nq + 1) + 1, sizeof *w->ages);
    for (i = 0; i < ds->nfunds; i++) {
        if (fc_fund(w, i, &rc))
            w->nf++;
        else if (rc != PF_OK)
            break;
    }
    return rc;
}

/* Partners across funds: one group per partner (data-set order, by id), its members
 * the funds it holds in fund order, weighted by its shares and the FX. */
static void
fc_groups(struct fc_work *w)
{
    struct fc_ctx *c = &w->c;
    const struct pf_dataset *ds = c->ds;
    size_t i, j;

    w->gm = pf_xcalloc(ds->npartners + 1, sizeof *w->gm);
    for (i = 0; i < w->nf; i++) {
        const struct fund_rows *fr = &c->fr[w->dsidx[i]];
        for (j = 0; j < fr->npart; j++) {
            const struct pf_result *r = &c->run->results[fr->part[j]];
            struct grp *g;
            double interest = 0;
            int pi = pf_dataset_find_partner(ds, r->key);
            if (pi < 0)
                continue;
            g = &w->gm[pi];
            value(c, "partner", w->fids[i], r->key, "interest", &interest);
            PF_GROW(g->m, g->n + 1, g->cap);
            g->m[g->n].fund = i;
            g->m[g->n].wcalls = (w->unfunded[i] > 0 ? (double)r->cents / (double)w->unfunded[i]
                                                    : 0) * w->fx[i];
            g->m[g->n].wdists = interest * w->fx[i];
            g->n++;
        }
    }
    w->groups = pf_xcalloc(ds->npartners + 1, sizeof *w->groups);
    w->gpartner = pf_xcalloc(ds->npartners + 1, sizeof *w->gpartner);
    for (i = 0; i < ds->npartners; i++)
        if (w->gm[i].n > 0) {
            w->groups[w->ngroups].m = w->gm[i].m;
            w->groups[w->ngroups].n = w->gm[i].n;
            w->gpartner[w->ngroups++] = ds->partners[i].partner_id;
        }
}

static pf_status
fc_simulate(struct fc_work *w)
{
    struct pf_fc_spec spec;
    const char *why = NULL;

    memset(&spec, 0, sizeof spec);
    spec.funds = w->funds;
    spec.nfunds = w->nf;
    spec.nchains = w->nch;
    spec.nq = w->nq;
    spec.npaths = w->o->paths;
    spec.cov = w->cov;
    spec.seed = w->o->seed;
    spec.threads = 2; /* identical to one thread (forecast.h) */
    spec.groups = w->groups;
    spec.ngroups = w->ngroups;
    spec.group_nq = w->nq < 4 ? w->nq : 4;
    spec.progress = w->o->progress;
    spec.progress_arg = w->o->progress_arg;
    if (pf_forecast_simulate(&spec, &w->res, &why) != PF_OK)
        return pf_err_set(w->c.err, PF_EDATA, "", "cannot forecast run %lld: %s",
                          (long long)w->c.run->id, why ? why : "simulation failed");
    if (w->res->clipped && w->nch > 0) {
        snprintf(w->buf, sizeof w->buf, "the chains' covariance is not positive definite "
                 "(smallest eigenvalue %.3g): clipped to the nearest positive semi-definite "
                 "matrix", w->res->min_eig);
        pf_run_note_add(w->c.fc->res, false, "forecast_covariance", 0, w->buf);
    }
    return PF_OK;
}

/* Forecast fund i's fit, its bands, and its partners' calls and distributions (P50 and
 * P95 of the first four quarters: calls by their share of the unfunded, distributions
 * by interest). */
static void
fc_put_fund(struct fc_work *w, size_t i)
{
    static const size_t pk[2] = { 2, 4 }; /* p50, p95 */
    struct pf_forecast *fc = w->c.fc;
    const struct pf_ta_fit *ft = &w->fits[i];
    const struct fund_rows *fr = &w->c.fr[w->dsidx[i]];
    const char *F = w->fids[i];
    const char *dflt = ft->reason ? ft->reason : "defaults";
    size_t nq = w->nq, j, k, m;

    pf_run_value(fc->res, "forecast_fit", F, "*", "fitted", ft->fitted ? 1 : 0);
    pf_run_value(fc->res, "forecast_fit", F, "*", "quarters", (double)(ft->nobs / 3));
    pf_run_value(fc->res, "forecast_fit", F, "*", "residual", ft->residual);
    pf_run_value(fc->res, "forecast_fit", F, "growth", "value", ft->growth);
    pf_run_value(fc->res, "forecast_fit", F, "bow", "value", ft->bow);
    pf_run_value(fc->res, "forecast_fit", F, "call_scale", "value", ft->call_scale);
    if (ft->fitted) {
        pf_run_value(fc->res, "forecast_fit", F, "growth", "stderr", ft->se_growth);
        pf_run_value(fc->res, "forecast_fit", F, "bow", "stderr", ft->se_bow);
        pf_run_value(fc->res, "forecast_fit", F, "call_scale", "stderr", ft->se_scale);
    } else {
        pf_run_empty(fc->res, "forecast_fit", F, "growth", "stderr", dflt);
        pf_run_empty(fc->res, "forecast_fit", F, "bow", "stderr", dflt);
        pf_run_empty(fc->res, "forecast_fit", F, "call_scale", "stderr", dflt);
    }
    pf_run_value(fc->res, "forecast_fit", F, "life", "value", w->funds[i].p.life);
    pf_run_value(fc->res, "forecast_fit", F, "yield", "value", w->funds[i].p.yield);
    put_bands(fc, F, (const char *const *)w->labels, nq, w->res->fund, false, i);
    for (j = 0; j < fr->npart; j++) {
        const struct pf_result *r = &w->c.run->results[fr->part[j]];
        double interest = 0, cshare;
        value(&w->c, "partner", F, r->key, "interest", &interest);
        cshare = w->unfunded[i] > 0 ? (double)r->cents / (double)w->unfunded[i] : 0;
        for (k = 0; k < 4 && k < nq; k++)
            for (m = 0; m < 2; m++) {
                char key[400];
                snprintf(key, sizeof key, "%s|%s|calls|%s", r->key, w->labels[k],
                         pf_fc_pct_names[pk[m]]);
                fc_put_money(fc, "forecast_partner", F, key, "amount",
                             cshare * w->res->fund[pf_fc_fund_index(nq, i, 0, k, pk[m])]);
                snprintf(key, sizeof key, "%s|%s|distributions|%s", r->key, w->labels[k],
                         pf_fc_pct_names[pk[m]]);
                fc_put_money(fc, "forecast_partner", F, key, "amount",
                             interest * w->res->fund[pf_fc_fund_index(nq, i, 1, k, pk[m])]);
            }
    }
}

/* The forecast's results: its options, each fund, the portfolio's bands, and each
 * partner across its funds in CNY (path-wise sums, then percentiles). */
static void
fc_put_results(struct fc_work *w)
{
    static const size_t pk[2] = { 2, 4 }; /* p50, p95 */
    struct pf_forecast *fc = w->c.fc;
    const struct pf_forecast_opts *o = w->o;
    size_t nq = w->nq, gnq = nq < 4 ? nq : 4, i, k, m;

    pf_run_value(fc->res, "forecast_options", NULL, "*", "years", (double)o->years);
    pf_run_value(fc->res, "forecast_options", NULL, "*", "paths", (double)o->paths);
    pf_run_value(fc->res, "forecast_options", NULL, "*", "seed", (double)o->seed);
    if (o->has_target)
        pf_run_money(fc->res, "forecast_options", NULL, "*", "target_nav", o->target_nav);
    else
        pf_run_empty(fc->res, "forecast_options", NULL, "*", "target_nav", "no target given");
    for (i = 0; i < w->nf; i++)
        fc_put_fund(w, i);
    put_bands(fc, NULL, (const char *const *)w->labels, nq, w->res->portfolio, true, 0);
    for (i = 0; i < w->ngroups && w->res->group; i++)
        for (k = 0; k < gnq; k++)
            for (m = 0; m < 2; m++) {
                char key[400];
                snprintf(key, sizeof key, "%s|%s|calls|%s", w->gpartner[i], w->labels[k],
                         pf_fc_pct_names[pk[m]]);
                fc_put_money(fc, "forecast_partner", NULL, key, "amount",
                             w->res->group[pf_fc_group_index(gnq, i, 0, k, pk[m])]);
                snprintf(key, sizeof key, "%s|%s|distributions|%s", w->gpartner[i],
                         w->labels[k], pf_fc_pct_names[pk[m]]);
                fc_put_money(fc, "forecast_partner", NULL, key, "amount",
                             w->res->group[pf_fc_group_index(gnq, i, 1, k, pk[m])]);
            }
}

/* Pacing: new commitments each year so the P50 NAV reaches and holds the target X. */
static void
fc_pacing(struct fc_work *w)
{
    const struct pf_forecast_opts *o = w->o;
    size_t nq = w->nq, q;
    struct pf_ta_params dp;
    double *unit_c = pf_xcalloc(nq + 1, sizeof(double));
    double *unit_d = pf_xcalloc(nq + 1, sizeof(double));
    double *unit_n = pf_xcalloc(nq + 1, sizeof(double));
    double *uages = pf_xcalloc(nq + 2, sizeof(double));
    double *K = pf_xcalloc((size_t)o->years + 1, sizeof(double));
    double X = (double)o->target_nav;
    int y;

    pf_ta_defaults(&dp);
    for (q = 0; q <= nq; q++)
        uages[q] = (double)q / 4.0;
    /* NAV per unit of commitment, k quarters after committing: unit_n[k - 1] */
    pf_ta_project(&dp, 1.0, 0.0, uages, nq, unit_c, unit_d, unit_n);
    for (y = 1; y <= o->years; y++) {
        size_t t = 4 * (size_t)y; /* the year's last quarter, 1-based */
        double existing = w->res->portfolio[pf_fc_port_index(nq, 3, t - 1, 2)], have = existing;
        double per_unit = unit_n[3]; /* a new fund's NAV after its first year */
        int j2;
        char key[32];
        for (j2 = 1; j2 < y; j2++)
            have += K[j2] * unit_n[t - 4 * (size_t)(j2 - 1) - 1];
        K[y] = have < X && per_unit > 0 ? (X - have) / per_unit : 0;
        snprintf(key, sizeof key, "%s", w->labels[4 * (size_t)(y - 1)]);
        fc_put_money(w->c.fc, "forecast_pacing", NULL, key, "new_commitments", K[y]);
        fc_put_money(w->c.fc, "forecast_pacing", NULL, key, "nav_p50_existing", existing);
        fc_put_money(w->c.fc, "forecast_pacing", NULL, key, "nav_p50", have + K[y] * per_unit);
    }
    free(unit_c);
    free(unit_d);
    free(unit_n);
    free(uages);
    free(K);
}

static void
fc_work_release(struct fc_work *w)
{
    const struct pf_dataset *ds = w->c.ds;
    size_t i;

    if (w->labels)
        for (i = 0; i < w->nq; i++)
            free(w->labels[i]);
    free(w->labels);
    pf_map_release(&w->c.idx, NULL);
    pf_fc_result_free(w->res);
    free(w->funds);
    free(w->fits);
    free(w->fids);
    free(w->dsidx);
    if (w->gm)
        for (i = 0; i < ds->npartners; i++)
            free(w->gm[i].m);
    free(w->gm);
    free(w->groups);
    free(w->gpartner);
    if (w->c.fr)
        for (i = 0; i < ds->nfunds; i++) {
            free(w->c.fr[i].hist);
            free(w->c.fr[i].part);
            free(w->c.fr[i].cm);
        }
    free(w->c.fr);
    free(w->fx);
    free(w->unfunded);
    free(w->weights);
    free(w->ages);
    free(w->chains);
    free(w->sd);
    free(w->cov);
}

pf_status
pf_engine_forecast_compute(const struct pf_run *run, const struct pf_dataset *ds,
                           const struct pf_forecast_opts *o, struct pf_forecast **out,
                           struct pf_err *err)
{
    struct fc_work w;
    struct pf_forecast *fc;
    size_t nq = (size_t)o->years * 4, q;
    pf_status rc;

    *out = NULL;
    if (o->years < 1 || o->years > 50 || o->paths < 1 ||
        o->paths > PF_FORECAST_MAX_PATH_QUARTERS / nq)
        return pf_err_set(err, PF_EUSAGE, "", "forecast needs 1..50 years, at least one path "
                          "and at most %d paths x quarters (memory)",
                          PF_FORECAST_MAX_PATH_QUARTERS);
    fc = pf_forecast_new();
    memset(&w, 0, sizeof w);
    w.c.run = run;
    w.c.ds = ds;
    w.c.fc = fc;
    w.c.err = err;
    w.o = o;
    w.nq = nq;
    w.qe0 = pf_date_quarter_end(run->as_of);
    fc->run_id = run->id;
    fc->years = o->years;
    fc->paths = (int64_t)o->paths;
    fc->seed = (int64_t)o->seed;
    fc->has_target = o->has_target;
    fc->target_nav = o->target_nav;
    fc->engine = pf_xstrdup(PF_ENGINE_VERSION);
    fc_index_run(&w.c);
    /* quarters: the calendar quarters after the one holding the as-of date */
    w.labels = pf_xcalloc(nq, sizeof *w.labels);
    for (q = 0; q < nq; q++) {
        char l[16];
        quarter_label(pf_date_add_months_end(w.qe0, 3 * (int)(q + 1)), l, sizeof l);
        w.labels[q] = pf_xstrdup(l);
    }
    fc_chains(&w);
    if ((rc = fc_funds(&w)) != PF_OK)
        goto cleanup;
    fc_groups(&w);
    if ((rc = fc_simulate(&w)) != PF_OK)
        goto cleanup;
    fc_put_results(&w);
    if (o->has_target)
        fc_pacing(&w);
    *out = fc;
    fc = NULL;
cleanup:
    fc_work_release(&w);
    pf_forecast_free(fc);
    return rc;
}

pf_status
pf_engine_forecast(struct pf_store *st, int64_t run_id, const struct pf_forecast_opts *o,
                   struct pf_forecast **out, struct pf_err *err)
{
    struct pf_run *run = NULL;
    struct pf_dataset *ds = NULL;
    struct pf_forecast *fc = NULL;
    char digest[65], now[32];
    bool in_tx = false;
    pf_status rc;

    *out = NULL;
    if ((rc = pf_store_begin_read(st, err)) != PF_OK)
        goto cleanup;
    in_tx = true;
    if ((rc = pf_store_get_run(st, run_id, &run, err)) != PF_OK)
        goto cleanup;
    if ((rc = pf_store_load_dataset(st, run->batch, &ds, digest, err)) != PF_OK)
        goto cleanup;
    pf_store_rollback(st);
    in_tx = false;
    if ((rc = pf_engine_forecast_compute(run, ds, o, &fc, err)) != PF_OK)
        goto cleanup;
    fc->created_at = pf_xstrdup(pf_now_iso(now, sizeof now, NULL));
    if ((rc = pf_store_begin_write(st, err)) != PF_OK)
        goto cleanup;
    in_tx = true;
    if ((rc = pf_store_put_forecast(st, fc, err)) != PF_OK)
        goto cleanup;
    if ((rc = pf_store_commit(st, err)) != PF_OK)
        goto cleanup;
    in_tx = false;
    *out = fc;
    fc = NULL;
cleanup:
    if (in_tx)
        pf_store_rollback(st);
    pf_forecast_free(fc);
    pf_dataset_free(ds);
    pf_run_free(run);
    return rc;
}
