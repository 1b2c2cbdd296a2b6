/*
 * verify: an auditor's rerun. Recompute a stored run from the data as known at
 * its cut-off batch and compare every result and row exactly (money to the
 * cent, doubles bit for bit), and the digest of the inputs read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

char *
pf_result_format(const struct pf_result *r, char *buf, size_t n)
{
    if (!r->has_value)
        snprintf(buf, n, "(empty: %s)", r->reason ? r->reason : "no value");
    else if (r->is_money)
        pf_money_format(r->cents, buf, n);
    else
        snprintf(buf, n, "%.17g", r->value);
    return buf;
}

static bool
same_double(double a, double b)
{
    return a == b; /* SQLite keeps every REAL's bits except the sign of zero */
}

static bool
results_equal(const struct pf_result *a, const struct pf_result *b)
{
    if (strcmp(a->dimension, b->dimension) || strcmp(a->key, b->key) ||
        strcmp(a->metric, b->metric) || (!a->fund != !b->fund) ||
        (a->fund && strcmp(a->fund, b->fund)))
        return false;
    if (a->has_value != b->has_value)
        return false;
    if (!a->has_value)
        return strcmp(a->reason ? a->reason : "", b->reason ? b->reason : "") == 0;
    if (a->is_money != b->is_money)
        return false;
    return a->is_money ? a->cents == b->cents : same_double(a->value, b->value);
}

static bool
rows_equal(const struct pf_run_row *a, const struct pf_run_row *b)
{
    if (strcmp(a->tbl, b->tbl) || strcmp(a->key, b->key) || strcmp(a->col, b->col) ||
        a->date != b->date || (!a->fund != !b->fund) || (a->fund && strcmp(a->fund, b->fund)))
        return false;
    if (a->has_value != b->has_value || a->is_money != b->is_money)
        return false;
    if (!a->has_value)
        return true;
    return a->is_money ? a->cents == b->cents : same_double(a->value, b->value);
}

static void
result_name(const struct pf_result *r, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s/%s/%s", r->dimension, r->fund ? r->fund : "(portfolio)", r->key,
             r->metric);
}

static void
row_name(const struct pf_run_row *r, char *buf, size_t n)
{
    char day[16];
    snprintf(buf, n, "rows %s/%s/%s/%s/%s", r->tbl, r->fund ? r->fund : "(portfolio)", r->key,
             r->col, pf_date_format(r->date, day, sizeof day));
}

static void
row_value(const struct pf_run_row *r, char *buf, size_t n)
{
    if (!r->has_value)
        snprintf(buf, n, "(empty)");
    else if (r->is_money)
        pf_money_format(r->cents, buf, n);
    else
        snprintf(buf, n, "%.17g", r->value);
}

static size_t
compare_runs(const struct pf_run *s, const struct pf_run *c,
             void (*fn)(void *arg, const struct pf_diff *d), void *arg)
{
    struct pf_diff d;
    char what[600], a[128], b[128];
    size_t i, n = 0;
    bool aligned;

    d.run = s->id;
    d.what = what;
    d.stored = a;
    d.recomputed = b;
#define DIFF()                                                                            \
    do {                                                                                  \
        n++;                                                                              \
        if (fn)                                                                           \
            fn(arg, &d);                                                                  \
    } while (0)
    aligned = s->nresults == c->nresults;
    for (i = 0; aligned && i < s->nresults; i++)
        aligned = strcmp(s->results[i].metric, c->results[i].metric) == 0 &&
                  strcmp(s->results[i].key, c->results[i].key) == 0 &&
                  strcmp(s->results[i].dimension, c->results[i].dimension) == 0 &&
                  !s->results[i].fund == !c->results[i].fund &&
                  (!s->results[i].fund || strcmp(s->results[i].fund, c->results[i].fund) == 0);
    if (aligned) {
        /* the usual case: the same figures in the same order, compared one by one */
        for (i = 0; i < s->nresults; i++) {
            if (results_equal(&s->results[i], &c->results[i]))
                continue;
            result_name(&s->results[i], what, sizeof what);
            pf_result_format(&s->results[i], a, sizeof a);
            pf_result_format(&c->results[i], b, sizeof b);
            DIFF();
        }
    } else {
        /* figures added or dropped (another engine version?): match them by name */
        struct pf_map byname = PF_MAP_INIT;
        char name[600];
        size_t *seen = pf_xcalloc(c->nresults + 1, sizeof *seen);
        for (i = 0; i < c->nresults; i++) {
            result_name(&c->results[i], name, sizeof name);
            pf_map_put(&byname, name, &seen[i]);
            seen[i] = i + 1;
        }
        for (i = 0; i < s->nresults; i++) {
            size_t *slot;
            result_name(&s->results[i], what, sizeof what);
            slot = pf_map_get(&byname, what);
            pf_result_format(&s->results[i], a, sizeof a);
            if (!slot || *slot == 0) { /* unknown, or a name stored twice */
                snprintf(b, sizeof b, "(not computed)");
                DIFF();
                continue;
            }
            if (!results_equal(&s->results[i], &c->results[*slot - 1])) {
                pf_result_format(&c->results[*slot - 1], b, sizeof b);
                DIFF();
            }
            *slot = 0; /* matched */
        }
        for (i = 0; i < c->nresults; i++) {
            if (seen[i] == 0)
                continue;
            result_name(&c->results[i], what, sizeof what);
            snprintf(a, sizeof a, "(not stored)");
            pf_result_format(&c->results[i], b, sizeof b);
            DIFF();
        }
        pf_map_release(&byname, NULL);
        free(seen);
    }
    for (i = 0; i < s->nrows || i < c->nrows; i++) {
        if (i >= s->nrows || i >= c->nrows) {
            const struct pf_run_row *r = i >= s->nrows ? &c->rows[i] : &s->rows[i];
            row_name(r, what, sizeof what);
            if (i >= s->nrows) {
                snprintf(a, sizeof a, "(missing)");
                row_value(r, b, sizeof b);
            } else {
                row_value(r, a, sizeof a);
                snprintf(b, sizeof b, "(missing)");
            }
            DIFF();
        } else if (!rows_equal(&s->rows[i], &c->rows[i])) {
            row_name(&s->rows[i], what, sizeof what);
            row_value(&s->rows[i], a, sizeof a);
            row_value(&c->rows[i], b, sizeof b);
            DIFF();
        }
    }
    for (i = 0; i < s->nnotes || i < c->nnotes; i++) {
        const struct pf_run_note *x = i < s->nnotes ? &s->notes[i] : NULL;
        const struct pf_run_note *y = i < c->nnotes ? &c->notes[i] : NULL;
        if (x && y && x->is_check == y->is_check && x->ok == y->ok &&
            strcmp(x->name, y->name) == 0 && strcmp(x->detail, y->detail) == 0)
            continue;
        snprintf(what, sizeof what, "note %zu", i + 1);
        snprintf(a, sizeof a, "%.120s", x ? x->detail : "(missing)");
        snprintf(b, sizeof b, "%.120s", y ? y->detail : "(missing)");
        DIFF();
    }
#undef DIFF
    return n;
}

/* Forecast diffs are named "forecast N: ..." (SPEC §11: verify recomputes them). */
struct fc_diff_arg {
    void (*fn)(void *arg, const struct pf_diff *d);
    void *arg;
    int64_t id;
};

static void
fc_diff(void *arg, const struct pf_diff *d)
{
    const struct fc_diff_arg *a = arg;
    char what[700];
    struct pf_diff e = *d;
    snprintf(what, sizeof what, "forecast %lld: %s", (long long)a->id, d->what);
    e.what = what;
    if (a->fn)
        a->fn(a->arg, &e);
}

/* Recompute each forecast of the stored run with its stored options and compare. */
static pf_status
verify_forecasts(struct pf_store *st, const struct pf_run *run, const struct pf_dataset *ds,
                 void (*fn)(void *arg, const struct pf_diff *d), void *arg, size_t *ndiff,
                 struct pf_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0, i;
    pf_status rc;

    if ((rc = pf_store_forecast_ids(st, run->id, &ids, &n, err)) != PF_OK)
        return rc;
    for (i = 0; i < n && rc == PF_OK; i++) {
        struct pf_forecast *stored = NULL, *again = NULL;
        struct pf_forecast_opts o;
        struct fc_diff_arg a = { fn, arg, ids[i] };
        if ((rc = pf_store_get_forecast(st, ids[i], &stored, err)) != PF_OK)
            break;
        memset(&o, 0, sizeof o);
        o.years = stored->years;
        o.paths = (size_t)stored->paths;
        o.seed = (unsigned long)stored->seed;
        o.has_target = stored->has_target;
        o.target_nav = stored->target_nav;
        rc = pf_engine_forecast_compute(run, ds, &o, &again, err);
        if (rc == PF_OK) {
            stored->res->id = again->res->id = run->id;
            *ndiff += compare_runs(stored->res, again->res, fc_diff, &a);
        }
        pf_forecast_free(stored);
        pf_forecast_free(again);
    }
    free(ids);
    return rc;
}

static pf_status
verify_one(struct pf_store *st, int64_t id, void (*fn)(void *arg, const struct pf_diff *d),
           void *arg, size_t *ndiff, struct pf_err *err)
{
    struct pf_run *stored = NULL, *again = NULL;
    struct pf_dataset *ds = NULL;
    struct pf_close_opts o;
    char digest[65];
    size_t before;
    pf_status rc;

    if ((rc = pf_store_get_run(st, id, &stored, err)) != PF_OK)
        goto cleanup;
    if ((rc = pf_store_load_dataset(st, stored->batch, &ds, digest, err)) != PF_OK)
        goto cleanup;
    if (strcmp(digest, stored->digest ? stored->digest : "") != 0) {
        struct pf_diff d = { stored->id, "input digest", stored->digest, digest };
        (*ndiff)++;
        if (fn)
            fn(arg, &d);
    }
    memset(&o, 0, sizeof o);
    o.as_of = stored->as_of;
    o.benchmark = stored->benchmark;
    if ((rc = pf_engine_compute(ds, &o, &again, err)) != PF_OK)
        goto cleanup;
    if (strcmp(again->taxonomy, stored->taxonomy ? stored->taxonomy : "") != 0) {
        struct pf_diff d = { stored->id, "taxonomy version", stored->taxonomy, again->taxonomy };
        (*ndiff)++;
        if (fn)
            fn(arg, &d);
    }
    before = *ndiff;
    *ndiff += compare_runs(stored, again, fn, arg);
    if ((rc = verify_forecasts(st, stored, ds, fn, arg, ndiff, err)) != PF_OK)
        goto cleanup;
    if (*ndiff > before && strcmp(stored->engine ? stored->engine : "", PF_ENGINE_VERSION)) {
        /* context for the auditor: another engine computed the stored run */
        struct pf_diff d = { stored->id, "engine version", stored->engine, PF_ENGINE_VERSION };
        (*ndiff)++;
        if (fn)
            fn(arg, &d);
    }
cleanup:
    pf_run_free(stored);
    pf_run_free(again);
    pf_dataset_free(ds);
    return rc;
}

pf_status
pf_engine_verify(struct pf_store *st, int64_t id, void (*fn)(void *arg, const struct pf_diff *d),
                 void *arg, size_t *nruns, size_t *ndiff, struct pf_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0, i;
    pf_status rc = PF_OK;

    *ndiff = 0;
    *nruns = 0;
    if ((rc = pf_store_begin_read(st, err)) != PF_OK)
        return rc;
    if (id) {
        rc = verify_one(st, id, fn, arg, ndiff, err);
        *nruns = rc == PF_OK;
        goto cleanup;
    }
    if ((rc = pf_store_run_ids(st, &ids, &n, err)) != PF_OK)
        goto cleanup;
    if (n == 0) {
        rc = pf_err_set(err, PF_ENOINPUT, "", "no run to verify (run 'parkfund close')");
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        if ((rc = verify_one(st, ids[i], fn, arg, ndiff, err)) != PF_OK)
            goto cleanup;
        (*nruns)++;
    }
cleanup:
    pf_store_rollback(st);
    free(ids);
    return rc;
}
