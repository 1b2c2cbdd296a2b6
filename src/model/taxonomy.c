/*
 * taxonomy: loads models/taxonomy/<name>.json (or the canonical JSON stored with a
 * batch), validates it, writes its canonical form and answers lookups. Lookups
 * run once per input row, so each kind keeps a code-sorted index searched by
 * bisection; nothing allocates after loading. File shapes: models/taxonomy/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "parkfund/model.h"
#include "parkfund/util.h"
#include "parkfund/banned.h"

/* --- internal --- */

/* Written into the canonical form so a future shape change can be told apart. */
#define TAX_FORMAT "parkfund-taxonomy-1"
/* The country centre that means "domestic", answered for every CN-xx province. */
#define CENTRE_CHINA "china"

struct tax_item {
    char *code, *zh, *en;
    char *centre;    /* countries only: a centre code, "china" or "" */
    int minor_units; /* currencies only */
};

struct tax_kind {
    struct tax_item *items; /* file order */
    size_t n, cap;
    const struct tax_item **by_code; /* the same items sorted by code */
};

struct pf_taxonomy {
    struct tax_kind kinds[PF_TAX_KIND_COUNT];
    char *json;       /* canonical form, built once at load */
    char version[65]; /* SHA-256 hex of json */
};

enum code_shape { SHAPE_WORD, SHAPE_PROVINCE, SHAPE_COUNTRY, SHAPE_CURRENCY };

static const struct kind_info {
    const char *key;  /* array name, in the files and in the canonical form */
    const char *file; /* the file under models/taxonomy that holds it */
    enum code_shape shape;
    const char *shape_text; /* for the error message */
} kind_info[PF_TAX_KIND_COUNT] = {
    [PF_TAX_CHAIN] = { "chains", "chains.json", SHAPE_WORD, "lower case [a-z][a-z0-9_]*" },
    [PF_TAX_SEGMENT] = { "segments", "segments.json", SHAPE_WORD, "lower case [a-z][a-z0-9_]*" },
    [PF_TAX_THEME] = { "themes", "themes.json", SHAPE_WORD, "lower case [a-z][a-z0-9_]*" },
    [PF_TAX_PROVINCE] = { "provinces", "regions.json", SHAPE_PROVINCE, "CN- and two capitals" },
    [PF_TAX_COUNTRY] = { "countries", "regions.json", SHAPE_COUNTRY, "two capitals" },
    [PF_TAX_CENTRE] = { "centres", "regions.json", SHAPE_WORD, "lower case [a-z][a-z0-9_]*" },
    [PF_TAX_CURRENCY] = { "currencies", "currencies.json", SHAPE_CURRENCY, "three capitals" },
};

/* The files in load order; each holds the kinds whose kind_info.file names it. */
static const char *const tax_files[] = {
    "chains.json", "segments.json", "themes.json", "regions.json", "currencies.json",
};

static bool
is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool
code_shape_ok(enum code_shape shape, const char *s)
{
    size_t n = strlen(s), i;

    switch (shape) {
    case SHAPE_WORD:
        if (n == 0 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z'))
            return false;
        for (i = 1; i < n; i++)
            if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
                return false;
        return true;
    case SHAPE_PROVINCE:
        return n == 5 && strncmp(s, "CN-", 3) == 0 && is_upper(s[3]) && is_upper(s[4]);
    case SHAPE_COUNTRY:
        return n == 2 && is_upper(s[0]) && is_upper(s[1]);
    case SHAPE_CURRENCY:
        return n == 3 && is_upper(s[0]) && is_upper(s[1]) && is_upper(s[2]);
    }
    return false;
}

/* Names end up in spreadsheets and terminals: no control characters there. */
static bool
has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static int
cmp_item_code(const void *a, const void *b)
{
    const struct tax_item *const *x = a;
    const struct tax_item *const *y = b;
    return strcmp((*x)->code, (*y)->code);
}

static void
item_release(struct tax_item *it)
{
    free(it->code);
    free(it->zh);
    free(it->en);
    free(it->centre);
}

/*
 * A string field of one item: present, a string, valid UTF-8, and (unless
 * allow_empty) non-empty. The file as a whole was UTF-8-checked already, but
 * cJSON decodes \u escapes, so the decoded value is checked again.
 */
static pf_status
get_string(const cJSON *obj, const char *field, bool allow_empty, const char *where,
           const char *key, size_t idx, const char **out, struct pf_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    size_t bad;
    const char *why;

    *out = NULL;
    if (!v)
        return pf_err_set(err, PF_EDATA, where, "missing field '%s' in %s[%zu]", field, key, idx);
    if (!cJSON_IsString(v) || !v->valuestring)
        return pf_err_set(err, PF_EDATA, where, "field '%s' in %s[%zu]: must be a string", field,
                          key, idx);
    if (!allow_empty && v->valuestring[0] == '\0')
        return pf_err_set(err, PF_EDATA, where, "field '%s' in %s[%zu]: must not be empty", field,
                          key, idx);
    if (!pf_utf8_check(v->valuestring, strlen(v->valuestring), &bad, &why))
        return pf_err_set(err, PF_EDATA, where, "field '%s' in %s[%zu]: %s", field, key, idx,
                          why);
    if (has_control(v->valuestring))
        return pf_err_set(err, PF_EDATA, where,
                          "field '%s' in %s[%zu]: must not contain control characters", field,
                          key, idx);
    *out = v->valuestring;
    return PF_OK;
}

/* Parse one array of items into kind k, then index it and reject duplicate codes. */
static pf_status
parse_kind(struct pf_taxonomy *t, enum pf_tax_kind k, const cJSON *arr, const char *where,
           struct pf_err *err)
{
    struct tax_kind *tk = &t->kinds[k];
    const struct kind_info *ki = &kind_info[k];
    const cJSON *el, *f;
    size_t idx = 0, i;
    pf_status rc = PF_OK;

    if (!cJSON_IsArray(arr))
        return pf_err_set(err, PF_EDATA, where, "'%s' must be an array", ki->key);
    cJSON_ArrayForEach(el, arr) {
        struct tax_item it = { NULL, NULL, NULL, NULL, 0 };
        const char *code, *zh, *en, *centre = NULL;

        if (!cJSON_IsObject(el)) {
            rc = pf_err_set(err, PF_EDATA, where, "%s[%zu] must be an object", ki->key, idx);
            goto cleanup;
        }
        /* Unknown fields are rejected so that a misspelt one cannot pass unseen. */
        cJSON_ArrayForEach(f, el) {
            const char *name = f->string ? f->string : "";
            bool known = strcmp(name, "code") == 0 || strcmp(name, "zh") == 0 ||
                         strcmp(name, "en") == 0 ||
                         (k == PF_TAX_COUNTRY && strcmp(name, "centre") == 0) ||
                         (k == PF_TAX_CURRENCY && strcmp(name, "minor_units") == 0);
            if (!known) {
                rc = pf_err_set(err, PF_EDATA, where, "unknown field '%s' in %s[%zu]", name,
                                ki->key, idx);
                goto cleanup;
            }
        }
        if ((rc = get_string(el, "code", false, where, ki->key, idx, &code, err)) != PF_OK ||
            (rc = get_string(el, "zh", false, where, ki->key, idx, &zh, err)) != PF_OK ||
            (rc = get_string(el, "en", false, where, ki->key, idx, &en, err)) != PF_OK)
            goto cleanup;
        if (!code_shape_ok(ki->shape, code)) {
            rc = pf_err_set(err, PF_EDATA, where, "bad code '%s' in %s[%zu]: expected %s", code,
                            ki->key, idx, ki->shape_text);
            goto cleanup;
        }
        if (k == PF_TAX_COUNTRY &&
            (rc = get_string(el, "centre", true, where, ki->key, idx, &centre, err)) != PF_OK)
            goto cleanup;
        if (k == PF_TAX_CURRENCY) {
            const cJSON *mu = cJSON_GetObjectItemCaseSensitive(el, "minor_units");
            double d;
            if (!mu) {
                rc = pf_err_set(err, PF_EDATA, where, "missing field 'minor_units' in %s[%zu]",
                                ki->key, idx);
                goto cleanup;
            }
            d = cJSON_IsNumber(mu) ? mu->valuedouble : -1.0;
            /* ISO 4217 exponents are 0..4; anything else is a typo */
            if (!(d == 0.0 || d == 1.0 || d == 2.0 || d == 3.0 || d == 4.0)) {
                rc = pf_err_set(err, PF_EDATA, where,
                                "field 'minor_units' of '%s': must be a whole number 0 to 4",
                                code);
                goto cleanup;
            }
            it.minor_units = (int)d;
        }
        it.code = pf_xstrdup(code);
        it.zh = pf_xstrdup(zh);
        it.en = pf_xstrdup(en);
        it.centre = centre ? pf_xstrdup(centre) : NULL;
        PF_GROW(tk->items, tk->n + 1, tk->cap);
        tk->items[tk->n++] = it;
        idx++;
    }

    /* Items never move after this point, so the index can point into them. */
    tk->by_code = pf_xreallocarray(NULL, tk->n ? tk->n : 1, sizeof *tk->by_code);
    for (i = 0; i < tk->n; i++)
        tk->by_code[i] = &tk->items[i];
    qsort(tk->by_code, tk->n, sizeof *tk->by_code, cmp_item_code);
    for (i = 1; i < tk->n; i++)
        if (strcmp(tk->by_code[i - 1]->code, tk->by_code[i]->code) == 0) {
            rc = pf_err_set(err, PF_EDATA, where, "duplicate code '%s'", tk->by_code[i]->code);
            goto cleanup;
        }
cleanup:
    return rc;
}

/*
 * Parse one JSON document. file is the taxonomy file name it came from (only its
 * kinds are accepted, and all of them are required), or NULL for the canonical
 * form (every kind plus "format" required).
 */
static pf_status
parse_doc(struct pf_taxonomy *t, const char *text, size_t n, const char *file,
          const char *where, struct pf_err *err)
{
    cJSON *root = NULL;
    const cJSON *el;
    const char *end = NULL, *why;
    size_t bad;
    unsigned seen = 0;
    bool format_seen = false;
    int k;
    pf_status rc = PF_OK;

    if (!pf_utf8_check(text, n, &bad, &why)) {
        rc = pf_err_set(err, PF_EDATA, where, "content %s at byte %zu", why, bad);
        goto cleanup;
    }
    /* the length counts the terminating NUL: that is how cJSON checks for trailing junk */
    root = cJSON_ParseWithLengthOpts(text, n + 1, &end, 1);
    if (!root) {
        size_t off = end && end >= text && end <= text + n ? (size_t)(end - text) : 0;
        size_t line = 1, i;
        for (i = 0; i < off; i++)
            line += text[i] == '\n';
        rc = pf_err_set(err, PF_EDATA, where, "invalid JSON at line %zu (byte %zu)", line, off);
        goto cleanup;
    }
    if (!cJSON_IsObject(root)) {
        rc = pf_err_set(err, PF_EDATA, where, "top level must be a JSON object");
        goto cleanup;
    }
    cJSON_ArrayForEach(el, root) {
        const char *key = el->string ? el->string : "";
        int found = -1;

        if (strcmp(key, "about") == 0 && file) {
            if (!cJSON_IsString(el)) {
                rc = pf_err_set(err, PF_EDATA, where, "'about' must be a string");
                goto cleanup;
            }
            continue;
        }
        if (strcmp(key, "format") == 0 && !file) {
            if (format_seen || !cJSON_IsString(el) || strcmp(el->valuestring, TAX_FORMAT) != 0) {
                rc = pf_err_set(err, PF_EDATA, where, "unsupported format (expected '%s')",
                                TAX_FORMAT);
                goto cleanup;
            }
            format_seen = true;
            continue;
        }
        for (k = 0; k < PF_TAX_KIND_COUNT; k++)
            if (strcmp(key, kind_info[k].key) == 0 &&
                (!file || strcmp(file, kind_info[k].file) == 0))
                found = k;
        if (found < 0) {
            rc = pf_err_set(err, PF_EDATA, where, "unknown key '%s'", key);
            goto cleanup;
        }
        /* cJSON keeps repeated keys; a second copy would silently double the items */
        if (seen & (1u << found)) {
            rc = pf_err_set(err, PF_EDATA, where, "key '%s' appears twice", key);
            goto cleanup;
        }
        seen |= 1u << found;
        if ((rc = parse_kind(t, (enum pf_tax_kind)found, el, where, err)) != PF_OK)
            goto cleanup;
    }
    if (!file && !format_seen) {
        rc = pf_err_set(err, PF_EDATA, where, "missing key 'format'");
        goto cleanup;
    }
    for (k = 0; k < PF_TAX_KIND_COUNT; k++)
        if ((!file || strcmp(file, kind_info[k].file) == 0) && !(seen & (1u << k))) {
            rc = pf_err_set(err, PF_EDATA, where, "missing array '%s'", kind_info[k].key);
            goto cleanup;
        }
cleanup:
    cJSON_Delete(root);
    return rc;
}

static const struct tax_item *
find(const struct pf_taxonomy *t, enum pf_tax_kind k, const char *code)
{
    const struct tax_kind *tk;
    size_t lo = 0, hi;

    if (!t || !code || (unsigned)k >= PF_TAX_KIND_COUNT)
        return NULL;
    tk = &t->kinds[k];
    hi = tk->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(code, tk->by_code[mid]->code);
        if (c == 0)
            return tk->by_code[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Runs once every kind is loaded: the only cross-kind rule. */
static pf_status
check_centres(const struct pf_taxonomy *t, const char *where, struct pf_err *err)
{
    const struct tax_kind *tk = &t->kinds[PF_TAX_COUNTRY];
    size_t i;

    for (i = 0; i < tk->n; i++) {
        const char *c = tk->items[i].centre;
        if (c[0] && strcmp(c, CENTRE_CHINA) != 0 && !find(t, PF_TAX_CENTRE, c))
            return pf_err_set(err, PF_EDATA, where, "unknown centre '%s' for country '%s'", c,
                              tk->items[i].code);
    }
    return PF_OK;
}

/*
 * JSON string writer for the canonical form. Written by hand rather than with
 * cJSON_Print so that the bytes (and so the version hash) depend on this file
 * only, not on the cJSON release installed.
 */
static void
put_str(struct pf_buf *b, const char *s)
{
    pf_buf_addc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            pf_buf_addc(b, '\\');
            pf_buf_addc(b, (char)c);
        } else if (c < 0x20) {
            pf_buf_addf(b, "\\u%04x", c); /* unreachable after validation; kept safe */
        } else {
            pf_buf_addc(b, (char)c);
        }
    }
    pf_buf_addc(b, '"');
}

static char *
build_canonical(const struct pf_taxonomy *t)
{
    struct pf_buf b = PF_BUF_INIT;
    int k;
    size_t i;

    pf_buf_adds(&b, "{\"format\":\"" TAX_FORMAT "\"");
    for (k = 0; k < PF_TAX_KIND_COUNT; k++) {
        const struct tax_kind *tk = &t->kinds[k];
        pf_buf_addc(&b, ',');
        put_str(&b, kind_info[k].key);
        pf_buf_adds(&b, ":[");
        for (i = 0; i < tk->n; i++) {
            const struct tax_item *it = &tk->items[i];
            if (i)
                pf_buf_addc(&b, ',');
            pf_buf_adds(&b, "{\"code\":");
            put_str(&b, it->code);
            pf_buf_adds(&b, ",\"zh\":");
            put_str(&b, it->zh);
            pf_buf_adds(&b, ",\"en\":");
            put_str(&b, it->en);
            if (k == PF_TAX_COUNTRY) {
                pf_buf_adds(&b, ",\"centre\":");
                put_str(&b, it->centre);
            }
            if (k == PF_TAX_CURRENCY)
                pf_buf_addf(&b, ",\"minor_units\":%d", it->minor_units);
            pf_buf_addc(&b, '}');
        }
        pf_buf_addc(&b, ']');
    }
    pf_buf_addc(&b, '}');
    return pf_buf_detach(&b);
}

static void
finish(struct pf_taxonomy *t)
{
    t->json = build_canonical(t);
    pf_sha256_hex(t->json, strlen(t->json), t->version);
}

static struct pf_taxonomy *
tax_new(void)
{
    return pf_xcalloc(1, sizeof(struct pf_taxonomy));
}

/* --- public --- */

pf_status
pf_taxonomy_load_dir(const char *dir, struct pf_taxonomy **out, struct pf_err *err)
{
    struct pf_taxonomy *t = tax_new();
    char *path = NULL, *text = NULL, *regions = NULL;
    size_t n, dlen = dir ? strlen(dir) : 0, f;
    pf_status rc = PF_OK;

    *out = NULL;
    if (!dir || !dir[0]) {
        rc = pf_err_set(err, PF_ENOINPUT, "", "no taxonomy directory given");
        goto cleanup;
    }
    /* "models/taxonomy/" and "models/taxonomy" name the same files in messages */
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    for (f = 0; f < sizeof tax_files / sizeof *tax_files; f++) {
        free(path);
        free(text);
        text = NULL;
        path = pf_xasprintf("%.*s/%s", (int)dlen, dir, tax_files[f]);
        if ((rc = pf_read_file(path, &text, &n, err)) != PF_OK)
            goto cleanup;
        if ((rc = parse_doc(t, text, n, tax_files[f], path, err)) != PF_OK)
            goto cleanup;
    }
    regions = pf_xasprintf("%.*s/%s", (int)dlen, dir, kind_info[PF_TAX_COUNTRY].file);
    if ((rc = check_centres(t, regions, err)) != PF_OK)
        goto cleanup;
    finish(t);
    *out = t;
    t = NULL; /* ownership moved to the caller */
cleanup:
    free(path);
    free(text);
    free(regions);
    pf_taxonomy_free(t);
    return rc;
}

pf_status
pf_taxonomy_load_json(const char *json, struct pf_taxonomy **out, struct pf_err *err)
{
    static const char where[] = "taxonomy JSON";
    struct pf_taxonomy *t = tax_new();
    pf_status rc;

    *out = NULL;
    if (!json) {
        rc = pf_err_set(err, PF_EDATA, where, "no taxonomy JSON given");
        goto cleanup;
    }
    if ((rc = parse_doc(t, json, strlen(json), NULL, where, err)) != PF_OK)
        goto cleanup;
    if ((rc = check_centres(t, where, err)) != PF_OK)
        goto cleanup;
    finish(t);
    *out = t;
    t = NULL; /* ownership moved to the caller */
cleanup:
    pf_taxonomy_free(t);
    return rc;
}

char *
pf_taxonomy_json(const struct pf_taxonomy *t)
{
    return t ? pf_xstrdup(t->json) : NULL;
}

const char *
pf_taxonomy_version(const struct pf_taxonomy *t)
{
    return t ? t->version : NULL;
}

void
pf_taxonomy_free(struct pf_taxonomy *t)
{
    int k;
    size_t i;

    if (!t)
        return;
    for (k = 0; k < PF_TAX_KIND_COUNT; k++) {
        for (i = 0; i < t->kinds[k].n; i++)
            item_release(&t->kinds[k].items[i]);
        free(t->kinds[k].items);
        free(t->kinds[k].by_code);
    }
    free(t->json);
    free(t);
}

bool
pf_taxonomy_has(const struct pf_taxonomy *t, enum pf_tax_kind k, const char *code)
{
    return find(t, k, code) != NULL;
}

const char *
pf_taxonomy_name(const struct pf_taxonomy *t, enum pf_tax_kind k, const char *code,
                 const char *lang)
{
    const struct tax_item *it = find(t, k, code);

    if (!it || !lang)
        return NULL;
    if (strcmp(lang, "zh") == 0)
        return it->zh;
    if (strcmp(lang, "en") == 0)
        return it->en;
    return NULL;
}

size_t
pf_taxonomy_count(const struct pf_taxonomy *t, enum pf_tax_kind k)
{
    if (!t || (unsigned)k >= PF_TAX_KIND_COUNT)
        return 0;
    return t->kinds[k].n;
}

const char *
pf_taxonomy_code(const struct pf_taxonomy *t, enum pf_tax_kind k, size_t i)
{
    if (!t || (unsigned)k >= PF_TAX_KIND_COUNT || i >= t->kinds[k].n)
        return NULL;
    return t->kinds[k].items[i].code;
}

bool
pf_taxonomy_region_known(const struct pf_taxonomy *t, const char *code)
{
    return find(t, PF_TAX_PROVINCE, code) || find(t, PF_TAX_COUNTRY, code);
}

bool
pf_taxonomy_region_domestic(const struct pf_taxonomy *t, const char *code)
{
    const struct tax_item *c;

    if (find(t, PF_TAX_PROVINCE, code))
        return true;
    c = find(t, PF_TAX_COUNTRY, code);
    return c && strcmp(c->centre, CENTRE_CHINA) == 0;
}

const char *
pf_taxonomy_region_centre(const struct pf_taxonomy *t, const char *code)
{
    const struct tax_item *c;

    if (find(t, PF_TAX_PROVINCE, code))
        return CENTRE_CHINA;
    c = find(t, PF_TAX_COUNTRY, code);
    return c ? c->centre : NULL;
}

int
pf_taxonomy_currency_minor_units(const struct pf_taxonomy *t, const char *code)
{
    const struct tax_item *c = find(t, PF_TAX_CURRENCY, code);

    return c ? c->minor_units : -1;
}
