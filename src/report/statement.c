/*
 * statement: one partner's capital-account statement. Only that partner's
 * stored figures, flows and blocks are read; fund-level figures appear only
 * where SPEC §7 asks for them (the total-fund column of the capital account,
 * the fund's chain exposure behind the look-through). Audit notes that name
 * another partner are shown without their detail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal --- */

static bool
is_partner_fund(struct rp_ctx *c, const char *fund)
{
    return rp_index_results(c->ix, "partner", fund, c->partner) != NULL;
}

/*
 * A run note the statement leaves out: it names another partner, or it is not about
 * exactly one of the partner's own funds (another fund's figures, or the whole
 * portfolio's: a partner sees nothing about a fund it is not in).
 */
static bool
hide_note(void *arg, size_t note)
{
    struct rp_ctx *c = arg;
    int who = c->note_who ? c->note_who[note] : -1;
    int fund = c->note_fund ? c->note_fund[note] : -1;
    if (who != -1 && (who < 0 || strcmp(c->ds->partners[who].partner_id, c->partner) != 0))
        return true;
    if (fund < 0)
        return true;
    return !is_partner_fund(c, c->ds->funds[fund].fund_id);
}

/* The partner's own XIRR blocks, "partner:<id>" in each of its funds. */
static struct rp_blockref *
partner_blocks(struct rp_ctx *c, size_t *n)
{
    struct rp_blockref *out = pf_xcalloc(c->ix->nfunds + 1, sizeof *out);
    char *key = pf_xasprintf("partner:%s", c->partner);
    size_t f;

    *n = 0;
    for (f = 0; f < c->ix->nfunds; f++) {
        const struct rp_group *g = rp_index_rows(c->ix, "block", c->ix->funds[f], key);
        if (!g || !is_partner_fund(c, c->ix->funds[f]))
            continue;
        out[*n].fund = c->run->rows[g->idx[0]].fund;
        out[(*n)++].key = c->run->rows[g->idx[0]].key;
    }
    free(key);
    return out;
}

static const struct pf_run_row *
account_row(struct rp_ctx *c, const char *fund, const char *key, const char *period,
            const char *line)
{
    const struct rp_group *g = rp_index_rows(c->ix, "account", fund, key);
    size_t i, lp = strlen(period);
    if (!g)
        return NULL;
    for (i = 0; i < g->n; i++) {
        const struct pf_run_row *r = &c->run->rows[g->idx[i]];
        if (strncmp(r->col, period, lp) == 0 && r->col[lp] == '.' &&
            strcmp(r->col + lp + 1, line) == 0)
            return r;
    }
    return NULL;
}

static pf_date
period_begins(struct rp_ctx *c, const char *fund, const char *period)
{
    const struct rp_group *g = rp_index_rows(c->ix, "account", fund, "*");
    size_t i, lp = strlen(period);
    for (i = 0; g && i < g->n; i++) {
        const struct pf_run_row *r = &c->run->rows[g->idx[i]];
        if (strncmp(r->col, period, lp) == 0 && r->col[lp] == '.' && r->date != PF_DATE_NONE)
            return r->date;
    }
    return PF_DATE_NONE;
}

static void
capital_account_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    const struct rp_table *t = &s->tables[0];
    lxw_worksheet *ws;
    lxw_row_t r;
    size_t f, p, sec, l, side;
    int ai = rp_table_col(t, "amount");
    int amount_fmt = ai >= 0 ? t->cols[ai].fmt : rp_defs_format(c->defs, "money");
    lxw_format *h = rp_fmt_named(c, "header", RP_PLAIN);
    lxw_format *hg = rp_fmt_named(c, "header_group", RP_PLAIN);
    lxw_format *f_date = rp_fmt_named(c, "date", RP_PLAIN);
    bool frozen = false;
    struct pf_buf fb = PF_BUF_INIT;
    const char *sides[2];

    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws)
        return;
    rp_check(c, worksheet_set_column(ws, 0, 0, t->ncols ? t->cols[0].width[c->lang] : 38,
                                     NULL), "a column width");
    rp_check(c, worksheet_set_column(ws, 1, (lxw_col_t)(2 * t->nperiods),
                                     ai >= 0 ? t->cols[ai].width[c->lang] : 17, NULL),
             "a column width");
    sides[0] = c->partner;
    sides[1] = "*";
    for (f = 0; f < c->ix->nfunds; f++) {
        const char *fund = c->ix->funds[f];
        lxw_row_t hdr;
        if (!is_partner_fund(c, fund))
            continue;
        rp_write_text(c, ws, r++, 0, rp_fund_title(c, fund), rp_fmt_named(c, "section",
                                                                             RP_PLAIN));
        /* two header rows: the periods (centred across two cells), then the sides */
        hdr = r;
        rp_write_text(c, ws, r, 0, t->ncols ? rp_tr(c, &t->cols[0].title) : "", h);
        for (p = 0; p < t->nperiods; p++) {
            rp_write_text(c, ws, r, (lxw_col_t)(1 + 2 * p), rp_tr(c, &t->periods[p].title), hg);
            rp_write_blank(c, ws, r, (lxw_col_t)(2 + 2 * p), hg);
        }
        r++;
        rp_check(c, worksheet_set_row(ws, r, c->lang == RP_BOTH ? 30 : 15, NULL), "a row");
        rp_write_blank(c, ws, r, 0, h);
        for (p = 0; p < t->nperiods; p++) {
            rp_write_text(c, ws, r, (lxw_col_t)(1 + 2 * p),
                          rp_tr(c, rp_table_text(c->defs, t, "sides", "partner")), h);
            rp_write_text(c, ws, r, (lxw_col_t)(2 + 2 * p),
                          rp_tr(c, rp_table_text(c->defs, t, "sides", "fund")), h);
        }
        r++;
        if (!frozen) {
            worksheet_freeze_panes(ws, r, 1);
            rp_check(c, worksheet_repeat_rows(ws, hdr, r - 1), "the print titles");
            frozen = true;
        }
        rp_write_text(c, ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "period_begins", NULL)),
                      rp_fmt_named(c, "note", RP_PLAIN));
        for (p = 0; p < t->nperiods; p++) {
            pf_date d = period_begins(c, fund, t->periods[p].id);
            rp_write_date(c, ws, r, (lxw_col_t)(1 + 2 * p), d, f_date);
            rp_write_date(c, ws, r, (lxw_col_t)(2 + 2 * p), d, f_date);
        }
        r++;

        for (sec = 0; sec < t->nsections; sec++) {
            const struct rp_section *S = &t->sections[sec];
            lxw_row_t first = r + 1;
            rp_write_text(c, ws, r++, 0, rp_tr(c, &S->title),
                          rp_fmt_named(c, "label_strong", RP_PLAIN));
            for (l = 0; l < S->nlines; l++) {
                const struct rp_line *L = &S->lines[l];
                enum rp_variant v = L->strong ? RP_STRONG : RP_PLAIN;
                lxw_format *fmt = rp_fmt(c, L->fmt >= 0 ? L->fmt : amount_fmt,
                                         L->sum_from ? RP_TOTAL : v);
                rp_write_text(c, ws, r, 0, rp_tr(c, &L->title),
                              rp_fmt_named(c, L->strong ? "label_strong" : "label", RP_PLAIN));
                for (p = 0; p < t->nperiods; p++)
                    for (side = 0; side < 2; side++) {
                        const struct pf_run_row *ar =
                            account_row(c, fund, sides[side], t->periods[p].id, L->id);
                        lxw_col_t col = (lxw_col_t)(1 + 2 * p + side);
                        double val = 0;
                        bool have = ar && ar->has_value;
                        if (have)
                            val = ar->is_money ? (double)ar->cents / 100.0 : ar->value;
                        if (L->sum_from) {
                            size_t a = 0, z = 0, k;
                            char ca[24], cz[24];
                            for (k = 0; k < l; k++) {
                                if (strcmp(S->lines[k].id, L->sum_from) == 0)
                                    a = k;
                                if (strcmp(S->lines[k].id, L->sum_to) == 0)
                                    z = k;
                            }
                            if (!have) {
                                rp_write_blank(c, ws, r, col, fmt);
                                continue;
                            }
                            pf_buf_reset(&fb);
                            pf_buf_addf(&fb, "SUM(%s:%s)",
                                        rp_cell(first + (lxw_row_t)a, col, false, ca),
                                        rp_cell(first + (lxw_row_t)z, col, false, cz));
                            rp_write_formula(c, ws, r, col, pf_buf_str(&fb), val, fmt);
                        } else if (have) {
                            rp_write_num(c, ws, r, col, L->sign < 0 ? -val : val, fmt);
                        } else {
                            rp_write_blank(c, ws, r, col, fmt);
                        }
                    }
                r++;
            }
        }
        r++;
    }
    pf_buf_release(&fb);
}

struct look_env {
    struct rp_ctx *c;
    lxw_row_t row;
    lxw_col_t col;
    double interest;
    bool has;
};

/* The partner's look-through in one chain: the engine's stored row, allocated to the
 * fen (the workbook renders it; it does not recompute it). */
static bool
look_value(void *arg, const struct rp_table *t, size_t col, const struct rp_rowref *rr,
           double *value)
{
    struct look_env *E = arg;
    const struct rp_group *g;
    size_t i;

    if (strcmp(t->cols[col].id, "look_through") != 0)
        return false;
    g = rp_index_rows(E->c->ix, "lookthrough", rr->fund, E->c->partner);
    for (i = 0; g && i < g->n; i++) {
        const struct pf_run_row *r = &E->c->run->rows[g->idx[i]];
        if (strcmp(r->col, rr->key) == 0 && r->has_value && r->is_money) {
            *value = (double)r->cents / 100.0;
            return true;
        }
    }
    return false;
}

static bool
look_param(void *arg, const char *name, const struct rp_rowref *rr, char *cell, double *value)
{
    struct look_env *E = arg;
    (void)rr;
    if (strcmp(name, "interest") != 0 || !E->has)
        return false;
    rp_cell(E->row, E->col, true, cell);
    *value = E->interest;
    return true;
}

static void
lookthrough_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    const struct rp_table *t = &s->tables[0];
    lxw_worksheet *ws;
    lxw_row_t r, hdr, last;
    size_t f;
    struct look_env E;
    struct rp_table_env env;

    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws)
        return;
    rp_col_widths(c, ws, t);
    memset(&env, 0, sizeof env);
    env.param = look_param;
    env.value = look_value;
    env.arg = &E;
    for (f = 0; f < c->ix->nfunds; f++) {
        const char *fund = c->ix->funds[f];
        const struct pf_result *in;
        const struct rp_keys *ks;
        struct rp_rowref *rows;
        size_t n = 0, k;

        if (!is_partner_fund(c, fund))
            continue;
        rp_write_text(c, ws, r++, 0, rp_fund_title(c, fund),
                      rp_fmt_named(c, "section", RP_PLAIN));
        in = rp_index_result(c->ix, "partner", fund, c->partner, "interest");
        memset(&E, 0, sizeof E);
        E.c = c;
        E.row = r;
        E.col = 2;
        E.has = rp_result_number(in, &E.interest);
        rp_write_text(c, ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "interest", NULL)),
                      rp_fmt_named(c, "label_strong", RP_PLAIN));
        rp_write_result(c, ws, r, E.col, in, rp_fmt_named(c, "percent", RP_STRONG));
        r += 2;
        ks = rp_index_keys(c->ix, "chain", fund);
        rows = pf_xcalloc(ks ? ks->n + 1 : 1, sizeof *rows);
        for (k = 0; ks && k < ks->n; k++) {
            if (strcmp(ks->keys[k], "*") == 0)
                continue;
            rows[n].fund = fund;
            rows[n].key = ks->keys[k];
            rows[n].idx = n;
            n++;
        }
        rp_table_write(c, ws, t, "chain", rows, n, &env, &r, &hdr, &last);
        free(rows);
    }
}

struct txn {
    pf_date date;
    int order;            /* 0 commitment, 1 flow */
    const char *fund, *flow, *kind, *purpose, *recallable;
    pf_cents amount;
};

static int
txn_cmp(const void *a, const void *b)
{
    const struct txn *x = a, *y = b;
    int k;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->order != y->order)
        return x->order - y->order;
    if ((k = strcmp(x->fund, y->fund)) != 0)
        return k;
    return strcmp(x->flow ? x->flow : "", y->flow ? y->flow : "");
}

static const char *const purpose_codes[] = {
    "investment", "management_fee", "expenses", "other_in",
    "return_of_capital", "gain", "income", "other_out"
};

static void
transactions_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    const struct rp_table *t = &s->tables[0];
    const struct pf_dataset *ds = c->ds;
    int pi = pf_dataset_find_partner(ds, c->partner);
    struct txn *tx = NULL;
    size_t n = 0, cap = 0, i;
    lxw_worksheet *ws;
    lxw_row_t r, hdr;
    lxw_format *f_text = rp_fmt_named(c, "text", RP_PLAIN);
    int di = rp_table_col(t, "date"), mi = rp_table_col(t, "amount");
    lxw_format *f_date = rp_fmt(c, di >= 0 ? t->cols[di].fmt : -1, RP_PLAIN);
    lxw_format *f_money = rp_fmt(c, mi >= 0 ? t->cols[mi].fmt : -1, RP_PLAIN);

    for (i = 0; pi >= 0 && i < ds->ncommitments; i++) {
        const struct pf_commitment *cm = &ds->commitments[i];
        if (cm->partner != pi || cm->date > c->run->as_of)
            continue;
        PF_GROW(tx, n + 1, cap);
        memset(&tx[n], 0, sizeof tx[n]);
        tx[n].date = cm->date;
        tx[n].fund = ds->funds[cm->fund].fund_id;
        tx[n].kind = rp_tr(c, rp_table_text(c->defs, t, "commitment", NULL));
        tx[n].amount = cm->amount;
        n++;
    }
    for (i = 0; pi >= 0 && i < ds->npflows; i++) {
        const struct pf_partner_flow *pf = &ds->pflows[i];
        const struct rp_text *lab;
        if (pf->partner != pi || pf->date > c->run->as_of)
            continue;
        PF_GROW(tx, n + 1, cap);
        memset(&tx[n], 0, sizeof tx[n]);
        tx[n].date = pf->date;
        tx[n].order = 1;
        tx[n].fund = ds->funds[pf->fund].fund_id;
        tx[n].flow = pf->flow_id;
        lab = rp_defs_label(c->defs, "flow_kind",
                            pf->kind == PF_CONTRIBUTION ? "contribution" : "distribution");
        tx[n].kind = rp_tr(c, lab);
        lab = (unsigned)pf->purpose < 8 ? rp_defs_label(c->defs, "purpose",
                                                        purpose_codes[pf->purpose]) : NULL;
        tx[n].purpose = lab ? rp_tr(c, lab) : "";
        if (pf->kind == PF_DISTRIBUTION)
            tx[n].recallable = rp_tr(c, rp_defs_label(c->defs, "yes_no",
                                                      pf->recallable ? "yes" : "no"));
        tx[n].amount = pf->amount;
        n++;
    }
    if (n)
        qsort(tx, n, sizeof *tx, txn_cmp);
    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws)
        goto cleanup;
    rp_col_widths(c, ws, t);
    hdr = r;
    if (n) /* before the rows: constant memory */
        rp_check(c, worksheet_autofilter(ws, hdr, 0, hdr + (lxw_row_t)n,
                                         (lxw_col_t)t->ncols - 1), "an autofilter");
    rp_header_row(c, ws, r++, t);
    worksheet_freeze_panes(ws, r, 0);
    rp_check(c, worksheet_repeat_rows(ws, hdr, hdr), "the print titles");
    for (i = 0; i < n; i++, r++) {
        size_t k;
        for (k = 0; k < t->ncols; k++) {
            const char *id = t->cols[k].id;
            lxw_col_t col = (lxw_col_t)k;
            if (strcmp(id, "date") == 0)
                rp_write_date(c, ws, r, col, tx[i].date, f_date);
            else if (strcmp(id, "fund") == 0)
                rp_write_text(c, ws, r, col, tx[i].fund, f_text);
            else if (strcmp(id, "flow") == 0)
                rp_write_text(c, ws, r, col, tx[i].flow, f_text);
            else if (strcmp(id, "kind") == 0)
                rp_write_text(c, ws, r, col, tx[i].kind, f_text);
            else if (strcmp(id, "purpose") == 0)
                rp_write_text(c, ws, r, col, tx[i].purpose, f_text);
            else if (strcmp(id, "amount") == 0)
                rp_write_num(c, ws, r, col, (double)tx[i].amount / 100.0, f_money);
            else if (strcmp(id, "recallable") == 0)
                rp_write_text(c, ws, r, col, tx[i].recallable, f_text);
        }
    }
    if (!n)
        rp_write_text(c, ws, r, 0, rp_tr(c, rp_defs_string(c->defs, "no_rows")),
                      rp_fmt_named(c, "note", RP_PLAIN));
cleanup:
    free(tx);
}

/* --- public --- */

pf_status
rp_statement_write(struct rp_ctx *c, const char *path, struct pf_err *err)
{
    const struct rp_book *b = &c->defs->partner;
    struct pf_buf title = PF_BUF_INIT;
    int pi = pf_dataset_find_partner(c->ds, c->partner);
    const char *name = pi >= 0 ? c->ds->partners[pi].name : c->partner;
    struct rp_blockref *blocks = NULL;
    size_t nblocks = 0;
    char day[16];
    pf_status rc;
    size_t i;

    c->book = b;
    pf_buf_addf(&title, "%s %s — %s", rp_tr(c, &b->title),
                pf_date_format(c->run->as_of, day, sizeof day), name);
    rc = rp_book_open(c, path, pf_buf_str(&title), rp_tr(c, &b->subject), err);
    pf_buf_release(&title);
    if (rc != PF_OK)
        return rc;
    rp_set_footer(c, name);
    blocks = partner_blocks(c, &nblocks);
    for (i = 0; i < b->nsheets; i++)
        if (strcmp(b->sheets[i].kind, "blocks") == 0)
            rp_blocks_layout(c, &b->sheets[i], blocks, nblocks);
    for (i = 0; i < b->nsheets; i++) {
        const struct rp_sheet *s = &b->sheets[i];
        if (strcmp(s->kind, "capital_account") == 0)
            capital_account_sheet(c, s);
        else if (strcmp(s->kind, "lookthrough") == 0)
            lookthrough_sheet(c, s);
        else if (strcmp(s->kind, "transactions") == 0)
            transactions_sheet(c, s);
        else if (strcmp(s->kind, "blocks") == 0)
            rp_blocks_write(c, s);
        else if (strcmp(s->kind, "audit") == 0)
            rp_audit_write(c, s, hide_note, c);
        else
            rp_tables_sheet(c, s, NULL);
    }
    rc = rp_book_close(c, path, err);
    rp_blocks_release(c);
    free(blocks);
    return rc;
}
