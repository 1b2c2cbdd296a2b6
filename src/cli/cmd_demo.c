/*
 * gen and demo. demo is the README's first command: the alliance's sample
 * portfolio, generated, imported into a fresh database, closed at the latest
 * month-end and rendered, in seconds, ending with a summary and the paths.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "parkfund/engine.h"
#include "parkfund/gen.h"
#include "parkfund/import.h"
#include "parkfund/model.h"
#include "parkfund/report.h"
#include "parkfund/store.h"
#include "parkfund/banned.h"

static pf_status
parse_uint(const char *s, const char *opt, unsigned long max, unsigned long *out,
           struct pf_err *err)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-')
        return pf_err_set(err, PF_EUSAGE, "", "option '--%s': '%s' is not a number", opt,
                          s ? s : "");
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end || errno || v > max)
        return pf_err_set(err, PF_EUSAGE, "", "option '--%s': '%s' is not a number up to %lu",
                          opt, s, max);
    *out = (unsigned long)v;
    return PF_OK;
}

/* The last month-end strictly before today (UTC; PARKFUND_NOW pins it). */
static pf_date
last_month_end(void)
{
    char now[32];
    int64_t t;
    pf_date today;
    pf_now_iso(now, sizeof now, &t);
    today = (pf_date)(t / 86400);
    return pf_date_add_months_end(pf_date_month_end(today), -1);
}

static pf_status
load_taxonomy(struct pf_ctx *ctx, struct pf_taxonomy **tax)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/taxonomy", pf_cli_models_dir(ctx));
    return pf_taxonomy_load_dir(dir, tax, &ctx->err);
}

pf_status
cmd_gen(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "scale", true, NULL }, { "seed", true, NULL },
                             { "as-of", true, NULL }, { "quiet", false, NULL } };
    struct pf_taxonomy *tax = NULL;
    struct pf_gen_stats gs;
    struct pf_progress prog;
    char **pos = NULL;
    size_t npos, i;
    unsigned long scale = 1, seed = 1;
    pf_date as_of;
    pf_status rc;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 4, 1, &pos, &npos)))
        goto cleanup;
    if (npos != 1) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "name one output folder");
        goto cleanup;
    }
    if (!opts[0].value || !opts[1].value) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "options '--scale' and '--seed' are "
                        "required");
        goto cleanup;
    }
    if ((rc = parse_uint(opts[0].value, "scale", 10000, &scale, &ctx->err)))
        goto cleanup;
    if (scale == 0) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "option '--scale': must be at least 1");
        goto cleanup;
    }
    if ((rc = parse_uint(opts[1].value, "seed", 0xffffffffUL, &seed, &ctx->err)))
        goto cleanup;
    as_of = last_month_end();
    if (opts[2].value && (rc = pf_cli_date(opts[2].value, "as-of", &as_of, &ctx->err)))
        goto cleanup;
    if ((rc = load_taxonomy(ctx, &tax)))
        goto cleanup;
    pf_progress_start(&prog, ctx, "gen");
    rc = pf_gen_write(pos[0], (unsigned)scale, seed, as_of, tax, pf_progress_update, &prog, &gs,
                      &ctx->err);
    pf_progress_end(&prog);
    if (rc)
        goto cleanup;
    for (i = 0; pf_gen_files[i]; i++)
        printf("%s/%-20s %9zu rows\n", pos[0], pf_gen_files[i], gs.rows[i]);
    printf("wrote %zu rows\n", gs.total);
cleanup:
    pf_taxonomy_free(tax);
    free(pos);
    return rc;
}

static double
seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The demo's state, step by step (cmd_demo). */
struct demo {
    struct pf_ctx *ctx;
    const char *out;
    char *datadir, *db;
    struct pf_taxonomy *tax, *runtax;
    struct pf_store *st;
    struct pf_run *run;
    struct pf_dataset *ds;
    struct pf_corrections corr;
    struct pf_gen_stats gs;
    struct pf_import_result ir;
    char **files;
    size_t nfiles;
};

/* 2. a fresh database (and no -wal or -shm of an old one), one batch */
static pf_status
demo_import(struct demo *d)
{
    const char *paths[PF_GEN_NFILES];
    const char *const sides[] = { "-wal", "-shm" };
    struct pf_import_opts io;
    struct pf_progress prog;
    pf_status rc;
    size_t i;

    remove(d->db);
    for (i = 0; i < 2; i++) {
        char *side = pf_xasprintf("%s%s", d->db, sides[i]);
        remove(side);
        free(side);
    }
    if ((rc = pf_store_open(d->db, PF_STORE_CREATE, &d->st, &d->ctx->err)))
        return rc;
    for (i = 0; i < PF_GEN_NFILES; i++)
        paths[i] = pf_xasprintf("%s/%s", d->datadir, pf_gen_files[i]);
    memset(&io, 0, sizeof io);
    io.tax = d->tax;
    pf_progress_start(&prog, d->ctx, "import");
    io.progress = pf_progress_update;
    io.progress_arg = &prog;
    rc = pf_import(d->st, paths, PF_GEN_NFILES, &io, &d->ir, &d->ctx->err);
    pf_progress_end(&prog);
    for (i = 0; i < PF_GEN_NFILES; i++)
        free((char *)paths[i]);
    return rc;
}

/* 4. every report, from the stored run and the data it was computed from */
static pf_status
demo_report(struct demo *d)
{
    struct pf_report_opts ro;
    struct pf_progress prog;
    char digest[65];
    pf_status rc;

    if ((rc = pf_store_load_dataset(d->st, d->run->batch, &d->ds, digest, &d->ctx->err)) ||
        (rc = pf_store_load_corrections(d->st, d->run->batch, &d->corr, &d->ctx->err)) ||
        (rc = pf_taxonomy_load_json(d->ds->taxonomy_json, &d->runtax, &d->ctx->err)))
        return rc;
    memset(&ro, 0, sizeof ro);
    ro.out_dir = d->out;
    ro.lang = "both";
    ro.defs_dir = pf_cli_reports_dir(d->ctx);
    ro.corrections = &d->corr;
    pf_progress_start(&prog, d->ctx, "report");
    ro.progress = pf_progress_update;
    ro.progress_arg = &prog;
    rc = pf_report_write(d->run, d->ds, d->runtax, &ro, &d->files, &d->nfiles, &d->ctx->err);
    pf_progress_end(&prog);
    return rc;
}

/* The funds at a glance: one line each, from the stored run. */
static void
demo_funds(const struct demo *d)
{
    size_t f, i;

    printf("  %-10s %-4s %18s %18s %7s %8s\n", "fund", "ccy", "paid_in", "nav", "tvpi",
           "net_irr");
    for (f = 0; f < d->ds->nfunds; f++) {
        const char *F = d->ds->funds[f].fund_id;
        pf_cents pi = 0, nav = 0;
        double tvpi = 0, irr = 0;
        bool has_irr = false, has_tvpi = false;
        char a[32], b[32], c[16];
        for (i = 0; i < d->run->nresults; i++) {
            const struct pf_result *r = &d->run->results[i];
            if (!r->fund || strcmp(r->dimension, "fund") || strcmp(r->fund, F) ||
                strcmp(r->key, F))
                continue;
            if (!strcmp(r->metric, "paid_in"))
                pi = r->cents;
            else if (!strcmp(r->metric, "nav"))
                nav = r->cents;
            else if (!strcmp(r->metric, "tvpi") && r->has_value)
                tvpi = r->value, has_tvpi = true;
            else if (!strcmp(r->metric, "net_irr") && r->has_value)
                irr = r->value, has_irr = true;
        }
        if (has_irr)
            snprintf(c, sizeof c, "%.2f%%", irr * 100);
        else
            snprintf(c, sizeof c, "-");
        printf("  %-10s %-4s %18s %18s %6.2fx %8s\n", F, d->ds->funds[f].currency,
               pf_money_format(pi, a, sizeof a), pf_money_format(nav, b, sizeof b),
               has_tvpi ? tvpi : 0.0, c);
    }
}

pf_status
cmd_demo(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "out", true, NULL }, { "scale", true, NULL },
                             { "seed", true, NULL }, { "quiet", false, NULL },
                             { "as-of", true, NULL } };
    struct demo d;
    struct pf_close_opts co;
    struct pf_progress prog;
    char **pos = NULL;
    size_t npos, i;
    unsigned long scale = 1, seed = 2024;
    double t0 = seconds(), t_gen, t_imp, t_close, t_rep;
    char day[16];
    pf_status rc;

    memset(&d, 0, sizeof d);
    d.ctx = ctx;
    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 5, 0, &pos, &npos)))
        goto cleanup;
    d.out = opts[0].value ? opts[0].value : "out";
    if (opts[1].value && (rc = parse_uint(opts[1].value, "scale", 10000, &scale, &ctx->err)))
        goto cleanup;
    if (scale == 0) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "option '--scale': must be at least 1");
        goto cleanup;
    }
    if (opts[2].value && (rc = parse_uint(opts[2].value, "seed", 0xffffffffUL, &seed,
                                          &ctx->err)))
        goto cleanup;
    memset(&co, 0, sizeof co);
    co.as_of = last_month_end();
    if (opts[4].value && (rc = pf_cli_date(opts[4].value, "as-of", &co.as_of, &ctx->err)))
        goto cleanup;
    co.benchmark = "csi300";
    if (mkdir(d.out, 0777) != 0 && errno != EEXIST) {
        rc = pf_err_set(&ctx->err, PF_EIO, "", "cannot create '%s': %s", d.out,
                        strerror(errno));
        goto cleanup;
    }
    d.datadir = pf_xasprintf("%s/demo-data", d.out);
    d.db = pf_xasprintf("%s/demo.db", d.out);
    if ((rc = load_taxonomy(ctx, &d.tax)))
        goto cleanup;

    /* 1. generate */
    pf_progress_start(&prog, ctx, "generate");
    rc = pf_gen_write(d.datadir, (unsigned)scale, seed, co.as_of, d.tax, pf_progress_update,
                      &prog, &d.gs, &ctx->err);
    pf_progress_end(&prog);
    if (rc)
        goto cleanup;
    t_gen = seconds();
    if ((rc = demo_import(&d)))
        goto cleanup;
    t_imp = seconds();

    /* 3. close the latest month-end */
    pf_progress_start(&prog, ctx, "close");
    co.progress = pf_progress_update;
    co.progress_arg = &prog;
    rc = pf_engine_close(d.st, &co, &d.run, &ctx->err);
    pf_progress_end(&prog);
    if (rc)
        goto cleanup;
    t_close = seconds();
    if ((rc = demo_report(&d)))
        goto cleanup;
    t_rep = seconds();

    printf("parkfund demo: the park alliance portfolio (scale %lu, seed %lu), as of %s\n\n",
           scale, seed, pf_date_format(co.as_of, day, sizeof day));
    printf("  %-34s %10zu rows in %s/\n", "generated", d.gs.total, d.datadir);
    printf("  %-34s %10zu rows, batch %lld\n", "imported into", d.gs.total,
           (long long)d.ir.batch);
    printf("  %-34s %s\n", "database", d.db);
    printf("  %-34s run %lld, %zu results\n", "closed", (long long)d.run->id, d.run->nresults);
    printf("  %-34s %zu workbooks in %s/\n\n", "reports", d.nfiles, d.out);
    demo_funds(&d);
    printf("\n  manager's workbook: %s\n", d.nfiles ? d.files[0] : "");
    printf("  partner statements: %s/statement-*.xlsx\n", d.out);
    printf("  took %.2f s (generate %.2f, import %.2f, close %.2f, report %.2f)\n",
           t_rep - t0, t_gen - t0, t_imp - t_gen, t_close - t_imp, t_rep - t_close);
    printf("\n  next: parkfund --db %s show funds | verify | export --run %lld\n", d.db,
           (long long)d.run->id);
cleanup:
    pf_corrections_release(&d.corr);
    for (i = 0; i < d.nfiles; i++)
        free(d.files[i]);
    free(d.files);
    pf_run_free(d.run);
    pf_dataset_free(d.ds);
    pf_taxonomy_free(d.runtax);
    pf_taxonomy_free(d.tax);
    pf_store_close(d.st);
    free(d.datadir);
    free(d.db);
    free(pos);
    return rc;
}
