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

pf_status
pf_engine_forecast_compute(const struct pf_run *run, const struct pf_dataset *ds,
                           const struct pf_forecast_opts *o, struct pf_forecast **out,
                           struct pf_err *err)
{
    struct fc_ctx c;
    struct pf_forecast *fc = pf_forecast_new();
    struct pf_fc_fund *funds = NULL;
    struct pf_ta_fit *fits = NULL;
    struct pf_fc_result *res = NULL;
    struct pf_fc_spec spec;
    const char **chains = NULL, **fids = NULL;
    char **labels = NULL;
    double *cov = NULL, *weights = NULL, *ages = NULL, *sd = NULL, *fx = NULL;
    pf_cents *unfunded = NULL;
    size_t *dsidx = NULL;
    struct grp {
        struct pf_fc_member *m;
        size_t n, cap;
    } *gm = NULL;
    struct pf_fc_group *groups = NULL;
    const char **gpartner = NULL;
    size_t ngroups = 0;
    size_t nq = (size_t)o->years * 4, nch = 0, nf = 0, i, j, q;
    pf_date qe0 = pf_date_quarter_end(run->as_of);
    const char *why = NULL;
    pf_status rc = PF_OK;
    char buf[512];

    *out = NULL;
    memset(&c, 0, sizeof c);
    c.run = run;
    c.ds = ds;
    c.fc = fc;
    c.err = err;
    if (o->years < 1 || o->years > 50 || o->paths < 1 ||
        o->paths > PF_FORECAST_MAX_PATH_QUARTERS / nq) {
        pf_forecast_free(fc);
        return pf_err_set(err, PF_EUSAGE, "", "forecast needs 1..50 years, at least one path "
                          "and at most %d paths x quarters (memory)",
                          PF_FORECAST_MAX_PATH_QUARTERS);
    }
    fc->run_id = run->id;
    fc->years = o->years;
    fc->paths = (int64_t)o->paths;
    fc->seed = (int64_t)o->seed;
    fc->has_target = o->has_target;
    fc->target_nav = o->target_nav;
    fc->engine = pf_xstrdup(PF_ENGINE_VERSION);
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        char k[600];
        result_key(k, sizeof k, r->dimension, r->fund, r->key, r->metric);
        pf_map_put(&c.idx, k, (void *)r);
    }

    c.fr = pf_xcalloc(ds->nfunds + 1, sizeof *c.fr);
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        int fi;
        if (!r->fund || !r->has_value || !r->is_money)
            continue;
        if (strcmp(r->dimension, "chain") == 0 && strcmp(r->metric, "nav") == 0 && r->cents > 0) {
            if ((fi = pf_dataset_find_fund(ds, r->fund)) >= 0)
                c.fr[fi].chain_nav += (double)r->cents;
        } else if (strcmp(r->dimension, "partner") == 0 && strcmp(r->metric, "unfunded") == 0) {
            if ((fi = pf_dataset_find_fund(ds, r->fund)) >= 0) {
                PF_GROW(c.fr[fi].part, c.fr[fi].npart + 1, c.fr[fi].cpart);
                c.fr[fi].part[c.fr[fi].npart++] = i;
            }
        }
    }
    for (i = 0; i < ds->ncommitments; i++) {
        struct fund_rows *f = &c.fr[ds->commitments[i].fund];
        PF_GROW(f->cm, f->ncm + 1, f->ccm);
        f->cm[f->ncm++] = i;
    }
    for (i = 0; i < run->nrows; i++) {
        const struct pf_run_row *r = &run->rows[i];
        int fi;
        if (strcmp(r->tbl, "nav_history") || !r->fund || strcmp(r->fund, r->key) || !r->is_money)
            continue;
        if ((fi = pf_dataset_find_fund(ds, r->fund)) >= 0) {
            PF_GROW(c.fr[fi].hist, c.fr[fi].nhist + 1, c.fr[fi].chist);
            c.fr[fi].hist[c.fr[fi].nhist++] = i;
        }
    }

    /* quarters: the calendar quarters after the one holding the as-of date */
    labels = pf_xcalloc(nq, sizeof *labels);
    for (q = 0; q < nq; q++) {
        char l[16];
        quarter_label(pf_date_add_months_end(qe0, 3 * (int)(q + 1)), l, sizeof l);
        labels[q] = pf_xstrdup(l);
    }

    /* chains with risk figures (portfolio rows, in the run's order), their covariance */
    chains = pf_xcalloc(run->nresults + 1, sizeof *chains);
    sd = pf_xcalloc(run->nresults + 1, sizeof *sd);
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        if (!r->fund && strcmp(r->dimension, "chain") == 0 &&
            strcmp(r->metric, "stdev_return") == 0) {
            if (r->has_value && !r->is_money && isfinite(r->value)) {
                chains[nch] = r->key;
                sd[nch++] = r->value;
            } else {
                snprintf(buf, sizeof buf, "chain '%s' has no return volatility (%s): its "
                         "projects grow at their fund's rate without uncertainty", r->key,
                         r->reason ? r->reason : "no value");
                pf_run_note_add(fc->res, false, "forecast_chain", 0, buf);
            }
        }
    }
    cov = pf_xcalloc(nch * nch + 1, sizeof *cov);
    for (i = 0; i < nch; i++)
        for (j = i; j < nch; j++) {
            double rho = 0;
            if (i == j)
                rho = 1;
            else {
                char key[256];
                const char *a = chains[i], *b = chains[j];
                if (strcmp(a, b) > 0) {
                    const char *t = a;
                    a = b;
                    b = t;
                }
                snprintf(key, sizeof key, "%s|%s", a, b);
                if (!value(&c, "chain_corr", NULL, key, "correlation", &rho)) {
                    rho = 0;
                    {
                        snprintf(buf, sizeof buf, "chains '%s' have no correlation: taken as "
                                 "0", key);
                        pf_run_note_add(fc->res, false, "forecast_chain", 0, buf);
                    }
                }
            }
            cov[i * nch + j] = cov[j * nch + i] = rho * sd[i] * sd[j];
        }

    /* the funds */
    funds = pf_xcalloc(ds->nfunds + 1, sizeof *funds);
    fits = pf_xcalloc(ds->nfunds + 1, sizeof *fits);
    fids = pf_xcalloc(ds->nfunds + 1, sizeof *fids);
    dsidx = pf_xcalloc(ds->nfunds + 1, sizeof *dsidx);
    fx = pf_xcalloc(ds->nfunds + 1, sizeof *fx);
    unfunded = pf_xcalloc(ds->nfunds + 1, sizeof *unfunded);
    weights = pf_xcalloc(ds->nfunds * nch + 1, sizeof *weights);
    ages = pf_xcalloc(ds->nfunds * (nq + 1) + 1, sizeof *ages);
    for (i = 0; i < ds->nfunds; i++) {
        const struct pf_fund *fd = &ds->funds[i];
        const char *F = fd->fund_id;
        struct pf_fc_fund *ff = &funds[nf];
        pf_cents commitment = 0, nav = 0, unf = 0, cn;
        double total = 0, *hbuf = NULL;
        size_t nh, hmax;

        if (!money(&c, "fund", F, F, "nav", &nav) || !money(&c, "fund", F, F, "unfunded", &unf))
            continue; /* not in the run (incepted after the as-of date) */
        money(&c, "fund", F, F, "commitment", &commitment);
        if ((rc = fx_at(&c, fd->currency, run->as_of, &fx[nf])) != PF_OK)
            goto cleanup;
        fids[nf] = F;
        dsidx[nf] = i;
        unfunded[nf] = unf;
        pf_ta_defaults(&ff->p);
        if (nav < 0) {
            snprintf(buf, sizeof buf, "fund '%s' has a negative NAV at the as-of date: "
                     "projected from 0", F);
            pf_run_note_add(fc->res, false, "forecast_fund", 0, buf);
            nav = 0;
        }
        ff->unfunded = (double)unf;
        ff->nav = (double)nav;
        ff->fx = fx[nf];
        ff->ages = ages + nf * (nq + 1);
        for (q = 0; q <= nq; q++)
            ages[nf * (nq + 1) + q] =
                age_years(fd->inception, pf_date_add_months_end(qe0, 3 * (int)q));
        /* chain mix: the fund's NAV by chain, as shares of all its projects' NAV */
        ff->weight = weights + nf * nch;
        for (j = 0; j < nch; j++)
            if (money(&c, "chain", F, chains[j], "nav", &cn) && cn > 0)
                weights[nf * nch + j] = (double)cn;
        total = c.fr[i].chain_nav;
        for (j = 0; j < nch; j++)
            weights[nf * nch + j] = total > 0 ? weights[nf * nch + j] / total : 0;

        /* calibration on the fund's own quarterly history */
        hmax = 4 * 200;
        hbuf = pf_xcalloc(5 * (hmax + 1), sizeof *hbuf);
        nh = history(&c, &c.fr[i], fd->inception, hmax, hbuf, hbuf + (hmax + 1),
                     hbuf + 2 * (hmax + 1), hbuf + 3 * (hmax + 1), hbuf + 4 * (hmax + 1));
        {
            struct pf_ta_history h = { nh, hbuf, hbuf + (hmax + 1), hbuf + 2 * (hmax + 1),
                                       hbuf + 3 * (hmax + 1), hbuf + 4 * (hmax + 1),
                                       (double)commitment };
            pf_ta_calibrate(&ff->p, &h, &fits[nf]);
        }
        free(hbuf);
        if (!fits[nf].fitted && nh >= PF_TA_MIN_QUARTERS) {
            snprintf(buf, sizeof buf, "fund '%s': %s", F, fits[nf].reason);
            pf_run_note_add(fc->res, false, "forecast_fit", 0, buf);
        }
        ff->p.growth = fits[nf].growth;
        ff->p.bow = fits[nf].bow;
        ff->p.call_scale = fits[nf].call_scale;
        nf++;
    }

    /* partners across funds: one group per partner (data-set order, by id), its
     * members the funds it holds in fund order, weighted by its shares and the FX */
    gm = pf_xcalloc(ds->npartners + 1, sizeof *gm);
    for (i = 0; i < nf; i++) {
        const struct fund_rows *fr = &c.fr[dsidx[i]];
        for (j = 0; j < fr->npart; j++) {
            const struct pf_result *r = &run->results[fr->part[j]];
            struct grp *g;
            double interest = 0;
            int pi = pf_dataset_find_partner(ds, r->key);
            if (pi < 0)
                continue;
            g = &gm[pi];
            value(&c, "partner", fids[i], r->key, "interest", &interest);
            PF_GROW(g->m, g->n + 1, g->cap);
            g->m[g->n].fund = i;
            g->m[g->n].wcalls = (unfunded[i] > 0 ? (double)r->cents / (double)unfunded[i] : 0) *
                                fx[i];
            g->m[g->n].wdists = interest * fx[i];
            g->n++;
        }
    }
    groups = pf_xcalloc(ds->npartners + 1, sizeof *groups);
    gpartner = pf_xcalloc(ds->npartners + 1, sizeof *gpartner);
    for (i = 0; i < ds->npartners; i++)
        if (gm[i].n > 0) {
            groups[ngroups].m = gm[i].m;
            groups[ngroups].n = gm[i].n;
            gpartner[ngroups++] = ds->partners[i].partner_id;
        }

    memset(&spec, 0, sizeof spec);
    spec.funds = funds;
    spec.nfunds = nf;
    spec.nchains = nch;
    spec.nq = nq;
    spec.npaths = o->paths;
    spec.cov = cov;
    spec.seed = o->seed;
    spec.threads = 2; /* identical to one thread (forecast.h) */
    spec.groups = groups;
    spec.ngroups = ngroups;
    spec.group_nq = nq < 4 ? nq : 4;
    spec.progress = o->progress;
    spec.progress_arg = o->progress_arg;
    if (pf_forecast_simulate(&spec, &res, &why) != PF_OK) {
        rc = pf_err_set(err, PF_EDATA, "", "cannot forecast run %lld: %s", (long long)run->id,
                        why ? why : "simulation failed");
        goto cleanup;
    }
    if (res->clipped && nch > 0) {
        snprintf(buf, sizeof buf, "the chains' covariance is not positive definite (smallest "
                 "eigenvalue %.3g): clipped to the nearest positive semi-definite matrix",
                 res->min_eig);
        pf_run_note_add(fc->res, false, "forecast_covariance", 0, buf);
    }

    /* ---- results ---- */
    pf_run_value(fc->res, "forecast_options", NULL, "*", "years", (double)o->years);
    pf_run_value(fc->res, "forecast_options", NULL, "*", "paths", (double)o->paths);
    pf_run_value(fc->res, "forecast_options", NULL, "*", "seed", (double)o->seed);
    if (o->has_target)
        pf_run_money(fc->res, "forecast_options", NULL, "*", "target_nav", o->target_nav);
    else
        pf_run_empty(fc->res, "forecast_options", NULL, "*", "target_nav", "no target given");
    for (i = 0; i < nf; i++) {
        const struct pf_ta_fit *ft = &fits[i];
        const char *F = fids[i];
        const char *dflt = ft->reason ? ft->reason : "defaults";
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
        pf_run_value(fc->res, "forecast_fit", F, "life", "value", funds[i].p.life);
        pf_run_value(fc->res, "forecast_fit", F, "yield", "value", funds[i].p.yield);
        put_bands(fc, F, (const char *const *)labels, nq, res->fund, false, i);
        /* partners: calls by their share of the unfunded, distributions by interest */
        for (j = 0; j < c.fr[dsidx[i]].npart; j++) {
            const struct pf_result *r = &run->results[c.fr[dsidx[i]].part[j]];
            pf_cents pu = r->cents;
            double interest = 0, cshare;
            size_t k;
            value(&c, "partner", F, r->key, "interest", &interest);
            cshare = unfunded[i] > 0 ? (double)pu / (double)unfunded[i] : 0;
            for (k = 0; k < 4 && k < nq; k++) {
                static const size_t pk[2] = { 2, 4 }; /* p50, p95 */
                size_t m;
                for (m = 0; m < 2; m++) {
                    char key[400];
                    snprintf(key, sizeof key, "%s|%s|calls|%s", r->key, labels[k],
                             pf_fc_pct_names[pk[m]]);
                    fc_put_money(fc, "forecast_partner", F, key, "amount",
                              cshare * res->fund[pf_fc_fund_index(nq, i, 0, k, pk[m])]);
                    snprintf(key, sizeof key, "%s|%s|distributions|%s", r->key, labels[k],
                             pf_fc_pct_names[pk[m]]);
                    fc_put_money(fc, "forecast_partner", F, key, "amount",
                              interest * res->fund[pf_fc_fund_index(nq, i, 1, k, pk[m])]);
                }
            }
        }
    }
    put_bands(fc, NULL, (const char *const *)labels, nq, res->portfolio, true, 0);
    /* each partner across its funds, in CNY (path-wise sums, then percentiles) */
    for (i = 0; i < ngroups && res->group; i++) {
        size_t gnq = nq < 4 ? nq : 4, k, m;
        static const size_t pk[2] = { 2, 4 }; /* p50, p95 */
        for (k = 0; k < gnq; k++)
            for (m = 0; m < 2; m++) {
                char key[400];
                snprintf(key, sizeof key, "%s|%s|calls|%s", gpartner[i], labels[k],
                         pf_fc_pct_names[pk[m]]);
                fc_put_money(fc, "forecast_partner", NULL, key, "amount",
                          res->group[pf_fc_group_index(gnq, i, 0, k, pk[m])]);
                snprintf(key, sizeof key, "%s|%s|distributions|%s", gpartner[i], labels[k],
                         pf_fc_pct_names[pk[m]]);
                fc_put_money(fc, "forecast_partner", NULL, key, "amount",
                          res->group[pf_fc_group_index(gnq, i, 1, k, pk[m])]);
            }
    }

    /* ---- pacing: new commitments each year so the P50 NAV reaches and holds X ---- */
    if (o->has_target) {
        struct pf_ta_params dp;
        double *unit_c = pf_xcalloc(nq + 1, sizeof(double)), *unit_d = pf_xcalloc(nq + 1,
                                                                                sizeof(double));
        double *unit_n = pf_xcalloc(nq + 1, sizeof(double)), *uages = pf_xcalloc(nq + 2,
                                                                               sizeof(double));
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
            double existing = res->portfolio[pf_fc_port_index(nq, 3, t - 1, 2)], have = existing;
            double per_unit = unit_n[3]; /* a new fund's NAV after its first year */
            int j2;
            char key[32];
            for (j2 = 1; j2 < y; j2++)
                have += K[j2] * unit_n[t - 4 * (size_t)(j2 - 1) - 1];
            K[y] = have < X && per_unit > 0 ? (X - have) / per_unit : 0;
            snprintf(key, sizeof key, "%s", labels[4 * (size_t)(y - 1)]);
            fc_put_money(fc, "forecast_pacing", NULL, key, "new_commitments", K[y]);
            fc_put_money(fc, "forecast_pacing", NULL, key, "nav_p50_existing", existing);
            fc_put_money(fc, "forecast_pacing", NULL, key, "nav_p50", have + K[y] * per_unit);
        }
        free(unit_c);
        free(unit_d);
        free(unit_n);
        free(uages);
        free(K);
    }
    *out = fc;
    fc = NULL;
cleanup:
    if (labels)
        for (q = 0; q < nq; q++)
            free(labels[q]);
    free(labels);
    pf_map_release(&c.idx, NULL);
    pf_fc_result_free(res);
    free(funds);
    free(fits);
    free(fids);
    free(dsidx);
    if (gm)
        for (i = 0; i < ds->npartners; i++)
            free(gm[i].m);
    free(gm);
    free(groups);
    free(gpartner);
    if (c.fr)
        for (i = 0; i < ds->nfunds; i++) {
            free(c.fr[i].hist);
            free(c.fr[i].part);
            free(c.fr[i].cm);
        }
    free(c.fr);
    free(fx);
    free(unfunded);
    free(weights);
    free(ages);
    free(chains);
    free(sd);
    free(cov);
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
