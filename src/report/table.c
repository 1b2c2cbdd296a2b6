/*
 * table: the generic table renderer. A table definition names a row source
 * (funds, a dimension's keys, partners, projects, ...) and columns; each cell
 * is a text or date from the data set, a stored result, a live formula over
 * cells of the same row (cached: the stored result, or the template evaluated
 * in doubles exactly as a spreadsheet evaluates it), or an XIRR over the
 * row's flow block (cached: the stored rate, also passed as XIRR's guess).
 * Totals are SUMs, the concentration rows an HHI formula over the shares.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal: names --- */

/* "zh / en", or one of them, per language; NULL when the code is unknown. */
static const char *
pair_name(struct rp_ctx *c, const char *zh, const char *en)
{
    if (!zh && !en)
        return NULL;
    if (c->lang == RP_ZH)
        return zh && *zh ? zh : en;
    if (c->lang == RP_EN)
        return en && *en ? en : zh;
    if (!zh || !*zh || (en && strcmp(zh, en) == 0))
        return en;
    if (!en || !*en)
        return zh;
    pf_buf_reset(&c->tmp);
    pf_buf_addf(&c->tmp, "%s / %s", zh, en);
    return pf_buf_str(&c->tmp);
}

static const char *
tax_name(struct rp_ctx *c, enum pf_tax_kind k, const char *code)
{
    if (!code || !*code)
        return NULL;
    return pair_name(c, pf_taxonomy_name(c->tax, k, code, "zh"),
                     pf_taxonomy_name(c->tax, k, code, "en"));
}

static const char *
label_name(struct rp_ctx *c, const char *group, const char *code)
{
    const struct rp_text *t = rp_defs_label(c->defs, group, code);
    return t ? rp_tr(c, t) : NULL;
}

static const char *
region_name(struct rp_ctx *c, const char *code)
{
    if (!code || !*code)
        return NULL;
    if (pf_taxonomy_has(c->tax, PF_TAX_PROVINCE, code))
        return tax_name(c, PF_TAX_PROVINCE, code);
    return tax_name(c, PF_TAX_COUNTRY, code);
}

static const struct pf_park *
park_of(struct rp_ctx *c, const char *id)
{
    int i = id ? pf_dataset_find_park(c->ds, id) : -1;
    return i >= 0 ? &c->ds->parks[i] : NULL;
}

static const char *
park_name(struct rp_ctx *c, const struct pf_park *p)
{
    if (!p)
        return NULL;
    return pair_name(c, p->name, p->name_en && *p->name_en ? p->name_en : p->name);
}

static const struct pf_fund *
fund_of(struct rp_ctx *c, const char *id)
{
    int i = id ? pf_dataset_find_fund(c->ds, id) : -1;
    return i >= 0 ? &c->ds->funds[i] : NULL;
}

static const struct pf_partner *
partner_of(struct rp_ctx *c, const char *id)
{
    int i = id ? pf_dataset_find_partner(c->ds, id) : -1;
    return i >= 0 ? &c->ds->partners[i] : NULL;
}

static const struct pf_project *
project_of(struct rp_ctx *c, const char *id)
{
    int i = id ? pf_dataset_find_project(c->ds, id) : -1;
    return i >= 0 ? &c->ds->projects[i] : NULL;
}

static const struct pf_enterprise *
enterprise_of(struct rp_ctx *c, const struct pf_project *p)
{
    if (!p || p->enterprise < 0 || (size_t)p->enterprise >= c->ds->nenterprises)
        return NULL;
    return &c->ds->enterprises[p->enterprise];
}

static const struct pf_park *
project_park(struct rp_ctx *c, const struct pf_project *p)
{
    const struct pf_enterprise *e = enterprise_of(c, p);
    if (!e || e->park < 0 || (size_t)e->park >= c->ds->nparks)
        return NULL;
    return &c->ds->parks[e->park];
}

/* --- public: names --- */

const char *
rp_key_name(struct rp_ctx *c, const char *dimension, const char *key)
{
    const char *n = NULL;

    if (!dimension || !key)
        return key;
    if (strcmp(dimension, "chain") == 0) {
        n = tax_name(c, PF_TAX_CHAIN, key);
    }
    else if (strcmp(dimension, "segment") == 0)
        n = tax_name(c, PF_TAX_SEGMENT, key);
    else if (strcmp(dimension, "theme") == 0)
        n = tax_name(c, PF_TAX_THEME, key);
    else if (strcmp(dimension, "region") == 0)
        n = region_name(c, key);
    else if (strcmp(dimension, "overseas_centre") == 0) {
        n = label_name(c, "overseas_centre", key);
        if (!n)
            n = tax_name(c, PF_TAX_CENTRE, key);
    } else if (strcmp(dimension, "park") == 0)
        n = park_name(c, park_of(c, key));
    else if (strcmp(dimension, "instrument") == 0)
        n = label_name(c, "instrument", key);
    else if (strcmp(dimension, "currency") == 0)
        n = tax_name(c, PF_TAX_CURRENCY, key);
    else if (strcmp(dimension, "fund") == 0) {
        const struct pf_fund *f = fund_of(c, key);
        n = f ? f->name : NULL;
    } else if (strcmp(dimension, "partner") == 0) {
        const struct pf_partner *p = partner_of(c, key);
        n = p ? p->name : NULL;
    } else if (strcmp(dimension, "project") == 0) {
        const struct pf_project *p = project_of(c, key);
        n = p ? p->name : NULL;
    }
    if (!n) /* the engine's own keys: "none" (no theme), "unknown", "cash" */
        n = label_name(c, "extra_keys", key);
    return n ? n : key;
}

const char *
rp_fund_title(struct rp_ctx *c, const char *fund)
{
    const struct pf_fund *f = fund_of(c, fund);
    pf_buf_reset(&c->tmp);
    if (!f)
        pf_buf_adds(&c->tmp, fund ? fund : "");
    else
        pf_buf_addf(&c->tmp, "%s  %s  (%s)", f->fund_id, f->name, f->currency);
    return pf_buf_str(&c->tmp);
}

/* --- internal: cell sources --- */

/* The dimension whose results a row source's rows are. */
static const char *
rows_dimension(const struct rp_table *t)
{
    if (!t->rows)
        return t->dimension;
    if (strcmp(t->rows, "funds") == 0)
        return "fund";
    if (strcmp(t->rows, "projects") == 0)
        return "project";
    if (strcmp(t->rows, "partners") == 0 || strcmp(t->rows, "partner_funds") == 0 ||
        strcmp(t->rows, "guidance_partners") == 0)
        return "partner";
    return t->dimension;
}

/* The project's latest valuation as the engine stored it (row valuation), or NULL. */
static const struct pf_run_row *
valuation_of(struct rp_ctx *c, const struct rp_rowref *rr)
{
    const struct rp_group *g = rr->fund ? rp_index_rows(c->ix, "valuation", rr->fund, rr->key)
                                        : NULL;
    return g && g->n ? &g->run->rows[g->idx[0]] : NULL;
}

#define RP_STALE_DAYS 183 /* a valuation older than about six months is flagged */

static const char *
text_source(struct rp_ctx *c, const char *src, const char *dimension,
            const struct rp_rowref *rr)
{
    const struct pf_fund *f;
    const struct pf_partner *pa;
    const struct pf_project *pr;

    if (strcmp(src, "key") == 0)
        return rr->key;
    if (strcmp(src, "key_name") == 0)
        return rp_key_name(c, dimension, rr->key);
    if (strncmp(src, "fund_", 5) == 0) {
        f = fund_of(c, rr->fund);
        if (strcmp(src, "fund_id") == 0)
            return rr->fund ? rr->fund : rp_tr(c, rp_defs_string(c->defs, "portfolio"));
        if (!f)
            return !rr->fund && strcmp(src, "fund_currency") == 0 ? "CNY" : NULL;
        if (strcmp(src, "fund_name") == 0)
            return f->name;
        if (strcmp(src, "fund_currency") == 0)
            return f->currency;
        if (strcmp(src, "fund_vintage") == 0) {
            int y, m, d;
            pf_date_to_ymd(f->inception, &y, &m, &d);
            pf_buf_reset(&c->tmp);
            pf_buf_addf(&c->tmp, "%d", f->vintage ? f->vintage : y);
            return pf_buf_str(&c->tmp);
        }
        return NULL;
    }
    if (strncmp(src, "partner_", 8) == 0) {
        pa = partner_of(c, rr->key);
        if (!pa)
            return NULL;
        if (strcmp(src, "partner_name") == 0)
            return pa->name;
        if (strcmp(src, "partner_kind") == 0) {
            const char *n = label_name(c, "partner_kind", pa->kind);
            return n ? n : pa->kind;
        }
        if (strcmp(src, "partner_region_name") == 0) {
            const char *n = region_name(c, pa->region);
            return n ? n : pa->region;
        }
        return NULL;
    }
    if (strcmp(src, "valuation_method") == 0) {
        const struct pf_run_row *v = valuation_of(c, rr);
        const char *n = v ? label_name(c, "valuation_method", v->col) : NULL;
        return v ? (n ? n : v->col) : label_name(c, "valuation_method", "none");
    }
    if (strcmp(src, "valuation_flag") == 0) {
        const struct pf_run_row *v = valuation_of(c, rr);
        const struct pf_project *pj = project_of(c, rr->key);
        if (!v || !v->has_value || v->value <= RP_STALE_DAYS)
            return NULL;
        if (pj && pj->exit_date != PF_DATE_NONE && pj->exit_date <= c->run->as_of)
            return NULL; /* exited: nothing left to value */
        return label_name(c, "valuation_method", "stale");
    }
    pr = project_of(c, rr->key);
    if (!pr)
        return NULL;
    if (strcmp(src, "project_name") == 0)
        return pr->name;
    if (strcmp(src, "project_currency") == 0)
        return pr->currency;
    if (strcmp(src, "enterprise_name") == 0) {
        const struct pf_enterprise *e = enterprise_of(c, pr);
        return e ? e->name : pr->enterprise_id;
    }
    if (strcmp(src, "park_name") == 0)
        return park_name(c, project_park(c, pr));
    if (strcmp(src, "region_name") == 0) {
        const struct pf_park *pk = project_park(c, pr);
        const char *n = pk ? region_name(c, pk->region) : NULL;
        return n ? n : pk ? pk->region : NULL;
    }
    if (strcmp(src, "chain_name") == 0)
        return rp_key_name(c, "chain", pr->chain);
    if (strcmp(src, "segment_name") == 0)
        return rp_key_name(c, "segment", pr->segment);
    if (strcmp(src, "theme_name") == 0)
        return pr->theme && *pr->theme ? rp_key_name(c, "theme", pr->theme) : NULL;
    if (strcmp(src, "instrument_name") == 0)
        return rp_key_name(c, "instrument", pr->instrument);
    return NULL;
}

static pf_date
date_source(struct rp_ctx *c, const char *src, const struct rp_rowref *rr)
{
    const struct pf_project *pr = project_of(c, rr->key);
    if (strcmp(src, "valuation_date") == 0) {
        const struct pf_run_row *v = valuation_of(c, rr);
        return v ? v->date : PF_DATE_NONE;
    }
    if (!pr)
        return PF_DATE_NONE;
    if (strcmp(src, "project_commitment_date") == 0)
        return pr->commitment_date;
    if (strcmp(src, "project_exit_date") == 0)
        return pr->exit_date;
    if (strcmp(src, "project_listed_date") == 0)
        return pr->listed_date;
    return PF_DATE_NONE;
}

/* --- internal: formula templates --- */

struct cellval {
    bool ok;        /* a number was written there */
    double v;
};

struct tmpl {
    const struct rp_table *t;
    const struct cellval *vals; /* this row's cells */
    const struct cellval *tot;  /* the total row's cells, or NULL */
    lxw_row_t row, total_row;
    const struct rp_table_env *env;
    const struct rp_rowref *rr;
    bool ok;                    /* every token resolved to a number */
};

/* Resolve {token}: its cell (into cell) and value. */
static bool
resolve(struct tmpl *T, const char *tok, size_t n, char *cell, double *v)
{
    char name[64];
    int ci;

    if (n >= sizeof name)
        return false;
    memcpy(name, tok, n);
    name[n] = '\0';
    if (strncmp(name, "total:", 6) == 0) {
        ci = rp_table_col(T->t, name + 6);
        if (ci < 0 || !T->tot || !T->tot[ci].ok)
            return false;
        rp_cell(T->total_row, (lxw_col_t)ci, true, cell);
        *v = T->tot[ci].v;
        return true;
    }
    ci = rp_table_col(T->t, name);
    if (ci >= 0) {
        if (!T->vals[ci].ok)
            return false;
        rp_cell(T->row, (lxw_col_t)ci, false, cell);
        *v = T->vals[ci].v;
        return true;
    }
    if (T->env && T->env->param)
        return T->env->param(T->env->arg, name, T->rr, cell, v);
    return false;
}

/* Expand a template into formula text (defs.c allowed only operators and tokens). */
static bool
expand(struct tmpl *T, const char *f, struct pf_buf *out)
{
    const char *p = f;
    char cell[24];
    double v;

    pf_buf_reset(out);
    while (*p) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (!end || !resolve(T, p + 1, (size_t)(end - p - 1), cell, &v))
                return false;
            pf_buf_adds(out, cell);
            p = end + 1;
        } else if (*p != ' ') {
            pf_buf_addc(out, *p++);
        } else {
            p++;
        }
    }
    return true;
}

/* Evaluate a template in doubles, as a spreadsheet does (+ - * / ^ and parentheses). */
static void
block_id(const char *tmpl, const char *dimension, const char *key, struct pf_buf *out)
{
    const char *p = tmpl;
    pf_buf_reset(out);
    while (*p) {
        if (strncmp(p, "{key}", 5) == 0) {
            pf_buf_adds(out, key);
            p += 5;
        } else if (strncmp(p, "{dimension}", 11) == 0) {
            pf_buf_adds(out, dimension ? dimension : "");
            p += 11;
        } else {
            pf_buf_addc(out, *p++);
        }
    }
}

/* --- internal: charts --- */

/* A chart's height as a scale of the default 288 pixels: bars get room for each label. */
static double
chart_y_scale(const struct rp_chart *ch, lxw_row_t nrows)
{
    double bars;
    if (ch->type == RP_CHART_LINE)
        return 1.5;
    if (ch->type != RP_CHART_BAR)
        return 1.2;
    bars = ((double)nrows * 16.0 + 90.0) / 288.0;
    return bars > 1.2 ? bars : 1.2;
}

/* Chart t's values from rows first..last of this sheet (top-N charts pass their helper
 * rows, whose value sits in column vcol and name in column ccol). */
static void
insert_chart(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t, lxw_row_t hdr,
             lxw_row_t first, lxw_row_t last, int ccol, int vcol)
{
    static const uint8_t types[] = { LXW_CHART_PIE, LXW_CHART_COLUMN, LXW_CHART_BAR,
                                     LXW_CHART_LINE };
    const struct rp_chart *ch = t->chart;
    lxw_chart *chart;
    lxw_chart_options opt;
    int cat = ccol >= 0 ? ccol : ch->categories ? rp_table_col(t, ch->categories) : -1;
    size_t i;

    if (last < first)
        return;
    chart = workbook_add_chart(c->wb, types[ch->type]);
    if (!chart) {
        rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart");
        return;
    }
    if (c->chart_title_more) { /* e.g. "J 曲线 — F001 …": the fund it shows */
        char *title = pf_xasprintf("%s — %s", rp_tr(c, &ch->title), c->chart_title_more);
        c->keep = pf_xreallocarray(c->keep, c->nkeep + 1, sizeof *c->keep);
        c->keep[c->nkeep++] = title; /* alive until the book is written */
        chart_title_set_name(chart, title);
    } else {
        chart_title_set_name(chart, rp_tr(c, &ch->title));
    }
    for (i = 0; i < ch->nvalues; i++) {
        int vc = vcol >= 0 ? vcol : rp_table_col(t, ch->values[i]);
        lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
        if (!s) {
            rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart series");
            return;
        }
        if (cat >= 0)
            chart_series_set_categories(s, c->cur_sheet, first, (lxw_col_t)cat, last,
                                        (lxw_col_t)cat);
        chart_series_set_values(s, c->cur_sheet, first, (lxw_col_t)vc, last, (lxw_col_t)vc);
        chart_series_set_name_range(s, c->cur_sheet, hdr,
                                    (lxw_col_t)rp_table_col(t, ch->values[i]));
        if (ch->type == RP_CHART_PIE)
            chart_series_set_labels_percentage(s);
        if (vcol >= 0)
            break; /* a top-N chart shows its first value */
    }
    if (ch->type == RP_CHART_PIE)
        chart_legend_set_position(chart, LXW_CHART_LEGEND_RIGHT);
    else if (ch->nvalues < 2 || vcol >= 0)
        chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    else
        chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    if (ch->type == RP_CHART_BAR) {
        /* bar charts: x is the value axis; list the categories top-down as in the table */
        chart_axis_set_num_format(chart->x_axis, "#,##0");
        chart_axis_set_reverse(chart->y_axis);
        chart_axis_set_crossing_max(chart->y_axis);
    } else if (ch->type != RP_CHART_PIE) {
        chart_axis_set_num_format(chart->y_axis, "#,##0");
    }
    if (ch->type != RP_CHART_PIE) {
        lxw_chart_axis *va = ch->type == RP_CHART_BAR ? chart->x_axis : chart->y_axis;
        lxw_chart_axis *ca = ch->type == RP_CHART_BAR ? chart->y_axis : chart->x_axis;
        if (ch->has_value_axis)
            chart_axis_set_name(va, rp_tr(c, &ch->value_axis));
        if (ch->has_category_axis)
            chart_axis_set_name(ca, rp_tr(c, &ch->category_axis));
    }
    if (cat >= 0 && ch->type == RP_CHART_LINE) {
        const char *num = c->defs->fmts[t->cols[cat].fmt].num;
        if (num && strstr(num, "yy"))
            chart_axis_set_num_format(chart->x_axis, "yyyy-mm");
        chart_axis_set_label_position(chart->x_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    }
    memset(&opt, 0, sizeof opt);
    opt.x_scale = ch->type == RP_CHART_LINE ? 1.8 : 1.4;
    opt.y_scale = chart_y_scale(ch, last - first + 1);
    rp_check(c, worksheet_insert_chart_opt(ws, hdr, (lxw_col_t)t->ncols + 1, chart, &opt),
             "a chart");
}

struct topv {
    size_t i;
    double v;
};

static int
topv_cmp(const void *a, const void *b)
{
    const struct topv *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* --- public --- */

/* Chains and segments in the taxonomy's order (every sheet the same), others as stored. */
static void
taxonomy_order(struct rp_ctx *c, const char *dimension, struct rp_rowref *rows, size_t n)
{
    enum pf_tax_kind k;
    struct rp_rowref *tmp;
    size_t nt, i, j, m = 0;
    bool *used;

    if (!dimension || n < 2)
        return;
    if (strcmp(dimension, "chain") == 0)
        k = PF_TAX_CHAIN;
    else if (strcmp(dimension, "segment") == 0)
        k = PF_TAX_SEGMENT;
    else
        return;
    nt = pf_taxonomy_count(c->tax, k);
    tmp = pf_xcalloc(n, sizeof *tmp);
    used = pf_xcalloc(n, sizeof *used);
    for (i = 0; i < nt; i++) {
        const char *code = pf_taxonomy_code(c->tax, k, i);
        for (j = 0; j < n; j++)
            if (!used[j] && strcmp(rows[j].key, code) == 0) {
                used[j] = true;
                tmp[m++] = rows[j];
            }
    }
    for (j = 0; j < n; j++)
        if (!used[j])
            tmp[m++] = rows[j];
    for (i = 0; i < n; i++) {
        rows[i] = tmp[i];
        rows[i].idx = i;
    }
    free(tmp);
    free(used);
}

struct rp_rowref *
rp_table_rows(struct rp_ctx *c, const struct rp_table *t, const char *fund, size_t *n)
{
    const struct rp_index *ix = c->ix;
    struct rp_rowref *out = NULL;
    size_t cap = 0, i, j, nf;
    const struct rp_keys *ks, *pf;

    *n = 0;
    if (!t->rows)
        return NULL;
    if (strcmp(t->rows, "dimension") == 0) {
        ks = rp_index_keys(ix, t->dimension, fund);
        for (j = 0; ks && j < ks->n; j++) {
            if (t->skip_star && strcmp(ks->keys[j], "*") == 0)
                continue;
            PF_GROW(out, *n + 1, cap);
            out[*n].fund = fund;
            out[*n].idx = *n;
            out[(*n)++].key = ks->keys[j];
        }
        taxonomy_order(c, t->dimension, out, *n);
        return out;
    }
    /* a statement's partner_funds rows: its own funds only, in the same order */
    pf = strcmp(t->rows, "partner_funds") == 0 && c->partner
             ? rp_index_partner_funds(ix, c->partner) : NULL;
    nf = strcmp(t->rows, "partner_funds") == 0 && c->partner ? (pf ? pf->n : 0) : ix->nfunds;
    for (i = 0; i < nf; i++) {
        const char *f = pf ? pf->keys[i] : ix->funds[i];
        if (fund && strcmp(f, fund) != 0)
            continue;
        if (strcmp(t->rows, "funds") == 0) {
            if (rp_index_results(ix, "fund", f, f)) {
                PF_GROW(out, *n + 1, cap);
                out[*n].fund = f;
                out[*n].idx = *n;
                out[(*n)++].key = f;
            }
            continue;
        }
        if (strcmp(t->rows, "partner_funds") == 0) {
            const struct rp_group *g =
                c->partner ? rp_index_results(ix, "partner", f, c->partner) : NULL;
            if (g) {
                PF_GROW(out, *n + 1, cap);
                out[*n].fund = f;
                out[*n].idx = *n;
                out[(*n)++].key = g->run->results[g->idx[0]].key;
            }
            continue;
        }
        ks = rp_index_keys(ix, rows_dimension(t), f);
        for (j = 0; ks && j < ks->n; j++) {
            if (strcmp(ks->keys[j], "*") == 0)
                continue;
            if (strcmp(t->rows, "guidance_partners") == 0) {
                const struct pf_partner *p = partner_of(c, ks->keys[j]);
                if (!p || strcmp(p->kind, "guidance_fund") != 0)
                    continue;
            }
            PF_GROW(out, *n + 1, cap);
            out[*n].fund = f;
            out[*n].idx = *n;
            out[(*n)++].key = ks->keys[j];
        }
    }
    return out;
}

/* What a data row's cells share: the table, its row, and the running state. */
struct tw_row {
    struct rp_ctx *c;
    lxw_worksheet *ws;
    const struct rp_table *t;
    const char *dim;
    const struct rp_rowref *rr;
    const struct rp_table_env *env;
    struct tmpl *T;
    lxw_row_t r;
    struct cellval *vals;
    double *sum_val;
    struct pf_buf *fb, *bid;
};

/* Cell k of a data row: text, date, a special, a formula over the row with the stored
 * figure cached, an XIRR over its block, the stored figure, or a blank. */
static void
data_cell(const struct tw_row *W, size_t k)
{
    struct rp_ctx *c = W->c;
    lxw_worksheet *ws = W->ws;
    const struct rp_table *t = W->t;
    const char *dim = W->dim;
    const struct rp_rowref *rr = W->rr;
    const struct rp_table_env *env = W->env;
    lxw_row_t r = W->r;
    struct cellval *vals = W->vals;
    double *sum_val = W->sum_val;
    struct pf_buf *fbp = W->fb, *bidp = W->bid;
    const struct rp_col *col = &t->cols[k];
    lxw_format *f = rp_fmt(c, col->fmt, RP_PLAIN);
    const struct pf_result *res = NULL;
    double v;

    if (col->text) {
        rp_write_text(c, ws, r, (lxw_col_t)k, text_source(c, col->text, dim, rr), f);
        return;
    }
    if (col->date) {
        pf_date d = date_source(c, col->date, rr);
        rp_write_date(c, ws, r, (lxw_col_t)k, d, f);
        return;
    }
    if (col->special && strcmp(col->special, "valuation_age") == 0) {
        const struct pf_run_row *vr = valuation_of(c, rr);
        if (vr && vr->has_value)
            rp_write_num(c, ws, r, (lxw_col_t)k, vr->value, f);
        else
            rp_write_blank(c, ws, r, (lxw_col_t)k, f);
        return;
    }
    if (col->special) {
        if (env && env->special &&
            env->special(env->arg, c, t, k, rr, r, fbp, &v)) {
            if (fbp->len)
                rp_write_formula(c, ws, r, (lxw_col_t)k, pf_buf_str(fbp), v, f);
            else
                rp_write_num(c, ws, r, (lxw_col_t)k, v, f);
            vals[k].ok = true;
            vals[k].v = v;
        } else {
            rp_write_blank(c, ws, r, (lxw_col_t)k, f);
        }
        return;
    }
    if (col->metric)
        res = rp_index_result(c->ix, dim, rr->fund, rr->key, col->metric);
    if (col->formula) {
        double cached;
        /* the cached value is always a stored figure: the result, or (a column
         * with no metric of its own) the stored row the table's env supplies */
        bool have = col->metric ? rp_result_number(res, &cached)
                                : env && env->value &&
                                      env->value(env->arg, t, k, rr, &cached);
        if (have && expand(W->T, col->formula, fbp)) {
            rp_write_formula(c, ws, r, (lxw_col_t)k, pf_buf_str(fbp), cached, f);
            vals[k].ok = true;
            vals[k].v = cached;
            if (!col->metric) /* its total sums the cached values as SUM will */
                sum_val[k] += cached;
            return;
        }
    } else if (col->xirr && res && res->has_value) {
        char *x;
        block_id(col->xirr, dim, rr->key, bidp);
        x = rp_xirr_formula(c, rr->fund, pf_buf_str(bidp), res->value);
        if (x) {
            rp_write_formula(c, ws, r, (lxw_col_t)k, x, res->value, f);
            free(x);
            vals[k].ok = true;
            vals[k].v = res->value;
            return;
        }
    }
    if (!res && col->metric && col->zero_if_absent) {
        /* e.g. a fund without terms has no accrued carry: it is nil, not unknown */
        rp_write_num(c, ws, r, (lxw_col_t)k, 0, f);
        vals[k].ok = true;
        vals[k].v = 0;
    } else if (res) {
        vals[k].ok = rp_write_result(c, ws, r, (lxw_col_t)k, res, f);
        if (vals[k].ok)
            rp_result_number(res, &vals[k].v);
    } else if (!col->metric && !col->formula && env && env->value &&
               env->value(env->arg, t, k, rr, &v)) {
        rp_write_num(c, ws, r, (lxw_col_t)k, v, f);
        vals[k].ok = true;
        vals[k].v = v;
        sum_val[k] += v;
    } else {
        rp_write_blank(c, ws, r, (lxw_col_t)k, f);
    }
}

/* The total row at r: SUMs of the summed columns over first..first+nrows-1, and the
 * whole set's own figure where a column is not a sum. */
static void
total_row_write(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t, const char *dim,
                const struct rp_rowref *rows, size_t nrows, const struct rp_table_env *env,
                lxw_row_t first, lxw_row_t r, struct cellval *tot, const double *sum_val,
                struct pf_buf *fbp)
{
    size_t k;
    char a[24], z[24];
    for (k = 0; k < t->ncols; k++)
        if (t->cols[k].total_sum && !t->cols[k].metric) {
            tot[k].ok = true;
            tot[k].v = sum_val[k];
        }
    rp_write_text(c, ws, r, 0, rp_tr(c, rp_defs_string(c->defs, "total")),
                  rp_fmt_named(c, "text", RP_TOTAL));
    for (k = 1; k < t->ncols; k++) {
        lxw_format *f = rp_fmt(c, t->cols[k].fmt, RP_TOTAL);
        if (!t->cols[k].total_sum) {
            /* the whole set's own figure (the fund's, or the portfolio's in CNY): MOIC
             * as the same formula over the total row, gross IRR over its block */
            const struct rp_col *col = &t->cols[k];
            const char *tf = nrows ? rows[0].fund : NULL;
            const struct pf_result *res =
                col->metric && (col->formula || col->xirr) &&
                        (strcmp(dim, "project") == 0 || (t->rows &&
                                                          strcmp(t->rows, "dimension") == 0))
                    ? rp_index_result(c->ix, "fund", tf, tf ? tf : "*", col->metric)
                    : NULL;
            double v;
            if (res && rp_result_number(res, &v)) {
                struct tmpl TT = { t, tot, tot, r, r, env, &rows[0], true };
                char *x = NULL;
                if (col->formula && expand(&TT, col->formula, fbp)) {
                    rp_write_formula(c, ws, r, (lxw_col_t)k, pf_buf_str(fbp), v, f);
                    continue;
                }
                if (col->xirr && (x = rp_xirr_formula(c, tf, "gross", v)) != NULL) {
                    rp_write_formula(c, ws, r, (lxw_col_t)k, x, v, f);
                    free(x);
                    continue;
                }
            }
            rp_write_blank(c, ws, r, (lxw_col_t)k, f);
            continue;
        }
        pf_buf_reset(fbp);
        pf_buf_addf(fbp, "SUM(%s:%s)", rp_cell(first, (lxw_col_t)k, false, a),
                    rp_cell(first + (lxw_col_t)nrows - 1, (lxw_col_t)k, false, z));
        rp_write_formula(c, ws, r, (lxw_col_t)k, pf_buf_str(fbp), tot[k].v, f);
    }
}

/* The concentration lines under a table (HHI over its NAV shares, top 5, top 10). */
static lxw_row_t
concentration_rows(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t,
                   const char *dim, const struct rp_rowref *rows, size_t nrows,
                   lxw_row_t first, const bool *all_num, lxw_row_t r, struct pf_buf *fbp)
{
    const char *cfund = rows[0].fund;
    const struct pf_result *hhi = rp_index_result(c->ix, dim, cfund, "*", "hhi");
    const struct pf_result *t5 = rp_index_result(c->ix, dim, cfund, "*", "top5_share");
    const struct pf_result *t10 = rp_index_result(c->ix, dim, cfund, "*", "top10_share");
    int sc = rp_table_col(t, "nav_share");
    lxw_col_t vc = sc >= 0 ? (lxw_col_t)sc : (lxw_col_t)t->ncols - 1;
    lxw_col_t lc = vc > 2 ? 1 : 0;
    char a[24], z[24];
    double v;

    if (hhi) {
        rp_write_text(c, ws, r, lc, rp_tr(c, rp_defs_string(c->defs, "hhi")),
                      rp_fmt_named(c, "label_strong", RP_PLAIN));
        if (sc >= 0 && all_num[sc] && rp_result_number(hhi, &v)) {
            pf_buf_reset(fbp);
            pf_buf_addf(fbp, "SUMPRODUCT((100*%s:%s)^2)", rp_cell(first, vc, false, a),
                        rp_cell(first + (lxw_row_t)nrows - 1, vc, false, z));
            rp_write_formula(c, ws, r, vc, pf_buf_str(fbp), v,
                             rp_fmt_named(c, "hhi", RP_PLAIN));
        } else {
            rp_write_result(c, ws, r, vc, hhi, rp_fmt_named(c, "hhi", RP_PLAIN));
        }
        r++;
    }
    if (t5) {
        rp_write_text(c, ws, r, lc, rp_tr(c, rp_defs_string(c->defs, "top5")),
                      rp_fmt_named(c, "label_strong", RP_PLAIN));
        rp_write_result(c, ws, r, vc, t5, rp_fmt_named(c, "percent", RP_PLAIN));
        r++;
    }
    if (t10) {
        rp_write_text(c, ws, r, lc, rp_tr(c, rp_defs_string(c->defs, "top10")),
                      rp_fmt_named(c, "label_strong", RP_PLAIN));
        rp_write_result(c, ws, r, vc, t10, rp_fmt_named(c, "percent", RP_PLAIN));
        r++;
    }
    return r;
}

/* The chart of the largest N rows and one "other": its data below the table, each a
 * link to its row (the other: the rest's SUM), and the chart; the row after its room. */
static lxw_row_t
chart_top(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t, const char *dim,
          const struct rp_rowref *rows, size_t nrows, lxw_row_t hdr, lxw_row_t first,
          const double *chart_v, int chart_vc, lxw_row_t r, struct pf_buf *fbp)
{
    size_t i;
    struct topv *tv = pf_xcalloc(nrows, sizeof *tv);
    int cc = rp_table_col(t, t->chart->categories);
    size_t N = (size_t)t->chart->top;
    lxw_row_t h1;
    pf_cents rest = 0;
    char a[24], z[24], ha[24], hz[24];
    lxw_format *fv = rp_fmt(c, t->cols[chart_vc].fmt, RP_PLAIN);

    for (i = 0; i < nrows; i++) {
        tv[i].i = i;
        tv[i].v = chart_v[i];
    }
    qsort(tv, nrows, sizeof *tv, topv_cmp);
    r++;
    rp_write_text(c, ws, r++, (lxw_col_t)cc,
                  rp_tr(c, rp_defs_string(c->defs, "chart_top")),
                  rp_fmt_named(c, "note", RP_PLAIN));
    h1 = r;
    for (i = 0; i < N; i++, r++) {
        lxw_row_t src = first + (lxw_row_t)tv[i].i;
        const struct rp_col *col = &t->cols[cc];
        rp_write_text(c, ws, r, (lxw_col_t)cc,
                      col->text ? text_source(c, col->text, dim, &rows[tv[i].i]) : "",
                      rp_fmt_named(c, "text", RP_PLAIN));
        rp_write_formula(c, ws, r, (lxw_col_t)chart_vc,
                         rp_cell(src, (lxw_col_t)chart_vc, false, a), tv[i].v, fv);
    }
    for (i = N; i < nrows; i++)
        rest += (pf_cents)(tv[i].v * 100.0 + (tv[i].v < 0 ? -0.5 : 0.5));
    rp_write_text(c, ws, r, (lxw_col_t)cc, rp_tr(c, rp_defs_string(c->defs, "other")),
                  rp_fmt_named(c, "text", RP_PLAIN));
    pf_buf_reset(fbp);
    pf_buf_addf(fbp, "SUM(%s:%s)-SUM(", rp_cell(first, (lxw_col_t)chart_vc, false, a),
                rp_cell(first + (lxw_row_t)nrows - 1, (lxw_col_t)chart_vc, false, z));
    pf_buf_addf(fbp, "%s:%s)", rp_cell(h1, (lxw_col_t)chart_vc, false, ha),
                rp_cell(r - 1, (lxw_col_t)chart_vc, false, hz));
    rp_write_formula(c, ws, r, (lxw_col_t)chart_vc, pf_buf_str(fbp), (double)rest / 100.0,
                     fv);
    r++;
    insert_chart(c, ws, t, hdr, h1, r - 1, cc, chart_vc);
    c->chart_title_more = NULL;
    {
        lxw_row_t room = (lxw_row_t)(288.0 * chart_y_scale(t->chart, (lxw_row_t)N + 1) /
                                     20.0) + 3;
        if (r < hdr + room)
            r = hdr + room;
    }
    free(tv);
    return r;
}

void
rp_table_write(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t,
               const char *dimension, const struct rp_rowref *rows, size_t nrows,
               const struct rp_table_env *env, lxw_row_t *row, lxw_row_t *hdr,
               lxw_row_t *last)
{
    const char *dim = dimension ? dimension : rows_dimension(t);
    struct cellval *vals = pf_xcalloc(t->ncols, sizeof *vals);
    struct cellval *tot = pf_xcalloc(t->ncols, sizeof *tot);
    pf_cents *sum_cents = pf_xcalloc(t->ncols, sizeof *sum_cents);
    double *sum_val = pf_xcalloc(t->ncols, sizeof *sum_val);
    bool *is_money = pf_xcalloc(t->ncols, sizeof *is_money);
    bool *all_num = pf_xcalloc(t->ncols, sizeof *all_num);
    struct pf_buf fb = PF_BUF_INIT, bid = PF_BUF_INIT;
    lxw_row_t r = *row, first, total_row;
    bool has_total = t->total && nrows > 0;
    size_t i, k;
    int chart_vc = t->chart && t->chart->nvalues ? rp_table_col(t, t->chart->values[0]) : -1;
    double *chart_v = pf_xcalloc(nrows + 1, sizeof *chart_v);

    *hdr = r;
    rp_header_row(c, ws, r++, t);
    first = r;
    total_row = first + (lxw_row_t)nrows;
    for (k = 0; k < t->ncols; k++)
        all_num[k] = true;

    /* Totals first (in memory), so {total:x} can be cached in data rows above them. */
    if (has_total) {
        for (i = 0; i < nrows; i++)
            for (k = 0; k < t->ncols; k++) {
                const struct rp_col *col = &t->cols[k];
                const struct pf_result *res;
                if (!col->total_sum || !col->metric)
                    continue;
                res = rp_index_result(c->ix, dim, rows[i].fund, rows[i].key, col->metric);
                if (res && res->has_value) {
                    if (res->is_money) {
                        is_money[k] = true;
                        sum_cents[k] += res->cents;
                    } else {
                        sum_val[k] += res->value;
                    }
                }
            }
        for (k = 0; k < t->ncols; k++)
            if (t->cols[k].total_sum && t->cols[k].metric) {
                tot[k].ok = true;
                tot[k].v = is_money[k] ? (double)sum_cents[k] / 100.0 : sum_val[k];
            }
    }

    for (i = 0; i < nrows; i++) {
        const struct rp_rowref *rr = &rows[i];
        struct tmpl T = { t, vals, has_total ? tot : NULL, r, total_row, env, rr, true };
        struct tw_row W = { c, ws, t, dim, rr, env, &T, r, vals, sum_val, &fb, &bid };
        memset(vals, 0, t->ncols * sizeof *vals);
        for (k = 0; k < t->ncols; k++)
            data_cell(&W, k);
        for (k = 0; k < t->ncols; k++)
            if (!vals[k].ok)
                all_num[k] = false;
        if (chart_vc >= 0 && vals[chart_vc].ok)
            chart_v[i] = vals[chart_vc].v;
        if (env && env->row_done)
            env->row_done(env->arg, t, rr, r);
        r++;
    }
    *last = nrows ? r - 1 : *hdr;
    if (nrows == 0)
        rp_write_text(c, ws, r++, 0, rp_tr(c, rp_defs_string(c->defs, "no_rows")),
                      rp_fmt_named(c, "note", RP_PLAIN));

    if (has_total)
        total_row_write(c, ws, t, dim, rows, nrows, env, first, r++, tot, sum_val, &fb);

    if (t->concentration && nrows > 0)
        r = concentration_rows(c, ws, t, dim, rows, nrows, first, all_num, r, &fb);
    if (t->chart && nrows > 0 && t->chart->top > 0 && nrows > (size_t)t->chart->top &&
        chart_vc >= 0 && t->chart->categories) {
        r = chart_top(c, ws, t, dim, rows, nrows, *hdr, first, chart_v, chart_vc, r, &fb);
    } else if (t->chart && nrows > 0) {
        insert_chart(c, ws, t, *hdr, first, first + (lxw_row_t)nrows - 1, -1, -1);
        c->chart_title_more = NULL;
        lxw_row_t room = (lxw_row_t)(288.0 * chart_y_scale(t->chart, (lxw_row_t)nrows) / 20.0)
                         + 3;
        if (r < *hdr + room)
            r = *hdr + room; /* the next table starts below the chart */
    }
    *row = r + 1;
    pf_buf_release(&fb);
    pf_buf_release(&bid);
    free(vals);
    free(tot);
    free(sum_cents);
    free(sum_val);
    free(is_money);
    free(all_num);
    free(chart_v);
}

void
rp_tables_sheet(struct rp_ctx *c, const struct rp_sheet *s, const struct rp_table_env *env)
{
    lxw_worksheet *ws;
    lxw_row_t row, hdr = 0, last = 0;
    double *widths;
    size_t i, j, ncols = 0;
    bool filtered = false, charts = false;

    ws = rp_add_sheet(c, s, NULL, &row);
    if (!ws)
        return;
    for (i = 0; i < s->ntables; i++) {
        if (s->tables[i].ncols > ncols)
            ncols = s->tables[i].ncols;
        if (s->tables[i].chart)
            charts = true;
    }
    widths = pf_xcalloc(ncols + 1, sizeof *widths);
    for (i = 0; i < s->ntables; i++)
        for (j = 0; j < s->tables[i].ncols; j++)
            if (s->tables[i].cols[j].width[c->lang] > widths[j])
                widths[j] = s->tables[i].cols[j].width[c->lang];
    for (j = 0; j < ncols; j++)
        if (widths[j] > 0)
            rp_set_width(c, ws, (lxw_col_t)j, (lxw_col_t)j, widths[j]);
    free(widths);

    for (i = 0; i < s->ntables; i++) {
        const struct rp_table *t = &s->tables[i];
        bool each = t->scope && strcmp(t->scope, "each_fund") == 0;
        size_t f, nf = each ? c->ix->nfunds : 1;

        if (t->has_title)
            rp_write_text(c, ws, row++, 0, rp_tr(c, &t->title),
                          rp_fmt_named(c, "section", RP_PLAIN));
        for (f = 0; f < nf; f++) {
            const char *fund = each ? c->ix->funds[f] : NULL;
            struct rp_rowref *rows;
            size_t n;

            if (each && !rp_index_keys(c->ix, rows_dimension(t), fund))
                continue;
            rows = rp_table_rows(c, t, fund, &n);
            if (!each && t->portfolio_row && rp_index_results(c->ix, rows_dimension(t), NULL,
                                                              "*")) {
                rows = pf_xreallocarray(rows, n + 1, sizeof *rows);
                rows[n].fund = NULL;
                rows[n].key = "*";
                rows[n].idx = n;
                n++;
            }
            if (each)
                rp_write_text(c, ws, row++, 0, rp_fund_title(c, fund),
                              rp_fmt_named(c, "label_strong", RP_PLAIN));
            /* constant memory: an autofilter must be set before its rows are written */
            if (t->autofilter && !filtered && n > 0) {
                rp_check(c, worksheet_autofilter(ws, row, 0, row + (lxw_row_t)n,
                                                 (lxw_col_t)t->ncols - 1), "an autofilter");
                filtered = true;
            }
            rp_table_write(c, ws, t, NULL, rows, n, env, &row, &hdr, &last);
            if (i == 0 && f == 0 && (s->ntables == 1 || t->freeze)) {
                worksheet_freeze_panes(ws, hdr + 1, (lxw_col_t)s->freeze_cols);
                rp_check(c, worksheet_repeat_rows(ws, hdr, hdr), "the print titles");
            }
            free(rows);
        }
    }
    if (strcmp(s->id, "summary") == 0) /* in the name column, wrapped */
        rp_write_long_note(c, ws, row++, 1, rp_tr(c, rp_defs_string(c->defs, "disclaimer")),
                           s->tables[0].ncols > 1 ? s->tables[0].cols[1].width[c->lang] : 34);
    /* print what a reader reads: the tables and the charts beside them */
    rp_check(c, worksheet_print_area(ws, 0, 0, row, (lxw_col_t)(ncols + (charts ? 10 : 0))),
             "the print area");
}
