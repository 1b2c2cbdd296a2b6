/*
 * forecast sheets (SPEC §11): the manager's Forecast sheet (fan charts of the
 * portfolio's NAV and net cash flow P5-P95, fitted parameters with standard
 * errors, a per-fund table, pacing, warnings) and the partner statement's
 * "Expected capital calls" sheet (that partner's own rows only). Values only,
 * rendered from the stored forecast: nothing here is recomputed, and no cell
 * is a formula (a percentile of simulated paths is not a spreadsheet formula).
 * Written row by row, in order (constant-memory workbooks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

#define L rp_label

struct fc_ix {
    struct pf_map m; /* "fund\037key\037metric" -> result */
};

static void
fc_index(struct fc_ix *x, const struct pf_forecast *fc)
{
    size_t i;
    char k[600];
    memset(x, 0, sizeof *x);
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        snprintf(k, sizeof k, "%s\037%s\037%s\037%s", r->dimension, r->fund ? r->fund : "",
                 r->key, r->metric);
        pf_map_put(&x->m, k, (void *)r);
    }
}

static const struct pf_result *
fc_get(const struct fc_ix *x, const char *dim, const char *fund, const char *key,
       const char *metric)
{
    char k[600];
    snprintf(k, sizeof k, "%s\037%s\037%s\037%s", dim, fund ? fund : "", key, metric);
    return pf_map_get(&x->m, k);
}

/* A band cell: money in units, or blank. */
static void
put(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, const struct pf_result *res,
    lxw_format *f)
{
    if (res)
        rp_write_result(c, ws, r, col, res, f);
    else
        rp_write_blank(c, ws, r, col, f);
}

static void
band(struct rp_ctx *c, const struct fc_ix *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
     const char *fund, const char *q, const char *series, const char *pct, lxw_format *f)
{
    char key[96];
    snprintf(key, sizeof key, "%s|%s|%s", q, series, pct);
    put(c, ws, r, col, fc_get(x, "forecast", fund, key, "amount"), f);
}

static void
header(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *const (*cols)[2],
       size_t n)
{
    lxw_format *h = rp_fmt_named(c, "header", RP_PLAIN);
    size_t i;
    rp_check(c, worksheet_set_row(ws, r, c->lang == RP_BOTH ? 45 : 30, NULL), "a header row");
    for (i = 0; i < n; i++)
        rp_write_text(c, ws, r, (lxw_col_t)i, L(c, cols[i][0], cols[i][1]), h);
}

/* The quarters of the forecast, from its portfolio rows, in order. */
static const char **
quarters(const struct pf_forecast *fc, size_t *n)
{
    const char **q = NULL;
    size_t i, cap = 0;
    *n = 0;
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        size_t kl = strlen(r->key);
        if (r->fund || strcmp(r->dimension, "forecast") || kl < 9 ||
            strcmp(r->key + kl - 9, "|calls|p5") != 0)
            continue;
        PF_GROW(q, *n + 1, cap);
        q[(*n)++] = r->key;
    }
    return q;
}

static void
fan_chart(struct rp_ctx *c, lxw_worksheet *ws, const char *title, lxw_row_t hdr,
          lxw_row_t first, lxw_row_t last, lxw_col_t col0, lxw_row_t at_row, lxw_col_t at_col)
{
    lxw_chart *ch = workbook_add_chart(c->wb, LXW_CHART_LINE);
    lxw_chart_options opt;
    lxw_col_t k;
    if (!ch) {
        rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart");
        return;
    }
    chart_title_set_name(ch, title);
    for (k = 0; k < 5; k++) {
        lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
        lxw_chart_line line;
        if (!s) {
            rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart series");
            return;
        }
        chart_series_set_categories(s, c->cur_sheet, first, 0, last, 0);
        chart_series_set_values(s, c->cur_sheet, first, col0 + k, last, col0 + k);
        chart_series_set_name_range(s, c->cur_sheet, hdr, col0 + k);
        memset(&line, 0, sizeof line);
        line.color = k == 2 ? 0x1F4E79 : (k == 1 || k == 3) ? 0x5B9BD5 : 0xBDD7EE;
        line.width = k == 2 ? 2.5 : 1.25;
        line.dash_type = (k == 0 || k == 4) ? LXW_CHART_LINE_DASH_DASH : LXW_CHART_LINE_DASH_SOLID;
        chart_series_set_line(s, &line);
    }
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    chart_axis_set_num_format(ch->y_axis, "#,##0");
    chart_axis_set_name(ch->y_axis, L(c, "金额（人民币元）", "amount (CNY)"));
    chart_axis_set_label_position(ch->x_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    memset(&opt, 0, sizeof opt);
    opt.x_scale = 1.6;
    opt.y_scale = 1.3;
    rp_check(c, worksheet_insert_chart_opt(ws, at_row, at_col, ch, &opt), "a chart");
}

static void
options_line(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r)
{
    const struct pf_forecast *fc = c->forecast;
    char buf[400];
    snprintf(buf, sizeof buf, "%s %lld · %d %s · %lld %s · %s %lld · %s",
             L(c, "预测", "forecast"), (long long)fc->id, fc->years, L(c, "年", "years"),
             (long long)fc->paths, L(c, "条路径", "paths"), L(c, "种子", "seed"),
             (long long)fc->seed,
             L(c, "模拟推演，并非承诺", "a projection, not a promise"));
    rp_write_text(c, ws, r, 0, buf, rp_fmt_named(c, "note", RP_PLAIN));
}

/* The sheet's column headings (Chinese, English). */
static const char *const fc_pcts[5] = { "p5", "p25", "p50", "p75", "p95" };
static const char *const port_cols[13][2] = {
    { "季度", "quarter" },          { "净值 P5", "NAV P5" },
    { "净值 P25", "NAV P25" },      { "净值 P50", "NAV P50" },
    { "净值 P75", "NAV P75" },      { "净值 P95", "NAV P95" },
    { "净现金流 P5", "net cash flow P5" },   { "净现金流 P25", "net cash flow P25" },
    { "净现金流 P50", "net cash flow P50" }, { "净现金流 P75", "net cash flow P75" },
    { "净现金流 P95", "net cash flow P95" }, { "出资 P50", "calls P50" },
    { "分配 P50", "distributions P50" } };
static const char *const fit_cols[12][2] = {
    { "基金", "fund" },   { "名称", "name" },         { "币种", "currency" },
    { "已校准", "fitted" }, { "G (年)", "G (annual)" }, { "G 标准误", "G s.e." },
    { "B", "B" },         { "B 标准误", "B s.e." },     { "出资比例系数", "call scale" },
    { "系数标准误", "scale s.e." }, { "残差 (RMS)", "residual (RMS)" },
    { "历史季度", "quarters" } };
static const char *const fund_cols[9][2] = {
    { "基金", "fund" },   { "币种", "currency" },
    { "下季出资 P50", "next quarter calls P50" }, { "下季出资 P95", "next quarter calls P95" },
    { "下季分配 P50", "next quarter distributions P50" },
    { "一年后净值 P50", "NAV in 1 year P50" },
    { "期末净值 P5", "final NAV P5" }, { "期末净值 P50", "final NAV P50" },
    { "期末净值 P95", "final NAV P95" } };
static const char *const pace_cols[4][2] = {
    { "起始季度", "from" }, { "新增承诺 (CNY)", "new commitments (CNY)" },
    { "现有基金净值 P50", "P50 NAV, funds today" }, { "含新基金净值 P50", "P50 NAV with new funds" } };

/* The quarter of a band key "YYYYQn|..." (the text before '|'). */
static void
quarter_of(const char *qkey, char *out, size_t n)
{
    snprintf(out, n, "%.*s", (int)(strchr(qkey, '|') - qkey), qkey);
}

/* The portfolio, quarter by quarter, with the two fan charts beside it; the next row. */
static lxw_row_t
portfolio_block(struct rp_ctx *c, const struct fc_ix *x, lxw_worksheet *ws, lxw_row_t row,
                const char **qs, size_t nq)
{
    lxw_format *money = rp_fmt_named(c, "money", RP_PLAIN);
    lxw_row_t hdr, first;
    size_t i, k;

    rp_write_text(c, ws, row++, 0, L(c, "组合 (人民币)", "Portfolio (CNY)"),
                  rp_fmt_named(c, "section", RP_PLAIN));
    hdr = row;
    header(c, ws, row++, port_cols, 13);
    first = row;
    for (i = 0; i < nq; i++, row++) {
        char q[16];
        quarter_of(qs[i], q, sizeof q);
        rp_write_text(c, ws, row, 0, q, rp_fmt_named(c, "text", RP_PLAIN));
        for (k = 0; k < 5; k++) {
            band(c, x, ws, row, (lxw_col_t)(1 + k), NULL, q, "nav", fc_pcts[k], money);
            band(c, x, ws, row, (lxw_col_t)(6 + k), NULL, q, "net_cash_flow", fc_pcts[k], money);
        }
        band(c, x, ws, row, 11, NULL, q, "calls", "p50", money);
        band(c, x, ws, row, 12, NULL, q, "distributions", "p50", money);
    }
    if (nq > 0) {
        fan_chart(c, ws, L(c, "组合净值 P5–P95", "Portfolio NAV, P5–P95"), hdr, first, row - 1,
                  1, hdr, 14);
        fan_chart(c, ws, L(c, "净现金流 P5–P95", "Net cash flow, P5–P95"), hdr, first,
                  row - 1, 6, hdr + 22, 14);
    }
    return row + 1;
}

/* Each fund's fitted parameters; the next row. */
static lxw_row_t
fit_block(struct rp_ctx *c, const struct fc_ix *x, lxw_worksheet *ws, lxw_row_t row)
{
    const struct pf_forecast *fc = c->forecast;
    lxw_format *text = rp_fmt_named(c, "text", RP_PLAIN);
    lxw_format *rate = rp_fmt_named(c, "ratio", RP_PLAIN);
    size_t i;

    rp_write_text(c, ws, row++, 0, L(c, "模型参数 (Takahashi–Alexander)",
                                     "Model parameters (Takahashi–Alexander)"),
                  rp_fmt_named(c, "section", RP_PLAIN));
    header(c, ws, row++, fit_cols, 12);
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        int fi;
        if (strcmp(r->dimension, "forecast_fit") || strcmp(r->metric, "fitted"))
            continue;
        fi = pf_dataset_find_fund(c->ds, r->fund);
        rp_write_text(c, ws, row, 0, r->fund, text);
        rp_write_text(c, ws, row, 1, fi >= 0 ? c->ds->funds[fi].name : "", text);
        rp_write_text(c, ws, row, 2, fi >= 0 ? c->ds->funds[fi].currency : "", text);
        rp_write_text(c, ws, row, 3, r->value == 1 ? L(c, "是", "yes") : L(c, "否 (默认)",
                                                                              "no (defaults)"),
                      text);
        put(c, ws, row, 4, fc_get(x, "forecast_fit", r->fund, "growth", "value"), rate);
        put(c, ws, row, 5, fc_get(x, "forecast_fit", r->fund, "growth", "stderr"), rate);
        put(c, ws, row, 6, fc_get(x, "forecast_fit", r->fund, "bow", "value"), rate);
        put(c, ws, row, 7, fc_get(x, "forecast_fit", r->fund, "bow", "stderr"), rate);
        put(c, ws, row, 8, fc_get(x, "forecast_fit", r->fund, "call_scale", "value"), rate);
        put(c, ws, row, 9, fc_get(x, "forecast_fit", r->fund, "call_scale", "stderr"), rate);
        put(c, ws, row, 10, fc_get(x, "forecast_fit", r->fund, "*", "residual"), rate);
        put(c, ws, row, 11, fc_get(x, "forecast_fit", r->fund, "*", "quarters"),
            rp_fmt_named(c, "count", RP_PLAIN));
        row++;
    }
    return row + 1;
}

/* Per fund, in its currency: the next quarter, a year on, the horizon; the next row. */
static lxw_row_t
fund_block(struct rp_ctx *c, const struct fc_ix *x, lxw_worksheet *ws, lxw_row_t row,
           const char **qs, size_t nq)
{
    const struct pf_forecast *fc = c->forecast;
    lxw_format *money = rp_fmt_named(c, "money", RP_PLAIN);
    lxw_format *text = rp_fmt_named(c, "text", RP_PLAIN);
    size_t i;

    rp_write_text(c, ws, row++, 0, L(c, "各基金 (基金币种)", "Per fund (fund currency)"),
                  rp_fmt_named(c, "section", RP_PLAIN));
    header(c, ws, row++, fund_cols, 9);
    for (i = 0; i < fc->res->nresults && nq > 0; i++) {
        const struct pf_result *r = &fc->res->results[i];
        char q1[16], q4[16], qn[16];
        int fi;
        if (strcmp(r->dimension, "forecast_fit") || strcmp(r->metric, "fitted"))
            continue;
        fi = pf_dataset_find_fund(c->ds, r->fund);
        quarter_of(qs[0], q1, sizeof q1);
        quarter_of(qs[nq < 4 ? nq - 1 : 3], q4, sizeof q4);
        quarter_of(qs[nq - 1], qn, sizeof qn);
        rp_write_text(c, ws, row, 0, r->fund, text);
        rp_write_text(c, ws, row, 1, fi >= 0 ? c->ds->funds[fi].currency : "", text);
        band(c, x, ws, row, 2, r->fund, q1, "calls", "p50", money);
        band(c, x, ws, row, 3, r->fund, q1, "calls", "p95", money);
        band(c, x, ws, row, 4, r->fund, q1, "distributions", "p50", money);
        band(c, x, ws, row, 5, r->fund, q4, "nav", "p50", money);
        band(c, x, ws, row, 6, r->fund, qn, "nav", "p5", money);
        band(c, x, ws, row, 7, r->fund, qn, "nav", "p50", money);
        band(c, x, ws, row, 8, r->fund, qn, "nav", "p95", money);
        row++;
    }
    return row + 1;
}

/* The commitment pacing toward the target NAV, when one was given; the next row. */
static lxw_row_t
pacing_block(struct rp_ctx *c, const struct fc_ix *x, lxw_worksheet *ws, lxw_row_t row)
{
    const struct pf_forecast *fc = c->forecast;
    lxw_format *money = rp_fmt_named(c, "money", RP_PLAIN);
    char buf[200];
    size_t i;

    if (!fc->has_target)
        return row;
    rp_write_text(c, ws, row++, 0, L(c, "承诺节奏", "Commitment pacing"),
                  rp_fmt_named(c, "section", RP_PLAIN));
    snprintf(buf, sizeof buf, "%s %.2f CNY", L(c, "目标净值 P50 ≥", "target P50 NAV ≥"),
             (double)fc->target_nav / 100.0);
    rp_write_text(c, ws, row++, 0, buf, rp_fmt_named(c, "note", RP_PLAIN));
    header(c, ws, row++, pace_cols, 4);
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        if (strcmp(r->dimension, "forecast_pacing") || strcmp(r->metric, "new_commitments"))
            continue;
        rp_write_text(c, ws, row, 0, r->key, rp_fmt_named(c, "text", RP_PLAIN));
        put(c, ws, row, 1, r, money);
        put(c, ws, row, 2, fc_get(x, "forecast_pacing", NULL, r->key, "nav_p50_existing"),
            money);
        put(c, ws, row, 3, fc_get(x, "forecast_pacing", NULL, r->key, "nav_p50"), money);
        row++;
    }
    return row + 1;
}

void
rp_forecast_sheet(struct rp_ctx *c)
{
    const struct pf_forecast *fc = c->forecast;
    struct fc_ix x;
    lxw_worksheet *ws;
    lxw_row_t row;
    const char **qs;
    size_t nq = 0, i;

    if (!fc)
        return;
    ws = rp_add_named_sheet(c, "预测", "Forecast", "现金流预测与承诺节奏",
                   "Cash-flow forecast and commitment pacing", &row);
    if (!ws)
        return;
    /* the formats in the order the sheet always made them (their order is the file's) */
    rp_fmt_named(c, "money", RP_PLAIN);
    rp_fmt_named(c, "text", RP_PLAIN);
    rp_fmt_named(c, "ratio", RP_PLAIN);
    rp_fmt_named(c, "section", RP_PLAIN);
    fc_index(&x, fc);
    qs = quarters(fc, &nq);
    options_line(c, ws, row++);
    row++;
    row = portfolio_block(c, &x, ws, row, qs, nq);
    row = fit_block(c, &x, ws, row);
    row = fund_block(c, &x, ws, row, qs, nq);
    row = pacing_block(c, &x, ws, row);
    if (fc->res->nnotes) { /* warnings */
        rp_write_text(c, ws, row++, 0, L(c, "提示", "Warnings"),
                      rp_fmt_named(c, "section", RP_PLAIN));
        for (i = 0; i < fc->res->nnotes; i++)
            rp_write_text(c, ws, row++, 0, fc->res->notes[i].detail,
                          rp_fmt_named(c, "note", RP_PLAIN));
    }
    rp_check(c, worksheet_set_column(ws, 0, 0, 16, NULL), "a column width");
    rp_check(c, worksheet_set_column(ws, 1, 12, 16, NULL), "a column width");
    free(qs);
    pf_map_release(&x.m, NULL);
}

void
rp_forecast_partner_sheet(struct rp_ctx *c)
{
    static const char *const cols[7][2] = {
        { "基金", "fund" }, { "币种", "currency" }, { "季度", "quarter" },
        { "预计出资 P50", "expected calls P50" }, { "预计出资 P95", "expected calls P95" },
        { "预计分配 P50", "expected distributions P50" },
        { "预计分配 P95", "expected distributions P95" } };
    const struct pf_forecast *fc = c->forecast;
    struct fc_ix x;
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_format *money = rp_fmt_named(c, "money", RP_PLAIN);
    lxw_format *text = rp_fmt_named(c, "text", RP_PLAIN);
    size_t plen, i, nrows = 0;

    if (!fc || !c->partner)
        return;
    plen = strlen(c->partner);
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        if (strcmp(r->dimension, "forecast_partner") == 0 &&
            strncmp(r->key, c->partner, plen) == 0 && r->key[plen] == '|')
            nrows++;
    }
    if (nrows == 0)
        return;
    ws = rp_add_named_sheet(c, "预计出资", "Expected calls", "预计出资与分配（未来四个季度）",
                   "Expected capital calls and distributions, next four quarters", &row);
    if (!ws)
        return;
    fc_index(&x, fc);
    options_line(c, ws, row++);
    rp_write_text(c, ws, row++, 0,
                  L(c, "按贵方在各基金未出资承诺中的份额（出资）及权益比例（分配）计算；P50 为中位数，"
                       "P95 为二十分之一的高位情形，用于财政出资预算。",
                    "Your share of each fund's unfunded commitment (calls) and your percentage "
                    "interest (distributions); P50 is the median, P95 a one-in-twenty high case, "
                    "for budgeting."),
                  rp_fmt_named(c, "note", RP_PLAIN));
    row++;
    header(c, ws, row++, cols, 7);
    for (i = 0; i < fc->res->nresults; i++) {
        const struct pf_result *r = &fc->res->results[i];
        char q[16], key[400];
        const char *p, *bar;
        int fi;
        /* one row per (fund, quarter): keyed on the "calls|p50" result */
        if (strcmp(r->dimension, "forecast_partner") || strncmp(r->key, c->partner, plen) ||
            r->key[plen] != '|')
            continue;
        p = r->key + plen + 1;
        bar = strchr(p, '|');
        if (!bar || strcmp(bar, "|calls|p50") != 0)
            continue;
        snprintf(q, sizeof q, "%.*s", (int)(bar - p), p);
        fi = r->fund ? pf_dataset_find_fund(c->ds, r->fund) : -1;
        rp_write_text(c, ws, row, 0, r->fund ? rp_fund_title(c, r->fund)
                                             : L(c, "全部基金合计 (人民币)", "all funds (CNY)"),
                      text);
        rp_write_text(c, ws, row, 1, fi >= 0 ? c->ds->funds[fi].currency : "CNY", text);
        rp_write_text(c, ws, row, 2, q, text);
        put(c, ws, row, 3, r, money);
        snprintf(key, sizeof key, "%s|%s|calls|p95", c->partner, q);
        put(c, ws, row, 4, fc_get(&x, "forecast_partner", r->fund, key, "amount"), money);
        snprintf(key, sizeof key, "%s|%s|distributions|p50", c->partner, q);
        put(c, ws, row, 5, fc_get(&x, "forecast_partner", r->fund, key, "amount"), money);
        snprintf(key, sizeof key, "%s|%s|distributions|p95", c->partner, q);
        put(c, ws, row, 6, fc_get(&x, "forecast_partner", r->fund, key, "amount"), money);
        row++;
    }
    rp_check(c, worksheet_set_column(ws, 0, 0, 30, NULL), "a column width");
    rp_check(c, worksheet_set_column(ws, 1, 6, 18, NULL), "a column width");
    pf_map_release(&x.m, NULL);
}
