/*
 * economics sheets (SPEC §10): the manager's "Carry & fees" sheet — per fund with
 * terms, the waterfall's tiers (distributed, hypothetical, total) with a chart, the
 * tier arithmetic as live formulas (the GP's share of the split = ROUND(carry x the
 * split, 2), of the catch-up = ROUND(catch_up x the catch-up, 2), accrued = E − K,
 * clawback, NAV net = F − A), the gross-to-net bridge, and the management-fee control
 * by year — and each statement's "Carried interest" sheet (the partner's NAV net of
 * carry, its carry charged and accrued, any concession, and ILPA's incentive-allocation
 * lines for month/QTD/YTD/ITD). Every cached value is a stored figure; the formulas
 * recompute them in the spreadsheet. Nothing when the run has no fund with terms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

#define L rp_label

static bool
has_terms(struct rp_ctx *c, const char *fund)
{
    return rp_index_result(c->ix, "fund", fund, fund, "carry_entitled") != NULL;
}

static double
num(struct rp_ctx *c, const char *dim, const char *fund, const char *key, const char *metric)
{
    double v = 0;
    rp_result_number(rp_index_result(c->ix, dim, fund, key, metric), &v);
    return v;
}

static const char *const tier_keys[6] = { "return_of_capital", "preferred_return",
                                          "catch_up_gp", "catch_up_lp", "split_gp",
                                          "split_lp" };
static const char *const tier_names[6][2] = {
    { "返还出资", "return of capital" },   { "优先回报", "preferred return" },
    { "追补 — 普通合伙人", "catch-up — GP" }, { "追补 — 有限合伙人", "catch-up — LPs" },
    { "超额分成 — 普通合伙人", "split — GP" }, { "超额分成 — 有限合伙人", "split — LPs" },
};

/* A label in column 0, a value or formula in column 2 (with its cached figure). */
static void
line(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *label, const char *formula,
     const struct pf_result *res, double cached, lxw_format *f)
{
    rp_write_text(c, ws, r, 0, label, rp_fmt_named(c, "text", RP_PLAIN));
    if (formula)
        rp_write_formula(c, ws, r, 2, formula, cached, f);
    else if (res)
        rp_write_result(c, ws, r, 2, res, f);
    else
        rp_write_num(c, ws, r, 2, cached, f);
}

static void
tier_chart(struct rp_ctx *c, lxw_worksheet *ws, const char *fund, lxw_row_t first,
           lxw_row_t last, lxw_row_t hdr)
{
    lxw_chart *ch = workbook_add_chart(c->wb, LXW_CHART_BAR_STACKED);
    lxw_chart_options opt;
    char title[200];
    int k;
    if (!ch) {
        rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart");
        return;
    }
    snprintf(title, sizeof title, "%s — %s", fund, L(c, "分配瀑布", "distribution waterfall"));
    chart_title_set_name(ch, title);
    for (k = 1; k <= 2; k++) {
        lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
        if (!s) {
            rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart series");
            return;
        }
        chart_series_set_categories(s, c->cur_sheet, first, 0, last, 0);
        chart_series_set_values(s, c->cur_sheet, first, (lxw_col_t)k, last, (lxw_col_t)k);
        chart_series_set_name_range(s, c->cur_sheet, hdr, (lxw_col_t)k);
    }
    chart_axis_set_reverse(ch->y_axis); /* tiers top-down, in their order */
    /* a bar chart's values run along x */
    chart_axis_set_name(ch->x_axis, L(c, "金额（基金币种）", "amount (fund currency)"));
    chart_axis_set_num_format(ch->x_axis, "#,##0");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    memset(&opt, 0, sizeof opt);
    opt.x_scale = 1.3;
    rp_check(c, worksheet_insert_chart_opt(ws, hdr, 6, ch, &opt), "a chart");
}

/* The formats of a fund's block, made in the order the block always made them. */
struct fb_fmts {
    lxw_format *money, *money_t, *head, *pct, *note;
};

/* The six tiers, distributed, hypothetical and total, with their sums and chart, from
 * r; rows[] receives each tier's row. */
static lxw_row_t
tier_table(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *F,
           const struct fb_fmts *fm, lxw_row_t rows[6])
{
    char a[16], b[16], f[400];
    double sum[3] = { 0, 0, 0 };
    lxw_row_t hdr = r, first;
    int i;

    rp_write_text(c, ws, r, 0, L(c, "分配层级", "tier"), fm->head);
    rp_write_text(c, ws, r, 1, L(c, "已分配", "distributed"), fm->head);
    rp_write_text(c, ws, r, 2, L(c, "假设清算", "hypothetical"), fm->head);
    rp_write_text(c, ws, r, 3, L(c, "合计", "total"), fm->head);
    r++;
    first = r;
    for (i = 0; i < 6; i++, r++) {
        double v1 = num(c, "waterfall", F, tier_keys[i], "distributed");
        double v2 = num(c, "waterfall", F, tier_keys[i], "hypothetical");
        double v3 = num(c, "waterfall", F, tier_keys[i], "total");
        rows[i] = r;
        rp_write_text(c, ws, r, 0, L(c, tier_names[i][0], tier_names[i][1]),
                      rp_fmt_named(c, "text", RP_PLAIN));
        rp_write_result(c, ws, r, 1, rp_index_result(c->ix, "waterfall", F, tier_keys[i],
                                                     "distributed"), fm->money);
        rp_write_result(c, ws, r, 2, rp_index_result(c->ix, "waterfall", F, tier_keys[i],
                                                     "hypothetical"), fm->money);
        snprintf(f, sizeof f, "%s+%s", rp_cell(r, 1, false, a), rp_cell(r, 2, false, b));
        rp_write_formula(c, ws, r, 3, f, v3, fm->money);
        sum[0] += v1;
        sum[1] += v2;
        sum[2] += v3;
    }
    rp_write_text(c, ws, r, 0, L(c, "合计", "total"), rp_fmt_named(c, "text", RP_TOTAL));
    for (i = 1; i <= 3; i++) {
        snprintf(f, sizeof f, "SUM(%s:%s)", rp_cell(first, (lxw_col_t)i, false, a),
                 rp_cell(r - 1, (lxw_col_t)i, false, b));
        rp_write_formula(c, ws, r, (lxw_col_t)i, f, sum[i - 1], fm->money_t);
    }
    tier_chart(c, ws, F, first, r - 1, hdr);
    return r + 2;
}

/* The tier arithmetic, recomputable: the GP's tiers, E, K, A, the clawback and the NAV
 * net of carry, from r. */
static lxw_row_t
carry_lines(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *F,
            const struct pf_fund_terms *t, const struct fb_fmts *fm, const lxw_row_t rows[6])
{
    char a[16], b[16], d1[16], d2[16], f[400];
    lxw_row_t carry_row, cu_row, k_row, e_row, a_row, f_row;
    lxw_format *money = fm->money, *pct = fm->pct;

    carry_row = r;
    line(c, ws, r++, L(c, "业绩报酬比例", "carry rate"), NULL, NULL,
         t ? (double)t->carry_e8 / 1e8 : 0, pct);
    cu_row = r;
    line(c, ws, r++, L(c, "追补比例", "catch-up rate"), NULL, NULL,
         t ? (double)t->catch_up_e8 / 1e8 : 0, pct);
    snprintf(f, sizeof f, "ROUND(%s*(%s+%s),2)", rp_cell(carry_row, 2, true, a),
             rp_cell(rows[4], 3, false, d1), rp_cell(rows[5], 3, false, d2));
    line(c, ws, r++, L(c, "普通合伙人超额分成 = 比例 × 超额分成", "GP's split = carry × the split"),
         f, NULL, num(c, "waterfall", F, "split_gp", "total"), money);
    if (t && t->catch_up_e8 > t->carry_e8) {
        snprintf(f, sizeof f, "ROUND(%s*(%s+%s),2)", rp_cell(cu_row, 2, true, a),
                 rp_cell(rows[2], 3, false, d1), rp_cell(rows[3], 3, false, d2));
        line(c, ws, r++, L(c, "普通合伙人追补 = 追补比例 × 追补", "GP's catch-up = rate × the catch-up"),
             f, NULL, num(c, "waterfall", F, "catch_up_gp", "total"), money);
    }
    snprintf(f, sizeof f, "%s+%s", rp_cell(rows[2], 3, false, a), rp_cell(rows[4], 3, false, b));
    line(c, ws, r++, L(c, "普通合伙人层级合计", "GP's tiers"), f, NULL,
         num(c, "waterfall", F, "catch_up_gp", "total") + num(c, "waterfall", F, "split_gp", "total"),
         money);
    e_row = r;
    line(c, ws, r++, L(c, "应得业绩报酬 E（整体回拨测试后，数值）",
                       "carry entitled E (after the clawback test; a value)"),
         NULL, rp_index_result(c->ix, "fund", F, F, "carry_entitled"), 0, money);
    k_row = r;
    line(c, ws, r++, L(c, "已付业绩报酬 K", "carry paid K"), NULL,
         rp_index_result(c->ix, "fund", F, F, "carry_paid"), 0, money);
    a_row = r;
    snprintf(f, sizeof f, "%s-%s", rp_cell(e_row, 2, false, a), rp_cell(k_row, 2, false, b));
    line(c, ws, r++, L(c, "计提业绩报酬 A = E − K", "accrued carry A = E − K"), f, NULL,
         num(c, "fund", F, F, "carry_accrued"), money);
    snprintf(f, sizeof f, "MAX(0,-%s)", rp_cell(a_row, 2, false, a));
    line(c, ws, r++, L(c, "回拨风险敞口", "clawback exposure"), f, NULL,
         num(c, "fund", F, F, "clawback"), money);
    f_row = r;
    line(c, ws, r++, L(c, "基金净值 F", "fund NAV F"), NULL,
         rp_index_result(c->ix, "fund", F, F, "nav"), 0, money);
    snprintf(f, sizeof f, "%s-%s", rp_cell(f_row, 2, false, a), rp_cell(a_row, 2, false, b));
    line(c, ws, r++, L(c, "扣除计提业绩报酬后净值 F − A", "NAV net of accrued carry F − A"), f,
         NULL, num(c, "fund", F, F, "nav_net"), money);
    return r + 1;
}

/* The gross-to-net IRR bridge, from r. */
static lxw_row_t
irr_bridge(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *F,
           const struct fb_fmts *fm)
{
    char a[16], b[16], f[400];
    lxw_row_t g, nb, na;
    lxw_format *pct = fm->pct;
    double dummy;

    rp_write_text(c, ws, r++, 0, L(c, "毛收益至净收益（IRR）", "gross-to-net bridge (IRR)"),
                  rp_fmt_named(c, "label_strong", RP_PLAIN));
    g = r;
    line(c, ws, r++, L(c, "毛 IRR（项目）", "gross IRR (projects)"), NULL,
         rp_index_result(c->ix, "fund", F, F, "gross_irr"), 0, pct);
    nb = r;
    line(c, ws, r++, L(c, "净 IRR（扣业绩报酬前）", "net IRR before carry"), NULL,
         rp_index_result(c->ix, "fund", F, F, "net_irr_before_carry"), 0, pct);
    na = r;
    line(c, ws, r++, L(c, "净 IRR（扣业绩报酬后）", "net IRR after carry"), NULL,
         rp_index_result(c->ix, "fund", F, F, "net_irr"), 0, pct);
    if (rp_result_number(rp_index_result(c->ix, "fund", F, F, "spread_fees_costs"), &dummy)) {
        snprintf(f, sizeof f, "%s-%s", rp_cell(g, 2, false, a), rp_cell(nb, 2, false, b));
        line(c, ws, r++, L(c, "管理费、费用与现金拖累", "fees, expenses and cash drag"), f,
             NULL, num(c, "fund", F, F, "spread_fees_costs"), pct);
    }
    if (rp_result_number(rp_index_result(c->ix, "fund", F, F, "spread_carry"), &dummy)) {
        snprintf(f, sizeof f, "%s-%s", rp_cell(nb, 2, false, a), rp_cell(na, 2, false, b));
        line(c, ws, r++, L(c, "业绩报酬", "carried interest"), f, NULL,
             num(c, "fund", F, F, "spread_carry"), pct);
    }
    return r + 1;
}

/* The management-fee control by year, accrued against called, from r. */
static lxw_row_t
fee_table(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *F,
          const struct fb_fmts *fm)
{
    const struct rp_keys *years = rp_index_keys(c->ix, "fees", F);
    lxw_format *money = fm->money, *money_t = fm->money_t, *head = fm->head;
    char a[16], b[16], f[400];
    size_t y;
    lxw_row_t y0;
    double tot[2] = { 0, 0 };
    int i;

    if (!years || years->n == 0)
        return r;
    rp_write_text(c, ws, r++, 0, L(c, "管理费：按协议计提 vs 实际收取",
                                   "management fees: accrued by the terms vs called"),
                  rp_fmt_named(c, "label_strong", RP_PLAIN));
    rp_write_text(c, ws, r, 0, L(c, "年度", "year"), head);
    rp_write_text(c, ws, r, 1, L(c, "计提", "accrued"), head);
    rp_write_text(c, ws, r, 2, L(c, "已收取", "called"), head);
    rp_write_text(c, ws, r, 3, L(c, "差额（收取 − 计提）", "difference (called − accrued)"),
                  head);
    r++;
    y0 = r;
    for (y = 0; y < years->n; y++, r++) {
        const char *Y = years->keys[y];
        rp_write_text(c, ws, r, 0, Y, rp_fmt_named(c, "text", RP_PLAIN));
        rp_write_result(c, ws, r, 1, rp_index_result(c->ix, "fees", F, Y, "accrued"), money);
        rp_write_result(c, ws, r, 2, rp_index_result(c->ix, "fees", F, Y, "called"), money);
        snprintf(f, sizeof f, "%s-%s", rp_cell(r, 2, false, a), rp_cell(r, 1, false, b));
        rp_write_formula(c, ws, r, 3, f, num(c, "fees", F, Y, "difference"), money);
        tot[0] += num(c, "fees", F, Y, "accrued");
        tot[1] += num(c, "fees", F, Y, "called");
    }
    rp_write_text(c, ws, r, 0, L(c, "各年合计", "sum of the years"),
                  rp_fmt_named(c, "text", RP_TOTAL));
    for (i = 1; i <= 3; i++) {
        snprintf(f, sizeof f, "SUM(%s:%s)", rp_cell(y0, (lxw_col_t)i, false, a),
                 rp_cell(r - 1, (lxw_col_t)i, false, b));
        rp_write_formula(c, ws, r, (lxw_col_t)i, f,
                         i == 1 ? tot[0] : i == 2 ? tot[1] : tot[1] - tot[0], money_t);
    }
    r++;
    rp_write_text(c, ws, r, 0, L(c, "成立以来（一次舍入）", "since inception (rounded once)"),
                  rp_fmt_named(c, "text", RP_STRONG));
    rp_write_result(c, ws, r, 1, rp_index_result(c->ix, "fund", F, F, "fees_accrued"), money);
    rp_write_result(c, ws, r, 2, rp_index_result(c->ix, "fund", F, F, "fees_called"), money);
    snprintf(f, sizeof f, "%s-%s", rp_cell(r, 2, false, a), rp_cell(r, 1, false, b));
    rp_write_formula(c, ws, r, 3, f, num(c, "fund", F, F, "fees_difference"), money);
    r++;
    return r;
}

static lxw_row_t
fund_block(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const char *F)
{
    struct fb_fmts fm;
    lxw_format *section, *ratio;
    const struct pf_fund_terms *t = NULL;
    char f[400];
    lxw_row_t rows[6];
    int fi = pf_dataset_find_fund(c->ds, F);

    fm.money = rp_fmt_named(c, "money", RP_PLAIN);
    fm.money_t = rp_fmt_named(c, "money", RP_TOTAL);
    fm.head = rp_fmt_named(c, "header", RP_PLAIN);
    section = rp_fmt_named(c, "section", RP_PLAIN);
    ratio = rp_fmt_named(c, "ratio", RP_PLAIN); /* made, as always (the styles' order) */
    fm.pct = rp_fmt_named(c, "percent", RP_PLAIN);
    fm.note = rp_fmt_named(c, "note", RP_PLAIN);
    (void)ratio;
    if (fi >= 0)
        t = pf_dataset_terms_of(c->ds, fi);
    rp_write_text(c, ws, r++, 0, rp_fund_title(c, F), section);
    if (t) {
        snprintf(f, sizeof f, "%s %.4g%% · %s %.4g%% (%s) · %s %.4g%% · %s %.4g%% %s",
                 L(c, "业绩报酬", "carry"), (double)t->carry_e8 / 1e6,
                 L(c, "门槛收益率", "hurdle"), (double)t->hurdle_e8 / 1e6,
                 t->hurdle_simple ? L(c, "单利", "simple") : L(c, "复利", "compound"),
                 L(c, "追补", "catch-up"), (double)t->catch_up_e8 / 1e6,
                 L(c, "管理费", "fee"), (double)t->fee_rate_e8 / 1e6, t->fee_basis);
        rp_write_text(c, ws, r++, 0, f, fm.note);
    }
    r = tier_table(c, ws, r, F, &fm, rows);
    r = carry_lines(c, ws, r, F, t, &fm, rows);
    r = irr_bridge(c, ws, r, F, &fm);
    r = fee_table(c, ws, r, F, &fm);
    return r + 2;
}

void
rp_economics_sheet(struct rp_ctx *c)
{
    lxw_worksheet *ws = NULL;
    lxw_row_t r = 0;
    size_t f;

    for (f = 0; f < c->ix->nfunds; f++) {
        const char *F = c->ix->funds[f];
        if (!has_terms(c, F))
            continue;
        if (!ws) {
            ws = rp_add_named_sheet(c, "业绩报酬与管理费", "Carry & fees",
                           "分配瀑布、业绩报酬、毛净收益桥与管理费核对",
                           "Distribution waterfall, carried interest, gross-to-net bridge, "
                           "management-fee control", &r);
            if (!ws)
                return;
            worksheet_set_column(ws, 0, 0, 46, NULL);
            worksheet_set_column(ws, 1, 2, 20, NULL);
            worksheet_set_column(ws, 3, 3, 30, NULL); /* "difference (called − accrued)" */
        }
        r = fund_block(c, ws, r, F);
    }
}

/* One account row of the partner (fund F), e.g. "itd.accrued_carry_ending". */
static const struct pf_run_row *
account_row(struct rp_ctx *c, const char *F, const char *col)
{
    const struct rp_group *g = rp_index_rows(c->ix, "account", F, c->partner);
    size_t i;
    for (i = 0; g && i < g->n; i++) {
        const struct pf_run_row *w = &g->run->rows[g->idx[i]];
        if (strcmp(w->col, col) == 0)
            return w;
    }
    return NULL;
}

static double
row_value(const struct pf_run_row *w)
{
    return w && w->has_value ? (w->is_money ? (double)w->cents / 100.0 : w->value) : 0;
}

void
rp_economics_partner_sheet(struct rp_ctx *c)
{
    static const char *const periods[4] = { "month", "qtd", "ytd", "itd" };
    static const char *const pnames[4][2] = { { "本月", "month" }, { "本季至今", "QTD" },
                                              { "本年至今", "YTD" }, { "成立以来", "since inception" } };
    static const char *const lines[4] = { "accrued_carry_beginning", "carry_paid",
                                          "incentive_allocation_change", "accrued_carry_ending" };
    static const char *const lnames[4][2] = {
        { "期初计提业绩报酬", "accrued incentive allocation, beginning" },
        { "本期支付", "incentive allocation paid during the period" },
        { "本期变动", "periodic change" },
        { "期末计提业绩报酬", "accrued incentive allocation, end" } };
    lxw_worksheet *ws = NULL;
    lxw_row_t r = 0;
    size_t f;
    char a[16], b[16], d[16], fm[200], col[80];

    if (!c->partner)
        return;
    /* the partner's own funds only (rp_statement_write set them) */
    for (f = 0; c->pfunds && f < c->pfunds->n; f++) {
        const char *F = c->pfunds->keys[f];
        lxw_format *money = rp_fmt_named(c, "money", RP_PLAIN);
        lxw_format *head = rp_fmt_named(c, "header", RP_PLAIN);
        const struct pf_result *conc;
        lxw_row_t nav_row, acc_row, top;
        int p, l;

        if (!has_terms(c, F) || !rp_index_results(c->ix, "partner", F, c->partner))
            continue;
        if (!ws) {
            ws = rp_add_named_sheet(c, "业绩报酬", "Carried interest",
                           "贵方净值（扣除计提业绩报酬）与业绩报酬分摊",
                           "Your NAV net of carry and your share of the carried interest", &r);
            if (!ws)
                return;
            worksheet_set_column(ws, 0, 0, 44, NULL);
            worksheet_set_column(ws, 1, 5, 18, NULL);
        }
        rp_write_text(c, ws, r++, 0, rp_fund_title(c, F), rp_fmt_named(c, "section", RP_PLAIN));
        nav_row = r;
        line(c, ws, r++, L(c, "净值（扣除计提业绩报酬）", "NAV, net of incentive allocation"),
             NULL, rp_index_result(c->ix, "partner", F, c->partner, "nav"), 0, money);
        line(c, ws, r++, L(c, "已承担的已付业绩报酬", "carried interest paid, charged to you"),
             NULL, rp_index_result(c->ix, "partner", F, c->partner, "carry_charged"), 0, money);
        acc_row = r;
        line(c, ws, r++, L(c, "计提业绩报酬（贵方份额）", "accrued carried interest, your share"),
             NULL, rp_index_result(c->ix, "partner", F, c->partner, "carry_accrued"), 0, money);
        snprintf(fm, sizeof fm, "%s+%s", rp_cell(nav_row, 2, false, a),
                 rp_cell(acc_row, 2, false, b));
        {
            double v1 = 0, v2 = 0;
            rp_result_number(rp_index_result(c->ix, "partner", F, c->partner, "nav"), &v1);
            rp_result_number(rp_index_result(c->ix, "partner", F, c->partner, "carry_accrued"),
                             &v2);
            line(c, ws, r++, L(c, "净值（未扣计提业绩报酬）", "NAV, gross of accrued carry"), fm,
                 NULL, v1 + v2, money);
        }
        conc = rp_index_result(c->ix, "partner", F, c->partner, "concession_given");
        if (conc) {
            line(c, ws, r++, L(c, "让利（让出）", "concession given"), NULL, conc, 0, money);
            line(c, ws, r++, L(c, "让利（获得）", "concession received"), NULL,
                 rp_index_result(c->ix, "partner", F, c->partner, "concession_received"), 0,
                 money);
        }
        r++;
        top = r;
        rp_write_text(c, ws, r, 0, L(c, "业绩报酬分配（ILPA）", "incentive allocation (ILPA)"),
                      head);
        for (p = 0; p < 4; p++)
            rp_write_text(c, ws, r, (lxw_col_t)(1 + p), L(c, pnames[p][0], pnames[p][1]), head);
        r++;
        for (l = 0; l < 4; l++, r++) {
            rp_write_text(c, ws, r, 0, L(c, lnames[l][0], lnames[l][1]),
                          rp_fmt_named(c, "text", RP_PLAIN));
            for (p = 0; p < 4; p++) {
                const struct pf_run_row *w;
                snprintf(col, sizeof col, "%s.%s", periods[p], lines[l]);
                w = account_row(c, F, col);
                if (l == 3) { /* end = beginning − paid + change: a live check */
                    snprintf(fm, sizeof fm, "%s-%s+%s", rp_cell(top + 1, (lxw_col_t)(1 + p), false, a),
                             rp_cell(top + 2, (lxw_col_t)(1 + p), false, b),
                             rp_cell(top + 3, (lxw_col_t)(1 + p), false, d));
                    rp_write_formula(c, ws, r, (lxw_col_t)(1 + p), fm, row_value(w), money);
                } else {
                    rp_write_num(c, ws, r, (lxw_col_t)(1 + p), row_value(w), money);
                }
            }
        }
        r += 2;
    }
}
