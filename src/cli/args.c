/* args: option parsing and data locations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "parkfund/banned.h"

static pf_status
parse(int argc, char **argv, struct pf_opt *opts, size_t nopts, char ***pos, size_t *npos,
      struct pf_err *err)
{
    size_t cap = 0, j;
    bool only_pos = false;
    int i;

    *pos = NULL;
    *npos = 0;
    for (i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1] != '\0') {
            const char *name = a + (a[1] == '-' ? 2 : 1);
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            bool found = false;
            if (strcmp(a, "-q") == 0)
                name = "quiet", len = 5;
            for (j = 0; j < nopts; j++) {
                if (strlen(opts[j].name) != len || strncmp(opts[j].name, name, len) != 0)
                    continue;
                found = true;
                if (opts[j].takes_value) {
                    if (eq)
                        opts[j].value = eq + 1;
                    else if (i + 1 < argc)
                        opts[j].value = argv[++i];
                    else {
                        free(*pos);
                        *pos = NULL;
                        return pf_err_set(err, PF_EUSAGE, "", "option '--%s' needs a value",
                                          opts[j].name);
                    }
                } else {
                    if (eq) {
                        free(*pos);
                        *pos = NULL;
                        return pf_err_set(err, PF_EUSAGE, "", "option '--%s' takes no value",
                                          opts[j].name);
                    }
                    opts[j].value = "1";
                }
                break;
            }
            if (!found) {
                free(*pos);
                *pos = NULL;
                return pf_err_set(err, PF_EUSAGE, "", "unknown option '%s'", a);
            }
            continue;
        }
        PF_GROW(*pos, *npos + 1, cap);
        (*pos)[(*npos)++] = a;
    }
    return PF_OK;
}

pf_status
pf_cli_parse(struct pf_ctx *ctx, int argc, char **argv, struct pf_opt *opts, size_t nopts,
             size_t max_pos, char ***pos, size_t *npos)
{
    pf_status rc = parse(argc, argv, opts, nopts, pos, npos, &ctx->err);
    const char *v;

    if (rc != PF_OK)
        return rc;
    if ((v = pf_cli_opt(opts, nopts, "db")))
        ctx->db = v;
    if (pf_cli_opt(opts, nopts, "quiet"))
        ctx->quiet = true;
    if (*npos > max_pos)
        return pf_err_set(&ctx->err, PF_EUSAGE, "", "unexpected argument '%s'",
                          (*pos)[max_pos]);
    return PF_OK;
}

const char *
pf_cli_opt(const struct pf_opt *opts, size_t nopts, const char *name)
{
    size_t i;
    for (i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].value;
    return NULL;
}

static bool
is_dir_with(const char *dir, const char *sub)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    return access(path, R_OK) == 0;
}

const char *
pf_cli_models_dir(struct pf_ctx *ctx)
{
    const char *env = getenv("PARKFUND_MODELS");
    if (ctx->models)
        return ctx->models;
    if (env && *env)
        return ctx->models = env;
    if (is_dir_with(PF_DATADIR "/models", "taxonomy"))
        return ctx->models = PF_DATADIR "/models";
    return ctx->models = PF_SRCDIR "/models";
}

const char *
pf_cli_reports_dir(struct pf_ctx *ctx)
{
    const char *env = getenv("PARKFUND_REPORTS");
    if (ctx->reports)
        return ctx->reports;
    if (env && *env)
        return ctx->reports = env;
    if (is_dir_with(PF_DATADIR "/reports", "manager.json"))
        return ctx->reports = PF_DATADIR "/reports";
    return ctx->reports = PF_SRCDIR "/reports";
}

pf_status
pf_cli_date(const char *s, const char *opt, pf_date *out, struct pf_err *err)
{
    const char *why;
    if (!pf_date_parse(s, out, &why))
        return pf_err_set(err, PF_EUSAGE, "", "option '--%s': '%s' %s", opt, s, why);
    return PF_OK;
}
