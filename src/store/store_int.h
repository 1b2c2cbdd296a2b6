/* store internals: shared by the store folder and its unit test only. */
#ifndef PARKFUND_STORE_INT_H
#define PARKFUND_STORE_INT_H

#include <sqlite3.h>

#include "parkfund/store.h"

struct pf_store {
    sqlite3 *db;
    char *path;
    int schema_version;
    bool readonly;
    sqlite3_stmt *put_row[PF_K_COUNT];
    sqlite3_stmt *get_row[PF_K_COUNT];
    sqlite3_stmt *put_new[PF_K_COUNT];
};

/* Map a SQLite result code to a status with the connection's message copied. */
pf_status store_fail(struct pf_store *st, int rc, const char *what, struct pf_err *err);
pf_status store_prepare(struct pf_store *st, const char *sql, sqlite3_stmt **q,
                        struct pf_err *err);
pf_status store_exec(struct pf_store *st, const char *sql, struct pf_err *err);
/* Bind a canonical string to a column of the given field type (NULL -> NULL). */
void store_bind(sqlite3_stmt *q, int idx, enum pf_ftype t, const char *v);
/* A 'YYYY-MM-DD' column as a day number (PF_DATE_NONE when NULL or not a date). */
pf_date store_col_date(sqlite3_stmt *q, int i);
/* Copy a column as a canonical string (NULL stays NULL); caller frees. */
char *store_col_dup(sqlite3_stmt *q, int i);

extern const char *const pf_schema_migrations[];

#endif
