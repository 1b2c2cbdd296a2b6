/*
 * json: the bundle form of SPEC §4, {"parks": [{...}, ...], "partner_flows": [...]}.
 * cJSON parses; a small scan of the text beforehand finds the line of every
 * row (cJSON keeps no positions), caps nesting, and lets us reject what cJSON
 * would accept silently: duplicate keys (also differing only in case) and
 * numbers where an amount must be an exact decimal string.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_int.h"
#include "parkfund/banned.h"

#define MAX_DEPTH 8

struct imp_json {
    char *text;
    cJSON *root;
    long *lines[PF_K_COUNT];   /* line of each row, by kind, in text order */
    long *top_lines;           /* line of each top-level key, in text order */
    size_t ntop;
    size_t nlines[PF_K_COUNT];
    cJSON *arrays[PF_K_COUNT];
};

void
imp_json_free(struct imp_json *j)
{
    int k;
    if (!j)
        return;
    for (k = 0; k < PF_K_COUNT; k++)
        free(j->lines[k]);
    free(j->top_lines);
    cJSON_Delete(j->root);
    free(j->text);
    free(j);
}

bool
imp_json_has_kind(const struct imp_json *j, enum pf_kind k)
{
    return j && j->arrays[k] != NULL;
}

/*
 * Walk the text once, as a small state machine over containers: it records the
 * line of every top-level key and of every element of a kind's array (cJSON
 * keeps no positions), caps the nesting, and finds "\u0000" in a row's string
 * (cJSON would silently cut the string there) with the field it belongs to.
 */
struct frame {
    bool object;      /* else an array */
    bool expect_key;  /* object: the next string is a key */
    bool expect_elem; /* array: the next value starts an element */
};

static void
add_line(long **arr, size_t *n, size_t *cap, long line)
{
    PF_GROW(*arr, *n + 1, *cap);
    (*arr)[(*n)++] = line;
}

static pf_status
prescan(struct imp *im, struct imp_json *j, const char *path)
{
    const char *p = j->text;
    struct frame st[MAX_DEPTH + 2];
    long line = 1;
    int depth = 0, cur_kind = -1;
    char key[64], field[64] = "";
    size_t klen = 0, cap[PF_K_COUNT] = { 0 }, tcap = 0;
    char where[600];

    for (; *p; p++) {
        char c = *p;
        if (c == '\n') {
            line++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r')
            continue;
        if (c == '"') {
            /* a string: a key, or a value (which may start an array element) */
            bool is_key = depth > 0 && st[depth - 1].object && st[depth - 1].expect_key;
            bool nul = false;
            long start = line;
            if (!is_key && depth == 2 && !st[1].object && st[1].expect_elem && cur_kind >= 0) {
                add_line(&j->lines[cur_kind], &j->nlines[cur_kind], &cap[cur_kind], start);
                st[1].expect_elem = false;
            }
            klen = 0;
            for (p++; *p && *p != '"'; p++) {
                char ch = *p;
                if (*p == '\n')
                    line++;
                if (*p == '\\' && p[1]) {
                    p++;
                    ch = '?';
                    if (*p == 'u' && p[1] && p[2] && p[3] && p[4]) {
                        unsigned v = 0;
                        int h;
                        for (h = 1; h <= 4; h++) {
                            char x = p[h];
                            v = v * 16 + (unsigned)(x >= '0' && x <= '9' ? x - '0'
                                                    : x >= 'a' && x <= 'f' ? x - 'a' + 10
                                                    : x >= 'A' && x <= 'F' ? x - 'A' + 10 : 0);
                        }
                        if (v == 0)
                            nul = true;
                        if (v > 0 && v < 0x80)
                            ch = (char)v;
                        p += 4;
                    } else if (*p == 'n' || *p == 't' || *p == 'r' || *p == '"' ||
                               *p == '\\' || *p == '/') {
                        ch = *p == '"' || *p == '\\' || *p == '/' ? *p : ' ';
                    }
                }
                if (klen < sizeof key - 1)
                    key[klen++] = ch;
            }
            key[klen] = '\0';
            if (!*p)
                break; /* unterminated: cJSON reports it */
            if (is_key) {
                st[depth - 1].expect_key = false;
                if (depth == 1)
                    add_line(&j->top_lines, &j->ntop, &tcap, start);
                if (depth == 3)
                    snprintf(field, sizeof field, "%s", key);
            } else if (nul && depth == 3) {
                snprintf(where, sizeof where, "%s:%ld", path, start);
                return pf_err_set(im->err, PF_EDATA, where, "field '%s': contains a NUL "
                                  "character (\\u0000)", field);
            } else if (nul) {
                snprintf(where, sizeof where, "%s:%ld", path, start);
                return pf_err_set(im->err, PF_EDATA, where, "a string contains a NUL "
                                  "character (\\u0000)");
            }
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth == 2 && !st[1].object && st[1].expect_elem && cur_kind >= 0) {
                add_line(&j->lines[cur_kind], &j->nlines[cur_kind], &cap[cur_kind], line);
                st[1].expect_elem = false;
            }
            if (depth >= MAX_DEPTH) {
                snprintf(where, sizeof where, "%s:%ld", path, line);
                return pf_err_set(im->err, PF_EDATA, where, "JSON nested more than %d levels "
                                  "deep (a bundle needs 3)", MAX_DEPTH);
            }
            if (c == '[' && depth == 1)
                cur_kind = pf_kind_by_name(key);
            st[depth].object = c == '{';
            st[depth].expect_key = c == '{';
            st[depth].expect_elem = c == '[';
            depth++;
            continue;
        }
        if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
            if (depth <= 1)
                cur_kind = -1;
            continue;
        }
        if (c == ',') {
            if (depth > 0) {
                st[depth - 1].expect_key = st[depth - 1].object;
                st[depth - 1].expect_elem = !st[depth - 1].object;
            }
            continue;
        }
        if (c == ':')
            continue;
        /* a bare value (number, true, false, null) */
        if (depth == 2 && !st[1].object && st[1].expect_elem && cur_kind >= 0) {
            add_line(&j->lines[cur_kind], &j->nlines[cur_kind], &cap[cur_kind], line);
            st[1].expect_elem = false;
        }
        while (p[1] && p[1] != ',' && p[1] != '}' && p[1] != ']' && p[1] != '\n' &&
               p[1] != ' ' && p[1] != '\t' && p[1] != '\r')
            p++;
    }
    return PF_OK;
}

static long
line_of_offset(const char *text, size_t off)
{
    long line = 1;
    size_t i;
    for (i = 0; i < off && text[i]; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

/* Reject a key repeated in one object, also when only its case differs. */
static const cJSON *
duplicate_key(const cJSON *obj, const cJSON **first)
{
    const cJSON *a, *b;
    for (a = obj->child; a; a = a->next)
        for (b = obj->child; b != a; b = b->next)
            if (a->string && b->string && strcasecmp(a->string, b->string) == 0) {
                *first = b;
                return a;
            }
    return NULL;
}

/* The line of a top-level key: children of the root come in text order. */
static long
top_line(const struct imp_json *j, const cJSON *item)
{
    const cJSON *c;
    size_t i = 0;
    for (c = j->root->child; c && c != item; c = c->next)
        i++;
    return i < j->ntop ? j->top_lines[i] : 1;
}

pf_status
imp_json_open(struct imp *im, const char *path, struct imp_json **out)
{
    struct imp_json *j = pf_xcalloc(1, sizeof *j);
    const cJSON *item, *dup, *first;
    const char *end = NULL, *why;
    char where[600];
    size_t n, bad_at;
    pf_status rc;

    *out = NULL;
    if ((rc = pf_read_file(path, &j->text, &n, im->err)) != PF_OK)
        goto cleanup;
    imp_progress(im, n);
    if (!pf_utf8_check(j->text, n, &bad_at, &why)) {
        snprintf(where, sizeof where, "%s:%ld", path, line_of_offset(j->text, bad_at));
        rc = pf_err_set(im->err, PF_EDATA, where, "%s%s", why, im->o->encoding ? "" :
                        " (a file saved on Chinese Windows? try --encoding gb18030 after "
                        "converting JSON to UTF-8: JSON must be UTF-8)");
        goto cleanup;
    }
    if ((rc = prescan(im, j, path)) != PF_OK)
        goto cleanup;
    /* cJSON wants the terminating NUL inside the length to accept the end of input */
    j->root = cJSON_ParseWithLengthOpts(j->text, n + 1, &end, 1);
    if (!j->root) {
        size_t off = end ? (size_t)(end - j->text) : 0;
        snprintf(where, sizeof where, "%s:%ld", path, line_of_offset(j->text, off));
        rc = pf_err_set(im->err, PF_EDATA, where, "invalid JSON near '%.20s'",
                        end ? end : "");
        goto cleanup;
    }
    if (!cJSON_IsObject(j->root)) {
        snprintf(where, sizeof where, "%s:1", path);
        rc = pf_err_set(im->err, PF_EDATA, where, "a bundle must be a JSON object whose keys "
                        "are kinds (parks, partner_flows, ...)");
        goto cleanup;
    }
    if ((dup = duplicate_key(j->root, &first))) {
        snprintf(where, sizeof where, "%s:%ld", path, top_line(j, dup));
        rc = pf_err_set(im->err, PF_EDATA, where, "duplicate key '%.80s' (also '%.80s')",
                        dup->string, first->string);
        goto cleanup;
    }
    cJSON_ArrayForEach(item, j->root) {
        int k = pf_kind_by_name(item->string);
        if (k < 0) {
            snprintf(where, sizeof where, "%s:%ld", path, top_line(j, item));
            rc = pf_err_set(im->err, PF_EDATA, where, "unknown kind '%.80s'", item->string);
            goto cleanup;
        }
        if (!cJSON_IsArray(item)) {
            snprintf(where, sizeof where, "%s:%ld", path, top_line(j, item));
            rc = pf_err_set(im->err, PF_EDATA, where, "'%s' must be an array of objects",
                            item->string);
            goto cleanup;
        }
        j->arrays[k] = (cJSON *)item;
    }
    *out = j;
    j = NULL;
cleanup:
    imp_json_free(j);
    return rc;
}

pf_status
imp_json_kind(struct imp *im, struct imp_json *j, enum pf_kind k)
{
    const struct pf_kind_def *kd = &pf_kinds[k];
    const cJSON *row, *f, *dup, *first;
    char where[600];
    size_t idx = 0;
    pf_status rc = PF_OK;

    cJSON_ArrayForEach(row, j->arrays[k]) {
        char *raw[PF_MAX_FIELDS] = { 0 };
        long line = idx < j->nlines[k] ? j->lines[k][idx] : 1;
        int i;

        idx++;
        snprintf(where, sizeof where, "%s:%ld", im->file, line);
        if (!cJSON_IsObject(row)) {
            rc = pf_err_set(im->err, PF_EDATA, where, "%s[%zu]: must be an object", kd->name,
                            idx - 1);
            goto next;
        }
        if ((dup = duplicate_key(row, &first))) {
            rc = pf_err_set(im->err, PF_EDATA, where, "field '%.80s': duplicate key (also "
                            "'%.80s')", dup->string, first->string);
            goto next;
        }
        cJSON_ArrayForEach(f, row) {
            int fi = pf_kind_field(k, f->string);
            if (fi < 0) {
                rc = pf_err_set(im->err, PF_EDATA, where, "field '%.80s': unknown field for "
                                "%s", f->string, kd->name);
                goto next;
            }
            if (cJSON_IsNull(f))
                continue;
            if (kd->fields[fi].type == PF_F_INT && cJSON_IsNumber(f) &&
                f->valuedouble >= 1900 && f->valuedouble <= 9999 &&
                f->valuedouble == (double)(int)f->valuedouble) {
                /* a year is exact as a JSON number, unlike money */
                raw[fi] = pf_xasprintf("%d", (int)f->valuedouble);
                continue;
            }
            if (kd->fields[fi].type == PF_F_COUNT && cJSON_IsNumber(f) &&
                f->valuedouble >= 1 && f->valuedouble <= 999 &&
                f->valuedouble == (double)(int)f->valuedouble) {
                raw[fi] = pf_xasprintf("%d", (int)f->valuedouble);
                continue;
            }
            if (!cJSON_IsString(f)) {
                bool money = kd->fields[fi].type == PF_F_MONEY || kd->fields[fi].type ==
                             PF_F_RATE || kd->fields[fi].type == PF_F_FRACTION;
                rc = pf_err_set(im->err, PF_EDATA, where, "field '%s': must be a %s%s",
                                kd->fields[fi].name, money ? "decimal string" : "string",
                                money && cJSON_IsNumber(f) ? " (a JSON number is floating "
                                "point and cannot carry exact money)" : "");
                goto next;
            }
            raw[fi] = pf_xstrdup(f->valuestring);
        }
        rc = imp_row(im, k, raw, line);
    next:
        for (i = 0; i < kd->nfields; i++)
            free(raw[i]);
        if (rc != PF_OK)
            return rc;
    }
    return rc;
}
