/* import: one all-or-nothing batch of input files (SPEC §4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parkfund/import.h"
#include "parkfund/model.h"
#include "parkfund/store.h"
#include "parkfund/banned.h"

pf_status
cmd_import(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL }, { "kind", true, NULL },
                             { "encoding", true, NULL }, { "dry-run", false, NULL },
                             { "quiet", false, NULL } };
    struct pf_store *st = NULL;
    struct pf_taxonomy *tax = NULL;
    struct pf_import_opts io;
    struct pf_import_result res;
    struct pf_progress prog;
    char **pos = NULL, dir[4096];
    size_t npos, total_read = 0, total_new = 0;
    pf_status rc;
    int k;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 5, SIZE_MAX, &pos, &npos)))
        goto cleanup;
    if (npos == 0) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "no files to import");
        goto cleanup;
    }
    snprintf(dir, sizeof dir, "%s/taxonomy", pf_cli_models_dir(ctx));
    if ((rc = pf_taxonomy_load_dir(dir, &tax, &ctx->err)))
        goto cleanup;
    if ((rc = pf_store_open(ctx->db, 0, &st, &ctx->err)))
        goto cleanup;
    memset(&io, 0, sizeof io);
    io.kind = opts[1].value;
    io.encoding = opts[2].value;
    io.dry_run = opts[3].value != NULL;
    io.tax = tax;
    pf_progress_start(&prog, ctx, "import");
    io.progress = pf_progress_update;
    io.progress_arg = &prog;
    rc = pf_import(st, (const char *const *)pos, npos, &io, &res, &ctx->err);
    pf_progress_end(&prog);
    if (rc)
        goto cleanup;
    if (res.already) {
        printf("already imported as batch %lld: nothing to do\n", (long long)res.batch);
        goto cleanup;
    }
    for (k = 0; k < PF_K_COUNT; k++) {
        if (res.rows_read[k] == 0)
            continue;
        printf("%-14s %9zu rows read %9zu new\n", pf_kinds[k].name, res.rows_read[k],
               res.rows_new[k]);
        total_read += res.rows_read[k];
        total_new += res.rows_new[k];
    }
    if (res.nothing_new)
        printf("nothing new: every row is stored already; no batch created\n");
    else if (io.dry_run)
        printf("dry run: %zu rows valid, %zu would be new; nothing written\n", total_read,
               total_new);
    else
        printf("imported batch %lld: %zu rows read, %zu new\n", (long long)res.batch,
               total_read, total_new);
cleanup:
    pf_store_close(st);
    pf_taxonomy_free(tax);
    free(pos);
    return rc;
}
