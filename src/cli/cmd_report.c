/* report: render a stored run as the manager's workbook and partner statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parkfund/model.h"
#include "parkfund/report.h"
#include "parkfund/store.h"
#include "parkfund/banned.h"

pf_status
cmd_report(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL },      { "run", true, NULL },
                             { "as-of", true, NULL },   { "out", true, NULL },
                             { "partner", true, NULL }, { "lang", true, NULL },
                             { "quiet", false, NULL },  { "unit", true, NULL },
                             { "jobs", true, NULL } };
    struct pf_store *st = NULL;
    struct pf_run *run = NULL;
    struct pf_dataset *ds = NULL;
    struct pf_corrections corr = { NULL, 0, NULL, 0 };
    struct pf_taxonomy *tax = NULL;
    struct pf_report_opts ro;
    struct pf_forecast *fc = NULL;
    struct pf_progress prog;
    char **pos = NULL, **files = NULL;
    size_t npos, nfiles = 0, i;
    int64_t id = 0;
    unsigned jobs = 0;
    pf_status rc;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 9, 0, &pos, &npos)))
        goto cleanup;
    if (opts[1].value && opts[2].value) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "give '--run' or '--as-of', not both");
        goto cleanup;
    }
    if (opts[1].value) {
        char *end;
        long long v = strtoll(opts[1].value, &end, 10);
        if (*end || v <= 0) {
            rc = pf_err_set(&ctx->err, PF_EUSAGE, "",
                            "option '--run': '%s' is not a run number", opts[1].value);
            goto cleanup;
        }
        id = v;
    }
    if (opts[5].value && strcmp(opts[5].value, "zh") != 0 && strcmp(opts[5].value, "en") != 0 &&
        strcmp(opts[5].value, "both") != 0) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "",
                        "option '--lang': '%s' is not zh, en or both", opts[5].value);
        goto cleanup;
    }
    if (opts[7].value && strcmp(opts[7].value, "yuan") != 0 &&
        strcmp(opts[7].value, "wan") != 0 && strcmp(opts[7].value, "yi") != 0) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "",
                        "option '--unit': '%s' is not yuan, wan or yi", opts[7].value);
        goto cleanup;
    }
    if (opts[8].value) {
        char *end;
        long long v = strtoll(opts[8].value, &end, 10);
        if (!*opts[8].value || *end || v <= 0 || v > 1024) {
            rc = pf_err_set(&ctx->err, PF_EUSAGE, "",
                            "option '--jobs': '%s' is not a number of processes (1 to 1024)",
                            opts[8].value);
            goto cleanup;
        }
        jobs = (unsigned)v;
    }
    if ((rc = pf_store_open(ctx->db, PF_STORE_READONLY, &st, &ctx->err)))
        goto cleanup;
    if (opts[2].value) {
        pf_date d;
        if ((rc = pf_cli_date(opts[2].value, "as-of", &d, &ctx->err)))
            goto cleanup;
        if ((rc = pf_store_run_by_as_of(st, d, &id, &ctx->err)))
            goto cleanup;
        if (id == 0) {
            rc = pf_err_set(&ctx->err, PF_ENOINPUT, "", "no run as of '%s' (run 'parkfund "
                            "close --as-of %s')", opts[2].value, opts[2].value);
            goto cleanup;
        }
    }
    /* one consistent snapshot of the run and the data it was computed from */
    if ((rc = pf_store_begin_read(st, &ctx->err)))
        goto cleanup;
    if (opts[4].value) {
        /* one statement: its partner's part of the data set, then only its funds' part
         * of the run, flow blocks packed as below (a statement reads nothing else) */
        struct pf_run *head = NULL;
        const char **funds = NULL;
        size_t nfunds = 0;
        rc = pf_store_get_run_head(st, id, &head, &ctx->err);
        if (rc == PF_OK)
            rc = pf_store_load_dataset_partner(st, head->batch, opts[4].value, &ds,
                                               &ctx->err);
        if (rc == PF_OK) {
            pf_report_partner_funds(ds, opts[4].value, &funds, &nfunds);
            rc = pf_store_get_run_packed(st, head->id, false, funds, nfunds, &run, &ctx->err);
        }
        free(funds);
        pf_run_free(head);
    } else {
        /* streamed (issue 12): here the run's header and notes, the data set's names;
         * the report reads the rest itself, each worker its files' part
         * (pf_report_opts.db) */
        rc = pf_store_get_run_funds(st, id, NULL, 0, &run, &ctx->err);
        if (rc == PF_OK)
            rc = pf_store_load_dataset_scope(st, run->batch, NULL, 0, NULL, 0, &ds, &ctx->err);
    }
    if (rc == PF_OK) /* the run's newest forecast, if any (SPEC §11) */
        rc = pf_cli_latest_forecast(st, run->id, &fc, &ctx->err);
    if (rc == PF_OK)
        rc = pf_store_load_corrections(st, run->batch, &corr, &ctx->err);
    pf_store_rollback(st);
    if (rc)
        goto cleanup;
    if (!ds->taxonomy_json) {
        rc = pf_err_set(&ctx->err, PF_EDATA, "", "batch %lld has no taxonomy stored",
                        (long long)run->batch);
        goto cleanup;
    }
    if ((rc = pf_taxonomy_load_json(ds->taxonomy_json, &tax, &ctx->err)))
        goto cleanup;
    memset(&ro, 0, sizeof ro);
    ro.out_dir = opts[3].value ? opts[3].value : "out";
    ro.partner = opts[4].value;
    ro.lang = opts[5].value ? opts[5].value : "both";
    ro.unit = opts[7].value;
    ro.defs_dir = pf_cli_reports_dir(ctx);
    ro.forecast = fc;
    ro.corrections = &corr;
    ro.jobs = jobs; /* 0: one per online core */
    ro.db = opts[4].value ? NULL : ctx->db;
    pf_progress_start(&prog, ctx, "report");
    ro.progress = pf_progress_update;
    ro.progress_arg = &prog;
    rc = pf_report_write(run, ds, tax, &ro, &files, &nfiles, &ctx->err);
    pf_progress_end(&prog);
    for (i = 0; i < nfiles; i++)
        printf("%s\n", files[i]);
cleanup:
    pf_corrections_release(&corr);
    for (i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    pf_taxonomy_free(tax);
    pf_dataset_free(ds);
    pf_forecast_free(fc);
    pf_run_free(run);
    pf_store_close(st);
    free(pos);
    return rc;
}
