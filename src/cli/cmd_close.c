/* close, verify and export: the run life cycle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parkfund/engine.h"
#include "parkfund/export.h"
#include "parkfund/store.h"
#include "parkfund/banned.h"

static pf_status
parse_run(const char *s, int64_t *id, struct pf_err *err)
{
    char *end;
    long long v;
    if (!s) {
        *id = 0;
        return PF_OK;
    }
    v = strtoll(s, &end, 10);
    if (*end || v <= 0)
        return pf_err_set(err, PF_EUSAGE, "", "option '--run': '%s' is not a run number", s);
    *id = v;
    return PF_OK;
}

pf_status
cmd_close(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL }, { "as-of", true, NULL },
                             { "benchmark", true, NULL }, { "quiet", false, NULL },
                             { "timings", false, NULL } };
    struct pf_store *st = NULL;
    struct pf_run *run = NULL;
    struct pf_close_opts co;
    struct pf_close_timings tm;
    struct pf_progress prog;
    char **pos = NULL;
    size_t npos, i, nw = 0, nc = 0;
    pf_status rc;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 5, 0, &pos, &npos)))
        goto cleanup;
    memset(&co, 0, sizeof co);
    memset(&tm, 0, sizeof tm);
    if (opts[4].value)
        co.timings = &tm;
    if (!opts[1].value) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "option '--as-of' is required");
        goto cleanup;
    }
    if ((rc = pf_cli_date(opts[1].value, "as-of", &co.as_of, &ctx->err)))
        goto cleanup;
    co.benchmark = opts[2].value;
    if ((rc = pf_store_open(ctx->db, 0, &st, &ctx->err)))
        goto cleanup;
    pf_progress_start(&prog, ctx, "close");
    co.progress = pf_progress_update;
    co.progress_arg = &prog;
    rc = pf_engine_close(st, &co, &run, &ctx->err);
    pf_progress_end(&prog);
    if (rc)
        goto cleanup;
    for (i = 0; i < run->nnotes; i++) {
        if (run->notes[i].is_check) {
            nc++;
            continue;
        }
        if (nw++ < 20)
            fprintf(stderr, "parkfund: warning: %s\n", run->notes[i].detail);
    }
    if (nw > 20)
        fprintf(stderr, "parkfund: ... and %zu more warnings (see the Audit sheet)\n", nw - 20);
    printf("run %lld: as of %s, batch %lld, %zu results, %zu checks passed, %zu warnings\n",
           (long long)run->id, opts[1].value, (long long)run->batch, run->nresults, nc, nw);
    /* for benchmarks (make bench): the three phases, wall and CPU seconds */
    if (co.timings)
        fprintf(stderr, "parkfund: timings: load_s=%.3f compute_s=%.3f store_s=%.3f "
                "load_cpu_s=%.3f compute_cpu_s=%.3f store_cpu_s=%.3f\n", tm.wall[0],
                tm.wall[1], tm.wall[2], tm.cpu[0], tm.cpu[1], tm.cpu[2]);
cleanup:
    pf_run_free(run);
    pf_store_close(st);
    free(pos);
    return rc;
}

static void
print_diff(void *arg, const struct pf_diff *d)
{
    size_t *shown = arg;
    if ((*shown)++ < 200)
        printf("run %lld: %s\n    stored:     %s\n    recomputed: %s\n", (long long)d->run,
               d->what, d->stored, d->recomputed);
}

static void
print_problem(void *arg, const char *problem)
{
    (void)arg;
    printf("integrity: %s\n", problem);
}

pf_status
cmd_verify(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL }, { "run", true, NULL },
                             { "quiet", false, NULL } };
    struct pf_store *st = NULL;
    char **pos = NULL;
    size_t npos, nruns = 0, ndiff = 0, shown = 0, nprob = 0;
    int64_t id, nbatches = 0;
    char head[65];
    pf_status rc;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 3, 0, &pos, &npos)))
        goto cleanup;
    if ((rc = parse_run(opts[1].value, &id, &ctx->err)))
        goto cleanup;
    if ((rc = pf_store_open(ctx->db, PF_STORE_READONLY, &st, &ctx->err)))
        goto cleanup;
    /* the stored input first: every batch's rows against its seal (README) */
    if (pf_store_schema_version(st) < 2) {
        printf("batches not sealed: the database predates seals (schema version %d); open "
               "it for writing once (e.g. 'parkfund init') to seal them\n",
               pf_store_schema_version(st));
    } else {
        if ((rc = pf_store_verify_seals(st, print_problem, NULL, &nprob, &nbatches, head,
                                        &ctx->err)))
            goto cleanup;
    }
    rc = pf_engine_verify(st, id, print_diff, &shown, &nruns, &ndiff, &ctx->err);
    if (nprob && (rc == PF_OK || rc == PF_ENOINPUT)) {
        /* the runs' differences (if any) are printed; the batches' problems decide */
        rc = pf_err_set(&ctx->err, PF_EMISMATCH, "", "verification failed: %zu problem%s "
                        "with the stored data%s", nprob, nprob == 1 ? "" : "s",
                        ndiff ? " and differences in the runs" : "");
        goto cleanup;
    }
    if (rc)
        goto cleanup;
    if (ndiff) {
        if (shown > 200)
            printf("... and %zu more differences\n", shown - 200);
        rc = pf_err_set(&ctx->err, PF_EMISMATCH, "", "verification failed: %zu difference%s "
                        "in %zu run%s", ndiff, ndiff == 1 ? "" : "s", nruns,
                        nruns == 1 ? "" : "s");
        goto cleanup;
    }
    printf("verified %zu run%s: every figure reproduces exactly\n", nruns, nruns == 1 ? "" : "s");
    if (nbatches)
        printf("verified %lld batch%s against their seals (chain head %s)\n",
               (long long)nbatches, nbatches == 1 ? "" : "es", head);
cleanup:
    pf_store_close(st);
    free(pos);
    return rc;
}

pf_status
cmd_export(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL }, { "run", true, NULL }, { "out", true, NULL },
                             { "quiet", false, NULL } };
    struct pf_store *st = NULL;
    struct pf_run *run = NULL;
    char **pos = NULL, *tmp = NULL;
    size_t npos;
    int64_t id;
    FILE *f = NULL;
    pf_status rc;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 4, 0, &pos, &npos)))
        goto cleanup;
    if ((rc = parse_run(opts[1].value, &id, &ctx->err)))
        goto cleanup;
    if ((rc = pf_store_open(ctx->db, PF_STORE_READONLY, &st, &ctx->err)))
        goto cleanup;
    if ((rc = pf_store_get_run(st, id, &run, &ctx->err)))
        goto cleanup;
    if ((rc = pf_cli_export_forecast(st, run, &ctx->err))) /* the run's newest forecast */
        goto cleanup;
    if (opts[2].value && strcmp(opts[2].value, "-") != 0) {
        /* write beside and rename: a reader never sees half a file */
        char *dir = pf_xstrdup(opts[2].value), *slash = strrchr(dir, '/');
        if (slash)
            slash[slash == dir ? 1 : 0] = '\0';
        pf_tmp_sweep(slash ? dir : "."); /* what a killed export left */
        free(dir);
        tmp = pf_tmp_path(opts[2].value);
        if (!(f = fopen(tmp, "wb"))) {
            rc = pf_err_set(&ctx->err, PF_EIO, "", "cannot write '%s': %s", tmp,
                            strerror(errno));
            goto cleanup;
        }
        if ((rc = pf_export_json(run, f, opts[2].value, &ctx->err)))
            goto cleanup;
        if (fclose(f) != 0) {
            f = NULL;
            rc = pf_err_set(&ctx->err, PF_EIO, "", "cannot write '%s': %s", tmp,
                            strerror(errno));
            goto cleanup;
        }
        f = NULL;
        if (rename(tmp, opts[2].value) != 0) {
            rc = pf_err_set(&ctx->err, PF_EIO, "", "cannot write '%s': %s", opts[2].value,
                            strerror(errno));
            goto cleanup;
        }
        fprintf(stderr, "parkfund: wrote run %lld to '%s'\n", (long long)run->id,
                opts[2].value);
    } else {
        rc = pf_export_json(run, stdout, "(stdout)", &ctx->err);
    }
cleanup:
    if (f) {
        fclose(f);
        remove(tmp);
    }
    free(tmp);
    pf_run_free(run);
    pf_store_close(st);
    free(pos);
    return rc;
}
