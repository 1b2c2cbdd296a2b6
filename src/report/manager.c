/*
 * manager: the manager's workbook, portfolio-<as_of>.xlsx. Generic sheets come
 * from table.c; this file adds the sheets whose shape is not one row per key:
 * NAV history (a month-by-chain pivot and each fund's J-curve, with charts),
 * Risk (statistics, quarterly returns, the correlation matrix under a colour
 * scale) and Policy (leverage over the guidance funds' commitments).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal: pivots of stored rows (date x series) --- */

struct series {
    const char *key, *col;
};

struct pivot {
    pf_date *dates;
    size_t ndates;
    struct series *ser;
    size_t nser;
    double *v;      /* ndates * nser */
    pf_cents *cents;
    bool *has;
};

static int
date_cmp(const void *a, const void *b)
{
    pf_date x = *(const pf_date *)a, y = *(const pf_date *)b;
    return x < y ? -1 : x > y;
}

static size_t
date_index(const struct pivot *pv, pf_date d)
{
    size_t lo = 0, hi = pv->ndates;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pv->dates[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Rows of tbl for fund, one series per (key, col). */
static void
pivot_build(struct rp_ctx *c, struct pivot *pv, const char *tbl, const char *fund,
            struct series *ser, size_t nser)
{
    size_t s, i, cap = 0, n = 0;

    memset(pv, 0, sizeof *pv);
    pv->ser = ser;
    pv->nser = nser;
    for (s = 0; s < nser; s++) {
        const struct rp_group *g = rp_index_rows(c->ix, tbl, fund, ser[s].key);
        for (i = 0; g && i < g->n; i++) {
            const struct pf_run_row *r = &g->run->rows[g->idx[i]];
            if (strcmp(r->col, ser[s].col) != 0 || r->date == PF_DATE_NONE)
                continue;
            PF_GROW(pv->dates, n + 1, cap);
            pv->dates[n++] = r->date;
        }
    }
    if (n)
        qsort(pv->dates, n, sizeof *pv->dates, date_cmp);
    for (i = 0; i < n; i++)
        if (pv->ndates == 0 || pv->dates[pv->ndates - 1] != pv->dates[i])
            pv->dates[pv->ndates++] = pv->dates[i];
    pv->v = pf_xcalloc(pv->ndates * nser + 1, sizeof *pv->v);
    pv->cents = pf_xcalloc(pv->ndates * nser + 1, sizeof *pv->cents);
    pv->has = pf_xcalloc(pv->ndates * nser + 1, sizeof *pv->has);
    for (s = 0; s < nser; s++) {
        const struct rp_group *g = rp_index_rows(c->ix, tbl, fund, ser[s].key);
        for (i = 0; g && i < g->n; i++) {
            const struct pf_run_row *r = &g->run->rows[g->idx[i]];
            size_t d;
            if (strcmp(r->col, ser[s].col) != 0 || r->date == PF_DATE_NONE || !r->has_value)
                continue;
            d = date_index(pv, r->date) * nser + s;
            pv->has[d] = true;
            pv->cents[d] = r->is_money ? r->cents : 0;
            pv->v[d] = r->is_money ? (double)r->cents / 100.0 : r->value;
        }
    }
}

static void
pivot_release(struct pivot *pv)
{
    free(pv->dates);
    free(pv->v);
    free(pv->cents);
    free(pv->has);
}

/* Keys of (tbl, fund) in taxonomy order for chains, then any others. */
static struct series *
chain_series(struct rp_ctx *c, const char *tbl, const char *col, size_t *n)
{
    const struct rp_keys *ks = rp_index_row_keys(c->ix, tbl, NULL);
    struct series *out;
    size_t i, j, nt = pf_taxonomy_count(c->tax, PF_TAX_CHAIN);
    bool *used;

    *n = 0;
    if (!ks)
        return NULL;
    out = pf_xcalloc(ks->n + 1, sizeof *out);
    used = pf_xcalloc(ks->n + 1, sizeof *used);
    for (i = 0; i < nt; i++) {
        const char *code = pf_taxonomy_code(c->tax, PF_TAX_CHAIN, i);
        for (j = 0; j < ks->n; j++)
            if (!used[j] && strcmp(ks->keys[j], code) == 0) {
                used[j] = true;
                out[(*n)++] = (struct series){ ks->keys[j], col };
            }
    }
    for (j = 0; j < ks->n; j++)
        if (!used[j])
            out[(*n)++] = (struct series){ ks->keys[j], col };
    free(used);
    return out;
}

/* A table built at run time: the definition's first column (the date), one
 * column per series (titled by the chain's name), and optionally a total. */
static void
synth_table(struct rp_ctx *c, struct rp_table *st, const struct rp_table *def,
            const struct pivot *pv, bool total)
{
    size_t i, n = 0;
    int ci = rp_table_col(def, "chain"), ti = rp_table_col(def, "total");

    memset(st, 0, sizeof *st);
    st->kind = def->kind;
    st->id = def->id;
    st->cols = pf_xcalloc(pv->nser + 3, sizeof *st->cols);
    st->cols[n] = def->cols[0];
    st->cols[n].id = pf_xstrdup("date");
    st->cols[n].title.zh = pf_xstrdup(def->cols[0].title.zh);
    st->cols[n].title.en = pf_xstrdup(def->cols[0].title.en);
    st->cols[n].title.both = pf_xstrdup(def->cols[0].title.both);
    n++;
    for (i = 0; i < pv->nser; i++, n++) {
        const char *zh = pf_taxonomy_name(c->tax, PF_TAX_CHAIN, pv->ser[i].key, "zh");
        const char *en = pf_taxonomy_name(c->tax, PF_TAX_CHAIN, pv->ser[i].key, "en");
        struct rp_col *col = &st->cols[n];
        if (ci >= 0)
            *col = def->cols[ci];
        else
            memset(col, 0, sizeof *col);
        col->id = pf_xasprintf("s%zu", i);
        col->title.zh = pf_xstrdup(zh ? zh : pv->ser[i].key);
        col->title.en = pf_xstrdup(en ? en : pv->ser[i].key);
        col->title.both = zh && en ? pf_xasprintf("%s / %s", zh, en)
                                   : pf_xstrdup(pv->ser[i].key);
    }
    if (total && ti >= 0) {
        struct rp_col *col = &st->cols[n++];
        *col = def->cols[ti];
        col->id = pf_xstrdup("total");
        col->title.zh = pf_xstrdup(def->cols[ti].title.zh);
        col->title.en = pf_xstrdup(def->cols[ti].title.en);
        col->title.both = pf_xstrdup(def->cols[ti].title.both);
        col->special = pf_xstrdup("row_sum");
    }
    st->ncols = n;
    if (def->chart) {
        struct rp_chart *ch = pf_xcalloc(1, sizeof *ch);
        *ch = *def->chart;
        ch->categories = pf_xstrdup("date");
        ch->values = pf_xcalloc(pv->nser + 1, sizeof *ch->values);
        ch->nvalues = pv->nser;
        for (i = 0; i < pv->nser; i++)
            ch->values[i] = pf_xasprintf("s%zu", i);
        st->chart = ch;
    }
}

static void
synth_release(struct rp_table *st)
{
    size_t i;
    for (i = 0; i < st->ncols; i++) {
        free(st->cols[i].id);
        free(st->cols[i].title.zh);
        free(st->cols[i].title.en);
        free(st->cols[i].title.both);
        if (st->cols[i].special && strcmp(st->cols[i].special, "row_sum") == 0)
            free(st->cols[i].special);
    }
    free(st->cols);
    if (st->chart) {
        for (i = 0; i < st->chart->nvalues; i++)
            free(st->chart->values[i]);
        free(st->chart->values);
        free(st->chart->categories);
        free(st->chart);
    }
}

struct pivot_env {
    struct pivot *pv;
    size_t first_series_col; /* table column of series 0 */
    const struct rp_table *def; /* J-curve: series by column id */
};

static bool
pivot_value(void *arg, const struct rp_table *t, size_t col, const struct rp_rowref *rr,
            double *v)
{
    struct pivot_env *E = arg;
    size_t s;
    if (strcmp(t->cols[col].id, "date") == 0) {
        *v = pf_date_excel(E->pv->dates[rr->idx]);
        return true;
    }
    if (E->def) {
        for (s = 0; s < E->pv->nser; s++)
            if (strcmp(E->pv->ser[s].col, t->cols[col].id) == 0)
                break;
    } else {
        s = col - E->first_series_col;
    }
    if (s >= E->pv->nser || !E->pv->has[rr->idx * E->pv->nser + s])
        return false;
    *v = E->pv->v[rr->idx * E->pv->nser + s];
    return true;
}

/* The total of a pivot row: SUM over the series cells, cached from the cents. */
static bool
pivot_row_sum(void *arg, struct rp_ctx *c, const struct rp_table *t, size_t col,
              const struct rp_rowref *rr, lxw_row_t row, struct pf_buf *formula, double *value)
{
    struct pivot_env *E = arg;
    pf_cents sum = 0;
    char a[24], z[24];
    size_t s;
    (void)c;
    (void)t;
    (void)col;
    for (s = 0; s < E->pv->nser; s++)
        if (E->pv->has[rr->idx * E->pv->nser + s])
            sum += E->pv->cents[rr->idx * E->pv->nser + s];
    pf_buf_reset(formula);
    pf_buf_addf(formula, "SUM(%s:%s)", rp_cell(row, (lxw_col_t)E->first_series_col, false, a),
                rp_cell(row, (lxw_col_t)(E->first_series_col + E->pv->nser - 1), false, z));
    *value = (double)sum / 100.0;
    return E->pv->nser > 0;
}

static struct rp_rowref *
date_rows(const struct pivot *pv)
{
    struct rp_rowref *rows = pf_xcalloc(pv->ndates + 1, sizeof *rows);
    size_t i;
    for (i = 0; i < pv->ndates; i++) {
        rows[i].key = "";
        rows[i].idx = i;
    }
    return rows;
}

static void
widths_of(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t, double *w, size_t nw)
{
    size_t i;
    (void)c;
    (void)ws;
    for (i = 0; i < t->ncols && i < nw; i++)
        if (t->cols[i].width[c->lang] > w[i])
            w[i] = t->cols[i].width[c->lang];
}

/* A month-end (or quarter-end) by chain table, from stored rows. */
static void
write_chain_pivot(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *def,
                  const char *tbl, const char *colname, bool total, lxw_row_t *row,
                  double *w, size_t nw)
{
    struct series *ser;
    struct pivot pv;
    struct rp_table st;
    struct rp_rowref *rows;
    struct pivot_env E;
    struct rp_table_env env;
    lxw_row_t hdr, last;
    size_t nser;

    ser = chain_series(c, tbl, colname, &nser);
    pivot_build(c, &pv, tbl, NULL, ser, nser);
    synth_table(c, &st, def, &pv, total);
    rows = date_rows(&pv);
    memset(&E, 0, sizeof E);
    E.pv = &pv;
    E.first_series_col = 1;
    memset(&env, 0, sizeof env);
    env.value = pivot_value;
    env.special = pivot_row_sum;
    env.arg = &E;
    if (def->has_title)
        rp_write_text(c, ws, (*row)++, 0, rp_tr(c, &def->title),
                      rp_fmt_named(c, "section", RP_PLAIN));
    rp_table_write(c, ws, &st, "chain", rows, pv.ndates, &env, row, &hdr, &last);
    widths_of(c, ws, &st, w, nw);
    free(rows);
    synth_release(&st);
    pivot_release(&pv);
    free(ser);
}

static void
set_widths(struct rp_ctx *c, lxw_worksheet *ws, const double *w, size_t nw)
{
    size_t i;
    for (i = 0; i < nw; i++)
        if (w[i] > 0)
            rp_set_width(c, ws, (lxw_col_t)i, (lxw_col_t)i, w[i]);
}

#define MAX_WIDTH_COLS 64

/* A table of stored rows under its optional title, with no special columns. */
static void
plain_table(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t, lxw_row_t *row,
            double *w)
{
    lxw_row_t hdr, last;
    size_t n;
    struct rp_rowref *rows = rp_table_rows(c, t, NULL, &n);

    if (t->has_title)
        rp_write_text(c, ws, (*row)++, 0, rp_tr(c, &t->title),
                      rp_fmt_named(c, "section", RP_PLAIN));
    rp_table_write(c, ws, t, NULL, rows, n, NULL, row, &hdr, &last);
    widths_of(c, ws, t, w, MAX_WIDTH_COLS);
    free(rows);
}

static void
nav_history_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    lxw_worksheet *ws;
    lxw_row_t row, hdr, last;
    double w[MAX_WIDTH_COLS] = { 0 };
    size_t i, f;

    ws = rp_add_sheet(c, s, NULL, &row);
    if (!ws)
        return;
    for (i = 0; i < s->ntables; i++) {
        const struct rp_table *t = &s->tables[i];
        if (strcmp(t->kind, "nav_by_chain") == 0) {
            write_chain_pivot(c, ws, t, "nav_history", "nav", true, &row, w, MAX_WIDTH_COLS);
        } else if (strcmp(t->kind, "jcurve") == 0) {
            static const char *const cols[] = { "paid_in", "distributions", "nav", "net_cash",
                                                "net_value" };
            if (t->has_title)
                rp_write_text(c, ws, row++, 0, rp_tr(c, &t->title),
                              rp_fmt_named(c, "section", RP_PLAIN));
            for (f = 0; f < c->ix->nfunds; f++) {
                const char *fund = c->ix->funds[f];
                struct series ser[5];
                struct pivot pv;
                struct pivot_env E;
                struct rp_table_env env;
                struct rp_rowref *rows;
                size_t k;
                char *ftitle;

                if (!rp_index_rows(c->ix, "nav_history", fund, fund))
                    continue;
                for (k = 0; k < 5; k++)
                    ser[k] = (struct series){ fund, cols[k] };
                pivot_build(c, &pv, "nav_history", fund, ser, 5);
                rows = date_rows(&pv);
                memset(&E, 0, sizeof E);
                E.pv = &pv;
                E.def = t;
                memset(&env, 0, sizeof env);
                env.value = pivot_value;
                env.arg = &E;
                rp_write_text(c, ws, row++, 0, rp_fund_title(c, fund),
                              rp_fmt_named(c, "label_strong", RP_PLAIN));
                /* the J-curve's chart names the fund it shows */
                ftitle = pf_xstrdup(rp_fund_title(c, fund));
                c->chart_title_more = ftitle;
                rp_table_write(c, ws, t, "fund", rows, pv.ndates, &env, &row, &hdr, &last);
                c->chart_title_more = NULL;
                free(ftitle);
                widths_of(c, ws, t, w, MAX_WIDTH_COLS);
                free(rows);
                pivot_release(&pv);
            }
        } else {
            plain_table(c, ws, t, &row, w);
        }
    }
    set_widths(c, ws, w, MAX_WIDTH_COLS);
}

/* The correlation matrix: chains in taxonomy order, 1 on the diagonal. */
static void
correlation_table(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t,
                  lxw_row_t *row, double *w, size_t nw)
{
    const struct rp_keys *ks = rp_index_keys(c->ix, "chain_corr", NULL);
    const char **chains = NULL;
    size_t n = 0, i, j, nt = pf_taxonomy_count(c->tax, PF_TAX_CHAIN);
    lxw_format *h = rp_fmt_named(c, "header", RP_PLAIN);
    int vi = rp_table_col(t, "value");
    lxw_format *f = rp_fmt(c, vi >= 0 ? t->cols[vi].fmt : -1, RP_PLAIN);
    lxw_format *reason = rp_fmt_named(c, "reason", RP_PLAIN);
    lxw_row_t r = *row, first;
    struct pf_buf b = PF_BUF_INIT;

    if (t->has_title)
        rp_write_text(c, ws, r++, 0, rp_tr(c, &t->title), rp_fmt_named(c, "section", RP_PLAIN));
    /* the chains named by any pair, taxonomy order */
    chains = pf_xcalloc(nt + (ks ? 2 * ks->n : 0) + 1, sizeof *chains);
    for (i = 0; i < nt; i++) {
        const char *code = pf_taxonomy_code(c->tax, PF_TAX_CHAIN, i);
        size_t len = strlen(code);
        for (j = 0; ks && j < ks->n; j++) {
            const char *k = ks->keys[j], *bar = strchr(k, '|');
            if (bar && (((size_t)(bar - k) == len && strncmp(k, code, len) == 0) ||
                        strcmp(bar + 1, code) == 0)) {
                chains[n++] = code;
                break;
            }
        }
    }
    if (n == 0) {
        rp_write_text(c, ws, r++, 0, rp_tr(c, rp_defs_string(c->defs, "no_rows")),
                      rp_fmt_named(c, "note", RP_PLAIN));
        goto done;
    }
    rp_check(c, worksheet_set_row(ws, r, c->lang == RP_BOTH ? 60 : 30, NULL), "a header row");
    rp_write_text(c, ws, r, 0, t->ncols ? rp_tr(c, &t->cols[0].title) : "", h);
    for (j = 0; j < n; j++)
        rp_write_text(c, ws, r, (lxw_col_t)(j + 1), rp_key_name(c, "chain", chains[j]), h);
    r++;
    first = r;
    for (i = 0; i < n; i++, r++) {
        rp_write_text(c, ws, r, 0, rp_key_name(c, "chain", chains[i]),
                      rp_fmt_named(c, "label_strong", RP_PLAIN));
        if (nw > 0 && rp_text_width(rp_key_name(c, "chain", chains[i])) + 2 > w[0])
            w[0] = rp_text_width(rp_key_name(c, "chain", chains[i])) + 2;
        for (j = 0; j < n; j++) {
            const struct pf_result *res;
            const char *a = chains[i], *z = chains[j];
            if (i == j) {
                rp_write_num(c, ws, r, (lxw_col_t)(j + 1), 1.0, f);
                continue;
            }
            if (strcmp(a, z) > 0) {
                const char *tmp = a;
                a = z;
                z = tmp;
            }
            pf_buf_reset(&b);
            pf_buf_addf(&b, "%s|%s", a, z);
            res = rp_index_result(c->ix, "chain_corr", NULL, pf_buf_str(&b), "correlation");
            if (res && res->has_value)
                rp_write_num(c, ws, r, (lxw_col_t)(j + 1), res->value, f);
            else
                rp_write_text(c, ws, r, (lxw_col_t)(j + 1), "—", reason);
        }
    }
    {
        lxw_conditional_format cf;
        memset(&cf, 0, sizeof cf);
        cf.type = LXW_CONDITIONAL_3_COLOR_SCALE;
        cf.min_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
        cf.min_value = -1;
        cf.min_color = (lxw_color_t)c->defs->scale_min;
        cf.mid_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
        cf.mid_value = 0;
        cf.mid_color = (lxw_color_t)c->defs->scale_mid;
        cf.max_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
        cf.max_value = 1;
        cf.max_color = (lxw_color_t)c->defs->scale_max;
        rp_check(c, worksheet_conditional_format_range(ws, first, 1, r - 1, (lxw_col_t)n, &cf),
                 "the colour scale");
    }
    if (t->ncols > 0 && nw > 0 && t->cols[0].width[c->lang] > w[0])
        w[0] = t->cols[0].width[c->lang];
    for (j = 1; j <= n && j < nw; j++)
        if (vi >= 0 && t->cols[vi].width[c->lang] > w[j])
            w[j] = t->cols[vi].width[c->lang];
done:
    *row = r + 1;
    free(chains);
    pf_buf_release(&b);
}

static void
risk_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    lxw_worksheet *ws;
    lxw_row_t row;
    double w[MAX_WIDTH_COLS] = { 0 };
    size_t i;

    ws = rp_add_sheet(c, s, NULL, &row);
    if (!ws)
        return;
    for (i = 0; i < s->ntables; i++) {
        const struct rp_table *t = &s->tables[i];
        if (strcmp(t->kind, "risk_returns") == 0) {
            write_chain_pivot(c, ws, t, "risk", "return", false, &row, w, MAX_WIDTH_COLS);
        } else if (strcmp(t->kind, "correlation") == 0) {
            correlation_table(c, ws, t, &row, w, MAX_WIDTH_COLS);
        } else {
            plain_table(c, ws, t, &row, w);
        }
    }
    set_widths(c, ws, w, MAX_WIDTH_COLS);
}

/* --- internal: policy --- */

struct policy {
    const char **fund;       /* per guidance row: its fund */
    lxw_row_t *row;          /* per guidance row: its sheet row */
    pf_cents *commit;        /* per guidance row: its commitment (cents) */
    bool *has;
    size_t n, cap;
    int commit_col;          /* the guidance table's commitment column */
};

static bool
policy_special(void *arg, struct rp_ctx *c, const struct rp_table *t, size_t col,
               const struct rp_rowref *rr, lxw_row_t row, struct pf_buf *formula,
               double *value)
{
    struct policy *P = arg;
    const char *sp = t->cols[col].special;
    (void)row;

    pf_buf_reset(formula);
    if (strcmp(sp, "region_invested") == 0) {
        const struct pf_partner *pa;
        const struct pf_result *r;
        int pi = pf_dataset_find_partner(c->ds, rr->key);
        if (pi < 0)
            return false;
        pa = &c->ds->partners[pi];
        if (!pa->region || !*pa->region)
            return false;
        r = rp_index_result(c->ix, "region", rr->fund, pa->region, "invested");
        return rp_result_number(r, value);
    }
    if (strcmp(sp, "guidance_sum") == 0) {
        size_t i, a = P->n, z = 0;
        pf_cents sum = 0;
        char ca[24], cz[24];
        for (i = 0; i < P->n; i++)
            if (strcmp(P->fund[i], rr->fund) == 0) {
                if (a == P->n)
                    a = i;
                z = i;
                if (P->has[i])
                    sum += P->commit[i];
            }
        if (a == P->n || P->commit_col < 0)
            return false;
        pf_buf_addf(formula, "SUM(%s:%s)", rp_cell(P->row[a], (lxw_col_t)P->commit_col, false,
                                                   ca),
                    rp_cell(P->row[z], (lxw_col_t)P->commit_col, false, cz));
        *value = (double)sum / 100.0;
        return true;
    }
    return false;
}

static void
policy_record(void *arg, const struct rp_table *t, const struct rp_rowref *rr, lxw_row_t row)
{
    struct policy *P = arg;
    (void)t;
    PF_GROW(P->fund, P->n + 1, P->cap);
    P->row = pf_xreallocarray(P->row, P->cap, sizeof *P->row);
    P->commit = pf_xreallocarray(P->commit, P->cap, sizeof *P->commit);
    P->has = pf_xreallocarray(P->has, P->cap, sizeof *P->has);
    P->fund[P->n] = rr->fund;
    P->row[P->n] = row;
    P->commit[P->n] = 0;
    P->has[P->n] = false;
    P->n++;
}

static void
policy_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    struct policy P;
    struct rp_table_env env;
    lxw_worksheet *ws;
    lxw_row_t row, hdr, last;
    double w[MAX_WIDTH_COLS] = { 0 };
    size_t i, j;
    bool filtered = false;

    memset(&P, 0, sizeof P);
    P.commit_col = -1;
    memset(&env, 0, sizeof env);
    env.special = policy_special;
    env.arg = &P;
    ws = rp_add_sheet(c, s, NULL, &row);
    if (!ws)
        return;
    for (i = 0; i < s->ntables; i++) {
        const struct rp_table *t = &s->tables[i];
        size_t n;
        struct rp_rowref *rows = rp_table_rows(c, t, NULL, &n);
        bool guidance = t->rows && strcmp(t->rows, "guidance_partners") == 0;

        if (t->has_title)
            rp_write_text(c, ws, row++, 0, rp_tr(c, &t->title),
                          rp_fmt_named(c, "section", RP_PLAIN));
        env.row_done = guidance ? policy_record : NULL;
        if (guidance)
            P.commit_col = rp_table_col(t, "commitment");
        if (t->autofilter && !filtered && n > 0) { /* before its rows (constant memory) */
            rp_check(c, worksheet_autofilter(ws, row, 0, row + (lxw_row_t)n,
                                             (lxw_col_t)t->ncols - 1), "an autofilter");
            filtered = true;
        }
        rp_table_write(c, ws, t, NULL, rows, n, &env, &row, &hdr, &last);
        if (guidance) /* the commitments the funds' SUMs will cover */
            for (j = 0; j < P.n && j < n; j++) {
                const struct pf_result *r =
                    rp_index_result(c->ix, "partner", rows[j].fund, rows[j].key, "commitment");
                if (r && r->has_value && r->is_money) {
                    P.commit[j] = r->cents;
                    P.has[j] = true;
                }
            }
        widths_of(c, ws, t, w, MAX_WIDTH_COLS);
        free(rows);
    }
    set_widths(c, ws, w, MAX_WIDTH_COLS);
    free(P.fund);
    free(P.row);
    free(P.commit);
    free(P.has);
}

/* --- internal: each fund's NAV roll-forward and the month's activity --- */

static const struct rp_table *
partner_account_def(struct rp_ctx *c)
{
    size_t i;
    for (i = 0; i < c->defs->partner.nsheets; i++)
        if (strcmp(c->defs->partner.sheets[i].kind, "capital_account") == 0 &&
            c->defs->partner.sheets[i].ntables > 0)
            return &c->defs->partner.sheets[i].tables[0];
    return NULL;
}

static const struct pf_run_row *
fund_account_row(struct rp_ctx *c, const char *fund, const char *period, const char *line)
{
    const struct rp_group *g = rp_index_rows(c->ix, "account", fund, "*");
    size_t i, lp = strlen(period);
    for (i = 0; g && i < g->n; i++) {
        const struct pf_run_row *r = &g->run->rows[g->idx[i]];
        if (strncmp(r->col, period, lp) == 0 && r->col[lp] == '.' &&
            strcmp(r->col + lp + 1, line) == 0)
            return r;
    }
    return NULL;
}

/*
 * The whole fund's capital account (the statements' lines, the total-fund side), one
 * block per fund: month, quarter, year to date and since inception. The ending lines
 * are SUMs over the lines above, cached with the stored figures.
 */
static void
rollforward_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    const struct rp_table *t = partner_account_def(c);
    lxw_worksheet *ws;
    lxw_row_t r;
    size_t f, p, sec, l;
    lxw_format *h = rp_fmt_named(c, "header", RP_PLAIN);
    lxw_format *money = rp_fmt_named(c, "money", RP_PLAIN);
    struct pf_buf fb = PF_BUF_INIT;

    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws || !t)
        return;
    rp_set_width(c, ws, 0, 0, t->ncols ? t->cols[0].width[c->lang] : 40);
    rp_set_width(c, ws, 1, (lxw_col_t)t->nperiods, 18);
    for (f = 0; f < c->ix->nfunds; f++) {
        const char *fund = c->ix->funds[f];
        lxw_row_t hdr;
        if (!rp_index_rows(c->ix, "account", fund, "*"))
            continue;
        rp_write_text(c, ws, r++, 0, rp_fund_title(c, fund),
                      rp_fmt_named(c, "section", RP_PLAIN));
        hdr = r;
        rp_write_text(c, ws, r, 0, t->ncols ? rp_tr(c, &t->cols[0].title) : "", h);
        for (p = 0; p < t->nperiods; p++)
            rp_write_text(c, ws, r, (lxw_col_t)(1 + p), rp_tr(c, &t->periods[p].title), h);
        r++;
        if (f == 0 || hdr == 4)
            worksheet_freeze_panes(ws, r, 1);
        for (sec = 0; sec < t->nsections; sec++) {
            const struct rp_section *S = &t->sections[sec];
            lxw_row_t first = r + 1;
            rp_write_text(c, ws, r++, 0, rp_tr(c, &S->title),
                          rp_fmt_named(c, "label_strong", RP_PLAIN));
            for (l = 0; l < S->nlines; l++) {
                const struct rp_line *L = &S->lines[l];
                lxw_format *fmt = rp_fmt(c, L->fmt >= 0 ? L->fmt : rp_defs_format(c->defs,
                                                                                   "money"),
                                         L->sum_from ? RP_TOTAL : L->strong ? RP_STRONG
                                                                            : RP_PLAIN);
                rp_write_text(c, ws, r, 0, rp_tr(c, &L->title),
                              rp_fmt_named(c, L->strong ? "label_strong" : "label", RP_PLAIN));
                for (p = 0; p < t->nperiods; p++) {
                    const struct pf_run_row *ar = fund_account_row(c, fund, t->periods[p].id,
                                                                   L->id);
                    lxw_col_t col = (lxw_col_t)(1 + p);
                    double v;
                    if (!ar || !ar->has_value) {
                        rp_write_blank(c, ws, r, col, fmt);
                        continue;
                    }
                    v = ar->is_money ? (double)ar->cents / 100.0 : ar->value;
                    if (L->sum_from) {
                        size_t a = 0, z = 0, k;
                        char ca[24], cz[24];
                        for (k = 0; k < l; k++) {
                            if (strcmp(S->lines[k].id, L->sum_from) == 0)
                                a = k;
                            if (strcmp(S->lines[k].id, L->sum_to) == 0)
                                z = k;
                        }
                        pf_buf_reset(&fb);
                        pf_buf_addf(&fb, "SUM(%s:%s)", rp_cell(first + (lxw_row_t)a, col, false,
                                                               ca),
                                    rp_cell(first + (lxw_row_t)z, col, false, cz));
                        rp_write_formula(c, ws, r, col, pf_buf_str(&fb), v, fmt);
                    } else {
                        rp_write_num(c, ws, r, col, L->sign < 0 ? -v : v, fmt);
                    }
                }
                r++;
            }
        }
        r++;
    }
    (void)money;
    rp_check(c, worksheet_print_area(ws, 0, 0, r, (lxw_col_t)t->nperiods), "the print area");
    pf_buf_release(&fb);
}

struct act {
    pf_date date;
    const char *fund, *what, *who, *purpose, *currency, *flow;
    pf_cents amount;
};

static int
act_cmp(const void *a, const void *b)
{
    const struct act *x = a, *y = b;
    int k;
    if ((k = strcmp(x->fund, y->fund)) != 0)
        return k;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return strcmp(x->flow, y->flow);
}

/* The month's activity: every partner and project flow dated in the as-of month. */
static void
activity_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    static const char *const purposes[] = { "investment", "management_fee", "expenses",
                                            "other_in", "return_of_capital", "gain",
                                            "income", "other_out" };
    static const char *const jkinds[] = { "investment", "proceeds", "dividend", "interest",
                                          "fee_income" };
    const struct pf_dataset *ds = c->ds;
    const struct rp_table *t = s->ntables ? &s->tables[0] : NULL;
    struct act *a = NULL;
    size_t n = 0, cap = 0, i, k;
    int y, m, d;
    pf_date from;
    lxw_worksheet *ws;
    lxw_row_t r, hdr;

    pf_date_to_ymd(c->run->as_of, &y, &m, &d);
    from = pf_date_from_ymd(y, m, 1);
    for (i = 0; i < ds->npflows; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        const struct rp_text *lab;
        if (pf->date < from || pf->date > c->run->as_of)
            continue;
        PF_GROW(a, n + 1, cap);
        a[n].date = pf->date;
        a[n].fund = ds->funds[pf->fund].fund_id;
        a[n].currency = ds->funds[pf->fund].currency;
        lab = rp_defs_label(c->defs, "flow_kind",
                            pf->kind == PF_CONTRIBUTION ? "contribution" : "distribution");
        a[n].what = lab ? rp_tr(c, lab) : "";
        a[n].who = ds->partners[pf->partner].name;
        lab = (unsigned)pf->purpose < 8 ? rp_defs_label(c->defs, "purpose",
                                                        purposes[pf->purpose]) : NULL;
        a[n].purpose = lab ? rp_tr(c, lab) : "";
        a[n].flow = pf->flow_id;
        a[n].amount = pf->amount;
        n++;
    }
    for (i = 0; i < ds->njflows; i++) {
        const struct pf_project_flow *jf = &ds->jflows[i];
        const struct pf_project *pj;
        const struct rp_text *lab;
        if (jf->date < from || jf->date > c->run->as_of || jf->project < 0)
            continue;
        pj = &ds->projects[jf->project];
        if (pj->fund < 0)
            continue;
        PF_GROW(a, n + 1, cap);
        a[n].date = jf->date;
        a[n].fund = pj->fund_id;
        a[n].currency = jf->currency;
        lab = (unsigned)jf->kind < 5 ? rp_defs_label(c->defs, "project_flow", jkinds[jf->kind])
                                     : NULL;
        a[n].what = lab ? rp_tr(c, lab) : "";
        a[n].who = pj->name;
        a[n].purpose = "";
        a[n].flow = jf->flow_id;
        a[n].amount = jf->amount;
        n++;
    }
    if (n)
        qsort(a, n, sizeof *a, act_cmp);
    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws || !t)
        goto cleanup;
    rp_col_widths(c, ws, t);
    hdr = r;
    if (n)
        rp_check(c, worksheet_autofilter(ws, hdr, 0, hdr + (lxw_row_t)n,
                                         (lxw_col_t)t->ncols - 1), "an autofilter");
    rp_header_row(c, ws, r++, t);
    worksheet_freeze_panes(ws, r, 0);
    for (i = 0; i < n; i++, r++)
        for (k = 0; k < t->ncols; k++) {
            const char *id = t->cols[k].id;
            lxw_format *f = rp_fmt(c, t->cols[k].fmt, RP_PLAIN);
            lxw_col_t col = (lxw_col_t)k;
            if (strcmp(id, "date") == 0)
                rp_write_date(c, ws, r, col, a[i].date, f);
            else if (strcmp(id, "fund") == 0)
                rp_write_text(c, ws, r, col, a[i].fund, f);
            else if (strcmp(id, "kind") == 0)
                rp_write_text(c, ws, r, col, a[i].what, f);
            else if (strcmp(id, "who") == 0)
                rp_write_text(c, ws, r, col, a[i].who, f);
            else if (strcmp(id, "purpose") == 0)
                rp_write_text(c, ws, r, col, a[i].purpose, f);
            else if (strcmp(id, "currency") == 0)
                rp_write_text(c, ws, r, col, a[i].currency, f);
            else if (strcmp(id, "flow") == 0)
                rp_write_text(c, ws, r, col, a[i].flow, f);
            else if (strcmp(id, "amount") == 0)
                rp_write_num(c, ws, r, col, (double)a[i].amount / 100.0, f);
        }
    if (!n)
        rp_write_text(c, ws, r++, 0, rp_tr(c, rp_defs_string(c->defs, "no_rows")),
                      rp_fmt_named(c, "note", RP_PLAIN));
    rp_check(c, worksheet_print_area(ws, 0, 0, r, (lxw_col_t)t->ncols - 1), "the print area");
cleanup:
    free(a);
}

/* --- internal: the Summary's paid-in and distributions over the Partners sheet --- */

/*
 * Where each fund's subtotal row of the Partners sheet will be, laid out as
 * rp_tables_sheet writes an each_fund table (title, header, rows, total, blank):
 * "fund" -> "'Partners'!$H$12" style cells, per column id.
 */
struct summary_env {
    struct pf_map cells;     /* "fund\x1fcol" -> absolute cell with sheet */
};

static void
summary_layout(struct rp_ctx *c, struct summary_env *E)
{
    const struct rp_book *b = c->book;
    const struct rp_sheet *s = NULL;
    const struct rp_table *t;
    lxw_row_t r;
    size_t i, f, k;
    static const char *const cols[] = { "paid_in", "distributions" };

    for (i = 0; i < b->nsheets; i++)
        if (strcmp(b->sheets[i].id, "partners") == 0)
            s = &b->sheets[i];
    if (!s || s->ntables < 1 || !s->tables[0].total || !s->tables[0].scope ||
        strcmp(s->tables[0].scope, "each_fund") != 0)
        return;
    t = &s->tables[0];
    r = rp_sheet_first_row(s) + (t->has_title ? 1 : 0);
    for (f = 0; f < c->ix->nfunds; f++) {
        const char *fund = c->ix->funds[f];
        struct rp_rowref *rows;
        size_t n;
        if (!rp_index_keys(c->ix, "partner", fund))
            continue;
        rows = rp_table_rows(c, t, fund, &n);
        free(rows);
        if (n == 0) {
            r += 4; /* title, header, "none", blank */
            continue;
        }
        for (k = 0; k < 2; k++) {
            int ci = rp_table_col(t, cols[k]);
            struct pf_buf key = PF_BUF_INIT, v = PF_BUF_INIT;
            char cell[24];
            if (ci < 0)
                continue;
            pf_buf_addf(&key, "%s\x1f%s", fund, cols[k]);
            rp_sheet_prefix(&v, rp_sheet_name(c, s));
            pf_buf_adds(&v, rp_cell(r + 2 + (lxw_row_t)n, (lxw_col_t)ci, true, cell));
            free(pf_map_put(&E->cells, pf_buf_str(&key), pf_buf_detach(&v)));
            pf_buf_release(&key);
        }
        r += 4 + (lxw_row_t)n;
    }
}

static bool
summary_special(void *arg, struct rp_ctx *c, const struct rp_table *t, size_t col,
                const struct rp_rowref *rr, lxw_row_t row, struct pf_buf *formula,
                double *value)
{
    struct summary_env *E = arg;
    const char *sp = t->cols[col].special, *metric, *cell;
    struct pf_buf key = PF_BUF_INIT;
    (void)row;
    pf_buf_reset(formula);
    if (strncmp(sp, "partners_total:", 15) != 0)
        return false;
    metric = sp + 15;
    if (!rp_result_number(rp_index_result(c->ix, "fund", rr->fund, rr->key, metric), value))
        return false;
    if (!rr->fund)
        return true; /* the portfolio's CNY figure: a stored value */
    pf_buf_addf(&key, "%s\x1f%s", rr->fund, metric);
    cell = pf_map_get(&E->cells, pf_buf_str(&key));
    pf_buf_release(&key);
    if (cell)
        pf_buf_adds(formula, cell);
    return true;
}

static void
str_free(void *p)
{
    free(p);
}

/* --- public --- */

pf_status
rp_manager_write(struct rp_ctx *c, const char *path, struct pf_err *err)
{
    const struct rp_book *b = &c->defs->manager;
    struct pf_buf title = PF_BUF_INIT;
    char day[16];
    pf_status rc;
    size_t i;
    struct summary_env SE;
    struct rp_table_env senv;

    c->book = b;
    c->partner = NULL;
    memset(&SE, 0, sizeof SE);
    memset(&senv, 0, sizeof senv);
    senv.special = summary_special;
    senv.arg = &SE;
    pf_buf_addf(&title, "%s %s", rp_tr(c, &b->title),
                pf_date_format(c->run->as_of, day, sizeof day));
    rc = rp_book_open(c, path, pf_buf_str(&title), rp_tr(c, &b->subject), err);
    pf_buf_release(&title);
    if (rc != PF_OK)
        return rc;
    rp_set_footer(c, rp_tr(c, &b->footer));
    summary_layout(c, &SE);
    for (i = 0; i < b->nsheets; i++)
        if (strcmp(b->sheets[i].kind, "blocks") == 0)
            rp_blocks_layout(c, &b->sheets[i], c->ix->blocks, c->ix->nblocks);
    for (i = 0; i < b->nsheets; i++) {
        const struct rp_sheet *s = &b->sheets[i];
        if (strcmp(s->kind, "nav_history") == 0)
            nav_history_sheet(c, s);
        else if (strcmp(s->kind, "risk") == 0)
            risk_sheet(c, s);
        else if (strcmp(s->kind, "policy") == 0)
            policy_sheet(c, s);
        else if (strcmp(s->kind, "rollforward") == 0)
            rollforward_sheet(c, s);
        else if (strcmp(s->kind, "activity") == 0)
            activity_sheet(c, s);
        else if (strcmp(s->kind, "blocks") == 0)
            rp_blocks_write(c, s);
        else if (strcmp(s->kind, "audit") == 0)
            rp_audit_write(c, s, NULL, 0);
        else
            rp_tables_sheet(c, s, &senv);
    }
    rp_economics_sheet(c); /* when a fund has terms (SPEC §10) */
    rp_forecast_sheet(c); /* when the run has a forecast (SPEC §11) */
    rc = rp_book_close(c, path, err);
    rp_blocks_release(c);
    pf_map_release(&SE.cells, str_free);
    /* a part of the run that could not be read left its cells empty: no file */
    if (rc == PF_OK)
        rc = rp_index_failed(c->ix, err);
    return rc;
}
