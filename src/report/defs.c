/*
 * defs: the report definitions, reports/formats.json, manager.json and partner.json, read
 * with cJSON into plain structs and checked once, so rendering never meets an
 * unknown format, column or formula token. Formula templates may hold only
 * digits, operators, parentheses and {tokens}: no text from anywhere else can
 * reach a formula.
 */
#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal --- */

/* snprintf for JSON paths and map keys: cutting a very long path is harmless. */
static void pathf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
pathf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

struct loader {
    struct rp_defs *d;
    const char *file;  /* "manager.json" */
    struct pf_err *err;
    pf_status rc;
};

static pf_status bad(struct loader *L, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static pf_status
bad(struct loader *L, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (L->rc == PF_OK)
        L->rc = pf_err_set(L->err, PF_EDATA, L->file, "%s: %s", path, msg);
    return L->rc;
}

static char *
dup_or_null(const char *s)
{
    return s ? pf_xstrdup(s) : NULL;
}

static const char *
str_member(const cJSON *o, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void
text_release(struct rp_text *t)
{
    free(t->zh);
    free(t->en);
    free(t->both);
    t->zh = t->en = t->both = NULL;
}

static void
text_free(void *p)
{
    struct rp_text *t = p;
    if (t) {
        text_release(t);
        free(t);
    }
}

/* {"zh": .., "en": .., "both": ..}; "both" defaults to "中文 / English". */
static bool
parse_text(struct loader *L, const cJSON *o, const char *path, struct rp_text *t)
{
    const char *zh, *en, *both;

    memset(t, 0, sizeof *t);
    if (!cJSON_IsObject(o)) {
        bad(L, path, "expected an object with \"zh\" and \"en\"");
        return false;
    }
    zh = str_member(o, "zh");
    en = str_member(o, "en");
    both = str_member(o, "both");
    if (!zh || !en) {
        bad(L, path, "needs both \"zh\" and \"en\" texts");
        return false;
    }
    t->zh = pf_xstrdup(zh);
    t->en = pf_xstrdup(en);
    if (both)
        t->both = pf_xstrdup(both);
    else if (!*zh || strcmp(zh, en) == 0)
        t->both = pf_xstrdup(en);
    else if (!*en)
        t->both = pf_xstrdup(zh);
    else
        t->both = pf_xasprintf("%s / %s", zh, en);
    return true;
}

static bool
is_text_object(const cJSON *o)
{
    const cJSON *ch;
    if (!cJSON_IsObject(o) || !cJSON_GetObjectItemCaseSensitive(o, "zh"))
        return false;
    cJSON_ArrayForEach(ch, o)
        if (!cJSON_IsString(ch))
            return false;
    return true;
}

static int
parse_colour(const char *s)
{
    unsigned v = 0;
    int i;
    if (!s || s[0] != '#' || strlen(s) != 7)
        return -2;
    for (i = 1; i < 7; i++) {
        char ch = s[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9')
            v |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            v |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            v |= (unsigned)(ch - 'A' + 10);
        else
            return -2;
    }
    return (int)v;
}

static bool
parse_fmtdef(struct loader *L, const cJSON *o, const char *name, const char *path,
             struct rp_fmtdef *f)
{
    const cJSON *it;
    const char *s;

    memset(f, 0, sizeof *f);
    f->name = pf_xstrdup(name);
    f->color = f->bg = -1;
    if (!cJSON_IsObject(o)) {
        bad(L, path, "a format must be an object");
        return false;
    }
    cJSON_ArrayForEach(it, o) {
        const char *k = it->string;
        if (strcmp(k, "num") == 0 && cJSON_IsString(it))
            f->num = pf_xstrdup(it->valuestring);
        else if (strcmp(k, "font") == 0 && cJSON_IsString(it))
            f->font = pf_xstrdup(it->valuestring);
        else if (strcmp(k, "bold") == 0 && cJSON_IsBool(it))
            f->bold = cJSON_IsTrue(it);
        else if (strcmp(k, "italic") == 0 && cJSON_IsBool(it))
            f->italic = cJSON_IsTrue(it);
        else if (strcmp(k, "wrap") == 0 && cJSON_IsBool(it))
            f->wrap = cJSON_IsTrue(it);
        else if (strcmp(k, "size") == 0 && cJSON_IsNumber(it) && it->valuedouble > 0 &&
                 it->valuedouble < 100)
            f->size = it->valuedouble;
        else if (strcmp(k, "border") == 0 && cJSON_IsNumber(it))
            f->border = it->valueint;
        else if (strcmp(k, "top") == 0 && cJSON_IsNumber(it))
            f->top = it->valueint;
        else if ((strcmp(k, "color") == 0 || strcmp(k, "bg") == 0) && cJSON_IsString(it)) {
            int c = parse_colour(it->valuestring);
            if (c < 0)
                return bad(L, path, "colour '%s' is not #RRGGBB", it->valuestring), false;
            if (k[0] == 'c')
                f->color = c;
            else
                f->bg = c;
        } else if (strcmp(k, "align") == 0 && cJSON_IsString(it)) {
            s = it->valuestring;
            if (strcmp(s, "left") == 0)
                f->align = LXW_ALIGN_LEFT;
            else if (strcmp(s, "center") == 0)
                f->align = LXW_ALIGN_CENTER;
            else if (strcmp(s, "right") == 0)
                f->align = LXW_ALIGN_RIGHT;
            else if (strcmp(s, "center_across") == 0)
                f->align = LXW_ALIGN_CENTER_ACROSS;
            else
                return bad(L, path, "unknown align '%s'", s), false;
        } else if (strcmp(k, "valign") == 0 && cJSON_IsString(it)) {
            s = it->valuestring;
            if (strcmp(s, "top") == 0)
                f->valign = LXW_ALIGN_VERTICAL_TOP;
            else if (strcmp(s, "center") == 0)
                f->valign = LXW_ALIGN_VERTICAL_CENTER;
            else if (strcmp(s, "bottom") == 0)
                f->valign = LXW_ALIGN_VERTICAL_BOTTOM;
            else
                return bad(L, path, "unknown valign '%s'", s), false;
        } else
            return bad(L, path, "unknown or mistyped format setting '%s'", k), false;
    }
    return true;
}

static void
fmtdef_release(struct rp_fmtdef *f)
{
    free(f->name);
    free(f->num);
    free(f->font);
}

/* Text sources the generic table renderer knows (table.c). */
static const char *const text_sources[] = {
    "key", "key_name", "fund_id", "fund_name", "fund_currency", "fund_vintage",
    "partner_name", "partner_kind", "partner_region_name", "project_name", "enterprise_name",
    "park_name", "region_name", "chain_name", "segment_name", "theme_name", "instrument_name",
    "project_currency", "valuation_method", "valuation_flag", NULL
};
static const char *const date_sources[] = {
    "project_commitment_date", "project_exit_date", "project_listed_date", "valuation_date",
    NULL
};
static const char *const row_sources[] = {
    "funds", "dimension", "partners", "projects", "partner_funds", "guidance_partners", NULL
};
static const char *const specials[] = { "guidance_sum", "region_invested", "account:commitment",
                                        "account:paid_in", "account:distributions",
                                        "account:nav", "account:unfunded",
                                        "partners_total:paid_in",
                                        "partners_total:distributions", "valuation_age",
                                        NULL };
static const char *const table_kinds[] = {
    "table", "capital_account", "lookthrough", "transactions", "blocks", "audit",
    "nav_by_chain", "jcurve", "risk_returns", "correlation", "activity", NULL
};
static const char *const sheet_kinds[] = {
    "tables", "nav_history", "risk", "policy", "blocks", "audit", "capital_account",
    "lookthrough", "transactions", "rollforward", "activity", NULL
};
static const char *const params[] = { "interest", NULL };

/* A formula template: operators, digits and {tokens} naming columns of t. */
static bool
check_formula(struct loader *L, const char *path, const struct rp_table *t, const char *f)
{
    const char *p = f;
    while (*p) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            char tok[64];
            const char *name = tok;
            size_t n;
            if (!end || (n = (size_t)(end - p - 1)) == 0 || n >= sizeof tok)
                return bad(L, path, "formula '%s' has a bad {token}", f), false;
            memcpy(tok, p + 1, n);
            tok[n] = '\0';
            if (strncmp(tok, "total:", 6) == 0) {
                int ci;
                name = tok + 6;
                if (!t->total)
                    return bad(L, path, "formula '%s' uses {total:..} without \"total\"", f),
                           false;
                ci = rp_table_col(t, name);
                if (ci < 0 || !t->cols[ci].total_sum)
                    return bad(L, path, "formula '%s' names no summed column", f), false;
            } else if (rp_table_col(t, name) < 0 && !pf_in_list(params, name)) {
                return bad(L, path, "formula '%s' names an unknown column", f), false;
            }
            p = end + 1;
            continue;
        }
        if (!strchr("0123456789.+-*/^() ", *p))
            return bad(L, path, "formula '%s' may hold only numbers, operators and {columns}",
                       f), false;
        p++;
    }
    return true;
}

/* A width: a number for every language, or {"zh": .., "en": .., "both": ..}. */
static bool
parse_width(struct loader *L, const cJSON *it, const char *path, double w[3])
{
    static const char *const keys[3] = { "zh", "en", "both" };
    int k;
    if (cJSON_IsNumber(it)) {
        w[0] = w[1] = w[2] = it->valuedouble;
    } else if (cJSON_IsObject(it)) {
        for (k = 0; k < 3; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, keys[k]);
            if (!cJSON_IsNumber(v))
                return bad(L, path, "width needs \"zh\", \"en\" and \"both\" numbers"),
                       false;
            w[k] = v->valuedouble;
        }
    } else {
        return bad(L, path, "width must be a number or {\"zh\", \"en\", \"both\"}"), false;
    }
    for (k = 0; k < 3; k++)
        if (w[k] < 0 || w[k] > 255)
            return bad(L, path, "width must be from 0 to 255"), false;
    return true;
}

static bool
parse_col(struct loader *L, const cJSON *o, const char *path, struct rp_col *c)
{
    const cJSON *it;
    const char *fmt;
    char sub[256];

    memset(c, 0, sizeof *c);
    c->fmt = -1;
    if (!cJSON_IsObject(o))
        return bad(L, path, "a column must be an object"), false;
    c->id = dup_or_null(str_member(o, "id"));
    if (!c->id)
        return bad(L, path, "a column needs an \"id\""), false;
    pathf(sub, sizeof sub, "%s.title", path);
    if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(o, "title"), sub, &c->title))
        return false;
    fmt = str_member(o, "format");
    c->fmt = rp_defs_format(L->d, fmt ? fmt : "text");
    if (c->fmt < 0)
        return bad(L, path, "unknown format '%s'", fmt), false;
    it = cJSON_GetObjectItemCaseSensitive(o, "width");
    if (it && !parse_width(L, it, path, c->width))
        return false;
    c->text = dup_or_null(str_member(o, "text"));
    c->zero_if_absent = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "zero_if_absent"));
    c->date = dup_or_null(str_member(o, "date"));
    c->metric = dup_or_null(str_member(o, "metric"));
    c->formula = dup_or_null(str_member(o, "formula"));
    c->xirr = dup_or_null(str_member(o, "xirr"));
    c->special = dup_or_null(str_member(o, "special"));
    c->value_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "value"));
    it = cJSON_GetObjectItemCaseSensitive(o, "total");
    if (it) {
        if (!cJSON_IsString(it) || strcmp(it->valuestring, "sum") != 0)
            return bad(L, path, "\"total\" can only be \"sum\""), false;
        c->total_sum = true;
    }
    if (c->text && !pf_in_list(text_sources, c->text))
        return bad(L, path, "unknown text source '%s'", c->text), false;
    if (c->date && !pf_in_list(date_sources, c->date))
        return bad(L, path, "unknown date source '%s'", c->date), false;
    if (c->special && !pf_in_list(specials, c->special))
        return bad(L, path, "unknown special column '%s'", c->special), false;
    if ((c->formula || c->xirr) && c->value_only)
        return bad(L, path, "a column is a formula or a stored value, not both"), false;
    if (c->formula && c->xirr)
        return bad(L, path, "a column has a formula or an XIRR, not both"), false;
    if (c->xirr && !c->metric)
        return bad(L, path, "an XIRR column needs the \"metric\" it shows"), false;
    if (c->total_sum && (c->text || c->date))
        return bad(L, path, "text and date columns cannot be summed"), false;
    return true;
}

static void
col_release(struct rp_col *c)
{
    free(c->id);
    text_release(&c->title);
    free(c->text);
    free(c->date);
    free(c->metric);
    free(c->formula);
    free(c->xirr);
    free(c->special);
}

static bool
parse_cols(struct loader *L, const cJSON *arr, const char *path, struct rp_col **out,
           size_t *n)
{
    const cJSON *it;
    size_t i = 0, j;
    char sub[256];

    *n = 0;
    *out = NULL;
    if (!cJSON_IsArray(arr))
        return bad(L, path, "expected an array of columns"), false;
    *out = pf_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof **out);
    cJSON_ArrayForEach(it, arr) {
        pathf(sub, sizeof sub, "%s[%zu]", path, i);
        if (!parse_col(L, it, sub, &(*out)[i])) {
            *n = i + 1;
            return false;
        }
        for (j = 0; j < i; j++)
            if (strcmp((*out)[j].id, (*out)[i].id) == 0) {
                *n = i + 1;
                return bad(L, sub, "duplicate column id '%s'", (*out)[i].id), false;
            }
        i++;
    }
    *n = i;
    return true;
}

static bool
parse_chart(struct loader *L, const cJSON *o, const char *path, struct rp_table *t)
{
    struct rp_chart *ch = pf_xcalloc(1, sizeof *ch);
    const char *type = str_member(o, "type");
    const cJSON *vals, *it;
    char sub[256];

    t->chart = ch;
    if (!type)
        return bad(L, path, "a chart needs a \"type\""), false;
    if (strcmp(type, "pie") == 0)
        ch->type = RP_CHART_PIE;
    else if (strcmp(type, "column") == 0)
        ch->type = RP_CHART_COLUMN;
    else if (strcmp(type, "bar") == 0)
        ch->type = RP_CHART_BAR;
    else if (strcmp(type, "line") == 0)
        ch->type = RP_CHART_LINE;
    else
        return bad(L, path, "unknown chart type '%s'", type), false;
    pathf(sub, sizeof sub, "%s.title", path);
    if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(o, "title"), sub, &ch->title))
        return false;
    it = cJSON_GetObjectItemCaseSensitive(o, "value_axis");
    if (it) {
        pathf(sub, sizeof sub, "%s.value_axis", path);
        if (!parse_text(L, it, sub, &ch->value_axis))
            return false;
        ch->has_value_axis = true;
    }
    it = cJSON_GetObjectItemCaseSensitive(o, "category_axis");
    if (it) {
        pathf(sub, sizeof sub, "%s.category_axis", path);
        if (!parse_text(L, it, sub, &ch->category_axis))
            return false;
        ch->has_category_axis = true;
    }
    it = cJSON_GetObjectItemCaseSensitive(o, "top");
    ch->top = cJSON_IsNumber(it) && it->valuedouble > 0 ? (int)it->valuedouble : 0;
    ch->categories = dup_or_null(str_member(o, "categories"));
    if (ch->categories && rp_table_col(t, ch->categories) < 0)
        return bad(L, path, "chart categories name an unknown column '%s'", ch->categories),
               false;
    vals = cJSON_GetObjectItemCaseSensitive(o, "values");
    if (vals && !cJSON_IsArray(vals))
        return bad(L, path, "chart \"values\" must be an array of column ids"), false;
    ch->values = pf_xcalloc((size_t)cJSON_GetArraySize(vals) + 1, sizeof *ch->values);
    cJSON_ArrayForEach(it, vals) {
        if (!cJSON_IsString(it) || rp_table_col(t, it->valuestring) < 0)
            return bad(L, path, "chart values name an unknown column"), false;
        ch->values[ch->nvalues++] = pf_xstrdup(it->valuestring);
    }
    return true;
}

static void
chart_free(struct rp_chart *ch)
{
    size_t i;
    if (!ch)
        return;
    text_release(&ch->title);
    if (ch->has_value_axis)
        text_release(&ch->value_axis);
    if (ch->has_category_axis)
        text_release(&ch->category_axis);
    free(ch->categories);
    for (i = 0; i < ch->nvalues; i++)
        free(ch->values[i]);
    free(ch->values);
    free(ch);
}

static int
section_line(const struct rp_section *s, size_t upto, const char *id)
{
    size_t i;
    for (i = 0; i < upto; i++)
        if (strcmp(s->lines[i].id, id) == 0)
            return (int)i;
    return -1;
}

static bool
parse_sections(struct loader *L, const cJSON *arr, const char *path, struct rp_table *t)
{
    const cJSON *so, *lo, *it;
    char sub[256];
    size_t si = 0;

    if (!cJSON_IsArray(arr))
        return bad(L, path, "\"sections\" must be an array"), false;
    t->sections = pf_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *t->sections);
    cJSON_ArrayForEach(so, arr) {
        struct rp_section *s = &t->sections[si];
        const cJSON *lines = cJSON_GetObjectItemCaseSensitive(so, "lines");
        size_t li = 0;
        t->nsections = ++si;
        pathf(sub, sizeof sub, "%s[%zu].title", path, si - 1);
        if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(so, "title"), sub, &s->title))
            return false;
        if (!cJSON_IsArray(lines))
            return bad(L, sub, "a section needs \"lines\""), false;
        s->lines = pf_xcalloc((size_t)cJSON_GetArraySize(lines) + 1, sizeof *s->lines);
        cJSON_ArrayForEach(lo, lines) {
            struct rp_line *l = &s->lines[li];
            const char *fmt;
            pathf(sub, sizeof sub, "%s[%zu].lines[%zu]", path, si - 1, li);
            s->nlines = ++li;
            l->sign = 1;
            l->fmt = -1;
            l->id = dup_or_null(str_member(lo, "id"));
            if (!l->id)
                return bad(L, sub, "a line needs an \"id\""), false;
            {
                char tsub[300];
                pathf(tsub, sizeof tsub, "%s.title", sub);
                if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(lo, "title"), tsub,
                                &l->title))
                    return false;
            }
            it = cJSON_GetObjectItemCaseSensitive(lo, "sign");
            if (it) {
                if (!cJSON_IsNumber(it) || (it->valueint != 1 && it->valueint != -1))
                    return bad(L, sub, "\"sign\" must be 1 or -1"), false;
                l->sign = it->valueint;
            }
            l->strong = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lo, "strong"));
            fmt = str_member(lo, "format");
            if (fmt && (l->fmt = rp_defs_format(L->d, fmt)) < 0)
                return bad(L, sub, "unknown format '%s'", fmt), false;
            it = cJSON_GetObjectItemCaseSensitive(lo, "sum");
            if (it) {
                const cJSON *a = cJSON_GetArrayItem(it, 0), *b = cJSON_GetArrayItem(it, 1);
                if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 2 || !cJSON_IsString(a) ||
                    !cJSON_IsString(b))
                    return bad(L, sub, "\"sum\" must be [first line, last line]"),
                           false;
                l->sum_from = pf_xstrdup(a->valuestring);
                l->sum_to = pf_xstrdup(b->valuestring);
                if (section_line(s, li - 1, l->sum_from) < 0 ||
                    section_line(s, li - 1, l->sum_to) < 0 ||
                    section_line(s, li - 1, l->sum_from) > section_line(s, li - 1, l->sum_to))
                    return bad(L, sub, "\"sum\" must name earlier lines of the section, "
                                       "first to last"), false;
            }
        }
    }
    return true;
}

static void
sections_free(struct rp_table *t)
{
    size_t i, j;
    for (i = 0; i < t->nsections; i++) {
        struct rp_section *s = &t->sections[i];
        text_release(&s->title);
        for (j = 0; j < s->nlines; j++) {
            free(s->lines[j].id);
            text_release(&s->lines[j].title);
            free(s->lines[j].sum_from);
            free(s->lines[j].sum_to);
        }
        free(s->lines);
    }
    free(t->sections);
}

/* Remaining text members of a table: "x": {zh,en} and "x": {"y": {zh,en}, ...}. */
static bool
collect_texts(struct loader *L, const cJSON *o, const char *path, struct rp_table *t)
{
    const cJSON *it, *sub;
    char p2[300];

    cJSON_ArrayForEach(it, o) {
        if (is_text_object(it)) {
            struct rp_text *tx = pf_xcalloc(1, sizeof *tx);
            pathf(p2, sizeof p2, "%s.%s", path, it->string);
            if (!parse_text(L, it, p2, tx)) {
                free(tx);
                return false;
            }
            text_free(pf_map_put(&t->texts, it->string, tx));
        } else if (cJSON_IsObject(it) && strcmp(it->string, "chart") != 0) {
            cJSON_ArrayForEach(sub, it) {
                struct rp_text *tx;
                char key[200];
                if (!is_text_object(sub))
                    continue;
                tx = pf_xcalloc(1, sizeof *tx);
                pathf(p2, sizeof p2, "%s.%s.%s", path, it->string, sub->string);
                if (!parse_text(L, sub, p2, tx)) {
                    free(tx);
                    return false;
                }
                pathf(key, sizeof key, "%s\x1f%s", it->string, sub->string);
                text_free(pf_map_put(&t->texts, key, tx));
            }
        }
    }
    return true;
}

static bool
parse_table(struct loader *L, const cJSON *o, const cJSON *sets, const char *path,
            const char *sheet_kind, struct rp_table *t)
{
    const cJSON *cols, *it;
    const char *kind;
    char sub[256];
    size_t i;

    t->where = pf_xasprintf("%s: %s", L->file, path);
    if (!cJSON_IsObject(o))
        return bad(L, path, "a table must be an object"), false;
    t->id = dup_or_null(str_member(o, "id"));
    if (!t->id)
        return bad(L, path, "a table needs an \"id\""), false;
    kind = str_member(o, "kind");
    t->kind = pf_xstrdup(kind ? kind : "table");
    t->rows = dup_or_null(str_member(o, "rows"));
    t->dimension = dup_or_null(str_member(o, "dimension"));
    t->scope = dup_or_null(str_member(o, "scope"));
    t->autofilter = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "autofilter"));
    t->freeze = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "freeze"));
    t->total = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "total"));
    t->concentration = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "concentration"));
    t->portfolio_row = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "portfolio_row"));
    t->skip_star = true;
    it = cJSON_GetObjectItemCaseSensitive(o, "title");
    if (it) {
        pathf(sub, sizeof sub, "%s.title", path);
        if (!parse_text(L, it, sub, &t->title))
            return false;
        t->has_title = true;
    }
    (void)sheet_kind;
    if (!pf_in_list(table_kinds, t->kind))
        return bad(L, path, "unknown table kind '%s'", t->kind), false;
    if (strcmp(t->kind, "table") == 0) {
        if (!t->rows || !pf_in_list(row_sources, t->rows))
            return bad(L, path, "unknown or missing \"rows\" '%s'", t->rows ? t->rows : ""), false;
        if (strcmp(t->rows, "dimension") == 0) {
            if (!t->dimension)
                return bad(L, path, "rows \"dimension\" need a \"dimension\""), false;
            if (!t->scope ||
                (strcmp(t->scope, "portfolio") != 0 && strcmp(t->scope, "each_fund") != 0))
                return bad(L, path, "\"scope\" must be \"portfolio\" or \"each_fund\""),
                       false;
        }
    }
    cols = cJSON_GetObjectItemCaseSensitive(o, "columns");
    pathf(sub, sizeof sub, "%s.columns", path);
    if (cJSON_IsString(cols)) {
        const cJSON *set = cJSON_GetObjectItemCaseSensitive(sets, cols->valuestring);
        if (!set)
            return bad(L, sub, "no column set '%s' in \"column_sets\"", cols->valuestring),
                   false;
        pathf(sub, sizeof sub, "column_sets.%s", cols->valuestring);
        cols = set;
    }
    if (!parse_cols(L, cols, sub, &t->cols, &t->ncols))
        return false;
    if (strcmp(t->kind, "blocks") == 0 && t->ncols < 5)
        return bad(L, path, "a blocks table needs its 5 columns (fund, block, date, amount, "
                            "type)"), false;
    for (i = 0; i < t->ncols; i++) {
        struct rp_col *c = &t->cols[i];
        char cp[300];
        pathf(cp, sizeof cp, "%s[%zu]", sub, i);
        if (c->formula && !check_formula(L, cp, t, c->formula))
            return false;
    }
    it = cJSON_GetObjectItemCaseSensitive(o, "chart");
    if (it) {
        pathf(sub, sizeof sub, "%s.chart", path);
        if (!parse_chart(L, it, sub, t))
            return false;
    }
    it = cJSON_GetObjectItemCaseSensitive(o, "sections");
    if (it) {
        pathf(sub, sizeof sub, "%s.sections", path);
        if (!parse_sections(L, it, sub, t))
            return false;
    }
    it = cJSON_GetObjectItemCaseSensitive(o, "periods");
    if (it) {
        const cJSON *po;
        size_t pi = 0;
        pathf(sub, sizeof sub, "%s.periods", path);
        if (!cJSON_IsArray(it))
            return bad(L, sub, "\"periods\" must be an array"), false;
        t->periods = pf_xcalloc((size_t)cJSON_GetArraySize(it) + 1, sizeof *t->periods);
        cJSON_ArrayForEach(po, it) {
            struct rp_col *p = &t->periods[pi];
            char pp[300];
            t->nperiods = ++pi;
            pathf(pp, sizeof pp, "%s[%zu]", sub, pi - 1);
            p->id = dup_or_null(str_member(po, "id"));
            if (!p->id)
                return bad(L, pp, "a period needs an \"id\""), false;
            pathf(pp + strlen(pp), sizeof pp - strlen(pp), ".title");
            if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(po, "title"), pp, &p->title))
                return false;
        }
    }
    if (strcmp(t->kind, "capital_account") == 0 && (t->nperiods == 0 || t->nsections == 0))
        return bad(L, path, "a capital account needs \"periods\" and \"sections\""), false;
    return collect_texts(L, o, path, t);
}

static void
table_release(struct rp_table *t)
{
    size_t i;
    free(t->id);
    free(t->kind);
    free(t->rows);
    free(t->dimension);
    free(t->scope);
    free(t->where);
    text_release(&t->title);
    for (i = 0; i < t->ncols; i++)
        col_release(&t->cols[i]);
    free(t->cols);
    chart_free(t->chart);
    sections_free(t);
    for (i = 0; i < t->nperiods; i++)
        col_release(&t->periods[i]);
    free(t->periods);
    pf_map_release(&t->texts, text_free);
}

static bool
parse_book(struct loader *L, const cJSON *root, struct rp_book *b)
{
    const cJSON *sheets, *so, *sets, *it;
    char path[256];
    size_t si = 0, i, j;

    b->path = pf_xstrdup(L->file);
    if (!cJSON_IsObject(root))
        return bad(L, "(top)", "expected an object"), false;
    b->file = dup_or_null(str_member(root, "file"));
    if (!b->file)
        return bad(L, "(top)", "needs a \"file\" stem"), false;
    if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(root, "title"), "title", &b->title) ||
        !parse_text(L, cJSON_GetObjectItemCaseSensitive(root, "subject"), "subject",
                    &b->subject))
        return false;
    it = cJSON_GetObjectItemCaseSensitive(root, "footer");
    if (it && !parse_text(L, it, "footer", &b->footer))
        return false;
    sets = cJSON_GetObjectItemCaseSensitive(root, "column_sets");
    sheets = cJSON_GetObjectItemCaseSensitive(root, "sheets");
    if (!cJSON_IsArray(sheets) || cJSON_GetArraySize(sheets) == 0)
        return bad(L, "sheets", "needs a non-empty array of sheets"), false;
    b->sheets = pf_xcalloc((size_t)cJSON_GetArraySize(sheets), sizeof *b->sheets);
    cJSON_ArrayForEach(so, sheets) {
        struct rp_sheet *s = &b->sheets[si];
        const cJSON *tables = cJSON_GetObjectItemCaseSensitive(so, "tables"), *to;
        const char *kind = str_member(so, "kind");
        size_t ti = 0;
        b->nsheets = ++si;
        pathf(path, sizeof path, "sheets[%zu]", si - 1);
        s->id = dup_or_null(str_member(so, "id"));
        s->kind = pf_xstrdup(kind ? kind : "tables");
        if (!s->id)
            return bad(L, path, "a sheet needs an \"id\""), false;
        if (!pf_in_list(sheet_kinds, s->kind))
            return bad(L, path, "unknown sheet kind '%s'", s->kind), false;
        {
            char sub[300];
            pathf(sub, sizeof sub, "%s.name", path);
            if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(so, "name"), sub, &s->name))
                return false;
            pathf(sub, sizeof sub, "%s.title", path);
            if (!parse_text(L, cJSON_GetObjectItemCaseSensitive(so, "title"), sub, &s->title))
                return false;
        }
        {
            const char *names[3] = { s->name.zh, s->name.en, s->name.both };
            int k;
            for (k = 0; k < 3; k++) {
                size_t len = strlen(names[k]);
                if (len == 0 || pf_utf8_len(names[k]) > 31 || strpbrk(names[k], "[]:*?/\\'"))
                    return bad(L, path, "sheet name '%s' is not a valid Excel sheet name "
                                        "(1-31 characters, none of []:*?/\\')", names[k]),
                           false;
            }
        }
        it = cJSON_GetObjectItemCaseSensitive(so, "freeze_cols");
        if (it)
            s->freeze_cols = it->valueint;
        if (!cJSON_IsArray(tables))
            return bad(L, path, "a sheet needs \"tables\""), false;
        s->tables = pf_xcalloc((size_t)cJSON_GetArraySize(tables) + 1, sizeof *s->tables);
        cJSON_ArrayForEach(to, tables) {
            char tp[300];
            pathf(tp, sizeof tp, "%s.tables[%zu]", path, ti);
            s->ntables = ++ti;
            if (!parse_table(L, to, sets, tp, s->kind, &s->tables[ti - 1]))
                return false;
        }
    }
    for (i = 0; i < b->nsheets; i++)
        for (j = 0; j < i; j++)
            if (strcmp(b->sheets[i].id, b->sheets[j].id) == 0 ||
                strcmp(b->sheets[i].name.both, b->sheets[j].name.both) == 0 ||
                strcmp(b->sheets[i].name.en, b->sheets[j].name.en) == 0 ||
                strcmp(b->sheets[i].name.zh, b->sheets[j].name.zh) == 0) {
                pathf(path, sizeof path, "sheets[%zu]", i);
                return bad(L, path, "sheet '%s' repeats an earlier sheet's id or name",
                           b->sheets[i].id), false;
            }
    return true;
}

static void
book_release(struct rp_book *b)
{
    size_t i, j;
    free(b->file);
    free(b->path);
    text_release(&b->title);
    text_release(&b->subject);
    text_release(&b->footer);
    for (i = 0; i < b->nsheets; i++) {
        struct rp_sheet *s = &b->sheets[i];
        free(s->id);
        free(s->kind);
        text_release(&s->name);
        text_release(&s->title);
        for (j = 0; j < s->ntables; j++)
            table_release(&s->tables[j]);
        free(s->tables);
    }
    free(b->sheets);
}

static const char *const required_strings[] = {
    "total", "value_note", "hhi", "top5", "top10", "page_footer", "no_rows", "redacted",
    "portfolio", "chart_top", "other", "disclaimer", NULL
};

static bool
parse_formats(struct loader *L, const cJSON *root)
{
    struct rp_defs *d = L->d;
    const cJSON *fm, *it, *grp;
    char path[256];
    size_t i;

    if (!cJSON_IsObject(root))
        return bad(L, "(top)", "expected an object"), false;
    fm = cJSON_GetObjectItemCaseSensitive(root, "formats");
    if (!cJSON_IsObject(fm))
        return bad(L, "formats", "expected an object of formats"), false;
    d->fmts = pf_xcalloc((size_t)cJSON_GetArraySize(fm) + 1, sizeof *d->fmts);
    cJSON_ArrayForEach(it, fm) {
        pathf(path, sizeof path, "formats.%s", it->string);
        d->nfmts++;
        if (!parse_fmtdef(L, it, it->string, path, &d->fmts[d->nfmts - 1]))
            return false;
    }
    if (rp_defs_format(d, "text") < 0)
        return bad(L, "formats", "needs a \"text\" format"), false;
    it = cJSON_GetObjectItemCaseSensitive(root, "total");
    if (!parse_fmtdef(L, it ? it : fm, "total", "total", &d->total))
        return false;
    if (!it)
        return bad(L, "total", "needs the total-row overlay"), false;
    it = cJSON_GetObjectItemCaseSensitive(root, "colour_scale");
    d->scale_min = parse_colour(str_member(it, "min"));
    d->scale_mid = parse_colour(str_member(it, "mid"));
    d->scale_max = parse_colour(str_member(it, "max"));
    if (d->scale_min < 0 || d->scale_mid < 0 || d->scale_max < 0)
        return bad(L, "colour_scale", "needs \"min\", \"mid\" and \"max\" as #RRGGBB"),
               false;
    grp = cJSON_GetObjectItemCaseSensitive(root, "labels");
    cJSON_ArrayForEach(it, grp) {
        const cJSON *lo;
        cJSON_ArrayForEach(lo, it) {
            struct rp_text *tx = pf_xcalloc(1, sizeof *tx);
            char key[256];
            pathf(path, sizeof path, "labels.%s.%s", it->string, lo->string);
            if (!parse_text(L, lo, path, tx)) {
                free(tx);
                return false;
            }
            pathf(key, sizeof key, "%s\x1f%s", it->string, lo->string);
            text_free(pf_map_put(&d->labels, key, tx));
        }
    }
    grp = cJSON_GetObjectItemCaseSensitive(root, "strings");
    cJSON_ArrayForEach(it, grp) {
        struct rp_text *tx = pf_xcalloc(1, sizeof *tx);
        pathf(path, sizeof path, "strings.%s", it->string);
        if (!parse_text(L, it, path, tx)) {
            free(tx);
            return false;
        }
        text_free(pf_map_put(&d->strings, it->string, tx));
    }
    for (i = 0; required_strings[i]; i++)
        if (!pf_map_has(&d->strings, required_strings[i]))
            return bad(L, "strings", "is missing '%s'", required_strings[i]), false;
    return true;
}

static pf_status
load_json(const char *dir, const char *name, cJSON **out, struct pf_err *err)
{
    char *path = pf_xasprintf("%s/%s", dir, name), *text = NULL;
    size_t n;
    pf_status rc;

    *out = NULL;
    if ((rc = pf_read_file(path, &text, &n, err)) != PF_OK)
        goto cleanup;
    *out = cJSON_ParseWithLength(text, n);
    if (!*out) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + n ? (size_t)(at - text) : 0;
        rc = pf_err_set(err, PF_EDATA, path, "not valid JSON near byte %zu", off);
    }
cleanup:
    free(path);
    free(text);
    return rc;
}

/* --- public --- */

int
rp_defs_format(const struct rp_defs *d, const char *name)
{
    size_t i;
    if (!name)
        return -1;
    for (i = 0; i < d->nfmts; i++)
        if (strcmp(d->fmts[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct rp_text *
rp_defs_label(const struct rp_defs *d, const char *group, const char *code)
{
    char key[256];
    if (!code)
        return NULL;
    pathf(key, sizeof key, "%s\x1f%s", group, code);
    return pf_map_get(&d->labels, key);
}

const struct rp_text *
rp_defs_string(const struct rp_defs *d, const char *id)
{
    return pf_map_get(&d->strings, id);
}

const struct rp_text *
rp_table_text(const struct rp_defs *d, const struct rp_table *t, const char *key,
              const char *sub)
{
    char k[256];
    (void)d;
    if (!sub)
        return pf_map_get(&t->texts, key);
    pathf(k, sizeof k, "%s\x1f%s", key, sub);
    return pf_map_get(&t->texts, k);
}

int
rp_table_col(const struct rp_table *t, const char *id)
{
    size_t i;
    for (i = 0; i < t->ncols; i++)
        if (t->cols[i].id && strcmp(t->cols[i].id, id) == 0)
            return (int)i;
    return -1;
}

pf_status
rp_defs_load(const char *dir, struct rp_defs **out, struct pf_err *err)
{
    struct rp_defs *d = pf_xcalloc(1, sizeof *d);
    struct loader L = { d, "formats.json", err, PF_OK };
    cJSON *root = NULL;
    pf_status rc;

    *out = NULL;
    if ((rc = load_json(dir, "formats.json", &root, err)) != PF_OK)
        goto cleanup;
    if (!parse_formats(&L, root)) {
        rc = L.rc;
        goto cleanup;
    }
    cJSON_Delete(root);
    root = NULL;
    L.file = "manager.json";
    if ((rc = load_json(dir, L.file, &root, err)) != PF_OK)
        goto cleanup;
    if (!parse_book(&L, root, &d->manager)) {
        rc = L.rc;
        goto cleanup;
    }
    cJSON_Delete(root);
    root = NULL;
    L.file = "partner.json";
    if ((rc = load_json(dir, L.file, &root, err)) != PF_OK)
        goto cleanup;
    if (!parse_book(&L, root, &d->partner)) {
        rc = L.rc;
        goto cleanup;
    }
    *out = d;
    d = NULL;
    rc = PF_OK;
cleanup:
    cJSON_Delete(root);
    rp_defs_free(d);
    return rc;
}

void
rp_defs_free(struct rp_defs *d)
{
    size_t i;
    if (!d)
        return;
    for (i = 0; i < d->nfmts; i++)
        fmtdef_release(&d->fmts[i]);
    free(d->fmts);
    fmtdef_release(&d->total);
    pf_map_release(&d->labels, text_free);
    pf_map_release(&d->strings, text_free);
    book_release(&d->manager);
    book_release(&d->partner);
    free(d);
}
