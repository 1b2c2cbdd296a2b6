/* export: a stored run as SPEC §6 JSON (cJSON builds each object). */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parkfund/export.h"
#include "parkfund/banned.h"

char *
pf_format_double(double v, char *buf, size_t n)
{
    int prec;
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

static cJSON *
str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static bool
put(FILE *f, const char *s)
{
    return fputs(s, f) >= 0;
}

/* One result object on its own line; lines are separated by ",\n". */
static bool
put_result(FILE *f, bool *first, const char *dim, const char *fund, const char *key,
           const char *metric, const char *value, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    char *text;
    bool ok;

    cJSON_AddItemToObject(o, "dimension", cJSON_CreateString(dim));
    cJSON_AddItemToObject(o, "fund", str_or_null(fund));
    cJSON_AddItemToObject(o, "key", cJSON_CreateString(key));
    cJSON_AddItemToObject(o, "metric", cJSON_CreateString(metric));
    cJSON_AddItemToObject(o, "value", value ? cJSON_CreateRaw(value) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "reason", value ? cJSON_CreateNull()
                                             : cJSON_CreateString(reason ? reason : "no value"));
    text = cJSON_PrintUnformatted(o);
    ok = text && (*first || put(f, ",\n")) && put(f, text);
    *first = false;
    cJSON_free(text);
    cJSON_Delete(o);
    return ok;
}

pf_status
pf_export_json(const struct pf_run *run, FILE *f, const char *path, struct pf_err *err)
{
    cJSON *head = cJSON_CreateObject();
    char num[64], day[16], *text = NULL;
    bool ok = true, first = true;
    size_t i;

    cJSON_AddItemToObject(head, "id", cJSON_CreateNumber((double)run->id));
    cJSON_AddItemToObject(head, "as_of", cJSON_CreateString(pf_date_format(run->as_of, day,
                                                                            sizeof day)));
    cJSON_AddItemToObject(head, "batch", cJSON_CreateNumber((double)run->batch));
    cJSON_AddItemToObject(head, "engine", str_or_null(run->engine));
    cJSON_AddItemToObject(head, "digest", str_or_null(run->digest));
    text = cJSON_PrintUnformatted(head);
    ok = put(f, "{\"run\": ") && put(f, text) && put(f, ",\n\"results\": [\n");
    cJSON_free(text);
    text = NULL;
    for (i = 0; ok && i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        if (r->has_value && r->is_money)
            pf_money_format(r->cents, num, sizeof num);
        else if (r->has_value)
            pf_format_double(r->value, num, sizeof num);
        ok = put_result(f, &first, r->dimension, r->fund, r->key, r->metric,
                        r->has_value ? num : NULL, r->reason);
    }
    /* the stored tables' figures (SPEC §6 "every stored figure is exported"), in the
     * run's order, after the results so that the results' lines never move */
    for (i = 0; ok && i < run->nrows; i++) {
        const struct pf_run_row *w = &run->rows[i];
        char key[400];
        const char *dim, *metric, *dot;
        int y, m, d;
        if (strcmp(w->tbl, "account") == 0) {
            /* key <period>|<line>; metric: the partner, or "*" for the whole fund */
            dot = strchr(w->col, '.');
            if (!dot)
                continue;
            snprintf(key, sizeof key, "%.*s|%s", (int)(dot - w->col), w->col, dot + 1);
            dim = "account";
            metric = w->key;
        } else if (strcmp(w->tbl, "nav_history") == 0) {
            /* key <date>|<chain>; a fund's own J-curve has "*" (the whole fund) */
            snprintf(key, sizeof key, "%s|%s", pf_date_format(w->date, day, sizeof day),
                     w->fund ? "*" : w->key);
            dim = "nav_history";
            metric = w->col;
        } else if (strcmp(w->tbl, "risk") == 0) {
            pf_date_to_ymd(w->date, &y, &m, &d);
            snprintf(key, sizeof key, "%04dQ%d|%s", y, (m - 1) / 3 + 1, w->key);
            dim = "chain_return";
            metric = w->col;
        } else if (strcmp(w->tbl, "lookthrough") == 0) {
            /* key the chain (or "cash"); metric the partner */
            snprintf(key, sizeof key, "%s", w->col);
            dim = "lookthrough";
            metric = w->key;
        } else if (strcmp(w->tbl, "fx") == 0) {
            /* key the currency; metric "rate" (CNY per unit at the as-of date) */
            snprintf(key, sizeof key, "%s", w->key);
            dim = "fx";
            metric = w->col;
        } else if (strcmp(w->tbl, "valuation") == 0) {
            /* key <date>|<project>; metric the method; value the age in days at D */
            snprintf(key, sizeof key, "%s|%s", pf_date_format(w->date, day, sizeof day),
                     w->key);
            dim = "valuation";
            metric = w->col;
        } else if (strcmp(w->tbl, "partner_cny") == 0) {
            /* key the partner; metric paid_in or distributions, in CNY at the as-of rate */
            snprintf(key, sizeof key, "%s", w->key);
            dim = "partner_cny";
            metric = w->col;
        } else {
            continue;
        }
        if (w->has_value && w->is_money)
            pf_money_format(w->cents, num, sizeof num);
        else if (w->has_value)
            pf_format_double(w->value, num, sizeof num);
        ok = put_result(f, &first, dim, w->fund, key, metric, w->has_value ? num : NULL,
                        "no value");
    }
    ok = ok && put(f, "\n]}\n") && fflush(f) == 0;
    cJSON_Delete(head);
    if (!ok || ferror(f))
        return pf_err_set(err, PF_EIO, "", "cannot write '%s': %s", path, strerror(errno));
    return PF_OK;
}
