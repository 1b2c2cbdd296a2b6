/* init: the only command that creates a database (and its schema). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parkfund/import.h"
#include "parkfund/model.h"
#include "parkfund/store.h"
#include "parkfund/banned.h"

pf_status
cmd_init(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL }, { "quiet", false, NULL } };
    struct pf_store *st = NULL;
    char **pos = NULL;
    size_t npos;
    pf_status rc;

    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 2, 0, &pos, &npos)))
        goto cleanup;
    if ((rc = pf_store_open(ctx->db, PF_STORE_CREATE, &st, &ctx->err)))
        goto cleanup;
    fprintf(stderr, "parkfund: database '%s' ready (schema version %d)\n", ctx->db,
            pf_store_schema_version(st));
cleanup:
    pf_store_close(st);
    free(pos);
    return rc;
}
