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

pf_status
pf_export_json(const struct pf_run *run, FILE *f, const char *path, struct pf_err *err)
{
    cJSON *head = cJSON_CreateObject(), *o = NULL;
    char num[64], day[16], *text = NULL;
    bool ok = true;
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
        o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "dimension", cJSON_CreateString(r->dimension));
        cJSON_AddItemToObject(o, "fund", str_or_null(r->fund));
        cJSON_AddItemToObject(o, "key", cJSON_CreateString(r->key));
        cJSON_AddItemToObject(o, "metric", cJSON_CreateString(r->metric));
        if (!r->has_value)
            cJSON_AddItemToObject(o, "value", cJSON_CreateNull());
        else if (r->is_money)
            cJSON_AddItemToObject(o, "value", cJSON_CreateRaw(pf_money_format(r->cents, num,
                                                                              sizeof num)));
        else
            cJSON_AddItemToObject(o, "value", cJSON_CreateRaw(pf_format_double(r->value, num,
                                                                               sizeof num)));
        cJSON_AddItemToObject(o, "reason", r->has_value ? cJSON_CreateNull()
                                                        : cJSON_CreateString(r->reason));
        text = cJSON_PrintUnformatted(o);
        ok = put(f, text) && put(f, i + 1 < run->nresults ? ",\n" : "\n");
        cJSON_free(text);
        text = NULL;
        cJSON_Delete(o);
        o = NULL;
    }
    ok = ok && put(f, "]}\n") && fflush(f) == 0;
    cJSON_Delete(head);
    if (!ok || ferror(f))
        return pf_err_set(err, PF_EIO, "", "cannot write '%s': %s", path, strerror(errno));
    return PF_OK;
}
