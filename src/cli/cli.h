/*
 * cli: the parkfund program. The only layer that prints or exits; it reaches
 * the engine only through include/parkfund/ headers. Messages go to stderr
 * ("parkfund: <problem first, subject in quotes>"), data to stdout.
 */
#ifndef PARKFUND_CLI_H
#define PARKFUND_CLI_H

#include "parkfund/util.h"

struct pf_ctx {
    const char *db;      /* --db, $PARKFUND_DB, "parkfund.db" */
    const char *models;  /* --models, $PARKFUND_MODELS, installed or source tree */
    const char *reports; /* report definitions folder */
    bool quiet;          /* -q: no progress */
    struct pf_err err;
};

struct pf_cmd {
    const char *name;
    const char *usage;   /* first line of --help */
    const char *help;    /* the rest */
    pf_status (*run)(struct pf_ctx *ctx, int argc, char **argv);
};

/*
 * A small option parser: "--name value", "--name=value", flags, and
 * positionals; "--" ends options. Options named "db" and "quiet", when the
 * command lists them, set ctx->db and ctx->quiet here; more than max_pos
 * positionals is a usage error naming the first extra one.
 */
struct pf_opt {
    const char *name;
    bool takes_value;
    const char *value;  /* OUT: value, or "1" for a seen flag, NULL if absent */
};
pf_status pf_cli_parse(struct pf_ctx *ctx, int argc, char **argv, struct pf_opt *opts,
                       size_t nopts, size_t max_pos, char ***pos, size_t *npos);
const char *pf_cli_opt(const struct pf_opt *opts, size_t nopts, const char *name);

/* Where the models and report definitions live. Borrowed strings. */
const char *pf_cli_models_dir(struct pf_ctx *ctx);
const char *pf_cli_reports_dir(struct pf_ctx *ctx);

/* A progress bar on stderr, only when stderr is a terminal and not -q. */
struct pf_progress {
    const char *label;
    bool on;
    int last;
};
void pf_progress_start(struct pf_progress *p, struct pf_ctx *ctx, const char *label);
void pf_progress_update(void *p, size_t done, size_t total);
void pf_progress_end(struct pf_progress *p);

pf_status pf_cli_date(const char *s, const char *opt, pf_date *out, struct pf_err *err);

pf_status cmd_init(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_import(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_close(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_report(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_verify(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_export(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_show(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_demo(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_gen(struct pf_ctx *ctx, int argc, char **argv);
pf_status cmd_forecast(struct pf_ctx *ctx, int argc, char **argv);

/* forecast (cmd_forecast.c): the newest forecast of a run (*out NULL if none);
 * append it to a run's results for export (a forecast_options/forecast_id row,
 * then its rows); `show forecast` (the newest of --run, default the newest run)
 * and `show forecasts` (the list). */
struct pf_store;
struct pf_forecast;
struct pf_run;
pf_status pf_cli_latest_forecast(struct pf_store *st, int64_t run_id, struct pf_forecast **out,
                                 struct pf_err *err);
pf_status pf_cli_export_forecast(struct pf_store *st, struct pf_run *run, struct pf_err *err);
pf_status pf_cli_show_forecast(struct pf_ctx *ctx, const char *run_opt, bool list);

#endif
