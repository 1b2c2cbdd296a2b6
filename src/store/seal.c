/*
 * seal: tamper evidence for batches (migration 0002, README "Tamper evidence").
 * Each batch records per kind the number of rows it brought and a digest of
 * exactly those rows: the sum modulo 2^256 of every row's SHA-256 (all columns
 * but batch_id, as text, NULL as 0x1d, each followed by 0x1f), so the import can
 * add rows up as it inserts them and verify can recompute from one unordered
 * scan. A '(batch)' seal chains the previous batch's '(batch)' digest with the
 * batch row, its taxonomy text, its batch_file rows and its per-kind seals.
 * This module does not prevent tampering (the triggers do, for clients that
 * leave them in place); it makes changes that do not recompute seals visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "parkfund/banned.h"

#define SEAL_BATCH "(batch)"
#define SEAL_SHOWN 10 /* rows named per problem */

/* --- digests --- */

static void
sum_add(unsigned char acc[32], const unsigned char h[32])
{
    unsigned carry = 0;
    int i;
    for (i = 31; i >= 0; i--) {
        unsigned v = (unsigned)acc[i] + h[i] + carry;
        acc[i] = (unsigned char)(v & 0xff);
        carry = v >> 8;
    }
}

static void
to_hex(const unsigned char b[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 32; i++) {
        hex[2 * i] = digits[b[i] >> 4];
        hex[2 * i + 1] = digits[b[i] & 15];
    }
    hex[64] = '\0';
}

static void
field_text(struct pf_buf *b, const char *v)
{
    if (v)
        pf_buf_adds(b, v);
    else
        pf_buf_addc(b, '\x1d');
    pf_buf_addc(b, '\x1f');
}

void
store_seal_reset(struct pf_store *st)
{
    memset(st->seal, 0, sizeof st->seal);
}

void
store_seal_row(struct pf_store *st, enum pf_kind k, const char *const *vals)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    unsigned char h[32];
    int i;

    pf_buf_reset(&st->sealbuf);
    for (i = 0; i < kd->nfields; i++) {
        /* money and rates are canonical "%lld" already: as SQLite gives them back */
        if (vals[i] && kd->fields[i].type == PF_F_INT) {
            char num[32];
            snprintf(num, sizeof num, "%lld", strtoll(vals[i], NULL, 10));
            field_text(&st->sealbuf, num);
        } else {
            field_text(&st->sealbuf, vals[i]);
        }
    }
    pf_sha256_raw(st->sealbuf.s, st->sealbuf.len, h);
    sum_add(st->seal[k].sum, h);
    st->seal[k].rows++;
}

/* The digest of one scanned row: columns 1..n of q (column 0 is batch_id). */
static void
scanned_row(struct pf_buf *b, sqlite3_stmt *q, int n, unsigned char h[32])
{
    int i;
    pf_buf_reset(b);
    for (i = 1; i <= n; i++)
        field_text(b, sqlite3_column_type(q, i) == SQLITE_NULL
                          ? NULL : (const char *)sqlite3_column_text(q, i));
    pf_sha256_raw(b->s ? b->s : "", b->len, h);
}

static char *
kind_cols(enum pf_kind k)
{
    struct pf_buf b = PF_BUF_INIT;
    int i;
    for (i = 0; i < pf_kinds[k].nfields; i++)
        pf_buf_addf(&b, "%s%s", i ? ", " : "", pf_kinds[k].fields[i].name);
    return pf_buf_detach(&b);
}

/* "valuation (project_id='P-1', date='2024-06-30')" from columns 1..nkey of q. */
static void
row_name(struct pf_buf *out, enum pf_kind k, sqlite3_stmt *q)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    int i;
    pf_buf_addf(out, "%s (", kd->table);
    for (i = 0; i < kd->nkey; i++) {
        const unsigned char *t = sqlite3_column_text(q, i + 1);
        pf_buf_addf(out, "%s%s='%.60s'", i ? ", " : "", kd->fields[i].name,
                    t ? (const char *)t : "");
    }
    pf_buf_adds(out, ")");
}

/*
 * The schema's triggers guard the tables against other SQLite clients (a shell's
 * REPLACE, rows under the wrong batch). The import's own row inserts never
 * replace (ON CONFLICT DO NOTHING, lookups first) and go to the newest batch, so
 * between pf_store_check_open_batch and pf_store_seal_batch (or a rollback) this
 * connection runs without triggers: they would cost each row a trigger program
 * (about a third of import time). What it inserted is sealed all the same.
 */
static void
triggers(struct pf_store *st, int on)
{
    sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, on, (int *)NULL);
}

void
store_triggers_on(struct pf_store *st)
{
    triggers(st, 1);
}

void
store_triggers_off(struct pf_store *st)
{
    triggers(st, 0);
}

/* --- the '(batch)' chain --- */

static pf_status
chain_digest(struct pf_store *st, int64_t batch, const char *prev, char out[65],
             struct pf_err *err)
{
    static const char *const sql[] = {
        "SELECT b.batch_id, b.digest, b.taxonomy_id, b.created_at, t.version, t.json "
        "FROM batch b LEFT JOIN taxonomy t USING (taxonomy_id) WHERE b.batch_id = ?1",
        "SELECT seq, name, kind, sha256, rows_read, rows_new FROM batch_file "
        "WHERE batch_id = ?1 ORDER BY seq",
        "SELECT kind, rows, digest FROM batch_seal WHERE batch_id = ?1 AND kind <> '"
        SEAL_BATCH "' ORDER BY kind",
    };
    struct pf_sha256 *h = pf_sha256_new();
    sqlite3_stmt *q = NULL;
    pf_status s = PF_OK;
    size_t j;
    int rc, i;

    pf_sha256_update(h, "parkfund seal 1\x1e", 16);
    pf_sha256_update(h, prev, strlen(prev));
    pf_sha256_update(h, "\x1e", 1);
    for (j = 0; j < sizeof sql / sizeof *sql; j++) {
        if ((s = store_prepare(st, sql[j], &q, err)) != PF_OK)
            break;
        sqlite3_bind_int64(q, 1, batch);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            for (i = 0; i < sqlite3_column_count(q); i++) {
                if (sqlite3_column_type(q, i) == SQLITE_NULL)
                    pf_sha256_update(h, "\x1d", 1);
                else
                    pf_sha256_update(h, sqlite3_column_text(q, i),
                                     (size_t)sqlite3_column_bytes(q, i));
                pf_sha256_update(h, "\x1f", 1);
            }
            pf_sha256_update(h, "\x1e", 1);
        }
        if (rc != SQLITE_DONE) {
            s = store_fail(st, rc, "cannot read a batch to seal", err);
            break;
        }
        sqlite3_finalize(q);
        q = NULL;
        pf_sha256_update(h, "\x1c", 1);
    }
    sqlite3_finalize(q);
    pf_sha256_final(h, out);
    pf_sha256_free(h);
    return s;
}

/* The '(batch)' digest stored for the batch before `batch` ("" when none). */
static pf_status
prev_chain(struct pf_store *st, int64_t batch, char prev[65], struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    prev[0] = '\0';
    if ((s = store_prepare(st, "SELECT s.digest FROM batch_seal s WHERE s.kind = '" SEAL_BATCH
                               "' AND s.batch_id = (SELECT max(batch_id) FROM batch "
                               "WHERE batch_id < ?)", &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, batch);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        snprintf(prev, 65, "%s", (const char *)sqlite3_column_text(q, 0));
    else if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read a batch seal", err);
    sqlite3_finalize(q);
    return s;
}

static pf_status
put_seal(struct pf_store *st, int64_t batch, const char *kind, int64_t rows, const char *hex,
         struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = store_prepare(st, "INSERT INTO batch_seal(batch_id, kind, rows, digest) "
                               "VALUES (?, ?, ?, ?)", &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, rows);
    sqlite3_bind_text(q, 4, hex, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot seal the batch", err);
    sqlite3_finalize(q);
    return s;
}

static pf_status
seal_chain(struct pf_store *st, int64_t batch, struct pf_err *err)
{
    char prev[65], hex[65];
    pf_status s;
    if ((s = prev_chain(st, batch, prev, err)) != PF_OK ||
        (s = chain_digest(st, batch, prev, hex, err)) != PF_OK)
        return s;
    return put_seal(st, batch, SEAL_BATCH, 0, hex, err);
}

pf_status
pf_store_seal_batch(struct pf_store *st, int64_t batch, struct pf_err *err)
{
    pf_status s;
    char hex[65];
    int k;

    triggers(st, 1);
    for (k = 0; k < PF_K_COUNT; k++) {
        if (st->seal[k].rows == 0)
            continue;
        to_hex(st->seal[k].sum, hex);
        if ((s = put_seal(st, batch, pf_kinds[k].name, st->seal[k].rows, hex, err)))
            return s;
    }
    store_seal_reset(st);
    return seal_chain(st, batch, err);
}

/* --- a new batch: nothing may be stored under its id yet --- */

pf_status
pf_store_check_open_batch(struct pf_store *st, int64_t batch, struct pf_err *err)
{
    int k;
    store_seal_reset(st);
    for (k = 0; k < PF_K_COUNT; k++) {
        struct pf_buf b = PF_BUF_INIT, names = PF_BUF_INIT;
        char *cols = kind_cols((enum pf_kind)k);
        sqlite3_stmt *q = NULL;
        pf_status s;
        int rc, n = 0;

        pf_buf_addf(&b, "SELECT batch_id, %s FROM %s WHERE batch_id >= ?", cols,
                    pf_kinds[k].table);
        s = store_prepare(st, b.s, &q, err);
        free(cols);
        pf_buf_release(&b);
        if (s)
            return s;
        sqlite3_bind_int64(q, 1, batch);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (n++ < SEAL_SHOWN) {
                pf_buf_adds(&names, n > 1 ? ", " : "");
                row_name(&names, (enum pf_kind)k, q);
                pf_buf_addf(&names, " under batch %lld", (long long)sqlite3_column_int64(q, 0));
            }
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) {
            pf_buf_release(&names);
            return store_fail(st, rc, "cannot read stored rows", err);
        }
        if (n) {
            s = pf_err_set(err, PF_EDATA, "", "database '%s' holds %d row%s that no import "
                           "brought, under a batch that did not exist yet: %s%s; nothing "
                           "imported (run 'parkfund verify')", st->path, n, n == 1 ? "" : "s",
                           pf_buf_str(&names), n > SEAL_SHOWN ? ", ..." : "");
            pf_buf_release(&names);
            return s;
        }
    }
    triggers(st, 0);
    return PF_OK;
}

/* --- recomputing every seal --- */

struct scan {
    int64_t maxb;
    struct store_seal *acc;   /* (maxb + 1) * PF_K_COUNT */
    unsigned char *exists;    /* (maxb + 1): a batch row with that id */
};

static struct store_seal *
acc_at(struct scan *S, int64_t b, int k)
{
    return &S->acc[(size_t)b * PF_K_COUNT + (size_t)k];
}

typedef void (*problem_fn)(void *arg, const char *problem);

static pf_status
scan_init(struct pf_store *st, struct scan *S, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    memset(S, 0, sizeof *S);
    if ((s = store_prepare(st, "SELECT batch_id FROM batch ORDER BY batch_id", &q, err)))
        return s;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (sqlite3_column_int64(q, 0) > S->maxb)
            S->maxb = sqlite3_column_int64(q, 0);
    if (rc != SQLITE_DONE) {
        sqlite3_finalize(q);
        return store_fail(st, rc, "cannot read batches", err);
    }
    S->acc = pf_xcalloc((size_t)(S->maxb + 1) * PF_K_COUNT, sizeof *S->acc);
    S->exists = pf_xcalloc((size_t)(S->maxb + 1), 1);
    sqlite3_reset(q);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        S->exists[sqlite3_column_int64(q, 0)] = 1;
    sqlite3_finalize(q);
    return PF_OK;
}

static void
scan_release(struct scan *S)
{
    free(S->acc);
    free(S->exists);
}

/* Sum every stored row into its batch and kind; rows under no batch are problems. */
static pf_status
scan_rows(struct pf_store *st, struct scan *S, problem_fn fn, void *arg, size_t *np,
          struct pf_err *err)
{
    struct pf_buf rowb = PF_BUF_INIT;
    pf_status s = PF_OK;
    int k;

    for (k = 0; k < PF_K_COUNT && s == PF_OK; k++) {
        struct pf_buf b = PF_BUF_INIT;
        char *cols = kind_cols((enum pf_kind)k);
        sqlite3_stmt *q = NULL;
        unsigned char h[32];
        int rc;

        pf_buf_addf(&b, "SELECT batch_id, %s FROM %s", cols, pf_kinds[k].table);
        s = store_prepare(st, b.s, &q, err);
        free(cols);
        pf_buf_release(&b);
        if (s)
            break;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            int64_t bid = sqlite3_column_int64(q, 0);
            if (bid < 1 || bid > S->maxb || !S->exists[bid]) {
                struct pf_buf m = PF_BUF_INIT;
                row_name(&m, (enum pf_kind)k, q);
                pf_buf_addf(&m, " is under batch %lld, which does not exist",
                            (long long)bid);
                if (fn)
                    fn(arg, m.s);
                (*np)++;
                pf_buf_release(&m);
                continue;
            }
            scanned_row(&rowb, q, pf_kinds[k].nfields, h);
            sum_add(acc_at(S, bid, k)->sum, h);
            acc_at(S, bid, k)->rows++;
        }
        if (rc != SQLITE_DONE)
            s = store_fail(st, rc, "cannot read stored rows", err);
        sqlite3_finalize(q);
    }
    pf_buf_release(&rowb);
    return s;
}

/* Name the rows of one batch and kind (the suspects of a seal that does not match). */
static pf_status
name_rows(struct pf_store *st, int64_t batch, int k, struct pf_buf *out, struct pf_err *err)
{
    struct pf_buf b = PF_BUF_INIT;
    char *cols = kind_cols((enum pf_kind)k);
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc, n = 0;

    pf_buf_addf(&b, "SELECT batch_id, %s FROM %s WHERE batch_id = ?", cols, pf_kinds[k].table);
    s = store_prepare(st, b.s, &q, err);
    free(cols);
    pf_buf_release(&b);
    if (s)
        return s;
    sqlite3_bind_int64(q, 1, batch);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n++ < SEAL_SHOWN) {
            pf_buf_adds(out, "\n    ");
            row_name(out, (enum pf_kind)k, q);
        }
    }
    if (n > SEAL_SHOWN)
        pf_buf_addf(out, "\n    ... and %d more", n - SEAL_SHOWN);
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read stored rows", err);
    sqlite3_finalize(q);
    return s;
}

struct stored_seal {
    bool found;
    int64_t rows;
    char digest[65];
};

static pf_status
get_seal(struct pf_store *st, sqlite3_stmt *q, int64_t batch, const char *kind,
         struct stored_seal *out, struct pf_err *err)
{
    int rc;
    memset(out, 0, sizeof *out);
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, batch);
    sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->found = true;
        out->rows = sqlite3_column_int64(q, 0);
        snprintf(out->digest, sizeof out->digest, "%s",
                 sqlite3_column_text(q, 1) ? (const char *)sqlite3_column_text(q, 1) : "");
    } else if (rc != SQLITE_DONE) {
        return store_fail(st, rc, "cannot read a batch seal", err);
    }
    return PF_OK;
}

/*
 * The schema's triggers, as the embedded migrations create them: each must be in
 * the database with the same text (sqlite_schema keeps a CREATE statement
 * verbatim). A dropped or rewritten trigger is how rows get changed unseen.
 */
static pf_status
check_triggers(struct pf_store *st, problem_fn fn, void *arg, size_t *np, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    size_t m;

    if ((s = store_prepare(st, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND "
                               "name = ?", &q, err)))
        return s;
    for (m = 0; pf_schema_migrations[m] && (int)m < st->schema_version; m++) {
        const char *p = pf_schema_migrations[m];
        while ((p = strstr(p, "CREATE TRIGGER ")) != NULL) {
            const char *name = p + 15, *end = strstr(p, "END;");
            size_t nlen = strcspn(name, " \n");
            char tname[128], msg[300];
            int rc;

            if (!end || nlen >= sizeof tname)
                break;
            memcpy(tname, name, nlen);
            tname[nlen] = '\0';
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, tname, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(q);
            msg[0] = '\0';
            if (rc == SQLITE_DONE)
                snprintf(msg, sizeof msg, "trigger '%s' is missing: it was dropped", tname);
            else if (rc != SQLITE_ROW)
                s = store_fail(st, rc, "cannot read the schema", err);
            else if ((size_t)sqlite3_column_bytes(q, 0) != (size_t)(end + 3 - p) ||
                     memcmp(sqlite3_column_text(q, 0), p, (size_t)(end + 3 - p)) != 0)
                snprintf(msg, sizeof msg, "trigger '%s' differs from parkfund's schema", tname);
            if (s != PF_OK)
                break;
            if (msg[0]) {
                if (fn)
                    fn(arg, msg);
                (*np)++;
            }
            p = end;
        }
    }
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_verify_seals(struct pf_store *st, void (*fn)(void *arg, const char *problem),
                      void *arg, size_t *nproblems, int64_t *nbatches, char head[65],
                      struct pf_err *err)
{
    struct scan S;
    sqlite3_stmt *q = NULL;
    pf_status s;
    char prev[65] = "", hex[65];
    int64_t b;
    int k;

    *nproblems = 0;
    *nbatches = 0;
    head[0] = '\0';
    if ((s = scan_init(st, &S, err)) != PF_OK)
        return s;
    if ((s = check_triggers(st, fn, arg, nproblems, err)) != PF_OK ||
        (s = scan_rows(st, &S, fn, arg, nproblems, err)) != PF_OK)
        goto cleanup;
    if ((s = store_prepare(st, "SELECT rows, digest FROM batch_seal WHERE batch_id = ? AND "
                               "kind = ?", &q, err)))
        goto cleanup;
    for (b = 1; b <= S.maxb; b++) {
        struct stored_seal ss;
        if (!S.exists[b])
            continue;
        (*nbatches)++;
        for (k = 0; k < PF_K_COUNT; k++) {
            struct store_seal *a = acc_at(&S, b, k);
            struct pf_buf m = PF_BUF_INIT;
            if ((s = get_seal(st, q, b, pf_kinds[k].name, &ss, err)) != PF_OK)
                goto cleanup;
            to_hex(a->sum, hex);
            if (!ss.found && a->rows == 0)
                continue;
            if (ss.found && ss.rows == a->rows && strcmp(ss.digest, hex) == 0)
                continue;
            if (!ss.found)
                pf_buf_addf(&m, "batch %lld sealed no %s rows, but %lld are stored under it:",
                            (long long)b, pf_kinds[k].table, (long long)a->rows);
            else
                pf_buf_addf(&m, "batch %lld's %s rows do not match its seal (sealed %lld "
                            "rows, stored %lld%s):", (long long)b, pf_kinds[k].table,
                            (long long)ss.rows, (long long)a->rows,
                            ss.rows == a->rows ? ", contents differ" : "");
            if (a->rows == 0)
                pf_buf_adds(&m, "\n    (none left)");
            else if ((s = name_rows(st, b, k, &m, err)) != PF_OK) {
                pf_buf_release(&m);
                goto cleanup;
            }
            if (fn)
                fn(arg, m.s);
            (*nproblems)++;
            pf_buf_release(&m);
        }
        if ((s = get_seal(st, q, b, SEAL_BATCH, &ss, err)) != PF_OK ||
            (s = chain_digest(st, b, prev, hex, err)) != PF_OK)
            goto cleanup;
        if (!ss.found || strcmp(ss.digest, hex) != 0) {
            char msg[200];
            snprintf(msg, sizeof msg, !ss.found ? "batch %lld is not sealed"
                     : "batch %lld's record (time, files, taxonomy, per-kind seals or an "
                       "earlier batch) does not match its seal", (long long)b);
            if (fn)
                fn(arg, msg);
            (*nproblems)++;
        }
        /* the chain goes on from what is stored, so one change is reported once */
        snprintf(prev, sizeof prev, "%s", ss.found ? ss.digest : hex);
        snprintf(head, 65, "%s", prev);
    }
cleanup:
    sqlite3_finalize(q);
    scan_release(&S);
    return s;
}

/* A database from before migration 0002: seal its batches as they are found now. */
pf_status
store_seal_existing(struct pf_store *st, struct pf_err *err)
{
    struct scan S;
    pf_status s;
    size_t np = 0;
    char hex[65];
    int64_t b;
    int k;

    if ((s = scan_init(st, &S, err)) != PF_OK)
        return s;
    if ((s = scan_rows(st, &S, NULL, NULL, &np, err)) != PF_OK)
        goto cleanup;
    for (b = 1; b <= S.maxb; b++) {
        if (!S.exists[b])
            continue;
        for (k = 0; k < PF_K_COUNT; k++) {
            struct store_seal *a = acc_at(&S, b, k);
            if (a->rows == 0)
                continue;
            to_hex(a->sum, hex);
            if ((s = put_seal(st, b, pf_kinds[k].name, a->rows, hex, err)) != PF_OK)
                goto cleanup;
        }
        if ((s = seal_chain(st, b, err)) != PF_OK)
            goto cleanup;
    }
cleanup:
    scan_release(&S);
    return s;
}
