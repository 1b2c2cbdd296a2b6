/*
 * store: opening, migrations, transactions, batches and canonical rows.
 * Only this folder includes sqlite3.h. The first error wins: SQLite's message
 * is copied into pf_err at once, because the connection overwrites it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "parkfund/banned.h"

pf_status
store_fail(struct pf_store *st, int rc, const char *what, struct pf_err *err)
{
    int prim = rc & 0xff;
    pf_status s = PF_EINTERNAL;

    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        s = PF_EBUSY;
    else if (prim == SQLITE_IOERR || prim == SQLITE_FULL || prim == SQLITE_CANTOPEN ||
             prim == SQLITE_READONLY || prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB)
        s = PF_EIO;
    else if (prim == SQLITE_CONSTRAINT)
        s = PF_EDATA;
    if (s == PF_EBUSY)
        return pf_err_set(err, s, "", "database '%s' is busy: another parkfund is writing it",
                          st->path);
    return pf_err_set(err, s, "", "%s: %s", what, st->db ? sqlite3_errmsg(st->db)
                                                         : sqlite3_errstr(rc));
}

pf_status
store_prepare(struct pf_store *st, const char *sql, sqlite3_stmt **q, struct pf_err *err)
{
    int rc = sqlite3_prepare_v2(st->db, sql, -1, q, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "cannot prepare a statement", err);
    return PF_OK;
}

pf_status
store_exec(struct pf_store *st, const char *sql, struct pf_err *err)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "database statement failed", err);
    return PF_OK;
}

void
store_bind(sqlite3_stmt *q, int idx, enum pf_ftype t, const char *v)
{
    if (!v)
        sqlite3_bind_null(q, idx);
    else if (t == PF_F_MONEY || t == PF_F_RATE || t == PF_F_INT || t == PF_F_FRACTION ||
             t == PF_F_COUNT)
        sqlite3_bind_int64(q, idx, strtoll(v, NULL, 10));
    else
        sqlite3_bind_text(q, idx, v, -1, SQLITE_TRANSIENT);
}

char *
store_col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t;
    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return NULL;
    t = sqlite3_column_text(q, i);
    return pf_xstrdup(t ? (const char *)t : "");
}

pf_date
store_col_date(sqlite3_stmt *q, int i)
{
    pf_date d;
    const char *why;
    const unsigned char *t = sqlite3_column_text(q, i);
    if (!t || !pf_date_parse((const char *)t, &d, &why))
        return PF_DATE_NONE;
    return d;
}

/* --- migrations --- */

/* 0x50466E64, "PFnd": set by migration 0002 (models/schema/0002_integrity.sql). */
#define PF_APPLICATION_ID 1346793060
#define PF_SCHEMA_SEALS 2 /* the migration that brought batch seals */

static pf_status
pragma_int(struct pf_store *st, const char *sql, int *out, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    *out = 0;
    if ((s = store_prepare(st, sql, &q, err)) != PF_OK)
        return s;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(q, 0);
    else if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read the database", err);
    sqlite3_finalize(q);
    return s;
}

static pf_status
migrate(struct pf_store *st, struct pf_err *err)
{
    int n = 0, i, from;
    pf_status rc = PF_OK;
    char sql[64];

    while (pf_schema_migrations[n])
        n++;
    if (st->schema_version > n)
        return pf_err_set(err, PF_EDATA, "",
                          "database '%s' has schema version %d, newer than this parkfund (%d)",
                          st->path, st->schema_version, n);
    if (st->schema_version == n)
        return PF_OK;
    if (st->readonly) /* read as it is: an archive may sit where nothing can be written */
        return PF_OK;
    if ((rc = pf_store_begin_write(st, err)) != PF_OK)
        return rc;
    /* re-read under the write lock: another process may have migrated meanwhile */
    if ((rc = pragma_int(st, "PRAGMA user_version", &st->schema_version, err)) != PF_OK) {
        pf_store_rollback(st);
        return rc;
    }
    from = st->schema_version;
    for (i = st->schema_version; i < n; i++) {
        if ((rc = store_exec(st, pf_schema_migrations[i], err)) != PF_OK) {
            pf_store_rollback(st);
            return rc;
        }
    }
    /* a database made before the seals: seal its batches as found now (README) */
    if (from >= 1 && from < PF_SCHEMA_SEALS && n >= PF_SCHEMA_SEALS &&
        (rc = store_seal_existing(st, err)) != PF_OK) {
        pf_store_rollback(st);
        return rc;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", n);
    if ((rc = store_exec(st, sql, err)) != PF_OK) {
        pf_store_rollback(st);
        return rc;
    }
    if ((rc = pf_store_commit(st, err)) != PF_OK)
        return rc;
    st->schema_version = n;
    return PF_OK;
}

/*
 * Is this parkfund's database? Ours carry the application id; one made before
 * migration 0002 has id 0, a schema version and parkfund's tables (it is stamped
 * by that migration at its next open for writing). An empty file is for init.
 */
static pf_status
check_identity(struct pf_store *st, unsigned flags, struct pf_err *err)
{
    int app = 0, ntables = 0, ours = 0;
    pf_status s;

    if ((s = pragma_int(st, "PRAGMA application_id", &app, err)) != PF_OK ||
        (s = pragma_int(st, "PRAGMA user_version", &st->schema_version, err)) != PF_OK ||
        (s = pragma_int(st, "SELECT count(*) FROM sqlite_schema", &ntables, err)) != PF_OK) {
        if (s == PF_EIO && strstr(err->msg, "not a database")) {
            pf_err_clear(err);
            return pf_err_set(err, PF_ENOINPUT, "", "'%s' is not a parkfund database (not an "
                              "SQLite file)", st->path);
        }
        return s;
    }
    if ((s = pragma_int(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                            "name IN ('taxonomy', 'batch', 'batch_file', 'partner_flow', "
                            "'run', 'run_result')", &ours, err)) != PF_OK)
        return s;
    if (app == PF_APPLICATION_ID)
        return PF_OK;
    if (app == 0 && st->schema_version == 0 && ntables == 0) {
        if (flags & PF_STORE_CREATE)
            return PF_OK;
        return pf_err_set(err, PF_ENOINPUT, "", "database '%s' is empty (run 'parkfund init')",
                          st->path);
    }
    if (app == 0 && st->schema_version >= 1 && ours == 6)
        return PF_OK;
    return pf_err_set(err, PF_ENOINPUT, "", "'%s' is not a parkfund database (application id "
                      "%d, schema version %d): parkfund opens only databases that "
                      "'parkfund init' made, in a new or empty file", st->path, app,
                      st->schema_version);
}

/* "file:" URI for path with immutable=1 (SQLite's URI syntax: escape % ? #). */
static char *
immutable_uri(const char *path)
{
    struct pf_buf b = PF_BUF_INIT;
    const char *p;
    pf_buf_adds(&b, path[0] == '/' ? "file://" : "file:");
    for (p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            pf_buf_addf(&b, "%%%02x", (unsigned char)*p);
        else
            pf_buf_addc(&b, *p);
    }
    pf_buf_adds(&b, "?immutable=1");
    return pf_buf_detach(&b);
}

/*
 * A reader of a database whose folder it cannot write (a read-only archive,
 * another user's copy) cannot create the WAL index (-shm) SQLite needs. A
 * database closed cleanly is whole in its one file (the last connection
 * checkpoints and removes the -wal), so it is opened immutable: no locks, no
 * -shm. With a non-empty -wal beside it, the normal open is tried instead.
 */
static bool
open_immutable(const char *path)
{
    char *dir = pf_xstrdup(path), *slash = strrchr(dir, '/'), *wal;
    struct stat sb;
    bool imm;

    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    imm = access(slash ? dir : ".", W_OK) != 0;
    free(dir);
    if (!imm)
        return false;
    wal = pf_xasprintf("%s-wal", path);
    imm = stat(wal, &sb) != 0 || sb.st_size == 0;
    free(wal);
    return imm;
}

static void
remove_created(const char *path)
{
    static const char *const sfx[] = { "-wal", "-shm", "-journal" };
    size_t i;
    unlink(path);
    for (i = 0; i < sizeof sfx / sizeof *sfx; i++) {
        char *p = pf_xasprintf("%s%s", path, sfx[i]);
        unlink(p);
        free(p);
    }
}

pf_status
pf_store_open(const char *path, unsigned flags, struct pf_store **out, struct pf_err *err)
{
    struct pf_store *st = pf_xcalloc(1, sizeof *st);
    int oflags, rc;
    pf_status s = PF_OK;
    const char *env;
    char *uri = NULL;
    int timeout = 5000;
    bool created = false;

    *out = NULL;
    st->path = pf_xstrdup(path);
    st->readonly = (flags & PF_STORE_READONLY) != 0;
    if (access(path, F_OK) != 0) {
        if (!(flags & PF_STORE_CREATE)) {
            s = pf_err_set(err, PF_ENOINPUT, "", "database '%s' does not exist (run 'parkfund "
                           "init')", path);
            goto cleanup;
        }
        created = true;
    }
    oflags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (flags & PF_STORE_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    if (st->readonly && open_immutable(path)) {
        uri = immutable_uri(path);
        oflags |= SQLITE_OPEN_URI;
        st->immutable = true;
    }
    rc = sqlite3_open_v2(uri ? uri : path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        s = pf_err_set(err, PF_EIO, "", "cannot open database '%s': %s", path,
                       st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        goto cleanup;
    }
    sqlite3_extended_result_codes(st->db, 1);
    if ((env = getenv("PARKFUND_BUSY_TIMEOUT_MS")) && *env)
        timeout = (int)strtol(env, NULL, 10);
    sqlite3_busy_timeout(st->db, timeout);
    /* whose file is it? (before anything writes to it) */
    if ((s = check_identity(st, flags, err)) != PF_OK)
        goto cleanup;
    if ((s = store_exec(st, "PRAGMA foreign_keys = ON", err)) != PF_OK)
        goto cleanup;
    if (!st->readonly) {
        /* 64 KiB pages for a new database (an existing one keeps its own: the pragma
         * only counts before the first write): a close writes a few hundred MB at
         * scale, one write call per page, twice (the WAL, then the checkpoint) */
        if ((s = store_exec(st, "PRAGMA page_size = 65536", err)) != PF_OK ||
            (s = store_exec(st, "PRAGMA journal_mode = WAL", err)) != PF_OK)
            goto cleanup;
    }
    if ((s = store_exec(st, "PRAGMA synchronous = FULL", err)) != PF_OK)
        goto cleanup;
    /* a test aid: results must not depend on the order of unordered queries */
    if ((env = getenv("PARKFUND_REVERSE_UNORDERED_SELECTS")) && strcmp(env, "1") == 0 &&
        (s = store_exec(st, "PRAGMA reverse_unordered_selects = ON", err)) != PF_OK)
        goto cleanup;
    if ((s = migrate(st, err)) != PF_OK)
        goto cleanup;
    *out = st;
    st = NULL;
cleanup:
    free(uri);
    pf_store_close(st);
    if (s != PF_OK && created) /* a failed init leaves nothing behind */
        remove_created(path);
    return s;
}

bool
pf_store_immutable(const struct pf_store *st)
{
    return st->immutable;
}

void
pf_store_close(struct pf_store *st)
{
    int k;
    if (!st)
        return;
    for (k = 0; k < PF_K_COUNT; k++) {
        sqlite3_finalize(st->put_row[k]);
        sqlite3_finalize(st->get_row[k]);
        sqlite3_finalize(st->put_new[k]);
    }
    if (st->db)
        sqlite3_close(st->db);
    pf_buf_release(&st->sealbuf);
    free(st->path);
    free(st);
}

int
pf_store_schema_version(const struct pf_store *st)
{
    return st->schema_version;
}

const char *
pf_store_path(const struct pf_store *st)
{
    return st->path;
}

void
pf_store_set_busy_timeout(struct pf_store *st, int ms)
{
    sqlite3_busy_timeout(st->db, ms);
}

pf_status
pf_store_begin_write(struct pf_store *st, struct pf_err *err)
{
    return store_exec(st, "BEGIN IMMEDIATE", err);
}

pf_status
pf_store_begin_read(struct pf_store *st, struct pf_err *err)
{
    pf_status s = store_exec(st, "BEGIN", err);
    /* a deferred BEGIN takes its snapshot at the first read: take it now */
    if (s == PF_OK)
        s = store_exec(st, "SELECT count(*) FROM batch", err);
    return s;
}

pf_status
pf_store_commit(struct pf_store *st, struct pf_err *err)
{
    pf_status s = store_exec(st, "COMMIT", err);
    if (s != PF_OK)
        pf_store_rollback(st);
    return s;
}

void
pf_store_rollback(struct pf_store *st)
{
    if (st && st->db && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    if (st && st->db)
        store_triggers_on(st);
}

/* --- batches --- */

static pf_status
one_int64(struct pf_store *st, const char *sql, const char *text_arg, int64_t int_arg,
          int64_t *out, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    *out = 0;
    if ((s = store_prepare(st, sql, &q, err)) != PF_OK)
        return s;
    if (text_arg)
        sqlite3_bind_text(q, 1, text_arg, -1, SQLITE_TRANSIENT);
    else if (sqlite3_bind_parameter_count(q) > 0)
        sqlite3_bind_int64(q, 1, int_arg);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "query failed", err);
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_batch_by_digest(struct pf_store *st, const char *digest, int64_t *batch,
                         struct pf_err *err)
{
    return one_int64(st, "SELECT batch_id FROM batch WHERE digest = ?", digest, 0, batch, err);
}

pf_status
pf_store_last_batch(struct pf_store *st, int64_t *batch, struct pf_err *err)
{
    return one_int64(st, "SELECT coalesce(max(batch_id), 0) FROM batch", NULL, 0, batch, err);
}

pf_status
pf_store_put_taxonomy(struct pf_store *st, const char *version, const char *json, int64_t *id,
                      struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = one_int64(st, "SELECT taxonomy_id FROM taxonomy WHERE version = ?", version, 0, id,
                       err)) != PF_OK || *id)
        return s;
    if ((s = store_prepare(st, "INSERT INTO taxonomy(version, json) VALUES (?, ?)", &q, err)))
        return s;
    sqlite3_bind_text(q, 1, version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, json, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot store the taxonomy", err);
    else
        *id = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_taxonomy_at(struct pf_store *st, int64_t batch, char **json, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    *json = NULL;
    if ((s = store_prepare(st,
                           "SELECT t.json FROM batch b JOIN taxonomy t USING (taxonomy_id) "
                           "WHERE b.batch_id <= ? ORDER BY b.batch_id DESC LIMIT 1", &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, batch);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *json = store_col_dup(q, 0);
    else if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read the taxonomy", err);
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_new_batch(struct pf_store *st, const char *digest, int64_t taxonomy_id,
                   const char *created_at, int64_t *batch, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = store_prepare(st, "INSERT INTO batch(digest, taxonomy_id, created_at) "
                               "VALUES (?, ?, ?)", &q, err)))
        return s;
    sqlite3_bind_text(q, 1, digest, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, taxonomy_id);
    sqlite3_bind_text(q, 3, created_at, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot create a batch", err);
    else
        *batch = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(q);
    return s;
}

/*
 * The batch row must exist before its rows (they reference it) but its counts
 * are known only after, and batch is append-only: so the totals are a
 * batch_file row with seq 0.
 */
pf_status
pf_store_finish_batch(struct pf_store *st, int64_t batch, int64_t rows_read, int64_t rows_new,
                      struct pf_err *err)
{
    return pf_store_add_batch_file(st, batch, 0, "(total)", "(all)", "", rows_read, rows_new,
                                   err);
}

pf_status
pf_store_add_batch_file(struct pf_store *st, int64_t batch, int seq, const char *name,
                        const char *kind, const char *sha256, int64_t rows_read,
                        int64_t rows_new, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = store_prepare(st, "INSERT INTO batch_file(batch_id, seq, name, kind, sha256, "
                               "rows_read, rows_new) VALUES (?, ?, ?, ?, ?, ?, ?)", &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_int(q, 2, seq);
    sqlite3_bind_text(q, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, sha256, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 6, rows_read);
    sqlite3_bind_int64(q, 7, rows_new);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot record the batch's file", err);
    sqlite3_finalize(q);
    return s;
}

/* --- canonical rows --- */

static char *
kind_cols(enum pf_kind k)
{
    struct pf_buf b = PF_BUF_INIT;
    int i;
    for (i = 0; i < pf_kinds[k].nfields; i++)
        pf_buf_addf(&b, "%s%s", i ? ", " : "", pf_kinds[k].fields[i].name);
    return pf_buf_detach(&b);
}

static pf_status
put_row(struct pf_store *st, enum pf_kind k, int64_t batch, const char *const *vals,
        bool only_new, bool *inserted, struct pf_err *err)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    sqlite3_stmt **slot = only_new ? &st->put_new[k] : &st->put_row[k];
    sqlite3_stmt *q;
    pf_status s;
    int i, rc;

    if (!*slot) {
        struct pf_buf b = PF_BUF_INIT;
        char *cols = kind_cols(k);
        pf_buf_addf(&b, "INSERT INTO %s(batch_id, %s) VALUES (?", kd->table, cols);
        for (i = 0; i < kd->nfields; i++)
            pf_buf_adds(&b, ", ?");
        pf_buf_adds(&b, only_new ? ") ON CONFLICT DO NOTHING" : ")");
        s = store_prepare(st, b.s, slot, err);
        pf_buf_release(&b);
        free(cols);
        if (s)
            return s;
    }
    q = *slot;
    sqlite3_bind_int64(q, 1, batch);
    for (i = 0; i < kd->nfields; i++)
        store_bind(q, i + 2, kd->fields[i].type, vals[i]);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (only_new && rc == SQLITE_CONSTRAINT_TRIGGER &&
        strstr(sqlite3_errmsg(st->db), "a stored row is never replaced")) {
        /* migration 0002's trigger refuses an existing key before ON CONFLICT sees it */
        *inserted = false;
        return PF_OK;
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "cannot store a row", err);
    if (sqlite3_changes(st->db) > 0)
        store_seal_row(st, k, vals);
    else if (!only_new)
        return pf_err_set(err, PF_EINTERNAL, "", "a row of '%s' was not stored", kd->table);
    if (inserted)
        *inserted = sqlite3_changes(st->db) > 0;
    return PF_OK;
}

pf_status
pf_store_put_row(struct pf_store *st, enum pf_kind k, int64_t batch, const char *const *vals,
                 struct pf_err *err)
{
    return put_row(st, k, batch, vals, false, NULL, err);
}

pf_status
pf_store_put_row_if_new(struct pf_store *st, enum pf_kind k, int64_t batch,
                        const char *const *vals, bool *inserted, struct pf_err *err)
{
    return put_row(st, k, batch, vals, true, inserted, err);
}

pf_status
pf_store_get_row(struct pf_store *st, enum pf_kind k, const char *const *key, bool *found,
                 char **got, int64_t *got_batch, struct pf_err *err)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    sqlite3_stmt *q;
    pf_status s = PF_OK;
    int i, rc;

    *found = false;
    if (!st->get_row[k]) {
        struct pf_buf b = PF_BUF_INIT;
        char *cols = kind_cols(k);
        pf_buf_addf(&b, "SELECT %s, batch_id FROM %s WHERE ", cols, kd->table);
        for (i = 0; i < kd->nkey; i++)
            pf_buf_addf(&b, "%s%s = ?", i ? " AND " : "", kd->fields[i].name);
        pf_buf_adds(&b, " ORDER BY batch_id DESC LIMIT 1");
        s = store_prepare(st, b.s, &st->get_row[k], err);
        pf_buf_release(&b);
        free(cols);
        if (s)
            return s;
    }
    q = st->get_row[k];
    for (i = 0; i < kd->nkey; i++)
        store_bind(q, i + 1, kd->fields[i].type, key[i]);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = true;
        for (i = 0; i < kd->nfields; i++)
            got[i] = store_col_dup(q, i);
        *got_batch = sqlite3_column_int64(q, kd->nfields);
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "cannot read a row", err);
    }
    sqlite3_reset(q);
    return s;
}

pf_status
pf_store_each_ref(struct pf_store *st, enum pf_kind k,
                  void (*fn)(void *arg, const char *const *vals), void *arg, struct pf_err *err)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    struct pf_buf b = PF_BUF_INIT;
    char *cols = kind_cols(k);
    const char *vals[PF_MAX_FIELDS];
    sqlite3_stmt *q = NULL;
    pf_status s;
    int i, rc;

    /* SQLite takes bare columns from the row holding max(batch_id) */
    pf_buf_addf(&b, "SELECT %s, max(batch_id) FROM %s GROUP BY %s ORDER BY %s", cols, kd->table,
                kd->fields[0].name, kd->fields[0].name);
    s = store_prepare(st, b.s, &q, err);
    if (s)
        goto cleanup;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (i = 0; i < kd->nfields; i++)
            vals[i] = sqlite3_column_type(q, i) == SQLITE_NULL
                          ? NULL : (const char *)sqlite3_column_text(q, i);
        fn(arg, vals);
    }
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read reference records", err);
cleanup:
    sqlite3_finalize(q);
    pf_buf_release(&b);
    free(cols);
    return s;
}

pf_status
pf_store_sum(struct pf_store *st, enum pf_kind k, const char *field, int64_t *sum,
             struct pf_err *err)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(%s), 0) FROM %s", field, pf_kinds[k].table);
    return one_int64(st, sql, NULL, 0, sum, err);
}

pf_status
pf_store_is_reversed(struct pf_store *st, enum pf_kind k, const char *flow_id, bool *reversed,
                     struct pf_err *err)
{
    char sql[160];
    int64_t n = 0;
    pf_status s;

    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE reverses = ?", pf_kinds[k].table);
    s = one_int64(st, sql, flow_id, 0, &n, err);
    *reversed = n > 0;
    return s;
}

pf_status
pf_store_each_pair(struct pf_store *st, void (*fn)(void *arg, const char *const *vals),
                   void *arg, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    const char *vals[2];
    pf_status s;
    int rc;

    if ((s = store_prepare(st, "SELECT DISTINCT partner_id, fund_id FROM commitment ORDER BY 1, 2",
                           &q, err)))
        return s;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        vals[0] = (const char *)sqlite3_column_text(q, 0);
        vals[1] = (const char *)sqlite3_column_text(q, 1);
        fn(arg, vals);
    }
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read commitments", err);
    sqlite3_finalize(q);
    return s;
}
