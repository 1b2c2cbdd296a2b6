/* store internals: shared by the store folder and its unit test only. */
#ifndef PARKFUND_STORE_INT_H
#define PARKFUND_STORE_INT_H

#include <sqlite3.h>

#include "parkfund/store.h"

/* A batch's seal for one kind as rows are added: sum of row digests mod 2^256. */
struct store_seal {
    unsigned char sum[32];
    int64_t rows;
};

struct pf_store {
    sqlite3 *db;
    char *path;
    int schema_version;
    bool readonly;
    bool immutable;  /* opened with immutable=1: a read-only archive */
    sqlite3_stmt *put_row[PF_K_COUNT];
    sqlite3_stmt *get_row[PF_K_COUNT];
    sqlite3_stmt *put_new[PF_K_COUNT];
    struct store_seal seal[PF_K_COUNT]; /* the open batch's rows so far */
    struct pf_buf sealbuf;
};

/* Map a SQLite result code to a status with the connection's message copied. */
pf_status store_fail(struct pf_store *st, int rc, const char *what, struct pf_err *err);
/* Bind a result as (owner, seq, dimension, fund, key, metric, cents, value, reason) to the
 * first nine parameters of q (run_result and forecast_result share the shape); a result
 * without a value and without a reason stores no_reason (may be NULL). */
void store_bind_result(sqlite3_stmt *q, int64_t owner, int64_t seq, const struct pf_result *r,
                       const char *no_reason);
pf_status store_prepare(struct pf_store *st, const char *sql, sqlite3_stmt **q,
                        struct pf_err *err);
pf_status store_exec(struct pf_store *st, const char *sql, struct pf_err *err);
/* Bind a canonical string to a column of the given field type (NULL -> NULL). */
void store_bind(sqlite3_stmt *q, int idx, enum pf_ftype t, const char *v);
/* A 'YYYY-MM-DD' column as a day number (PF_DATE_NONE when NULL or not a date). */
pf_date store_col_date(sqlite3_stmt *q, int i);
/* Copy a column as a canonical string (NULL stays NULL); caller frees. */
char *store_col_dup(sqlite3_stmt *q, int i);

/* seal.c: add an inserted row to the open batch's seal; forget the sums; seal every
 * batch of a database made before migration 0002 (inside the migration). */
void store_seal_row(struct pf_store *st, enum pf_kind k, const char *const *vals);
void store_seal_reset(struct pf_store *st);
void store_triggers_on(struct pf_store *st); /* after an import's rows (seal.c) */
void store_triggers_off(struct pf_store *st); /* while a run is stored (runs.c) */
pf_status store_seal_existing(struct pf_store *st, struct pf_err *err);

extern const char *const pf_schema_migrations[];

#endif
