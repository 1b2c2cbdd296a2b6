/*
 * runs: a close's results in memory (struct pf_run) and in the database.
 * Money stays integer cents end to end; ratios and rates are REAL, stored with
 * their full double bits so verify can compare exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "parkfund/banned.h"

struct pf_run *
pf_run_new(void)
{
    return pf_xcalloc(1, sizeof(struct pf_run));
}

void
pf_run_free(struct pf_run *run)
{
    size_t i;
    if (!run)
        return;
    if (run->strings && !run->strings_lent) {
        pf_map_release(run->strings, NULL);
        free(run->strings);
    }
    for (i = 0; i < run->nnotes; i++) {
        free(run->notes[i].name);
        free(run->notes[i].detail);
    }
    free(run->results); free(run->rows); free(run->notes); free(run->blocks); free(run->flows);
    free(run->engine); free(run->taxonomy); free(run->benchmark); free(run->digest);
    free(run->created_at); free(run->input_rows);
    free(run);
}

/*
 * Results and rows share their strings through the run's pool. The engine passes
 * the same few hundred names (literals, a table of column names) a million times in
 * a large close: a cache by the caller's address skips the hash and the probe. The
 * text is still compared, as a caller may reuse a buffer for another name.
 */
static char *
intern(struct pf_run *run, const char *s)
{
    size_t h;
    if (!s)
        return NULL;
    h = ((uintptr_t)s >> 3 ^ (uintptr_t)s >> 9) & 63;
    if (run->icache_from[h] == s && strcmp(run->icache_to[h], s) == 0)
        return run->icache_to[h];
    if (!run->strings)
        run->strings = pf_xcalloc(1, sizeof *run->strings);
    run->icache_from[h] = s;
    return run->icache_to[h] = (char *)pf_map_intern(run->strings, s);
}

/* intern(s), taking the previous entry's string when s equals it: consecutive
 * results and rows mostly share their dimension, fund and key, and a comparison costs
 * less than a hash and a probe (millions of entries in a large close) */
static char *
intern_as(struct pf_run *run, const char *s, char *prev)
{
    if (s && prev && (s == prev || strcmp(s, prev) == 0))
        return prev;
    return intern(run, s);
}

static struct pf_result *
new_result(struct pf_run *run, const char *dim, const char *fund, const char *key,
           const char *metric)
{
    struct pf_result *r, *p;
    PF_GROW(run->results, run->nresults + 1, run->cresults);
    p = run->nresults ? &run->results[run->nresults - 1] : NULL;
    r = &run->results[run->nresults++];
    memset(r, 0, sizeof *r);
    r->dimension = intern_as(run, dim, p ? p->dimension : NULL);
    r->fund = intern_as(run, fund, p ? p->fund : NULL);
    r->key = intern_as(run, key, p ? p->key : NULL);
    r->metric = intern(run, metric);
    return r;
}

void
pf_run_money(struct pf_run *run, const char *dim, const char *fund, const char *key,
             const char *metric, pf_cents v)
{
    struct pf_result *r = new_result(run, dim, fund, key, metric);
    r->is_money = true;
    r->has_value = true;
    r->cents = v;
}

void
pf_run_value(struct pf_run *run, const char *dim, const char *fund, const char *key,
             const char *metric, double v)
{
    struct pf_result *r = new_result(run, dim, fund, key, metric);
    if (v != v) { /* never store NaN: it is a bug upstream, keep it visible */
        r->reason = intern(run, "not a number (internal error)");
        return;
    }
    r->has_value = true;
    r->value = v;
}

void
pf_run_empty(struct pf_run *run, const char *dim, const char *fund, const char *key,
             const char *metric, const char *reason)
{
    struct pf_result *r = new_result(run, dim, fund, key, metric);
    r->reason = intern(run, reason ? reason : "no value");
}

static struct pf_run_row *
new_row(struct pf_run *run, const char *tbl, const char *fund, const char *key, const char *col,
        pf_date date)
{
    struct pf_run_row *r, *p;
    PF_GROW(run->rows, run->nrows + 1, run->crows);
    p = run->nrows ? &run->rows[run->nrows - 1] : NULL;
    r = &run->rows[run->nrows++];
    memset(r, 0, sizeof *r);
    r->tbl = intern_as(run, tbl, p ? p->tbl : NULL);
    r->fund = intern_as(run, fund, p ? p->fund : NULL);
    r->key = intern_as(run, key, p ? p->key : NULL);
    r->col = intern(run, col);
    r->date = date;
    return r;
}

void
pf_run_row_money(struct pf_run *run, const char *tbl, const char *fund, const char *key,
                 const char *col, pf_date date, pf_cents v)
{
    struct pf_run_row *r = new_row(run, tbl, fund, key, col, date);
    r->is_money = r->has_value = true;
    r->cents = v;
}

void
pf_run_row_value(struct pf_run *run, const char *tbl, const char *fund, const char *key,
                 const char *col, pf_date date, double v)
{
    struct pf_run_row *r = new_row(run, tbl, fund, key, col, date);
    r->has_value = v == v;
    r->value = v;
}

void
pf_run_note_add(struct pf_run *run, bool is_check, const char *name, int ok, const char *detail)
{
    struct pf_run_note *n;
    PF_GROW(run->notes, run->nnotes + 1, run->cnotes);
    n = &run->notes[run->nnotes++];
    n->is_check = is_check;
    n->name = pf_xstrdup(name);
    n->ok = ok;
    n->detail = pf_xstrdup(detail ? detail : "");
}

void
store_bind_result(sqlite3_stmt *q, int64_t owner, int64_t seq, const struct pf_result *r,
                  const char *no_reason)
{
    sqlite3_bind_int64(q, 1, owner);
    sqlite3_bind_int64(q, 2, seq);
    sqlite3_bind_text(q, 3, r->dimension, -1, SQLITE_STATIC);
    if (r->fund)
        sqlite3_bind_text(q, 4, r->fund, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 4);
    sqlite3_bind_text(q, 5, r->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, r->metric, -1, SQLITE_STATIC);
    if (r->has_value && r->is_money)
        sqlite3_bind_int64(q, 7, r->cents);
    else
        sqlite3_bind_null(q, 7);
    if (r->has_value && !r->is_money)
        sqlite3_bind_double(q, 8, r->value);
    else
        sqlite3_bind_null(q, 8);
    if (!r->has_value && (r->reason || no_reason))
        sqlite3_bind_text(q, 9, r->reason ? r->reason : no_reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 9);
}

static void
bind_text_or_null(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC); /* s outlives the step */
    else
        sqlite3_bind_null(q, i);
}

static pf_status
step_done(struct pf_store *st, sqlite3_stmt *q, struct pf_err *err)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "cannot store the run", err);
    return PF_OK;
}

static bool
same_owner(const struct pf_run_row *a, const struct pf_run_row *b)
{
    /* a run's names are interned: equal names mostly share their address */
    return (a->key == b->key || strcmp(a->key, b->key) == 0) &&
           (a->fund == b->fund || (a->fund && b->fund && strcmp(a->fund, b->fund) == 0));
}

/* --- result packs (run_result_pack, migration 5) --- */

static bool
same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* How many results from i on share result i's dimension and fund (1: alone). */
static size_t
result_run_length(const struct pf_run *run, size_t i)
{
    const struct pf_result *r = &run->results[i];
    size_t j = i + 1;
    while (j < run->nresults && same_str(run->results[j].dimension, r->dimension) &&
           same_str(run->results[j].fund, r->fund))
        j++;
    return j - i;
}

static void
put_u64(struct pf_buf *b, uint64_t u)
{
    char le[8];
    int k;
    for (k = 0; k < 8; k++)
        le[k] = (char)(u >> (8 * k) & 0xff);
    pf_buf_add(b, le, 8);
}

/* One result as a pack record (see 0005_run_pack.sql). */
static void
add_result(struct pf_buf *b, const struct pf_result *r, const char *no_reason)
{
    pf_buf_addc(b, r->has_value ? (r->is_money ? 'C' : 'V') : 'R');
    pf_buf_add(b, r->key, strlen(r->key) + 1);
    pf_buf_add(b, r->metric, strlen(r->metric) + 1);
    if (r->has_value && r->is_money) {
        put_u64(b, (uint64_t)r->cents);
    } else if (r->has_value) {
        uint64_t bits;
        memcpy(&bits, &r->value, sizeof bits);
        put_u64(b, bits);
    } else {
        const char *why = r->reason ? r->reason : no_reason;
        pf_buf_add(b, why, strlen(why) + 1);
    }
}

/* A NUL-terminated field at *p within end, or NULL (and *p unchanged) if none. */
static const char *
take_str(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *z = memchr(*p, '\0', (size_t)(end - *p));
    const char *s = (const char *)*p;
    if (!z)
        return NULL;
    *p = z + 1;
    return s;
}

static bool
take_u64(const unsigned char **p, const unsigned char *end, uint64_t *u)
{
    int k;
    if (end - *p < 8)
        return false;
    *u = 0;
    for (k = 0; k < 8; k++)
        *u |= (uint64_t)(*p)[k] << (8 * k);
    *p += 8;
    return true;
}

/* A run_result_pack row back into its results. */
static pf_status
expand_results(struct pf_run *run, sqlite3_stmt *q, struct pf_err *err)
{
    const char *dim = (const char *)sqlite3_column_text(q, 1);
    const char *fund = (const char *)sqlite3_column_text(q, 2);
    const unsigned char *p = sqlite3_column_blob(q, 8);
    const unsigned char *end = p + sqlite3_column_bytes(q, 8);
    int64_t n = sqlite3_column_int64(q, 3), k;

    for (k = 0; k < n && p && p < end; k++) {
        char tag = (char)*p++;
        const char *key = take_str(&p, end), *metric = key ? take_str(&p, end) : NULL;
        struct pf_result *r;
        uint64_t u;
        if (!metric)
            goto bad;
        if (tag == 'C' || tag == 'V') {
            if (!take_u64(&p, end, &u))
                goto bad;
            r = new_result(run, dim, fund, key, metric);
            r->has_value = true;
            if (tag == 'C') {
                r->is_money = true;
                r->cents = (pf_cents)u;
            } else {
                memcpy(&r->value, &u, sizeof r->value);
            }
        } else if (tag == 'R') {
            const char *why = take_str(&p, end);
            if (!why)
                goto bad;
            r = new_result(run, dim, fund, key, metric);
            r->reason = intern(run, why);
        } else {
            goto bad;
        }
    }
    if (k == n && p == end)
        return PF_OK;
bad:
    return pf_err_set(err, PF_EDATA, "", "run %lld: packed results of '%s' are malformed",
                      (long long)run->id, dim ? dim : "");
}

/* The run's results: packed per dimension and fund (migration 5), a result alone one
 * by one. (A database is written only at the newest schema: opening it for writing
 * migrates it; older layouts are only read.) */
static pf_status
put_results(struct pf_store *st, const struct pf_run *run, struct pf_buf *buf,
            struct pf_err *err)
{
    sqlite3_stmt *q = NULL, *qr = NULL;
    pf_status s;
    size_t i;

    if ((s = store_prepare(st, "INSERT INTO run_result(run_id, seq, dimension, fund, key, "
                               "metric, cents, value, reason) VALUES (?,?,?,?,?,?,?,?,?)",
                           &q, err)) ||
        (s = store_prepare(st, "INSERT INTO run_result_pack(run_id, seq, dimension, fund, n, "
                               "results) VALUES (?,?,?,?,?,?)", &qr, err)))
        goto cleanup;
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        size_t n = result_run_length(run, i), k;
        if (n > 1) {
            pf_buf_reset(buf);
            for (k = i; k < i + n; k++)
                add_result(buf, &run->results[k], "no value");
            sqlite3_bind_int64(qr, 1, run->id);
            sqlite3_bind_int64(qr, 2, (int64_t)i + 1);
            sqlite3_bind_text(qr, 3, r->dimension, -1, SQLITE_STATIC);
            bind_text_or_null(qr, 4, r->fund);
            sqlite3_bind_int64(qr, 5, (int64_t)n);
            sqlite3_bind_blob(qr, 6, buf->len ? buf->s : "", (int)buf->len, SQLITE_STATIC);
            if ((s = step_done(st, qr, err)))
                goto cleanup;
            i += n - 1;
            continue;
        }
        store_bind_result(q, run->id, (int64_t)i + 1, r, NULL);
        if ((s = step_done(st, q, err)))
            goto cleanup;
    }
cleanup:
    sqlite3_finalize(q);
    sqlite3_finalize(qr);
    return s;
}

/* One row of run_row (a row no pack or block takes). */
static pf_status
put_row(struct pf_store *st, sqlite3_stmt *q, int64_t run_id, size_t i,
        const struct pf_run_row *r, struct pf_err *err)
{
    char day[16];
    sqlite3_bind_int64(q, 1, run_id);
    sqlite3_bind_int64(q, 2, (int64_t)i + 1);
    sqlite3_bind_text(q, 3, r->tbl, -1, SQLITE_STATIC);
    bind_text_or_null(q, 4, r->fund);
    sqlite3_bind_text(q, 5, r->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, r->col, -1, SQLITE_STATIC);
    if (r->date != PF_DATE_NONE)
        sqlite3_bind_text(q, 7, pf_date_format(r->date, day, sizeof day), -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 7);
    if (r->has_value && r->is_money)
        sqlite3_bind_int64(q, 8, r->cents);
    else
        sqlite3_bind_null(q, 8);
    if (r->has_value && !r->is_money)
        sqlite3_bind_double(q, 9, r->value);
    else
        sqlite3_bind_null(q, 9);
    return step_done(st, q, err);
}

/* A dated amount, which migration 6 stores packed in binary (any column name). */
static bool
is_dated_amount(const struct pf_run_row *r)
{
    return r->is_money && r->has_value && r->date != PF_DATE_NONE;
}

/* How many rows from i on go into one run_rowpack row: dated amounts of one table and
 * owner (0: row i is not a dated amount and is stored on its own). */
static size_t
rowpack_length(const struct pf_run *run, size_t i)
{
    const struct pf_run_row *r = &run->rows[i];
    size_t j = i;
    while (j < run->nrows && is_dated_amount(&run->rows[j]) &&
           (run->rows[j].tbl == r->tbl || strcmp(run->rows[j].tbl, r->tbl) == 0) &&
           same_owner(&run->rows[j], r))
        j++;
    return j - i;
}

/* zigzag: a signed number as an unsigned one, small either side of 0 (v >= 0 as 2v,
 * v < 0 as -2v - 1) */
static int64_t
unzigzag(uint64_t u)
{
    return (u & 1) ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
}

static uint64_t
zigzag(int64_t v)
{
    return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

static void
add_varint(struct pf_buf *b, uint64_t v)
{
    unsigned char c[10];
    size_t n = 0;
    do {
        c[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            c[n] |= 0x80;
        n++;
    } while (v);
    pf_buf_add(b, (const char *)c, n);
}

/*
 * rows[0 .. n) as run_rowpack's BLOB (0006_run_rowpack.sql). A column's dictionary
 * entry is found by its address: the run interns every name, so equal names share one
 * (names equal but apart would only take two entries, and decode the same). col_ix is
 * scratch for n indexes.
 */
static void
encode_rowpack(struct pf_buf *b, const struct pf_run_row *rows, size_t n, const char ***dict,
               size_t *cdict, size_t **col_ix, size_t *cix)
{
    size_t k = 0, i, j;
    int64_t day = 0;

    PF_GROW(*col_ix, n, *cix);
    for (i = 0; i < n; i++) {
        for (j = 0; j < k && (*dict)[j] != rows[i].col; j++)
            ;
        if (j == k) {
            PF_GROW(*dict, k + 1, *cdict);
            (*dict)[k++] = rows[i].col;
        }
        (*col_ix)[i] = j;
    }
    pf_buf_reset(b);
    add_varint(b, k);
    for (j = 0; j < k; j++)
        pf_buf_add(b, (*dict)[j], strlen((*dict)[j]) + 1);
    for (i = 0; i < n; i++) {
        add_varint(b, (*col_ix)[i]);
        add_varint(b, zigzag((int64_t)rows[i].date - day));
        day = rows[i].date;
        add_varint(b, zigzag(rows[i].cents));
    }
}

/* The run's rows: dated amounts packed per table and owner in binary (run_rowpack,
 * migration 6; a flow block is one), the rest one by one. */
static pf_status
put_rows(struct pf_store *st, const struct pf_run *run, struct pf_buf *buf,
             struct pf_err *err)
{
    sqlite3_stmt *q = NULL, *qx = NULL;
    const char **dict = NULL;
    size_t *col_ix = NULL, cdict = 0, cix = 0, i, n;
    pf_status s;

    if ((s = store_prepare(st, "INSERT INTO run_row(run_id, seq, tbl, fund, key, col, date, "
                               "cents, value) VALUES (?,?,?,?,?,?,?,?,?)", &q, err)) ||
        (s = store_prepare(st, "INSERT INTO run_rowpack(run_id, seq, tbl, fund, key, n, rows) "
                               "VALUES (?,?,?,?,?,?,?)", &qx, err)))
        goto cleanup;
    for (i = 0; i < run->nrows; i += n ? n : 1) {
        const struct pf_run_row *r = &run->rows[i];
        n = rowpack_length(run, i);
        if (n == 0) {
            if ((s = put_row(st, q, run->id, i, r, err)))
                goto cleanup;
            continue;
        }
        encode_rowpack(buf, r, n, &dict, &cdict, &col_ix, &cix);
        sqlite3_bind_int64(qx, 1, run->id);
        sqlite3_bind_int64(qx, 2, (int64_t)i + 1);
        sqlite3_bind_text(qx, 3, r->tbl, -1, SQLITE_STATIC);
        bind_text_or_null(qx, 4, r->fund);
        sqlite3_bind_text(qx, 5, r->key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(qx, 6, (int64_t)n);
        sqlite3_bind_blob(qx, 7, buf->s, (int)buf->len, SQLITE_STATIC);
        if ((s = step_done(st, qx, err)))
            goto cleanup;
    }
cleanup:
    free(dict);
    free(col_ix);
    sqlite3_finalize(q);
    sqlite3_finalize(qx);
    return s;
}

static pf_status
put_notes(struct pf_store *st, const struct pf_run *run, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    size_t i;

    if ((s = store_prepare(st, "INSERT INTO run_note(run_id, seq, kind, name, ok, detail) "
                               "VALUES (?,?,?,?,?,?)", &q, err)))
        goto cleanup;
    for (i = 0; i < run->nnotes; i++) {
        const struct pf_run_note *n = &run->notes[i];
        sqlite3_bind_int64(q, 1, run->id);
        sqlite3_bind_int64(q, 2, (int64_t)i + 1);
        sqlite3_bind_text(q, 3, n->is_check ? "check" : "warning", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, n->name, -1, SQLITE_STATIC);
        if (n->is_check)
            sqlite3_bind_int(q, 5, n->ok);
        else
            sqlite3_bind_null(q, 5);
        sqlite3_bind_text(q, 6, n->detail, -1, SQLITE_STATIC);
        if ((s = step_done(st, q, err)))
            goto cleanup;
    }
cleanup:
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_put_run(struct pf_store *st, struct pf_run *run, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    struct pf_buf buf = PF_BUF_INIT;
    pf_status s;
    char day[16];

    if ((s = store_prepare(st, "INSERT INTO run(as_of, batch_id, engine, taxonomy, benchmark, "
                               "digest, created_at, input_rows) VALUES (?,?,?,?,?,?,?,?)",
                           &q, err)))
        return s;
    sqlite3_bind_text(q, 1, pf_date_format(run->as_of, day, sizeof day), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, run->batch);
    bind_text_or_null(q, 3, run->engine);
    bind_text_or_null(q, 4, run->taxonomy ? run->taxonomy : "");
    bind_text_or_null(q, 5, run->benchmark);
    bind_text_or_null(q, 6, run->digest);
    bind_text_or_null(q, 7, run->created_at);
    bind_text_or_null(q, 8, run->input_rows ? run->input_rows : "{}");
    s = step_done(st, q, err);
    sqlite3_finalize(q);
    if (s)
        return s;
    run->id = sqlite3_last_insert_rowid(st->db);
    /*
     * The run's own rows go in with the guard triggers off, as an import's do
     * (seal.c): they guard the tables against another client's REPLACE, and these
     * are plain INSERTs of new keys under the run just made (a duplicate would still
     * fail on the primary key). With a trigger on the table, SQLite keeps a statement
     * journal for every INSERT: a temporary file written page by page, 1.3 million
     * writes for a large close, most of its time. The run row itself went in above
     * with the triggers on.
     */
    store_triggers_off(st);
    if ((s = put_results(st, run, &buf, err)) == PF_OK &&
        (s = put_rows(st, run, &buf, err)) == PF_OK)
        s = put_notes(st, run, err);
    store_triggers_on(st);
    pf_buf_release(&buf);
    return s;
}

/* Columns i (cents) and i + 1 (a double) of a stored result or row: false when both
 * are NULL. */
static bool
col_amount(sqlite3_stmt *q, int i, bool *is_money, pf_cents *cents, double *value)
{
    if (sqlite3_column_type(q, i) != SQLITE_NULL) {
        *is_money = true;
        *cents = sqlite3_column_int64(q, i);
        return true;
    }
    if (sqlite3_column_type(q, i + 1) != SQLITE_NULL) {
        *value = sqlite3_column_double(q, i + 1);
        return true;
    }
    return false;
}

/*
 * The next "col:YYYY-MM-DD:cents" of a packed text at *pp (items separated by ';'):
 * 1 and *pp past it, 0 at the end, -1 when malformed.
 */
static int
next_dated(const char **pp, char col[64], pf_date *d, pf_cents *cents)
{
    const char *p = *pp, *c1, *c2, *end, *why;
    char day[11], *num_end;
    long long v;

    if (!p || !*p)
        return 0;
    c1 = strchr(p, ':');
    c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || (size_t)(c1 - p) >= 64 || c2 - c1 - 1 != 10)
        return -1;
    memcpy(col, p, (size_t)(c1 - p));
    col[c1 - p] = '\0';
    memcpy(day, c1 + 1, 10);
    day[10] = '\0';
    if (!pf_date_parse(day, d, &why))
        return -1;
    v = strtoll(c2 + 1, &num_end, 10);
    end = num_end;
    if (end == c2 + 1 || (*end && *end != ';'))
        return -1;
    *cents = (pf_cents)v;
    *pp = *end ? end + 1 : end;
    return 1;
}

static pf_status
packed_malformed(const struct pf_run *run, const char *tbl, const char *key, struct pf_err *err)
{
    return pf_err_set(err, PF_EDATA, "", "run %lld: packed rows '%s' of '%s' are malformed",
                      (long long)run->id, key ? key : "", tbl ? tbl : "");
}

/*
 * The dated amounts of one stored pack, whichever way it was stored: text
 * ('col:YYYY-MM-DD:cents;...', run_block and migration 5's run_pack) or binary
 * (migration 6's run_rowpack: see 0006_run_rowpack.sql). The pack is columns 8 (the
 * text or the BLOB) and 9 (n, binary only) of a load_body row; it and the names it
 * hands out are valid until the statement steps.
 */
struct dated {
    bool bin;
    const char *text;                /* text: what is left */
    const unsigned char *p, *end;    /* binary: what is left */
    const char **cols;               /* binary: the column names */
    uint64_t k, left;                /* binary: how many names; records still to read */
    int64_t day;                     /* binary: the previous record's date */
    int64_t lo, hi;                  /* binary: the dates a date may be */
    char col[64];                    /* text: the current column name */
};

/* An unsigned LEB128 varint at *p (at most 10 bytes, no bits past 64). */
static bool
take_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    int shift;
    for (shift = 0; shift < 64 && *p < end; shift += 7) {
        unsigned char c = *(*p)++;
        if (shift == 63 && (c & 0x7e))
            return false;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

/* false: a binary pack whose header is malformed */
static bool
dated_open(struct dated *it, sqlite3_stmt *q)
{
    uint64_t i, n;

    memset(it, 0, sizeof *it);
    if (sqlite3_column_type(q, 8) != SQLITE_BLOB) {
        it->text = (const char *)sqlite3_column_text(q, 8);
        return true;
    }
    it->bin = true;
    it->lo = pf_date_from_ymd(1900, 1, 1);
    it->hi = pf_date_from_ymd(9999, 12, 31);
    it->p = sqlite3_column_blob(q, 8);
    it->end = it->p + sqlite3_column_bytes(q, 8);
    n = (uint64_t)sqlite3_column_int64(q, 9);
    if (!it->p || !take_varint(&it->p, it->end, &it->k) ||
        it->k > (uint64_t)(it->end - it->p) || n == 0)
        return false;
    it->left = n;
    it->cols = pf_xcalloc((size_t)it->k + 1, sizeof *it->cols);
    for (i = 0; i < it->k; i++) {
        const unsigned char *nul = memchr(it->p, '\0', (size_t)(it->end - it->p));
        if (!nul)
            return false;
        it->cols[i] = (const char *)it->p;
        it->p = nul + 1;
    }
    return true;
}

static void
dated_close(struct dated *it)
{
    free(it->cols);
    it->cols = NULL;
}

/* The next amount: 1, 0 at the end, -1 when the pack is malformed. */
static int
dated_next(struct dated *it, const char **col, pf_date *d, pf_cents *cents)
{
    uint64_t c, dd, v;

    if (!it->bin) {
        int k = next_dated(&it->text, it->col, d, cents);
        *col = it->col;
        return k;
    }
    if (it->left == 0)
        return it->p == it->end ? 0 : -1;
    if (!take_varint(&it->p, it->end, &c) || c >= it->k ||
        !take_varint(&it->p, it->end, &dd) || !take_varint(&it->p, it->end, &v) ||
        dd > 2 * (uint64_t)(it->hi - it->lo) + 1) /* a step no date can take */
        return -1;
    it->day += unzigzag(dd);
    if (it->day < it->lo || it->day > it->hi) /* pf_date_parse's years, 1900..9999 */
        return -1;
    it->left--;
    *col = it->cols[c];
    *d = (pf_date)it->day;
    *cents = unzigzag(v);
    return 1;
}

/* One stored pack (run_block, run_pack or run_rowpack) back into its rows. */
static pf_status
expand_block(struct pf_run *run, sqlite3_stmt *q, struct pf_err *err)
{
    const char *tbl = (const char *)sqlite3_column_text(q, 1);
    const char *fund = (const char *)sqlite3_column_text(q, 2);
    const char *key = (const char *)sqlite3_column_text(q, 3);
    struct dated it;
    const char *col;
    pf_date d;
    pf_cents cents;
    int k = -1;

    if (dated_open(&it, q))
        while ((k = dated_next(&it, &col, &d, &cents)) > 0)
            pf_run_row_money(run, tbl, fund, key, col, d, cents);
    dated_close(&it);
    return k == 0 ? PF_OK : packed_malformed(run, tbl, key, err);
}

/* One stored block into run->blocks and run->flows (pf_store_get_run_packed). */
static pf_status
pack_block(struct pf_run *run, sqlite3_stmt *q, struct pf_err *err)
{
    const char *fund = (const char *)sqlite3_column_text(q, 2);
    const char *key = (const char *)sqlite3_column_text(q, 3);
    struct pf_run_block *b, *prev;
    struct dated it;
    int k = -1;

    PF_GROW(run->blocks, run->nblocks + 1, run->cblocks);
    prev = run->nblocks ? &run->blocks[run->nblocks - 1] : NULL;
    b = &run->blocks[run->nblocks++];
    b->fund = intern_as(run, fund, prev ? prev->fund : NULL);
    b->key = intern(run, key);
    b->first = run->nflows;
    b->n = 0;
    if (dated_open(&it, q))
        for (;;) {
            struct pf_run_flow *f;
            const char *col;
            pf_date d;
            pf_cents cents;
            if ((k = dated_next(&it, &col, &d, &cents)) <= 0)
                break;
            PF_GROW(run->flows, run->nflows + 1, run->cflows);
            f = &run->flows[run->nflows++];
            f->col = intern_as(run, col, b->n ? run->flows[run->nflows - 2].col : NULL);
            f->date = d;
            f->cents = cents;
            b->n++;
        }
    dated_close(&it);
    return k == 0 ? PF_OK : packed_malformed(run, "block", key, err);
}

/* The run's header (id 0 = the newest) into run. */
static pf_status
load_head(struct pf_store *st, int64_t id, struct pf_run *run, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = store_prepare(st, "SELECT run_id, as_of, batch_id, engine, taxonomy, benchmark, "
                               "digest, created_at, input_rows FROM run WHERE run_id = "
                               "CASE WHEN ?1 = 0 THEN (SELECT max(run_id) FROM run) ELSE ?1 END",
                           &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE)
            s = id ? pf_err_set(err, PF_ENOINPUT, "", "no run %lld (see 'parkfund show runs')",
                                (long long)id)
                   : pf_err_set(err, PF_ENOINPUT, "", "no run yet (run 'parkfund close')");
        else
            s = store_fail(st, rc, "cannot read the run", err);
        sqlite3_finalize(q);
        return s;
    }
    run->id = sqlite3_column_int64(q, 0);
    run->as_of = store_col_date(q, 1);
    run->batch = sqlite3_column_int64(q, 2);
    run->engine = store_col_dup(q, 3);
    run->taxonomy = store_col_dup(q, 4);
    run->benchmark = store_col_dup(q, 5);
    run->digest = store_col_dup(q, 6);
    run->created_at = store_col_dup(q, 7);
    run->input_rows = store_col_dup(q, 8);
    sqlite3_finalize(q);
    return PF_OK;
}

/*
 * Which funds a partial load keeps. With every fund (all) nothing is filtered. Else
 * each SELECT of the UNION gets "AND fund IN (?2, ...)" (an index lookup on
 * (run_id, fund), migration 5), or, with more funds than SQLite takes parameters,
 * no SQL filter at all and only the check in memory (keep()); fund NULL (the
 * portfolio) is never in the set.
 */
struct fund_filter {
    bool all;
    const char *dim; /* not NULL: only the results of this dimension, no rows */
    bool part;       /* pf_store_get_run_part: only fund part_fund (?2), and only the
                        results of dimension or the rows of table part_name (?3) */
    bool part_rows;
    const char *part_fund, *part_name;
    struct pf_map kinds;  /* not empty: only the results of these dimensions and the rows
                             of these tables */
    const char *const *funds;
    size_t n;
    bool in_sql;
    struct pf_map set;
};

/* column 1 is the dimension or the table */
static bool
kind_kept(const struct fund_filter *ff, sqlite3_stmt *q)
{
    const unsigned char *k;
    if (ff->kinds.n == 0)
        return true;
    k = sqlite3_column_text(q, 1);
    return k && pf_map_has(&ff->kinds, (const char *)k);
}

static bool
keep(const struct fund_filter *ff, sqlite3_stmt *q, int col)
{
    const unsigned char *f;
    if (ff->all)
        return true;
    f = sqlite3_column_text(q, col);
    return f && pf_map_has(&ff->set, (const char *)f);
}

/*
 * " FROM <tbl> WHERE run_id = ?1" appended, and for some funds "AND seq IN (SELECT seq
 * FROM <tbl> WHERE run_id = ?1 AND fund IN (?2, ...))". Asked plainly for run_id and
 * fund, SQLite (without statistics) walks the whole run by the primary key rather
 * than look up each row of the (run_id, fund) index in the table; the seqs come from
 * that index alone (it covers run_id, fund, seq), then each row by its primary key,
 * in seq order. Without the index (a database made before it) the same query scans
 * the run, as a whole load does.
 */
static void
add_from(struct pf_buf *b, const struct fund_filter *ff, const char *tbl)
{
    size_t i;
    pf_buf_addf(b, " FROM %s WHERE run_id = ?1", tbl);
    if (ff->part) {
        /* the seqs from the (run_id, fund) index, as below; run_block holds only table
         * "block" */
        pf_buf_addf(b, " AND seq IN (SELECT seq FROM %s WHERE run_id = ?1 AND fund IS ?2)",
                    tbl);
        if (strncmp(tbl, "run_result", 10) == 0)
            pf_buf_adds(b, " AND dimension = ?3");
        else if (strcmp(tbl, "run_block") == 0)
            pf_buf_adds(b, " AND ?3 = 'block'");
        else
            pf_buf_adds(b, " AND tbl = ?3");
        return;
    }
    if (ff->all || !ff->in_sql)
        return;
    pf_buf_addf(b, " AND seq IN (SELECT seq FROM %s WHERE run_id = ?1 AND fund IN (", tbl);
    for (i = 0; i < ff->n; i++)
        pf_buf_addf(b, "%s?%zu", i ? ", " : "", i + 2);
    pf_buf_adds(b, "))");
}

static void
bind_funds(sqlite3_stmt *q, const struct fund_filter *ff)
{
    size_t i;
    if (ff->part) {
        if (ff->part_fund)
            sqlite3_bind_text(q, 2, ff->part_fund, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 2);
        sqlite3_bind_text(q, 3, ff->part_name, -1, SQLITE_STATIC);
        return;
    }
    if (ff->all || !ff->in_sql)
        return;
    for (i = 0; i < ff->n; i++)
        sqlite3_bind_text(q, (int)i + 2, ff->funds[i], -1, SQLITE_STATIC);
}

/* The run's results and rows, in seq order, those of ff's funds only. */
static pf_status
load_body(struct pf_store *st, struct pf_run *run, const struct fund_filter *ff, bool packed,
          struct pf_err *err)
{
    struct pf_buf sql = PF_BUF_INIT;
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if (ff->part && ff->part_rows)
        goto rows;
    pf_buf_adds(&sql, "SELECT seq, dimension, fund, key, metric, cents, value, reason, NULL");
    add_from(&sql, ff, "run_result");
    if (ff->dim)
        pf_buf_adds(&sql, " AND dimension = ?2");
    if (st->schema_version >= 5) {
        pf_buf_adds(&sql, " UNION ALL SELECT seq, dimension, fund, n, NULL, NULL, NULL, NULL, "
                          "results");
        add_from(&sql, ff, "run_result_pack");
        if (ff->dim)
            pf_buf_adds(&sql, " AND dimension = ?2");
    }
    pf_buf_adds(&sql, " ORDER BY 1");
    if ((s = store_prepare(st, pf_buf_str(&sql), &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, run->id);
    bind_funds(q, ff);
    if (ff->dim)
        sqlite3_bind_text(q, 2, ff->dim, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct pf_result *r;
        if (!keep(ff, q, 2) || !kind_kept(ff, q))
            continue;
        if (sqlite3_column_type(q, 8) != SQLITE_NULL) {
            if ((s = expand_results(run, q, err)) != PF_OK)
                goto cleanup;
            continue;
        }
        r = new_result(run, (const char *)sqlite3_column_text(q, 1),
                       (const char *)sqlite3_column_text(q, 2),
                       (const char *)sqlite3_column_text(q, 3),
                       (const char *)sqlite3_column_text(q, 4));
        if (!col_amount(q, 5, &r->is_money, &r->cents, &r->value)) {
            const unsigned char *why = sqlite3_column_text(q, 7);
            r->reason = intern(run, why ? (const char *)why : "no value");
        } else {
            r->has_value = true;
        }
    }
    if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "cannot read the run's results", err);
        goto cleanup;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (ff->dim || (ff->part && !ff->part_rows))
        goto cleanup;

rows:
    pf_buf_reset(&sql);
    pf_buf_adds(&sql, "SELECT seq, tbl, fund, key, col, date, cents, value, NULL, NULL");
    add_from(&sql, ff, "run_row");
    pf_buf_adds(&sql, " UNION ALL SELECT seq, 'block', fund, key, NULL, NULL, NULL, NULL, flows, "
                      "NULL");
    add_from(&sql, ff, "run_block");
    if (st->schema_version >= 5) {
        pf_buf_adds(&sql, " UNION ALL SELECT seq, tbl, fund, key, NULL, NULL, NULL, NULL, rows, "
                          "NULL");
        add_from(&sql, ff, "run_pack");
    }
    if (st->schema_version >= 6) {
        pf_buf_adds(&sql, " UNION ALL SELECT seq, tbl, fund, key, NULL, NULL, NULL, NULL, rows, n");
        add_from(&sql, ff, "run_rowpack");
    }
    pf_buf_adds(&sql, " ORDER BY 1");
    if ((s = store_prepare(st, pf_buf_str(&sql), &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, run->id);
    bind_funds(q, ff);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct pf_run_row *r;
        if (!keep(ff, q, 2) || !kind_kept(ff, q))
            continue;
        if (sqlite3_column_type(q, 8) != SQLITE_NULL) {
            /* table "block" is a flow block (migration 5's run_pack never held one) */
            if (packed && strcmp((const char *)sqlite3_column_text(q, 1), "block") == 0)
                s = pack_block(run, q, err);
            else
                s = expand_block(run, q, err);
            if (s != PF_OK)
                goto cleanup;
            continue;
        }
        r = new_row(run, (const char *)sqlite3_column_text(q, 1),
                    (const char *)sqlite3_column_text(q, 2),
                    (const char *)sqlite3_column_text(q, 3),
                    (const char *)sqlite3_column_text(q, 4), store_col_date(q, 5));
        r->has_value = col_amount(q, 6, &r->is_money, &r->cents, &r->value);
    }
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read the run's rows", err);
cleanup:
    sqlite3_finalize(q);
    pf_buf_release(&sql);
    return s;
}

static pf_status
load_notes(struct pf_store *st, struct pf_run *run, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = store_prepare(st, "SELECT kind, name, ok, detail FROM run_note WHERE run_id = ? "
                               "ORDER BY seq", &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, run->id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        pf_run_note_add(run, strcmp((const char *)sqlite3_column_text(q, 0), "check") == 0,
                        (const char *)sqlite3_column_text(q, 1), sqlite3_column_int(q, 2),
                        (const char *)sqlite3_column_text(q, 3));
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read the run's notes", err);
    sqlite3_finalize(q);
    return s;
}

/* Were all of run's block rows stored as run_block rows (none one by one in run_row)? */
static pf_status
blocks_all_packed(struct pf_store *st, const struct pf_run *run, bool *yes, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = store_prepare(st, "SELECT EXISTS (SELECT 1 FROM run_row WHERE run_id = ? AND "
                               "tbl = 'block')", &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, run->id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *yes = sqlite3_column_int(q, 0) == 0;
    else
        s = store_fail(st, rc, "cannot read the run's rows", err);
    sqlite3_finalize(q);
    return s;
}

/* what: 0 the header only, 1 the funds of ff, 2 everything; packed: blocks into
 * run->blocks (if every one of them can go there); dim: only its results (with what 2);
 * notes: with the notes (what > 0) */
static pf_status
get_run_opt(struct pf_store *st, int64_t id, const char *const *funds, size_t nfunds, int what,
            bool packed, const char *dim, bool notes, const char *const *kinds, size_t nkinds,
            struct pf_run **out, struct pf_err *err)
{
    struct pf_run *run = pf_run_new();
    struct fund_filter ff;
    pf_status s;
    size_t i;

    *out = NULL;
    memset(&ff, 0, sizeof ff);
    ff.all = what == 2;
    ff.dim = dim;
    for (i = 0; i < nkinds; i++)
        pf_map_put(&ff.kinds, kinds[i], NULL);
    ff.funds = funds;
    ff.n = nfunds;
    for (i = 0; !ff.all && i < nfunds; i++)
        if (funds[i])
            pf_map_put(&ff.set, funds[i], NULL);
    /* one parameter per fund, if SQLite takes that many (it counts ?1, the run) */
    ff.in_sql = nfunds + 1 <= (size_t)sqlite3_limit(st->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    for (i = 0; ff.in_sql && i < nfunds; i++)
        if (!funds[i])
            ff.in_sql = false; /* a NULL among them: filtered in memory only */
    if ((s = load_head(st, id, run, err)))
        goto cleanup;
    if (what > 0 && packed && (s = blocks_all_packed(st, run, &packed, err)))
        goto cleanup;
    if (what > 0 && (ff.all || nfunds > 0) && (s = load_body(st, run, &ff, packed, err)))
        goto cleanup;
    if (what > 0 && notes && (s = load_notes(st, run, err)))
        goto cleanup;
    *out = run;
    run = NULL;
cleanup:
    pf_map_release(&ff.set, NULL);
    pf_map_release(&ff.kinds, NULL);
    pf_run_free(run);
    return s;
}

static pf_status
get_run(struct pf_store *st, int64_t id, const char *const *funds, size_t nfunds, int what,
        bool packed, struct pf_run **out, struct pf_err *err)
{
    return get_run_opt(st, id, funds, nfunds, what, packed, NULL, true, NULL, 0, out, err);
}

pf_status
pf_store_get_run_dim(struct pf_store *st, int64_t id, const char *dim, struct pf_run **out,
                     struct pf_err *err)
{
    return get_run_opt(st, id, NULL, 0, 2, false, dim, true, NULL, 0, out, err);
}

pf_status
pf_store_get_run_scope(struct pf_store *st, int64_t id, const char *const *funds,
                       size_t nfunds, const char *const *kinds, size_t nkinds,
                       struct pf_run **out, struct pf_err *err)
{
    return get_run_opt(st, id, funds, nfunds, 1, true, NULL, false, kinds, nkinds, out, err);
}

pf_status
pf_store_get_run_part(struct pf_store *st, int64_t id, const char *fund, bool rows,
                      const char *name, struct pf_map *pool, struct pf_run **out,
                      struct pf_err *err)
{
    struct pf_run *run = pf_run_new();
    struct fund_filter ff;
    pf_status s;

    *out = NULL;
    memset(&ff, 0, sizeof ff);
    ff.all = true;
    ff.part = true;
    ff.part_rows = rows;
    ff.part_fund = fund;
    ff.part_name = name;
    run->id = id;
    run->strings = pool;
    run->strings_lent = true;
    if (st->schema_version < 6) {
        s = pf_err_set(err, PF_EDATA, "", "run %lld is not stored in parts", (long long)id);
        goto cleanup;
    }
    if ((s = load_body(st, run, &ff, true, err)))
        goto cleanup;
    *out = run;
    run = NULL;
cleanup:
    pf_run_free(run);
    return s;
}

/* The one number sql gives for run id (?1). */
static pf_status
run_int(struct pf_store *st, int64_t id, const char *sql, int64_t *v, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    *v = 0;
    if ((s = store_prepare(st, sql, &q, err)) != PF_OK)
        return s;
    sqlite3_bind_int64(q, 1, id);
    if ((rc = sqlite3_step(q)) == SQLITE_ROW)
        *v = sqlite3_column_int64(q, 0);
    else
        s = store_fail(st, rc, "cannot read the run", err);
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_run_directory(struct pf_store *st, int64_t id, bool *partwise, size_t *nresults,
                       void (*fund_fn)(void *arg, const char *fund),
                       void (*block_fn)(void *arg, const char *fund, const char *key,
                                        size_t n),
                       void *arg, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s = PF_OK;
    int64_t v;
    int rc;

    *partwise = false;
    *nresults = 0;
    if (st->schema_version < 6)
        return PF_OK;
    /* every flow block in run_rowpack (as parkfund stores them since migration 6) */
    if ((s = run_int(st, id, "SELECT EXISTS (SELECT 1 FROM run_block WHERE run_id = ?1) OR "
                             "EXISTS (SELECT 1 FROM run_row WHERE run_id = ?1 AND tbl = "
                             "'block')", &v, err)) != PF_OK || v)
        return s;
    if (!fund_fn && !block_fn) { /* only asked whether it can be read by parts */
        *partwise = true;
        return PF_OK;
    }
    if ((s = run_int(st, id, "SELECT (SELECT count(*) FROM run_result WHERE run_id = ?1) + "
                             "(SELECT coalesce(sum(n), 0) FROM run_result_pack WHERE run_id = "
                             "?1)", &v, err)) != PF_OK)
        return s;
    *nresults = (size_t)v;
    if ((s = store_prepare(st, "SELECT fund, min(seq) AS first FROM (SELECT fund, seq FROM "
                               "run_result WHERE run_id = ?1 AND fund IS NOT NULL UNION ALL "
                               "SELECT fund, seq FROM run_result_pack WHERE run_id = ?1 AND "
                               "fund IS NOT NULL) GROUP BY fund ORDER BY first", &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        fund_fn(arg, (const char *)sqlite3_column_text(q, 0));
    if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "cannot read the run's results", err);
        goto cleanup;
    }
    sqlite3_finalize(q);
    q = NULL;
    if ((s = store_prepare(st, "SELECT fund, key, n FROM run_rowpack WHERE run_id = ?1 AND "
                               "tbl = 'block' ORDER BY seq", &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        block_fn(arg, (const char *)sqlite3_column_text(q, 0),
                 (const char *)sqlite3_column_text(q, 1), (size_t)sqlite3_column_int64(q, 2));
    if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "cannot read the run's rows", err);
        goto cleanup;
    }
    *partwise = true;
cleanup:
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_get_run(struct pf_store *st, int64_t id, struct pf_run **out, struct pf_err *err)
{
    return get_run(st, id, NULL, 0, 2, false, out, err);
}

pf_status
pf_store_get_run_funds(struct pf_store *st, int64_t id, const char *const *funds, size_t nfunds,
                       struct pf_run **out, struct pf_err *err)
{
    return get_run(st, id, funds, nfunds, 1, false, out, err);
}

pf_status
pf_store_get_run_packed(struct pf_store *st, int64_t id, bool all, const char *const *funds,
                        size_t nfunds, struct pf_run **out, struct pf_err *err)
{
    return get_run(st, id, funds, nfunds, all ? 2 : 1, true, out, err);
}

pf_status
pf_store_get_run_head(struct pf_store *st, int64_t id, struct pf_run **out, struct pf_err *err)
{
    return get_run(st, id, NULL, 0, 0, false, out, err);
}

pf_status
pf_store_run_by_as_of(struct pf_store *st, pf_date as_of, int64_t *id, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    char day[16];
    pf_status s;
    int rc;

    *id = 0;
    if ((s = store_prepare(st, "SELECT coalesce(max(run_id), 0) FROM run WHERE as_of = ?", &q,
                           err)))
        return s;
    sqlite3_bind_text(q, 1, pf_date_format(as_of, day, sizeof day), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(q, 0);
    else
        s = store_fail(st, rc, "cannot find the run", err);
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_run_ids(struct pf_store *st, int64_t **ids, size_t *n, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    pf_status s;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((s = store_prepare(st, "SELECT run_id FROM run ORDER BY run_id", &q, err)))
        return s;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        PF_GROW(*ids, *n + 1, cap);
        (*ids)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot list runs", err);
    sqlite3_finalize(q);
    return s;
}

static pf_status
list(struct pf_store *st, const char *sql, int ncols,
     void (*fn)(void *arg, const char *const *cols), void *arg, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    const char *cols[8];
    pf_status s;
    int rc, i;

    if ((s = store_prepare(st, sql, &q, err)))
        return s;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (i = 0; i < ncols; i++) {
            const unsigned char *t = sqlite3_column_text(q, i);
            cols[i] = t ? (const char *)t : "";
        }
        fn(arg, cols);
    }
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot list", err);
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_list_runs(struct pf_store *st, void (*fn)(void *arg, const char *const *cols),
                   void *arg, struct pf_err *err)
{
    return list(st, st->schema_version >= 5
                        ? "SELECT r.run_id, r.as_of, r.batch_id, r.created_at, r.engine, "
                          "coalesce(r.benchmark, ''), (SELECT count(*) FROM run_result x "
                          "WHERE x.run_id = r.run_id) + (SELECT coalesce(sum(n), 0) FROM "
                          "run_result_pack x WHERE x.run_id = r.run_id) FROM run r ORDER BY "
                          "r.run_id"
                        : "SELECT r.run_id, r.as_of, r.batch_id, r.created_at, r.engine, "
                          "coalesce(r.benchmark, ''), (SELECT count(*) FROM run_result x "
                          "WHERE x.run_id = r.run_id) FROM run r ORDER BY r.run_id",
                7, fn, arg, err);
}

pf_status
pf_store_list_batches(struct pf_store *st, void (*fn)(void *arg, const char *const *cols),
                      void *arg, struct pf_err *err)
{
    return list(st, "SELECT b.batch_id, b.created_at, (SELECT count(*) FROM batch_file f "
                    "WHERE f.batch_id = b.batch_id AND f.seq > 0), t.rows_read, t.rows_new, "
                    "substr(x.version, 1, 12) FROM batch b JOIN taxonomy x USING (taxonomy_id) "
                    "LEFT JOIN batch_file t ON t.batch_id = b.batch_id AND t.seq = 0 "
                    "ORDER BY b.batch_id", 6, fn, arg, err);
}
