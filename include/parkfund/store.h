/*
 * store: the SQLite database, and the only module that includes sqlite3.h.
 * Opening applies the embedded migrations (PRAGMA user_version), turns foreign
 * keys on, uses WAL with synchronous=FULL and a busy timeout. Writers take
 * BEGIN IMMEDIATE, so a second writer waits and then fails with PF_EBUSY (exit
 * 75) rather than deadlocking. Facts are append-only: triggers refuse UPDATE
 * and DELETE, whoever issues them.
 *
 * Memory rule: pf_store_open's store is closed with pf_store_close (NULL ok).
 * Datasets and runs returned here are freed with pf_dataset_free / pf_run_free.
 * Row values handed to callbacks are borrowed for the duration of the call.
 */
#ifndef PARKFUND_STORE_H
#define PARKFUND_STORE_H

#include "parkfund/model.h"
#include "parkfund/util.h"

struct pf_store;

enum pf_store_flags {
    PF_STORE_CREATE = 1 << 0,   /* create the file if missing (init) */
    PF_STORE_READONLY = 1 << 1, /* no migrations, no writes */
};

/*
 * Open (and, with PF_STORE_CREATE, create) the database at path and bring its
 * schema up to date. A missing file without PF_STORE_CREATE is PF_ENOINPUT with
 * a hint to run 'parkfund init'. A database newer than this binary is PF_EDATA.
 * Only parkfund's databases open: PRAGMA application_id (or, for one made before
 * migration 0002, its schema); anything else, or an empty file without
 * PF_STORE_CREATE, is PF_ENOINPUT. A file this call created is removed when it
 * fails. PF_STORE_READONLY opens without migrating (an older schema is read as it
 * is) and, when the database's folder cannot be written, immutable (no -shm).
 */
pf_status pf_store_open(const char *path, unsigned flags, struct pf_store **out,
                        struct pf_err *err);
void pf_store_close(struct pf_store *st);
/* Was a read-only open made immutable (its folder cannot be written: an archive)? */
bool pf_store_immutable(const struct pf_store *st);
int pf_store_schema_version(const struct pf_store *st);
const char *pf_store_path(const struct pf_store *st);

/* Transactions. begin_write is BEGIN IMMEDIATE (PF_EBUSY when the lock cannot be
 * had within the busy timeout); begin_read is a deferred BEGIN giving one
 * consistent snapshot for a close or a report. */
pf_status pf_store_begin_write(struct pf_store *st, struct pf_err *err);
pf_status pf_store_begin_read(struct pf_store *st, struct pf_err *err);
pf_status pf_store_commit(struct pf_store *st, struct pf_err *err);
void pf_store_rollback(struct pf_store *st);
/* The busy timeout in milliseconds (default 5000, env PARKFUND_BUSY_TIMEOUT_MS). */
void pf_store_set_busy_timeout(struct pf_store *st, int ms);

/* ---- batches ---- */
/* *batch = id of the batch with this digest, or 0. */
pf_status pf_store_batch_by_digest(struct pf_store *st, const char *digest, int64_t *batch,
                                   struct pf_err *err);
/* *batch = newest batch id, 0 when nothing was imported. */
pf_status pf_store_last_batch(struct pf_store *st, int64_t *batch, struct pf_err *err);
/* Store the taxonomy text (by version) if new; *id its row. */
pf_status pf_store_put_taxonomy(struct pf_store *st, const char *version, const char *json,
                                int64_t *id, struct pf_err *err);
/* The taxonomy JSON in force at batch (caller frees *json); NULL when none. */
pf_status pf_store_taxonomy_at(struct pf_store *st, int64_t batch, char **json,
                               struct pf_err *err);
pf_status pf_store_new_batch(struct pf_store *st, const char *digest, int64_t taxonomy_id,
                             const char *created_at, int64_t *batch, struct pf_err *err);
pf_status pf_store_finish_batch(struct pf_store *st, int64_t batch, int64_t rows_read,
                                int64_t rows_new, struct pf_err *err);
pf_status pf_store_add_batch_file(struct pf_store *st, int64_t batch, int seq, const char *name,
                                  const char *kind, const char *sha256, int64_t rows_read,
                                  int64_t rows_new, struct pf_err *err);

/* ---- seals (tamper evidence, README "Tamper evidence") ---- */
/*
 * A new batch is open: refuse (PF_EDATA, rows named) when any row is stored
 * under its id or a later one already, i.e. slipped in by another SQLite client
 * for the next import to adopt. Also starts the batch's seal sums.
 */
pf_status pf_store_check_open_batch(struct pf_store *st, int64_t batch, struct pf_err *err);
/*
 * Seal the open batch inside the import's transaction, after its last row and
 * batch_file row: per kind, the count and digest of the rows pf_store_put_row*
 * inserted, then the '(batch)' seal chained to the previous batch's.
 */
pf_status pf_store_seal_batch(struct pf_store *st, int64_t batch, struct pf_err *err);
/*
 * Recompute every seal from the stored rows and compare. fn receives one
 * message per problem (rows under no batch, a kind whose rows do not match its
 * seal with those rows named, a batch record or chain that does not match);
 * *nproblems counts them. head receives the newest batch's chain digest ("" with
 * no batch): an auditor who wrote it down can tell later whether history changed.
 */
pf_status pf_store_verify_seals(struct pf_store *st, void (*fn)(void *arg, const char *problem),
                                void *arg, size_t *nproblems, int64_t *nbatches,
                                char head[65], struct pf_err *err);

/* ---- rows (canonical strings, see model.h pf_kind_def) ---- */
/*
 * Insert one row of kind k brought by batch. vals[i] follows pf_kinds[k].fields;
 * NULL for absent optional fields. Constraint violations come back as PF_EDATA
 * with SQLite's message; the caller validated, so they indicate a bug or a race.
 */
pf_status pf_store_put_row(struct pf_store *st, enum pf_kind k, int64_t batch,
                           const char *const *vals, struct pf_err *err);
/*
 * The same, but a row whose identity (or another unique key) is stored already
 * is left alone: *inserted says which happened. The fast path for facts: one
 * B-tree probe instead of a lookup and an insert.
 */
pf_status pf_store_put_row_if_new(struct pf_store *st, enum pf_kind k, int64_t batch,
                                  const char *const *vals, bool *inserted, struct pf_err *err);
/*
 * Look up the latest stored row of kind k with the identity vals[0..nkey).
 * On a hit *found = true, got[] receives canonical strings (caller frees each
 * non-NULL entry) and *got_batch the row's batch.
 */
pf_status pf_store_get_row(struct pf_store *st, enum pf_kind k, const char *const *key,
                           bool *found, char **got, int64_t *got_batch, struct pf_err *err);
/* Call fn for the latest version of every reference record of kind k. */
pf_status pf_store_each_ref(struct pf_store *st, enum pf_kind k,
                            void (*fn)(void *arg, const char *const *vals), void *arg,
                            struct pf_err *err);
/* Sum of all amounts of a money field of kind k (for overflow checks). */
pf_status pf_store_sum(struct pf_store *st, enum pf_kind k, const char *field, int64_t *sum,
                       struct pf_err *err);
/* Call fn with (partner_id, fund_id) for every partner holding a commitment to a fund. */
pf_status pf_store_each_pair(struct pf_store *st, void (*fn)(void *arg, const char *const *vals),
                             void *arg, struct pf_err *err);
/* Is flow_id (partner or project flow by kind) already reversed by some flow? */
pf_status pf_store_is_reversed(struct pf_store *st, enum pf_kind k, const char *flow_id,
                               bool *reversed, struct pf_err *err);

/* ---- the data as known at a batch ---- */
/*
 * Load every record and fact as known at `batch`: reference records at their
 * latest version <= batch, facts with batch_id <= batch, each reversed flow and
 * its reversal dropped, each valuation at its latest restatement <= batch.
 * Sorted as model.h describes. digest receives the SHA-256 (hex) of exactly
 * what was read, in that canonical order.
 */
pf_status pf_store_load_dataset(struct pf_store *st, int64_t batch, struct pf_dataset **out,
                                char digest[65], struct pf_err *err);
/* The same without the market data (valuations, FX rates, benchmark levels: none),
 * which a report never reads: at scale 100 they are 840,000 records. */
pf_status pf_store_load_dataset_lean(struct pf_store *st, int64_t batch,
                                     struct pf_dataset **out, struct pf_err *err);
/* Lean, and only what the statements of these partners, in these funds, read: every
 * park, fund and partner; the projects (and their enterprises) of these funds; the
 * commitments and partner flows of these partners; no project flows. A statement at
 * scale 100 needs 1/700 of the data; migration 7's indexes make the cost follow what
 * is read. */
pf_status pf_store_load_dataset_scope(struct pf_store *st, int64_t batch,
                                      const char *const *funds, size_t nfunds,
                                      const char *const *partners, size_t npartners,
                                      struct pf_dataset **out, struct pf_err *err);
/* Lean, with only the partner and project flows dated from..to (the manager's
 * workbook of a streamed report lists the as-of month's) and only the enterprises of
 * projects (the workbook names no other). */
pf_status pf_store_load_dataset_month(struct pf_store *st, int64_t batch, pf_date from,
                                      pf_date to, struct pf_dataset **out,
                                      struct pf_err *err);
/* The same for one partner, in the funds it is in (pf_store_partner_funds). */
pf_status pf_store_load_dataset_partner(struct pf_store *st, int64_t batch,
                                        const char *partner, struct pf_dataset **out,
                                        struct pf_err *err);
/* Each (partner, fund) with a commitment or a partner flow as known at batch, by
 * partner then fund; only partner's when not NULL. fn's strings are borrowed for the
 * call. */
pf_status pf_store_partner_funds(struct pf_store *st, int64_t batch, const char *partner,
                                 void (*fn)(void *arg, const char *partner, const char *fund),
                                 void *arg, struct pf_err *err);

/* ---- runs ---- */
struct pf_result { /* 64 bytes: a large close holds millions */
    char *dimension, *fund, *key, *metric; /* fund NULL = portfolio */
    char *reason;    /* when !has_value */
    pf_cents cents;  /* when is_money and has_value */
    double value;    /* when !is_money and has_value */
    bool is_money, has_value;
};
struct pf_run_row {
    char *tbl, *fund, *key, *col;
    pf_date date;    /* PF_DATE_NONE if none */
    bool is_money, has_value;
    pf_cents cents;
    double value;
};
/*
 * A flow block (the dated flows an XIRR is computed from; rows of table "block")
 * held compactly: its flows are run->flows[first .. first + n), each a column name,
 * a date and an amount. pf_store_get_run_packed fills these instead of rows: a
 * scale-100 run holds 2.6 million block flows, 56 bytes each as rows and 24 here,
 * and the report reads one block at a time.
 */
struct pf_run_flow {
    char *col;       /* interned in the run, like a row's */
    pf_cents cents;
    pf_date date;
};
struct pf_run_block {
    char *fund, *key; /* fund NULL = portfolio */
    size_t first, n;
};
struct pf_run_note {
    bool is_check;   /* else a warning */
    char *name;
    int ok;          /* checks: 1 passed, 0 failed */
    char *detail;
};
struct pf_run {
    int64_t id;
    pf_date as_of;
    int64_t batch;
    char *engine, *taxonomy, *benchmark, *digest, *created_at, *input_rows;
    struct pf_result *results; size_t nresults, cresults;
    struct pf_run_row *rows; size_t nrows, crows;
    struct pf_run_note *notes; size_t nnotes, cnotes;
    /* packed flow blocks (pf_store_get_run_packed only; else none, the flows are rows),
     * in stored order */
    struct pf_run_block *blocks; size_t nblocks, cblocks;
    struct pf_run_flow *flows; size_t nflows, cflows;
    struct pf_map *strings; /* owns every string of results and rows (interned: a run
                               repeats a few hundred names over millions of rows) */
    bool strings_lent;      /* strings is the caller's (pf_store_get_run_part): kept */
    /* the appenders' last interned names by the caller's address (runs.c's intern) */
    const char *icache_from[64];
    char *icache_to[64];
};

struct pf_run *pf_run_new(void);
void pf_run_free(struct pf_run *run);
/* Appenders used by the engine: strings are copied. */
void pf_run_money(struct pf_run *run, const char *dim, const char *fund, const char *key,
                  const char *metric, pf_cents v);
void pf_run_value(struct pf_run *run, const char *dim, const char *fund, const char *key,
                  const char *metric, double v);
void pf_run_empty(struct pf_run *run, const char *dim, const char *fund, const char *key,
                  const char *metric, const char *reason);
void pf_run_row_money(struct pf_run *run, const char *tbl, const char *fund, const char *key,
                      const char *col, pf_date date, pf_cents v);
void pf_run_row_value(struct pf_run *run, const char *tbl, const char *fund, const char *key,
                      const char *col, pf_date date, double v);
void pf_run_note_add(struct pf_run *run, bool is_check, const char *name, int ok,
                     const char *detail);

/* Store a run (id assigned; run->id set) inside the caller's write transaction. */
pf_status pf_store_put_run(struct pf_store *st, struct pf_run *run, struct pf_err *err);
/* Load run id (0 = the newest). PF_ENOINPUT when there is no such run. */
pf_status pf_store_get_run(struct pf_store *st, int64_t id, struct pf_run **out,
                           struct pf_err *err);
/*
 * Load part of run id (0 = the newest): its header, ALL its notes, and the results
 * and rows of the given funds only (fund NULL, the portfolio's, never), in the
 * same order as pf_store_get_run gives them. A statement needs no more. Migration
 * 5 indexes the run tables by (run_id, fund): the cost follows what is read, not
 * the size of the run. PF_ENOINPUT when there is no such run.
 */
pf_status pf_store_get_run_funds(struct pf_store *st, int64_t id, const char *const *funds,
                                 size_t nfunds, struct pf_run **out, struct pf_err *err);
/*
 * pf_store_get_run (all) or pf_store_get_run_funds (!all: funds), but with the flow
 * blocks packed into run->blocks and run->flows rather than expanded into rows (when
 * every block row of the run was stored as a block, as parkfund always stores them;
 * else they stay rows). The same results, other rows and notes, in the same order.
 */
pf_status pf_store_get_run_packed(struct pf_store *st, int64_t id, bool all,
                                  const char *const *funds, size_t nfunds, struct pf_run **out,
                                  struct pf_err *err);
/*
 * For a report that reads each file's part itself (pf_report_opts.db):
 * pf_store_get_run_dim, the header, ALL the notes and the results of one dimension
 * (every fund's and the portfolio's; no rows); pf_store_get_run_scope, what
 * pf_store_get_run_packed gives for these funds, without the notes, and (nkinds > 0)
 * only the results of the dimensions and the rows of the tables named in kinds.
 */
pf_status pf_store_get_run_dim(struct pf_store *st, int64_t id, const char *dim,
                               struct pf_run **out, struct pf_err *err);
pf_status pf_store_get_run_scope(struct pf_store *st, int64_t id, const char *const *funds,
                                 size_t nfunds, const char *const *kinds, size_t nkinds,
                                 struct pf_run **out, struct pf_err *err);
/*
 * One part of run id for a report that reads a run a part at a time (the manager's
 * workbook of a large portfolio): of fund (NULL: the portfolio's), the results of
 * dimension name (rows false) or the rows of table name (rows true; the flow blocks
 * packed when name is "block"), in stored order. Their strings are interned in pool
 * (the caller's, shared by its parts, freed by it after the parts: a part's keys stay
 * valid when the part is freed). No header, no notes. PF_EDATA for a run not stored
 * packed (pf_store_run_directory says).
 */
pf_status pf_store_get_run_part(struct pf_store *st, int64_t id, const char *fund, bool rows,
                                const char *name, struct pf_map *pool, struct pf_run **out,
                                struct pf_err *err);
/*
 * What a part-wise reader needs first: the run's number of results, its funds in the
 * order of their first result (fund_fn) and every flow block, its fund (NULL: the
 * portfolio), key and number of flows, in stored order (block_fn). *partwise is false
 * when the run cannot be read by parts (stored before migration 6, or with blocks
 * outside run_rowpack): then neither callback is called. Both callbacks NULL: only
 * *partwise is found (nothing listed, *nresults 0). Strings are borrowed for the call.
 */
pf_status pf_store_run_directory(struct pf_store *st, int64_t id, bool *partwise,
                                 size_t *nresults,
                                 void (*fund_fn)(void *arg, const char *fund),
                                 void (*block_fn)(void *arg, const char *fund,
                                                  const char *key, size_t n),
                                 void *arg, struct pf_err *err);
/* Only the header of run id (0 = the newest): no results, rows or notes. */
pf_status pf_store_get_run_head(struct pf_store *st, int64_t id, struct pf_run **out,
                                struct pf_err *err);
/* Newest run with this as-of date (0 if none). */
pf_status pf_store_run_by_as_of(struct pf_store *st, pf_date as_of, int64_t *id,
                                struct pf_err *err);
/*
 * A one-line summary per run or batch, oldest first, for `show runs|batches`:
 * fn receives the columns as strings (borrowed for the call). Runs: id, as_of,
 * batch, created_at, engine, benchmark ("" if none), results. Batches: id,
 * created_at, files, rows read, rows new, taxonomy version (first 12 hex).
 */
pf_status pf_store_list_runs(struct pf_store *st, void (*fn)(void *arg, const char *const *cols),
                             void *arg, struct pf_err *err);
pf_status pf_store_list_batches(struct pf_store *st,
                                void (*fn)(void *arg, const char *const *cols), void *arg,
                                struct pf_err *err);
/* All run ids, ascending (caller frees *ids). */
pf_status pf_store_run_ids(struct pf_store *st, int64_t **ids, size_t *n, struct pf_err *err);

/* ---- forecasts (SPEC §11) ----
 * A forecast belongs to the run it was computed from; a run may have several
 * (other options), told apart by forecast id. Its figures are held in a
 * struct pf_run used as a container: only results (SPEC §6 rows) and notes
 * (warnings) are used. pf_forecast_free frees it all (NULL ok).
 */
struct pf_forecast {
    int64_t id, run_id;
    int years;
    int64_t paths, seed;
    bool has_target;
    pf_cents target_nav;    /* CNY cents, when has_target */
    char *engine, *created_at;
    struct pf_run *res;     /* results and notes */
};
struct pf_forecast *pf_forecast_new(void);
void pf_forecast_free(struct pf_forecast *f);
/* Store f (id assigned into f->id) inside the caller's write transaction. */
pf_status pf_store_put_forecast(struct pf_store *st, struct pf_forecast *f, struct pf_err *err);
/* Load forecast id. PF_ENOINPUT when there is no such forecast. */
pf_status pf_store_get_forecast(struct pf_store *st, int64_t id, struct pf_forecast **out,
                                struct pf_err *err);
/* Forecast ids of run_id (0 = of every run), ascending; caller frees *ids. A
 * database without the forecast tables (an older binary's) has none. */
pf_status pf_store_forecast_ids(struct pf_store *st, int64_t run_id, int64_t **ids, size_t *n,
                                struct pf_err *err);
/*
 * Corrected partner flows (SPEC §4 "corrections append"): every flow reversed by a
 * flow known at `batch`, and the reversing flow, with their notes; and the notes of the
 * other partner flows (the data set carries no notes). The data set
 * leaves both out of every figure; statements show them, marked. Strings are owned
 * by the array; pf_corrections_release frees them (NULL-safe, idempotent).
 */
struct pf_correction {
    char *flow_id, *fund_id, *partner_id;
    pf_date date;
    char *kind, *purpose;   /* as imported: contribution/distribution, the purpose code */
    pf_cents amount;        /* fund currency, positive */
    char *reverses;         /* the flow this one reverses, "" if none */
    char *reversed_by;      /* the flow that reverses this one, "" if none */
    char *note;             /* "" if none */
};
struct pf_flow_note {
    char *flow_id, *note;
};
struct pf_corrections {
    struct pf_correction *v;
    size_t n;
    struct pf_flow_note *notes; /* the notes of the partner flows that count, by fund,
                                   partner, date */
    size_t nnotes;
};
pf_status pf_store_load_corrections(struct pf_store *st, int64_t batch,
                                    struct pf_corrections *out, /* OUT */
                                    struct pf_err *err);
void pf_corrections_release(struct pf_corrections *c);

#endif
