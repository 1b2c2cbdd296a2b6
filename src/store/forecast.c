/*
 * forecast storage (SPEC §11): a forecast's options, figures and warnings,
 * kept beside the run it was computed from (models/schema/0003_forecast.sql).
 * Money stays integer cents; ratios keep their double bits, so verify can
 * compare exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "parkfund/banned.h"

struct pf_forecast *
pf_forecast_new(void)
{
    struct pf_forecast *f = pf_xcalloc(1, sizeof *f);
    f->res = pf_run_new();
    return f;
}

void
pf_forecast_free(struct pf_forecast *f)
{
    if (!f)
        return;
    pf_run_free(f->res);
    free(f->engine);
    free(f->created_at);
    free(f);
}

static pf_status
done(struct pf_store *st, sqlite3_stmt *q, struct pf_err *err)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "cannot store the forecast", err);
    return PF_OK;
}

pf_status
pf_store_put_forecast(struct pf_store *st, struct pf_forecast *f, struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    size_t i;

    if ((s = store_prepare(st, "INSERT INTO forecast(run_id, years, paths, seed, target_nav, "
                               "engine, created_at) VALUES (?,?,?,?,?,?,?)", &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, f->run_id);
    sqlite3_bind_int(q, 2, f->years);
    sqlite3_bind_int64(q, 3, f->paths);
    sqlite3_bind_int64(q, 4, f->seed);
    if (f->has_target)
        sqlite3_bind_int64(q, 5, f->target_nav);
    else
        sqlite3_bind_null(q, 5);
    sqlite3_bind_text(q, 6, f->engine ? f->engine : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, f->created_at ? f->created_at : "", -1, SQLITE_STATIC);
    if ((s = done(st, q, err)))
        goto cleanup;
    f->id = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(q);
    q = NULL;

    if ((s = store_prepare(st, "INSERT INTO forecast_result(forecast_id, seq, dimension, fund, "
                               "key, metric, cents, value, reason) VALUES (?,?,?,?,?,?,?,?,?)",
                           &q, err)))
        goto cleanup;
    for (i = 0; i < f->res->nresults; i++) {
        store_bind_result(q, f->id, (int64_t)i + 1, &f->res->results[i], "no value");
        if ((s = done(st, q, err)))
            goto cleanup;
    }
    sqlite3_finalize(q);
    q = NULL;

    if ((s = store_prepare(st, "INSERT INTO forecast_note(forecast_id, seq, name, detail) "
                               "VALUES (?,?,?,?)", &q, err)))
        goto cleanup;
    for (i = 0; i < f->res->nnotes; i++) {
        sqlite3_bind_int64(q, 1, f->id);
        sqlite3_bind_int64(q, 2, (int64_t)i + 1);
        sqlite3_bind_text(q, 3, f->res->notes[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, f->res->notes[i].detail, -1, SQLITE_STATIC);
        if ((s = done(st, q, err)))
            goto cleanup;
    }
cleanup:
    sqlite3_finalize(q);
    return s;
}

pf_status
pf_store_get_forecast(struct pf_store *st, int64_t id, struct pf_forecast **out,
                      struct pf_err *err)
{
    struct pf_forecast *f = pf_forecast_new();
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    *out = NULL;
    if ((s = store_prepare(st, "SELECT forecast_id, run_id, years, paths, seed, target_nav, "
                               "engine, created_at FROM forecast WHERE forecast_id = ?",
                           &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        s = rc == SQLITE_DONE
                ? pf_err_set(err, PF_ENOINPUT, "", "no forecast %lld (see 'parkfund show "
                             "forecasts')", (long long)id)
                : store_fail(st, rc, "cannot read the forecast", err);
        goto cleanup;
    }
    f->id = sqlite3_column_int64(q, 0);
    f->run_id = sqlite3_column_int64(q, 1);
    f->years = sqlite3_column_int(q, 2);
    f->paths = sqlite3_column_int64(q, 3);
    f->seed = sqlite3_column_int64(q, 4);
    f->has_target = sqlite3_column_type(q, 5) != SQLITE_NULL;
    f->target_nav = sqlite3_column_int64(q, 5);
    f->engine = store_col_dup(q, 6);
    f->created_at = store_col_dup(q, 7);
    sqlite3_finalize(q);
    q = NULL;

    if ((s = store_prepare(st, "SELECT dimension, fund, key, metric, cents, value, reason FROM "
                               "forecast_result WHERE forecast_id = ? ORDER BY seq", &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *dim = (const char *)sqlite3_column_text(q, 0);
        const char *fund = (const char *)sqlite3_column_text(q, 1);
        const char *key = (const char *)sqlite3_column_text(q, 2);
        const char *metric = (const char *)sqlite3_column_text(q, 3);
        if (sqlite3_column_type(q, 4) != SQLITE_NULL)
            pf_run_money(f->res, dim, fund, key, metric, sqlite3_column_int64(q, 4));
        else if (sqlite3_column_type(q, 5) != SQLITE_NULL)
            pf_run_value(f->res, dim, fund, key, metric, sqlite3_column_double(q, 5));
        else
            pf_run_empty(f->res, dim, fund, key, metric,
                         (const char *)sqlite3_column_text(q, 6));
    }
    if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "cannot read the forecast's results", err);
        goto cleanup;
    }
    sqlite3_finalize(q);
    q = NULL;

    if ((s = store_prepare(st, "SELECT name, detail FROM forecast_note WHERE forecast_id = ? "
                               "ORDER BY seq", &q, err)))
        goto cleanup;
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        pf_run_note_add(f->res, false, (const char *)sqlite3_column_text(q, 0), 0,
                        (const char *)sqlite3_column_text(q, 1));
    if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "cannot read the forecast's notes", err);
        goto cleanup;
    }
    *out = f;
    f = NULL;
cleanup:
    sqlite3_finalize(q);
    pf_forecast_free(f);
    return s;
}

pf_status
pf_store_forecast_ids(struct pf_store *st, int64_t run_id, int64_t **ids, size_t *n,
                      struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    pf_status s;
    int rc;

    *ids = NULL;
    *n = 0;
    /* a read-only open of a database an older binary wrote has no forecast table */
    if ((s = store_prepare(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                               "name = 'forecast'", &q, err)))
        return s;
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW || sqlite3_column_int(q, 0) == 0) {
        sqlite3_finalize(q);
        return rc == SQLITE_ROW ? PF_OK : store_fail(st, rc, "cannot list forecasts", err);
    }
    sqlite3_finalize(q);
    q = NULL;
    if ((s = store_prepare(st, "SELECT forecast_id FROM forecast WHERE ?1 = 0 OR run_id = ?1 "
                               "ORDER BY forecast_id", &q, err)))
        return s;
    sqlite3_bind_int64(q, 1, run_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        PF_GROW(*ids, *n + 1, cap);
        (*ids)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot list forecasts", err);
    sqlite3_finalize(q);
    return s;
}
