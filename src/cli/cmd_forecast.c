/*
 * forecast: project a stored run's funds (SPEC §11), store the forecast with
 * the run, and print a summary; `show forecast[s]` and export's forecast rows
 * read it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parkfund/engine.h"
#include "parkfund/store.h"
#include "parkfund/banned.h"

static pf_status
parse_count(const char *s, const char *opt, long long lo, long long hi, long long *out,
            struct pf_err *err)
{
    char *end;
    long long v;
    if (!s)
        return PF_OK;
    v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return pf_err_set(err, PF_EUSAGE, "", "option '--%s': '%s' is not a whole number in "
                          "%lld..%lld", opt, s, lo, hi);
    *out = v;
    return PF_OK;
}

pf_status
cmd_forecast(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL },    { "run", true, NULL },
                             { "years", true, NULL }, { "paths", true, NULL },
                             { "seed", true, NULL },  { "target-nav", true, NULL },
                             { "quiet", false, NULL } };
    struct pf_store *st = NULL;
    struct pf_forecast *fc = NULL;
    struct pf_forecast_opts o;
    struct pf_progress prog;
    char **pos = NULL;
    size_t npos, i, nw = 0, nfunds = 0, nfit = 0;
    long long run = 0, years = 10, paths = 10000, seed = (long long)PF_FORECAST_DEFAULT_SEED;
    pf_status rc;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 7, 0, &pos, &npos)))
        goto cleanup;
    if ((rc = parse_count(opts[1].value, "run", 1, INT64_MAX, &run, &ctx->err)) ||
        (rc = parse_count(opts[2].value, "years", 1, 50, &years, &ctx->err)) ||
        (rc = parse_count(opts[3].value, "paths", 1, 1000000, &paths, &ctx->err)) ||
        (rc = parse_count(opts[4].value, "seed", 0, 4294967295LL, &seed, &ctx->err)))
        goto cleanup;
    if (paths * years * 4 > PF_FORECAST_MAX_PATH_QUARTERS) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "option '--paths': %lld paths x %lld "
                        "quarters is more than %d (memory)", paths, years * 4,
                        PF_FORECAST_MAX_PATH_QUARTERS);
        goto cleanup;
    }
    memset(&o, 0, sizeof o);
    o.years = (int)years;
    o.paths = (size_t)paths;
    o.seed = (unsigned long)seed;
    if (opts[5].value) {
        const char *why = NULL;
        if (!pf_money_parse(opts[5].value, &o.target_nav, &why) || o.target_nav <= 0) {
            rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "option '--target-nav': '%s' is not a "
                            "positive CNY amount (e.g. 5000000000.00)%s%s", opts[5].value,
                            why ? ": " : "", why ? why : "");
            goto cleanup;
        }
        o.has_target = true;
    }
    if ((rc = pf_store_open(ctx->db, 0, &st, &ctx->err)))
        goto cleanup;
    pf_progress_start(&prog, ctx, "forecast");
    o.progress = pf_progress_update;
    o.progress_arg = &prog;
    rc = pf_engine_forecast(st, (int64_t)run, &o, &fc, &ctx->err);
    pf_progress_end(&prog);
    if (rc)
        goto cleanup;
    for (i = 0; i < fc->res->nnotes; i++)
        if (nw++ < 20)
            fprintf(stderr, "parkfund: warning: %s\n", fc->res->notes[i].detail);
    if (nw > 20)
        fprintf(stderr, "parkfund: ... and %zu more warnings\n", nw - 20);
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        if (strcmp(r->dimension, "forecast_fit") == 0 && strcmp(r->metric, "fitted") == 0) {
            nfunds++;
            nfit += r->has_value && r->value == 1;
        }
    }
    printf("forecast %lld of run %lld: %d years, %lld paths, seed %lld%s; %zu funds, %zu "
           "calibrated on their history, %zu warnings\n", (long long)fc->id,
           (long long)fc->run_id, fc->years, (long long)fc->paths, (long long)fc->seed,
           fc->has_target ? ", with pacing" : "", nfunds, nfit, nw);
cleanup:
    pf_forecast_free(fc);
    pf_store_close(st);
    free(pos);
    return rc;
}

/* --- reading a forecast back --- */

pf_status
pf_cli_latest_forecast(struct pf_store *st, int64_t run_id, struct pf_forecast **out,
                       struct pf_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    pf_status rc;

    *out = NULL;
    if ((rc = pf_store_forecast_ids(st, run_id, &ids, &n, err)) == PF_OK && n > 0)
        rc = pf_store_get_forecast(st, ids[n - 1], out, err);
    free(ids);
    return rc;
}

pf_status
pf_cli_export_forecast(struct pf_store *st, struct pf_run *run, struct pf_err *err)
{
    struct pf_forecast *fc = NULL;
    size_t i;
    pf_status rc;

    if ((rc = pf_cli_latest_forecast(st, run->id, &fc, err)) != PF_OK || !fc)
        return rc;
    pf_run_value(run, "forecast_options", NULL, "*", "forecast_id", (double)fc->id);
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        if (!r->has_value)
            pf_run_empty(run, r->dimension, r->fund, r->key, r->metric, r->reason);
        else if (r->is_money)
            pf_run_money(run, r->dimension, r->fund, r->key, r->metric, r->cents);
        else
            pf_run_value(run, r->dimension, r->fund, r->key, r->metric, r->value);
    }
    pf_forecast_free(fc);
    return PF_OK;
}

static const struct pf_result *
get(const struct pf_forecast *fc, const char *dim, const char *fund, const char *key,
    const char *metric)
{
    size_t i;
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        if (strcmp(r->dimension, dim) == 0 && strcmp(r->key, key) == 0 &&
            strcmp(r->metric, metric) == 0 && !r->fund == !fund &&
            (!fund || strcmp(r->fund, fund) == 0))
            return r;
    }
    return NULL;
}

static void
cell(const struct pf_result *r, int money_units, char *buf, size_t n)
{
    if (!r || !r->has_value)
        snprintf(buf, n, "-");
    else if (r->is_money)
        snprintf(buf, n, "%.0f", (double)r->cents / 100.0);
    else if (money_units)
        snprintf(buf, n, "%.4f", r->value);
    else
        snprintf(buf, n, "%.4g", r->value);
}

static void
list_row(void *arg, const char *const *cols)
{
    (void)arg;
    printf("%-8s %-6s %-6s %-8s %-6s %-16s %s\n", cols[0], cols[1], cols[2], cols[3], cols[4],
           cols[5], cols[6]);
}

pf_status
pf_cli_show_forecast(struct pf_ctx *ctx, const char *run_opt, bool list)
{
    struct pf_store *st = NULL;
    struct pf_forecast *fc = NULL;
    int64_t *ids = NULL, run = 0;
    size_t n = 0, i;
    pf_status rc;
    char a[64], b[64], c2[64], d[64];

    if (run_opt) {
        char *end;
        run = strtoll(run_opt, &end, 10);
        if (*end || run <= 0)
            return pf_err_set(&ctx->err, PF_EUSAGE, "", "option '--run': '%s' is not a run "
                              "number", run_opt);
    }
    if ((rc = pf_store_open(ctx->db, PF_STORE_READONLY, &st, &ctx->err)))
        goto cleanup;
    if (list) {
        if ((rc = pf_store_forecast_ids(st, run, &ids, &n, &ctx->err)))
            goto cleanup;
        printf("%-8s %-6s %-6s %-8s %-6s %-16s %s\n", "forecast", "run", "years", "paths",
               "seed", "target_nav", "created");
        for (i = 0; i < n; i++) {
            const char *cols[7];
            char id[24], r[24], y[24], p[24], s[24], t[48];
            if ((rc = pf_store_get_forecast(st, ids[i], &fc, &ctx->err)))
                goto cleanup;
            snprintf(id, sizeof id, "%lld", (long long)fc->id);
            snprintf(r, sizeof r, "%lld", (long long)fc->run_id);
            snprintf(y, sizeof y, "%d", fc->years);
            snprintf(p, sizeof p, "%lld", (long long)fc->paths);
            snprintf(s, sizeof s, "%lld", (long long)fc->seed);
            if (fc->has_target)
                pf_money_format(fc->target_nav, t, sizeof t);
            else
                snprintf(t, sizeof t, "-");
            cols[0] = id; cols[1] = r; cols[2] = y; cols[3] = p; cols[4] = s; cols[5] = t;
            cols[6] = fc->created_at ? fc->created_at : "";
            list_row(NULL, cols);
            pf_forecast_free(fc);
            fc = NULL;
        }
        goto cleanup;
    }
    if (run == 0) {
        struct pf_run *r = NULL;
        if ((rc = pf_store_get_run(st, 0, &r, &ctx->err)))
            goto cleanup;
        run = r->id;
        pf_run_free(r);
    }
    if ((rc = pf_cli_latest_forecast(st, run, &fc, &ctx->err)))
        goto cleanup;
    if (!fc) {
        rc = pf_err_set(&ctx->err, PF_ENOINPUT, "", "no forecast of run %lld (run 'parkfund "
                        "forecast --run %lld')", (long long)run, (long long)run);
        goto cleanup;
    }
    printf("forecast %lld of run %lld: %d years, %lld paths, seed %lld\n\n", (long long)fc->id,
           (long long)fc->run_id, fc->years, (long long)fc->paths, (long long)fc->seed);
    printf("%-16s %-7s %-18s %-18s %-18s %-9s %s\n", "fund", "fitted", "G (se)", "B (se)",
           "call scale (se)", "residual", "quarters");
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        char g[160], bb[160], s[160];
        if (strcmp(r->dimension, "forecast_fit") || strcmp(r->metric, "fitted"))
            continue;
        cell(get(fc, "forecast_fit", r->fund, "growth", "value"), 1, a, sizeof a);
        cell(get(fc, "forecast_fit", r->fund, "growth", "stderr"), 1, b, sizeof b);
        snprintf(g, sizeof g, "%s (%s)", a, b);
        cell(get(fc, "forecast_fit", r->fund, "bow", "value"), 1, a, sizeof a);
        cell(get(fc, "forecast_fit", r->fund, "bow", "stderr"), 1, b, sizeof b);
        snprintf(bb, sizeof bb, "%s (%s)", a, b);
        cell(get(fc, "forecast_fit", r->fund, "call_scale", "value"), 1, a, sizeof a);
        cell(get(fc, "forecast_fit", r->fund, "call_scale", "stderr"), 1, b, sizeof b);
        snprintf(s, sizeof s, "%s (%s)", a, b);
        cell(get(fc, "forecast_fit", r->fund, "*", "residual"), 1, c2, sizeof c2);
        cell(get(fc, "forecast_fit", r->fund, "*", "quarters"), 0, d, sizeof d);
        printf("%-16s %-7s %-18s %-18s %-18s %-9s %s\n", r->fund, r->value == 1 ? "yes" : "no",
               g, bb, s, c2, d);
    }
    printf("\nportfolio (CNY)\n%-8s %14s %14s %14s %14s %14s %14s\n", "quarter", "calls p50",
           "distrib. p50", "net p50", "nav p5", "nav p50", "nav p95");
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        char q[16], key[64], v[6][32];
        size_t kl;
        const char *bar;
        static const char *const want[6][2] = { { "calls", "p50" }, { "distributions", "p50" },
                                                { "net_cash_flow", "p50" }, { "nav", "p5" },
                                                { "nav", "p50" }, { "nav", "p95" } };
        int k;
        kl = strlen(r->key);
        if (r->fund || strcmp(r->dimension, "forecast") || kl < 9 ||
            strcmp(r->key + kl - 9, "|calls|p5") != 0)
            continue;
        bar = strchr(r->key, '|');
        snprintf(q, sizeof q, "%.*s", (int)(bar - r->key), r->key);
        for (k = 0; k < 6; k++) {
            snprintf(key, sizeof key, "%s|%s|%s", q, want[k][0], want[k][1]);
            cell(get(fc, "forecast", NULL, key, "amount"), 0, v[k], sizeof v[k]);
        }
        printf("%-8s %14s %14s %14s %14s %14s %14s\n", q, v[0], v[1], v[2], v[3], v[4], v[5]);
    }
    if (fc->has_target) {
        printf("\npacing to a P50 NAV of %.0f CNY\n%-8s %16s %16s %16s\n",
               (double)fc->target_nav / 100.0, "from", "new commitments", "nav p50 before",
               "nav p50 after");
        for (i = 0; i < fc->res->nresults; i++) {
            const struct pf_result *r = &fc->res->results[i];
            if (strcmp(r->dimension, "forecast_pacing") || strcmp(r->metric, "new_commitments"))
                continue;
            cell(r, 0, a, sizeof a);
            cell(get(fc, "forecast_pacing", NULL, r->key, "nav_p50_existing"), 0, b, sizeof b);
            cell(get(fc, "forecast_pacing", NULL, r->key, "nav_p50"), 0, c2, sizeof c2);
            printf("%-8s %16s %16s %16s\n", r->key, a, b, c2);
        }
    }
cleanup:
    free(ids);
    pf_forecast_free(fc);
    pf_store_close(st);
    return rc;
}
