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

static int
size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/*
 * The run notes the statement shows, ascending: those about exactly one of the
 * partner's own funds (not another fund's figures, nor the whole portfolio's: a
 * partner sees nothing about a fund it is not in) that name no other partner.
 * Only the partner's funds' notes are read (report.c lists them per fund once).
 */
static size_t *
shown_notes(struct rp_ctx *c, size_t *n)
{
    size_t *out = NULL, cap = 0, f, i;

    *n = 0;
    for (f = 0; c->pfunds && f < c->pfunds->n; f++) {
        const struct rp_group *g = pf_map_get(&c->fund_notes, c->pfunds->keys[f]);
        for (i = 0; g && i < g->n; i++) {
            int who = c->note_who ? c->note_who[g->idx[i]] : -1;
            if (who != -1 &&
                (who < 0 || strcmp(c->ds->partners[who].partner_id, c->partner) != 0))
                continue;
            PF_GROW(out, *n + 1, cap);
            out[(*n)++] = g->idx[i];
        }
    }
    /* in note order when the partner is in several funds */
    if (c->pfunds && c->pfunds->n > 1 && *n > 1)
        qsort(out, *n, sizeof *out, size_cmp);
    return out;
}

/* The partner's own XIRR blocks, "partner:<id>" in each of its funds. */
static struct rp_blockref *
partner_blocks(struct rp_ctx *c, size_t *n)
{
    size_t nf = c->pfunds ? c->pfunds->n : 0;
    struct rp_blockref *out = pf_xcalloc(nf + 1, sizeof *out);
    char *key = pf_xasprintf("partner:%s", c->partner);
    size_t f;

    *n = 0;
    for (f = 0; f < nf; f++)
        if (rp_index_block_ref(c->ix, c->pfunds->keys[f], key, &out[*n]))
            (*n)++;
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
        const struct pf_run_row *r = &g->run->rows[g->idx[i]];
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
        const struct pf_run_row *r = &g->run->rows[g->idx[i]];
        if (strncmp(r->col, period, lp) == 0 && r->col[lp] == '.' && r->date != PF_DATE_NONE)
            return r->date;
    }
    return PF_DATE_NONE;
}

/* --- the partner's flow list (laid out before any sheet: the capital account's
 * formulas read it) --- */

struct txn {
    pf_date date;
    int order;            /* 0 commitment, 1 flow */
    const char *fund, *currency, *flow, *kind, *purpose, *recallable, *mark, *note;
    pf_cents amount;
    bool counted;         /* false: a corrected pair (reversed / reverses), not in any sum */
    int fi;               /* ds fund index */
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

/* Where the flow list sits: its sheet, rows and the columns the formulas read. */
#define TX_HDR 4
struct txlist {
    struct txn *tx;
    size_t n;
    const struct rp_sheet *sheet;
    char *prefix;                 /* "'Sheet'!" */
    lxw_row_t first, last;        /* data rows (last < first when empty) */
    int c_date, c_fund, c_kind, c_purpose, c_amount, c_recallable;
    char **owned;                 /* strings built for marks */
    size_t nowned;
};

static const char *
label_of(struct rp_ctx *c, const char *group, const char *code)
{
    const struct rp_text *t = rp_defs_label(c->defs, group, code);
    return t ? rp_tr(c, t) : code;
}

static const char *
own(struct txlist *L, char *s)
{
    L->owned = pf_xreallocarray(L->owned, L->nowned + 1, sizeof *L->owned);
    L->owned[L->nowned++] = s;
    return s;
}

/*
 * The reference a statement shows for a flow: "R-" and the first 10 hex digits of the
 * SHA-256 of its id. The manager's ids are numbered across all partners, so the gaps
 * between one partner's ids would tell it how many others were called with it; the
 * digest keeps each flow traceable (the manager recomputes it) without that.
 */
static const char *
flow_ref(struct txlist *L, const char *flow_id)
{
    char hex[65];
    if (!flow_id || !*flow_id)
        return flow_id;
    pf_sha256_hex(flow_id, strlen(flow_id), hex);
    return own(L, pf_xasprintf("R-%.10s", hex));
}

/* A counted flow's note from input (report.c indexes them once by flow id). */
static const char *
flow_note(struct rp_ctx *c, const char *flow_id)
{
    return pf_map_get(&c->flow_notes, flow_id);
}

static void
txlist_build(struct rp_ctx *c, struct txlist *L)
{
    const struct pf_dataset *ds = c->ds;
    int pi = pf_dataset_find_partner(ds, c->partner);
    const struct rp_table *t;
    const struct rp_group *gc, *gf, *gk;
    size_t cap = 0, j, b, nc, nf, nk;

    memset(L, 0, sizeof *L);
    for (b = 0; b < c->book->nsheets; b++)
        if (strcmp(c->book->sheets[b].kind, "transactions") == 0)
            L->sheet = &c->book->sheets[b];
    if (!L->sheet)
        return;
    t = &L->sheet->tables[0];
    L->c_date = rp_table_col(t, "date");
    L->c_fund = rp_table_col(t, "fund");
    L->c_kind = rp_table_col(t, "kind");
    L->c_purpose = rp_table_col(t, "purpose");
    L->c_amount = rp_table_col(t, "amount");
    L->c_recallable = rp_table_col(t, "recallable");
    /* the partner's own rows when report.c listed them, else all of them */
    gc = pi >= 0 && c->p_commit ? &c->p_commit[pi] : NULL;
    gf = pi >= 0 && c->p_flows ? &c->p_flows[pi] : NULL;
    gk = c->corr && c->p_corr.n ? pf_map_get(&c->p_corr, c->partner) : NULL;
    nc = gc ? gc->n : ds->ncommitments;
    nf = gf ? gf->n : ds->npflows;
    nk = c->p_corr.n ? (gk ? gk->n : 0) : c->corr ? c->corr->n : 0;
    for (j = 0; pi >= 0 && j < nc; j++) {
        const struct pf_commitment *cm = &ds->commitments[gc ? gc->idx[j] : j];
        if (cm->partner != pi || cm->date > c->run->as_of)
            continue;
        PF_GROW(L->tx, L->n + 1, cap);
        memset(&L->tx[L->n], 0, sizeof L->tx[L->n]);
        L->tx[L->n].date = cm->date;
        L->tx[L->n].fi = cm->fund;
        L->tx[L->n].fund = ds->funds[cm->fund].fund_id;
        L->tx[L->n].currency = ds->funds[cm->fund].currency;
        L->tx[L->n].kind = rp_tr(c, rp_table_text(c->defs, t, "commitment", NULL));
        L->tx[L->n].amount = cm->amount;
        L->tx[L->n].counted = true;
        L->n++;
    }
    for (j = 0; pi >= 0 && j < nf; j++) {
        const struct pf_partner_flow *pf = &ds->pflows[gf ? gf->idx[j] : j];
        struct txn *x;
        if (pf->partner != pi || pf->date > c->run->as_of)
            continue;
        PF_GROW(L->tx, L->n + 1, cap);
        x = &L->tx[L->n++];
        memset(x, 0, sizeof *x);
        x->date = pf->date;
        x->order = 1;
        x->fi = pf->fund;
        x->fund = ds->funds[pf->fund].fund_id;
        x->currency = ds->funds[pf->fund].currency;
        x->flow = flow_ref(L, pf->flow_id);
        x->kind = label_of(c, "flow_kind",
                           pf->kind == PF_CONTRIBUTION ? "contribution" : "distribution");
        x->purpose = (unsigned)pf->purpose < 8 ? label_of(c, "purpose",
                                                          purpose_codes[pf->purpose]) : "";
        if (pf->kind == PF_DISTRIBUTION)
            x->recallable = label_of(c, "yes_no", pf->recallable ? "yes" : "no");
        x->amount = pf->amount;
        x->counted = true;
        x->note = flow_note(c, pf->flow_id);
    }
    /* the corrected pairs: shown, marked, never summed */
    for (j = 0; j < nk; j++) {
        const struct pf_correction *k = &c->corr->v[gk ? gk->idx[j] : j];
        int fi = pf_dataset_find_fund(ds, k->fund_id);
        bool contrib = strcmp(k->kind, "contribution") == 0;
        struct txn *x;
        char code[40];
        if (strcmp(k->partner_id, c->partner) != 0 || fi < 0 || k->date > c->run->as_of)
            continue;
        PF_GROW(L->tx, L->n + 1, cap);
        x = &L->tx[L->n++];
        memset(x, 0, sizeof *x);
        x->date = k->date;
        x->order = 1;
        x->fi = fi;
        x->fund = ds->funds[fi].fund_id;
        x->currency = ds->funds[fi].currency;
        x->flow = flow_ref(L, k->flow_id);
        x->kind = label_of(c, "flow_kind", contrib ? "contribution" : "distribution");
        snprintf(code, sizeof code, "%s%s", k->purpose,
                 strcmp(k->purpose, "other") == 0 ? (contrib ? "_in" : "_out") : "");
        x->purpose = label_of(c, "purpose", code);
        x->amount = k->amount;
        x->counted = false;
        x->note = k->note;
        if (*k->reverses)
            x->mark = own(L, pf_xasprintf("%s %s", label_of(c, "correction", "reverses"),
                                          flow_ref(L, k->reverses)));
        else
            x->mark = own(L, pf_xasprintf("%s %s", label_of(c, "correction", "reversed"),
                                          flow_ref(L, k->reversed_by)));
    }
    if (L->n)
        qsort(L->tx, L->n, sizeof *L->tx, txn_cmp);
    L->first = TX_HDR + 1;
    L->last = TX_HDR + (lxw_row_t)L->n;
    {
        struct pf_buf pb = PF_BUF_INIT;
        rp_sheet_prefix(&pb, rp_sheet_name(c, L->sheet));
        L->prefix = pf_buf_detach(&pb);
    }
}

static void
txlist_release(struct txlist *L)
{
    size_t i;
    for (i = 0; i < L->nowned; i++)
        free(L->owned[i]);
    free(L->owned);
    free(L->tx);
    free(L->prefix);
}

/* "'Flows'!$G$6:$G$80" for a column of the flow list (one row when it is empty). */
static void
tx_range(const struct txlist *L, struct pf_buf *b, int col)
{
    char a[24], z[24];
    lxw_row_t last = L->last >= L->first ? L->last : L->first;
    pf_buf_adds(b, L->prefix);
    pf_buf_adds(b, rp_cell(L->first, (lxw_col_t)col, true, a));
    pf_buf_addc(b, ':');
    pf_buf_adds(b, rp_cell(last, (lxw_col_t)col, true, z));
}

/* SUMPRODUCT over the flow list: fund = fund_cell, begin < date <= end (either may be
 * NULL), kind = kind_cell, [purpose or recallable column] = crit_cell, of the amount. */
static void
tx_sum(const struct txlist *L, struct pf_buf *b, const char *fund_cell, const char *begin,
       const char *end, const char *kind_cell, int crit_col, const char *crit_cell)
{
    pf_buf_adds(b, "SUMPRODUCT((");
    tx_range(L, b, L->c_fund);
    pf_buf_addf(b, "=%s)", fund_cell);
    if (begin) {
        pf_buf_adds(b, "*(");
        tx_range(L, b, L->c_date);
        pf_buf_addf(b, ">%s)", begin);
    }
    if (end) {
        pf_buf_adds(b, "*(");
        tx_range(L, b, L->c_date);
        pf_buf_addf(b, "<=%s)", end);
    }
    pf_buf_adds(b, "*(");
    tx_range(L, b, L->c_kind);
    pf_buf_addf(b, "=%s)", kind_cell);
    if (crit_cell && crit_col >= 0) {
        pf_buf_adds(b, "*(");
        tx_range(L, b, crit_col);
        pf_buf_addf(b, "=%s)", crit_cell);
    }
    pf_buf_adds(b, "*");
    tx_range(L, b, L->c_amount);
    pf_buf_addc(b, ')');
}

/* --- capital account --- */

static void
acct_put(struct rp_ctx *c, const char *fund, const char *period, const char *line,
         const char *sheet, lxw_row_t r, lxw_col_t col)
{
    struct pf_buf k = PF_BUF_INIT, v = PF_BUF_INIT;
    char cell[24];
    pf_buf_addf(&k, "%s\x1f%s\x1f%s", fund, period, line);
    rp_sheet_prefix(&v, sheet);
    pf_buf_adds(&v, rp_cell(r, col, true, cell));
    free(pf_map_put(&c->acct_cells, pf_buf_str(&k), pf_buf_detach(&v)));
    pf_buf_release(&k);
}

static const char *
acct_get(struct rp_ctx *c, const char *fund, const char *period, const char *line)
{
    struct pf_buf k = PF_BUF_INIT;
    const char *v;
    pf_buf_addf(&k, "%s\x1f%s\x1f%s", fund, period, line);
    v = pf_map_get(&c->acct_cells, pf_buf_str(&k));
    pf_buf_release(&k);
    return v;
}

/* What links a line of the partner's side to its flow list. */
enum link { L_VALUE, L_CONTRIB, L_DIST, L_NEG_OF, L_COMMIT_TO_DATE, L_COMMIT_NEW, L_RECALL,
            L_LESS_CONTRIB };

static enum link
line_link(const char *id, const char **ref)
{
    *ref = NULL;
    if (strncmp(id, "contrib_", 8) == 0)
        return L_CONTRIB;
    if (strncmp(id, "dist_", 5) == 0)
        return L_DIST;
    if (strcmp(id, "management_fees") == 0) {
        *ref = "contrib_management_fee";
        return L_NEG_OF;
    }
    if (strcmp(id, "expenses") == 0) {
        *ref = "contrib_expenses";
        return L_NEG_OF;
    }
    if (strcmp(id, "commitment") == 0)
        return L_COMMIT_TO_DATE;
    if (strcmp(id, "new_commitments") == 0)
        return L_COMMIT_NEW;
    if (strcmp(id, "plus_recallable") == 0)
        return L_RECALL;
    if (strcmp(id, "less_contributions") == 0)
        return L_LESS_CONTRIB;
    return L_VALUE;
}

/* What the Capital account sheet's parts share while it is written. */
struct acct {
    lxw_worksheet *ws;
    const struct rp_table *t;
    const struct txlist *L;
    const char *sheet, *fund, *sides[2];
    lxw_col_t ck, cp;                /* the criteria columns: kind, purpose */
    lxw_row_t begin_row, end_row;    /* the fund's period begin and end dates */
    char fund_cell[24];
    int amount_fmt;
    lxw_format *h, *hg, *f_date, *f_crit;
    const char *lab_contrib, *lab_dist, *lab_commit, *lab_yes;
    bool frozen;
    struct pf_buf fb;
};

/* The fund's title, its two header rows and its period begin and end dates, from r. */
static lxw_row_t
account_fund_head(struct rp_ctx *c, struct acct *A, lxw_row_t r)
{
    const struct rp_table *t = A->t;
    int fi = pf_dataset_find_fund(c->ds, A->fund);
    lxw_row_t hdr, title_row = r;
    size_t p;

    rp_write_text(c, A->ws, r, 0, A->fund, rp_fmt_named(c, "section", RP_PLAIN));
    if (fi >= 0) {
        pf_buf_reset(&A->fb);
        pf_buf_addf(&A->fb, "%s  (%s)", c->ds->funds[fi].name, c->ds->funds[fi].currency);
        rp_write_text(c, A->ws, r, 1, pf_buf_str(&A->fb), rp_fmt_named(c, "section", RP_PLAIN));
    }
    r++;
    rp_cell(title_row, 0, true, A->fund_cell);
    acct_put(c, A->fund, "fund", "id", A->sheet, title_row, 0);
    /* two header rows: the periods (centred across two cells), then the sides */
    hdr = r;
    rp_write_text(c, A->ws, r, 0, t->ncols ? rp_tr(c, &t->cols[0].title) : "", A->h);
    for (p = 0; p < t->nperiods; p++) {
        rp_write_text(c, A->ws, r, (lxw_col_t)(1 + 2 * p), rp_tr(c, &t->periods[p].title),
                      A->hg);
        rp_write_blank(c, A->ws, r, (lxw_col_t)(2 + 2 * p), A->hg);
    }
    rp_write_text(c, A->ws, r, A->ck, rp_tr(c, rp_table_text(c->defs, t, "criteria", "kind")),
                  A->h);
    rp_write_text(c, A->ws, r, A->cp,
                  rp_tr(c, rp_table_text(c->defs, t, "criteria", "purpose")), A->h);
    r++;
    rp_check(c, worksheet_set_row(A->ws, r, c->lang == RP_BOTH ? 30 : 15, NULL), "a row");
    rp_write_blank(c, A->ws, r, 0, A->h);
    for (p = 0; p < t->nperiods; p++) {
        rp_write_text(c, A->ws, r, (lxw_col_t)(1 + 2 * p),
                      rp_tr(c, rp_table_text(c->defs, t, "sides", "partner")), A->h);
        rp_write_text(c, A->ws, r, (lxw_col_t)(2 + 2 * p),
                      rp_tr(c, rp_table_text(c->defs, t, "sides", "fund")), A->h);
    }
    rp_write_blank(c, A->ws, r, A->ck, A->h);
    rp_write_blank(c, A->ws, r, A->cp, A->h);
    r++;
    if (!A->frozen) {
        worksheet_freeze_panes(A->ws, r, 1);
        rp_check(c, worksheet_repeat_rows(A->ws, hdr, r - 1), "the print titles");
        A->frozen = true;
    }
    A->begin_row = r;
    rp_write_text(c, A->ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "period_begins", NULL)),
                  rp_fmt_named(c, "note", RP_PLAIN));
    for (p = 0; p < t->nperiods; p++) {
        pf_date d = period_begins(c, A->fund, t->periods[p].id);
        rp_write_date(c, A->ws, r, (lxw_col_t)(1 + 2 * p), d, A->f_date);
        rp_write_date(c, A->ws, r, (lxw_col_t)(2 + 2 * p), d, A->f_date);
    }
    r++;
    A->end_row = r;
    rp_write_text(c, A->ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "period_ends", NULL)),
                  rp_fmt_named(c, "note", RP_PLAIN));
    for (p = 0; p < t->nperiods; p++) {
        rp_write_date(c, A->ws, r, (lxw_col_t)(1 + 2 * p), c->run->as_of, A->f_date);
        rp_write_date(c, A->ws, r, (lxw_col_t)(2 + 2 * p), c->run->as_of, A->f_date);
    }
    return r + 1;
}

/* The formula of a partner-side cell of line Ln (link lk) in period p, into A->fb
 * (left empty when the figure is a plain value). */
static void
account_formula(struct rp_ctx *c, struct acct *A, enum link lk, const char *ref, size_t p,
                lxw_col_t col, const char *kcell, int crit_col, const char *ccell)
{
    const char *period = A->t->periods[p].id;
    char bc[24], ec[24];
    rp_cell(A->begin_row, col, false, bc);
    rp_cell(A->end_row, col, false, ec);
    pf_buf_reset(&A->fb);
    switch (lk) {
    case L_CONTRIB:
        tx_sum(A->L, &A->fb, A->fund_cell, bc, ec, kcell, crit_col, ccell);
        break;
    case L_DIST:
        pf_buf_addc(&A->fb, '-');
        tx_sum(A->L, &A->fb, A->fund_cell, bc, ec, kcell, crit_col, ccell);
        break;
    case L_COMMIT_TO_DATE:
        tx_sum(A->L, &A->fb, A->fund_cell, NULL, ec, kcell, -1, NULL);
        break;
    case L_COMMIT_NEW:
        tx_sum(A->L, &A->fb, A->fund_cell, bc, ec, kcell, -1, NULL);
        break;
    case L_RECALL:
        tx_sum(A->L, &A->fb, A->fund_cell, bc, ec, kcell, crit_col, ccell);
        break;
    case L_NEG_OF: {
        const char *cell = acct_get(c, A->fund, period, ref);
        const char *bang = cell ? strrchr(cell, '!') : NULL;
        if (bang)
            pf_buf_addf(&A->fb, "-%s", bang + 1);
        break;
    }
    case L_LESS_CONTRIB: {
        const char *a = acct_get(c, A->fund, period, "contrib_investment");
        const char *z = acct_get(c, A->fund, period, "contrib_other");
        if (a && z)
            pf_buf_addf(&A->fb, "-SUM(%s:%s)", strrchr(a, '!') + 1, strrchr(z, '!') + 1);
        break;
    }
    default:
        break;
    }
}

/* Line l of section S at row r (the section's first line at row first). */
static void
account_line(struct rp_ctx *c, struct acct *A, const struct rp_section *S, size_t l,
             lxw_row_t first, lxw_row_t r)
{
    const struct rp_table *t = A->t;
    const struct rp_line *Ln = &S->lines[l];
    enum rp_variant v = Ln->strong ? RP_STRONG : RP_PLAIN;
    lxw_format *fmt = rp_fmt(c, Ln->fmt >= 0 ? Ln->fmt : A->amount_fmt,
                             Ln->sum_from ? RP_TOTAL : v);
    const char *ref = NULL;
    enum link lk = A->L->sheet ? line_link(Ln->id, &ref) : L_VALUE;
    const char *kind_lab = NULL, *crit_lab = NULL;
    char kcell[24], ccell[24];
    int crit_col = -1;
    size_t p, side;

    rp_write_text(c, A->ws, r, 0, rp_tr(c, &Ln->title),
                  rp_fmt_named(c, Ln->strong ? "label_strong" : "label", RP_PLAIN));
    /* the criteria the formulas compare with the flow list's columns */
    if (lk == L_CONTRIB || lk == L_DIST) {
        char code[40];
        const char *pur = strchr(Ln->id, '_') + 1;
        kind_lab = lk == L_CONTRIB ? A->lab_contrib : A->lab_dist;
        snprintf(code, sizeof code, "%s%s", pur,
                 strcmp(pur, "other") == 0 ? (lk == L_CONTRIB ? "_in" : "_out") : "");
        crit_lab = label_of(c, "purpose", code);
        crit_col = A->L->c_purpose;
    } else if (lk == L_COMMIT_TO_DATE || lk == L_COMMIT_NEW) {
        kind_lab = A->lab_commit;
    } else if (lk == L_RECALL) {
        kind_lab = A->lab_dist;
        crit_lab = A->lab_yes;
        crit_col = A->L->c_recallable;
    }
    if (kind_lab)
        rp_write_text(c, A->ws, r, A->ck, kind_lab, A->f_crit);
    if (lk == L_CONTRIB || lk == L_DIST)
        acct_put(c, A->fund, "kind", lk == L_CONTRIB ? "contribution" : "distribution",
                 A->sheet, r, A->ck);
    if (crit_lab)
        rp_write_text(c, A->ws, r, A->cp, crit_lab, A->f_crit);
    rp_cell(r, A->ck, true, kcell);
    rp_cell(r, A->cp, true, ccell);
    for (p = 0; p < t->nperiods; p++)
        for (side = 0; side < 2; side++) {
            const struct pf_run_row *ar =
                account_row(c, A->fund, A->sides[side], t->periods[p].id, Ln->id);
            lxw_col_t col = (lxw_col_t)(1 + 2 * p + side);
            double val = 0;
            bool have = ar && ar->has_value;
            if (have)
                val = ar->is_money ? (double)ar->cents / 100.0 : ar->value;
            if (side == 0)
                acct_put(c, A->fund, t->periods[p].id, Ln->id, A->sheet, r, col);
            if (!have) {
                rp_write_blank(c, A->ws, r, col, fmt);
                continue;
            }
            if (Ln->sum_from) {
                size_t a = 0, z = 0, k;
                char ca[24], cz[24];
                for (k = 0; k < l; k++) {
                    if (strcmp(S->lines[k].id, Ln->sum_from) == 0)
                        a = k;
                    if (strcmp(S->lines[k].id, Ln->sum_to) == 0)
                        z = k;
                }
                pf_buf_reset(&A->fb);
                pf_buf_addf(&A->fb, "SUM(%s:%s)", rp_cell(first + (lxw_row_t)a, col, false, ca),
                            rp_cell(first + (lxw_row_t)z, col, false, cz));
                rp_write_formula(c, A->ws, r, col, pf_buf_str(&A->fb), val, fmt);
                continue;
            }
            if (side == 1 || lk == L_VALUE) {
                rp_write_num(c, A->ws, r, col, Ln->sign < 0 ? -val : val, fmt);
                continue;
            }
            account_formula(c, A, lk, ref, p, col, kcell, crit_col, ccell);
            val = Ln->sign < 0 ? -val : val;
            if (A->fb.len)
                rp_write_formula(c, A->ws, r, col, pf_buf_str(&A->fb), val, fmt);
            else
                rp_write_num(c, A->ws, r, col, val, fmt);
        }
}

static void
capital_account_sheet(struct rp_ctx *c, const struct rp_sheet *s, const struct txlist *L)
{
    const struct rp_table *t = &s->tables[0];
    struct acct A;
    lxw_row_t r;
    size_t f, sec, l;
    int ai = rp_table_col(t, "amount");
    double w;

    memset(&A, 0, sizeof A);
    A.t = t;
    A.L = L;
    A.amount_fmt = ai >= 0 ? t->cols[ai].fmt : rp_defs_format(c->defs, "money");
    A.h = rp_fmt_named(c, "header", RP_PLAIN);
    A.hg = rp_fmt_named(c, "header_group", RP_PLAIN);
    A.f_date = rp_fmt_named(c, "date", RP_PLAIN);
    A.f_crit = rp_fmt_named(c, "note", RP_PLAIN);
    A.sheet = rp_sheet_name(c, s);
    A.ck = (lxw_col_t)(1 + 2 * t->nperiods);
    A.cp = A.ck + 1;
    A.lab_contrib = label_of(c, "flow_kind", "contribution");
    A.lab_dist = label_of(c, "flow_kind", "distribution");
    A.lab_commit = rp_tr(c, rp_table_text(c->defs, L->sheet ? &L->sheet->tables[0] : t,
                                          "commitment", NULL));
    A.lab_yes = label_of(c, "yes_no", "yes");
    A.ws = rp_add_sheet(c, s, NULL, &r);
    if (!A.ws)
        return;
    rp_set_width(c, A.ws, 0, 0, t->ncols ? t->cols[0].width[c->lang] : 38);
    rp_set_width(c, A.ws, 1, (lxw_col_t)(2 * t->nperiods),
                 ai >= 0 ? t->cols[ai].width[c->lang] : 17);
    rp_set_width(c, A.ws, A.ck, A.cp, c->lang == RP_BOTH ? 24 : 16);
    A.sides[0] = c->partner;
    A.sides[1] = "*";
    for (f = 0; c->pfunds && f < c->pfunds->n; f++) {
        A.fund = c->pfunds->keys[f];
        r = account_fund_head(c, &A, r);
        for (sec = 0; sec < t->nsections; sec++) {
            const struct rp_section *S = &t->sections[sec];
            lxw_row_t first = r + 1;
            rp_write_text(c, A.ws, r++, 0, rp_tr(c, &S->title),
                          rp_fmt_named(c, "label_strong", RP_PLAIN));
            for (l = 0; l < S->nlines; l++)
                account_line(c, &A, S, l, first, r++);
        }
        r++;
    }
    /* which cells are values: everything else of your share is a formula; wrapped in the
     * line column, so the page is as wide as the statement */
    w = t->ncols ? t->cols[0].width[c->lang] : 40;
    rp_write_long_note(c, A.ws, r++, 0, rp_tr(c, rp_table_text(c->defs, t, "footnote", NULL)),
                       w);
    rp_write_long_note(c, A.ws, r++, 0, rp_tr(c, rp_defs_string(c->defs, "disclaimer")), w);
    rp_check(c, worksheet_print_area(A.ws, 0, 0, r, A.cp), "the print area");
    pf_buf_release(&A.fb);
}

/* --- performance: links to the capital account --- */

static bool
perf_special(void *arg, struct rp_ctx *c, const struct rp_table *t, size_t col,
             const struct rp_rowref *rr, lxw_row_t row, struct pf_buf *formula, double *value)
{
    const char *sp = t->cols[col].special, *metric, *a = NULL, *z = NULL;
    const struct pf_result *res;
    (void)arg;
    (void)row;
    pf_buf_reset(formula);
    if (strncmp(sp, "account:", 8) != 0)
        return false;
    metric = sp + 8;
    res = rp_index_result(c->ix, "partner", rr->fund, c->partner, metric);
    if (!rp_result_number(res, value))
        return false;
    if (strcmp(metric, "commitment") == 0)
        a = acct_get(c, rr->fund, "itd", "commitment");
    else if (strcmp(metric, "nav") == 0)
        a = acct_get(c, rr->fund, "itd", "ending_nav");
    else if (strcmp(metric, "unfunded") == 0)
        a = acct_get(c, rr->fund, "itd", "ending_unfunded");
    else if (strcmp(metric, "paid_in") == 0) {
        a = acct_get(c, rr->fund, "itd", "contrib_investment");
        z = acct_get(c, rr->fund, "itd", "contrib_other");
    } else if (strcmp(metric, "distributions") == 0) {
        a = acct_get(c, rr->fund, "itd", "dist_return_of_capital");
        z = acct_get(c, rr->fund, "itd", "dist_other");
    }
    if (!a)
        return true; /* a plain value */
    if (z)
        pf_buf_addf(formula, "%sSUM(%s:%s)", strcmp(metric, "distributions") == 0 ? "-" : "",
                    a, strrchr(z, '!') + 1);
    else
        pf_buf_adds(formula, a);
    return true;
}

/* --- the IRR flows: each netted row a SUMPRODUCT over the flow list, the NAV row the
 * capital account's ending NAV --- */

static char *
statement_block_link(struct rp_ctx *c, const char *fund, const char *block, bool is_nav,
                     lxw_row_t row)
{
    const struct txlist *L = c->stmt;
    struct pf_buf b = PF_BUF_INIT;
    const char *navc, *fc, *kc, *kd;
    char dcell[24];
    (void)block;
    if (is_nav) {
        navc = acct_get(c, fund, "itd", "ending_nav");
        return navc ? pf_xstrdup(navc) : NULL;
    }
    if (!L || !L->sheet)
        return NULL;
    /* criteria cells on the capital account: the fund id and the kind labels */
    fc = acct_get(c, fund, "fund", "id");
    kc = acct_get(c, fund, "kind", "contribution");
    kd = acct_get(c, fund, "kind", "distribution");
    if (!fc || !kc || !kd)
        return NULL;
    rp_cell(row, RP_FLOW_COL_DATE, false, dcell);
    pf_buf_adds(&b, "SUMPRODUCT((");
    tx_range(L, &b, L->c_fund);
    pf_buf_addf(&b, "=%s)*(", fc);
    tx_range(L, &b, L->c_date);
    pf_buf_addf(&b, "=%s)*((", dcell);
    tx_range(L, &b, L->c_kind);
    pf_buf_addf(&b, "=%s)-(", kd);
    tx_range(L, &b, L->c_kind);
    pf_buf_addf(&b, "=%s))*", kc);
    tx_range(L, &b, L->c_amount);
    pf_buf_addc(&b, ')');
    return pf_buf_detach(&b);
}

struct look_env {
    struct rp_ctx *c;
};

/* The partner's look-through rows and the fund's figure beside each: the engine's
 * stored rows, allocated to the fen (the workbook renders them; it does not recompute). */
static bool
look_value(void *arg, const struct rp_table *t, size_t col, const struct rp_rowref *rr,
           double *value)
{
    struct look_env *E = arg;
    const char *id = t->cols[col].id;
    const struct rp_group *g;
    size_t i;

    if (strcmp(id, "fund_value") == 0) {
        const struct pf_result *r =
            strcmp(rr->key, "cash") == 0
                ? rp_index_result(E->c->ix, "fund", rr->fund, rr->fund, "cash")
                : rp_index_result(E->c->ix, "chain", rr->fund, rr->key, "nav");
        return rp_result_number(r, value);
    }
    if (strcmp(id, "look_through") != 0)
        return false;
    g = rp_index_rows(E->c->ix, "lookthrough", rr->fund, E->c->partner);
    for (i = 0; g && i < g->n; i++) {
        const struct pf_run_row *r = &g->run->rows[g->idx[i]];
        if (strcmp(r->col, rr->key) == 0 && r->has_value && r->is_money) {
            *value = (double)r->cents / 100.0;
            return true;
        }
    }
    return false;
}

static void
lookthrough_sheet(struct rp_ctx *c, const struct rp_sheet *s)
{
    const struct rp_table *t = &s->tables[0];
    lxw_worksheet *ws;
    lxw_row_t r, hdr, last;
    size_t f, nt = pf_taxonomy_count(c->tax, PF_TAX_CHAIN);
    struct look_env E;
    struct rp_table_env env;
    int lc = rp_table_col(t, "look_through");
    lxw_format *money = rp_fmt(c, lc >= 0 ? t->cols[lc].fmt : -1, RP_STRONG);
    lxw_format *lab = rp_fmt_named(c, "label_strong", RP_PLAIN);

    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws)
        return;
    rp_col_widths(c, ws, t);
    memset(&env, 0, sizeof env);
    env.value = look_value;
    env.arg = &E;
    E.c = c;
    for (f = 0; c->pfunds && f < c->pfunds->n; f++) {
        const char *fund = c->pfunds->keys[f];
        const struct pf_result *in, *nav;
        const struct rp_group *g;
        struct rp_rowref *rows;
        size_t n = 0, k, i;
        char tc[24], cell[24];
        struct pf_buf fb = PF_BUF_INIT;
        double v;

        rp_write_text(c, ws, r++, 0, rp_fund_title(c, fund),
                      rp_fmt_named(c, "section", RP_PLAIN));
        in = rp_index_result(c->ix, "partner", fund, c->partner, "interest");
        rp_write_text(c, ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "interest", NULL)), lab);
        rp_write_result(c, ws, r, 2, in, rp_fmt_named(c, "interest", RP_STRONG));
        r++;
        rp_write_text(c, ws, r++, 0, rp_tr(c, rp_table_text(c->defs, t, "what", NULL)),
                      rp_fmt_named(c, "note", RP_PLAIN));
        r++;
        /* the partner's rows in taxonomy order, then its share of the cash */
        g = rp_index_rows(c->ix, "lookthrough", fund, c->partner);
        rows = pf_xcalloc(nt + (g ? g->n : 0) + 2, sizeof *rows);
        for (k = 0; k < nt; k++) {
            const char *code = pf_taxonomy_code(c->tax, PF_TAX_CHAIN, k);
            for (i = 0; g && i < g->n; i++)
                if (strcmp(g->run->rows[g->idx[i]].col, code) == 0) {
                    rows[n].fund = fund;
                    rows[n].key = g->run->rows[g->idx[i]].col;
                    rows[n].idx = n;
                    n++;
                    break;
                }
        }
        for (i = 0; g && i < g->n; i++)
            if (strcmp(g->run->rows[g->idx[i]].col, "cash") == 0) {
                rows[n].fund = fund;
                rows[n].key = g->run->rows[g->idx[i]].col;
                rows[n].idx = n;
                n++;
            }
        rp_table_write(c, ws, t, "chain", rows, n, &env, &r, &hdr, &last);
        /* the total ties to the partner's NAV: the capital account's ending NAV beside it */
        nav = rp_index_result(c->ix, "partner", fund, c->partner, "nav");
        if (lc >= 0 && n > 0 && rp_result_number(nav, &v)) {
            const char *acc = acct_get(c, fund, "itd", "ending_nav");
            lxw_row_t total_row = last + 1, nav_row = last + 2, after = r;
            rp_write_text(c, ws, nav_row, 1, rp_tr(c, rp_table_text(c->defs, t, "your_nav",
                                                                     NULL)), lab);
            if (acc)
                rp_write_formula(c, ws, nav_row, (lxw_col_t)lc, acc, v, money);
            else
                rp_write_num(c, ws, nav_row, (lxw_col_t)lc, v, money);
            rp_write_text(c, ws, nav_row + 1, 1,
                          rp_tr(c, rp_table_text(c->defs, t, "difference", NULL)), lab);
            pf_buf_addf(&fb, "%s-%s", rp_cell(total_row, (lxw_col_t)lc, false, tc),
                        rp_cell(nav_row, (lxw_col_t)lc, false, cell));
            rp_write_formula(c, ws, nav_row + 1, (lxw_col_t)lc, pf_buf_str(&fb), 0.0, money);
            r = after > nav_row + 3 ? after : nav_row + 3;
        }
        pf_buf_release(&fb);
        free(rows);
    }
}

/* The Transactions sheet's formats, made in the order the sheet always made them. */
struct tx_fmts {
    lxw_format *text, *note, *date, *money, *header, *rate, *total;
};

/* One cell per column of t for each of the partner's flows, from row r; the next row. */
static lxw_row_t
tx_rows(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t, const struct txlist *L,
        const struct tx_fmts *F, lxw_row_t r)
{
    size_t i;
    for (i = 0; i < L->n; i++, r++) {
        const struct txn *x = &L->tx[i];
        size_t k;
        for (k = 0; k < t->ncols; k++) {
            const char *id = t->cols[k].id;
            lxw_col_t col = (lxw_col_t)k;
            if (strcmp(id, "date") == 0)
                rp_write_date(c, ws, r, col, x->date, F->date);
            else if (strcmp(id, "fund") == 0)
                rp_write_text(c, ws, r, col, x->fund, F->text);
            else if (strcmp(id, "currency") == 0)
                rp_write_text(c, ws, r, col, x->currency, F->text);
            else if (strcmp(id, "flow") == 0)
                rp_write_text(c, ws, r, col, x->flow, F->text);
            else if (strcmp(id, "kind") == 0)
                rp_write_text(c, ws, r, col, x->kind, F->text);
            else if (strcmp(id, "purpose") == 0)
                rp_write_text(c, ws, r, col, x->purpose, F->text);
            else if (strcmp(id, "amount") == 0 && x->counted)
                rp_write_num(c, ws, r, col, (double)x->amount / 100.0, F->money);
            else if (strcmp(id, "not_counted") == 0 && !x->counted)
                rp_write_num(c, ws, r, col, (double)x->amount / 100.0, F->money);
            else if (strcmp(id, "recallable") == 0)
                rp_write_text(c, ws, r, col, x->recallable, F->text);
            else if (strcmp(id, "correction") == 0)
                rp_write_text(c, ws, r, col, x->mark, F->text);
            else if (strcmp(id, "note") == 0)
                rp_write_text(c, ws, r, col, x->note, F->text);
        }
    }
    return r;
}

/* A summary row per fund from row r: the partner's contributions and distributions as
 * SUMIFS over the list (k1, k2: the kind labels' cells), the as-of rate and the CNY
 * figures. The fund's currency joins curs; the CNY sums into cny_c, cny_d. */
static lxw_row_t
tx_fund_rows(struct rp_ctx *c, lxw_worksheet *ws, const struct txlist *L,
             const struct tx_fmts *F, lxw_row_t r, const char *k1, const char *k2,
             const char **curs, size_t *ncur, size_t *nf, pf_cents *cny_c, pf_cents *cny_d)
{
    struct pf_buf fb = PF_BUF_INIT;
    char a[24], z[24];
    size_t f, i, cu;

    for (f = 0; c->pfunds && f < c->pfunds->n; f++) {
        const char *fund = c->pfunds->keys[f];
        int fi = pf_dataset_find_fund(c->ds, fund);
        const struct pf_result *pi, *di2;
        const struct rp_group *g;
        double v;
        char fcell[24];
        if (fi < 0)
            continue;
        (*nf)++;
        rp_write_text(c, ws, r, 0, fund, F->text);
        rp_write_text(c, ws, r, 1, c->ds->funds[fi].currency, F->text);
        for (cu = 0; cu < *ncur && strcmp(curs[cu], c->ds->funds[fi].currency) != 0; cu++)
            ;
        if (cu == *ncur && *ncur < 16)
            curs[(*ncur)++] = c->ds->funds[fi].currency;
        rp_cell(r, 0, true, fcell);
        pi = rp_index_result(c->ix, "partner", fund, c->partner, "paid_in");
        di2 = rp_index_result(c->ix, "partner", fund, c->partner, "distributions");
        if (rp_result_number(pi, &v)) {
            pf_buf_reset(&fb);
            tx_sum(L, &fb, fcell, NULL, NULL, k1, -1, NULL);
            rp_write_formula(c, ws, r, 2, pf_buf_str(&fb), v, F->money);
        }
        if (rp_result_number(di2, &v)) {
            pf_buf_reset(&fb);
            tx_sum(L, &fb, fcell, NULL, NULL, k2, -1, NULL);
            rp_write_formula(c, ws, r, 3, pf_buf_str(&fb), v, F->money);
        }
        g = rp_index_rows(c->ix, "fx", fund, c->ds->funds[fi].currency);
        if (g && g->run->rows[g->idx[0]].has_value)
            rp_write_num(c, ws, r, 4, g->run->rows[g->idx[0]].value, F->rate);
        g = rp_index_rows(c->ix, "partner_cny", fund, c->partner);
        for (i = 0; g && i < g->n; i++) {
            const struct pf_run_row *w = &g->run->rows[g->idx[i]];
            bool is_c = strcmp(w->col, "paid_in") == 0;
            lxw_col_t col = is_c ? 5 : 6;
            if (!w->has_value)
                continue;
            pf_buf_reset(&fb);
            pf_buf_addf(&fb, "ROUND(%s*%s,2)", rp_cell(r, is_c ? 2 : 3, false, a),
                        rp_cell(r, 4, false, z));
            rp_write_formula(c, ws, r, col, pf_buf_str(&fb), (double)w->cents / 100.0,
                             F->money);
            if (is_c)
                *cny_c += w->cents;
            else
                *cny_d += w->cents;
        }
        r++;
    }
    pf_buf_release(&fb);
    return r;
}

/* Per currency, from row r: the fund rows first..lastf of that currency summed. */
static lxw_row_t
tx_currency_rows(struct rp_ctx *c, lxw_worksheet *ws, const struct tx_fmts *F, lxw_row_t r,
                 lxw_row_t first, lxw_row_t lastf, const char *const *curs, size_t ncur)
{
    struct pf_buf fb = PF_BUF_INIT;
    char a[24], z[24];
    size_t cu, f, i;

    for (cu = 0; cu < ncur; cu++) {
        pf_cents sc = 0, sd = 0;
        const struct pf_result *res;
        char ccell[24];
        for (f = 0; c->pfunds && f < c->pfunds->n; f++) {
            const char *fund = c->pfunds->keys[f];
            int fi = pf_dataset_find_fund(c->ds, fund);
            if (fi < 0 || strcmp(c->ds->funds[fi].currency, curs[cu]) != 0)
                continue;
            res = rp_index_result(c->ix, "partner", fund, c->partner, "paid_in");
            sc += res && res->has_value ? res->cents : 0;
            res = rp_index_result(c->ix, "partner", fund, c->partner, "distributions");
            sd += res && res->has_value ? res->cents : 0;
        }
        pf_buf_reset(&fb);
        pf_buf_addf(&fb, "%s %s", rp_tr(c, rp_defs_string(c->defs, "total")), curs[cu]);
        rp_write_text(c, ws, r, 0, pf_buf_str(&fb), rp_fmt_named(c, "text", RP_TOTAL));
        rp_write_text(c, ws, r, 1, curs[cu], rp_fmt_named(c, "text", RP_TOTAL));
        rp_cell(r, 1, false, ccell);
        for (i = 2; i < 4; i++) {
            pf_buf_reset(&fb);
            pf_buf_addf(&fb, "SUMPRODUCT((%s:", rp_cell(first, 1, true, a));
            pf_buf_addf(&fb, "%s=%s)*", rp_cell(lastf, 1, true, z), ccell);
            pf_buf_addf(&fb, "%s:", rp_cell(first, (lxw_col_t)i, true, a));
            pf_buf_addf(&fb, "%s)", rp_cell(lastf, (lxw_col_t)i, true, z));
            rp_write_formula(c, ws, r, (lxw_col_t)i, pf_buf_str(&fb),
                             (double)(i == 2 ? sc : sd) / 100.0, F->total);
        }
        r++;
    }
    pf_buf_release(&fb);
    return r;
}

/* Totals per fund (its currency) and in CNY at the as-of rate: live formulas over the
 * list above, cached with the stored figures. */
static void
tx_summary(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t,
           const struct txlist *L, const struct tx_fmts *F, lxw_row_t r)
{
    static const char *const ids[] = { "fund", "currency", "contributions", "distributions",
                                       "rate", "contributions_cny", "distributions_cny" };
    const struct rp_text *sum_t = rp_table_text(c->defs, t, "summary", NULL);
    lxw_row_t sh, first, lastf;
    const char *lab_c = label_of(c, "flow_kind", "contribution");
    const char *lab_d = label_of(c, "flow_kind", "distribution");
    pf_cents cny_c = 0, cny_d = 0;
    size_t nf = 0, ncur = 0, i;
    const char *curs[16];
    char a[24], z[24], k1[24], k2[24];
    struct pf_buf fb = PF_BUF_INIT;

    if (sum_t)
        rp_write_text(c, ws, r++, 0, rp_tr(c, sum_t), rp_fmt_named(c, "section", RP_PLAIN));
    sh = r;
    rp_check(c, worksheet_set_row(ws, r, c->lang == RP_BOTH ? 45 : 30, NULL), "a row");
    for (i = 0; i < 7; i++) {
        const struct rp_text *tt = rp_table_text(c->defs, t, "summary_cols", ids[i]);
        if (i == 2)
            rp_write_text(c, ws, r, (lxw_col_t)i, lab_c, F->header);
        else if (i == 3)
            rp_write_text(c, ws, r, (lxw_col_t)i, lab_d, F->header);
        else
            rp_write_text(c, ws, r, (lxw_col_t)i, tt ? rp_tr(c, tt) : ids[i], F->header);
    }
    rp_cell(sh, 2, true, k1);
    rp_cell(sh, 3, true, k2);
    r++;
    first = r;
    r = tx_fund_rows(c, ws, L, F, r, k1, k2, curs, &ncur, &nf, &cny_c, &cny_d);
    lastf = r - 1;
    if (nf > 0)
        r = tx_currency_rows(c, ws, F, r, first, lastf, curs, ncur);
    if (nf > 0) {
        rp_write_text(c, ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "cny_total", NULL)),
                      rp_fmt_named(c, "text", RP_TOTAL));
        for (i = 5; i < 7; i++) {
            pf_buf_reset(&fb);
            pf_buf_addf(&fb, "SUM(%s:", rp_cell(first, (lxw_col_t)i, false, a));
            pf_buf_addf(&fb, "%s)", rp_cell(lastf, (lxw_col_t)i, false, z));
            rp_write_formula(c, ws, r, (lxw_col_t)i, pf_buf_str(&fb),
                             (double)(i == 5 ? cny_c : cny_d) / 100.0, F->total);
        }
    }
    pf_buf_release(&fb);
}

static void
transactions_sheet(struct rp_ctx *c, const struct rp_sheet *s, const struct txlist *L)
{
    const struct rp_table *t = &s->tables[0];
    lxw_worksheet *ws;
    lxw_row_t r, hdr;
    struct tx_fmts F;
    int di = rp_table_col(t, "date"), mi = rp_table_col(t, "amount");

    F.text = rp_fmt_named(c, "text", RP_PLAIN);
    F.note = rp_fmt_named(c, "note", RP_PLAIN);
    F.date = rp_fmt(c, di >= 0 ? t->cols[di].fmt : -1, RP_PLAIN);
    F.money = rp_fmt(c, mi >= 0 ? t->cols[mi].fmt : -1, RP_PLAIN);
    F.header = rp_fmt_named(c, "header", RP_PLAIN);
    F.rate = rp_fmt_named(c, "fx", RP_PLAIN);
    F.total = rp_fmt(c, mi >= 0 ? t->cols[mi].fmt : -1, RP_TOTAL);
    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws)
        return;
    rp_col_widths(c, ws, t);
    hdr = TX_HDR;
    if (L->n) /* before the rows: constant memory */
        rp_check(c, worksheet_autofilter(ws, hdr, 0, hdr + (lxw_row_t)L->n,
                                         (lxw_col_t)t->ncols - 1), "an autofilter");
    rp_write_text(c, ws, hdr - 1, 0, rp_tr(c, rp_table_text(c->defs, t, "legend", NULL)),
                  F.note);
    rp_header_row(c, ws, hdr, t);
    worksheet_freeze_panes(ws, hdr + 1, 0);
    rp_check(c, worksheet_repeat_rows(ws, hdr, hdr), "the print titles");
    r = tx_rows(c, ws, t, L, &F, hdr + 1);
    if (!L->n)
        rp_write_text(c, ws, r++, 0, rp_tr(c, rp_defs_string(c->defs, "no_rows")), F.note);
    tx_summary(c, ws, t, L, &F, r + 1);
}

/* --- public --- */

static void
cell_free(void *p)
{
    free(p);
}

pf_status
rp_statement_write(struct rp_ctx *c, const char *path, struct pf_err *err)
{
    const struct rp_book *b = &c->defs->partner;
    struct pf_buf title = PF_BUF_INIT;
    int pi = pf_dataset_find_partner(c->ds, c->partner);
    const char *name = pi >= 0 ? c->ds->partners[pi].name : c->partner;
    struct rp_blockref *blocks = NULL;
    size_t nblocks = 0, *notes = NULL, nnotes = 0;
    struct txlist L;
    struct rp_table_env perf;
    char day[16];
    pf_status rc;
    size_t i;

    c->book = b;
    c->pfunds = rp_index_partner_funds(c->ix, c->partner);
    pf_buf_addf(&title, "%s %s — %s", rp_tr(c, &b->title),
                pf_date_format(c->run->as_of, day, sizeof day), name);
    rc = rp_book_open(c, path, pf_buf_str(&title), rp_tr(c, &b->subject), err);
    pf_buf_release(&title);
    if (rc != PF_OK)
        return rc;
    rp_set_footer(c, name);
    txlist_build(c, &L);
    c->stmt = &L;
    c->block_link = statement_block_link;
    memset(&perf, 0, sizeof perf);
    perf.special = perf_special;
    blocks = partner_blocks(c, &nblocks);
    for (i = 0; i < b->nsheets; i++)
        if (strcmp(b->sheets[i].kind, "blocks") == 0)
            rp_blocks_layout(c, &b->sheets[i], blocks, nblocks);
    for (i = 0; i < b->nsheets; i++) {
        const struct rp_sheet *s = &b->sheets[i];
        if (strcmp(s->kind, "capital_account") == 0)
            capital_account_sheet(c, s, &L);
        else if (strcmp(s->kind, "lookthrough") == 0)
            lookthrough_sheet(c, s);
        else if (strcmp(s->kind, "transactions") == 0)
            transactions_sheet(c, s, &L);
        else if (strcmp(s->kind, "blocks") == 0)
            rp_blocks_write(c, s);
        else if (strcmp(s->kind, "audit") == 0) {
            notes = shown_notes(c, &nnotes);
            rp_audit_write(c, s, notes, nnotes);
            free(notes);
            notes = NULL;
        } else
            rp_tables_sheet(c, s, &perf);
    }
    rp_economics_partner_sheet(c); /* when one of its funds has terms (SPEC §10) */
    rp_forecast_partner_sheet(c); /* when the run has a forecast (SPEC §11) */
    rc = rp_book_close(c, path, err);
    rp_blocks_release(c);
    c->stmt = NULL;
    c->block_link = NULL;
    pf_map_release(&c->acct_cells, cell_free);
    txlist_release(&L);
    free(blocks);
    /* a kind its scope did not read left cells empty: no file */
    if (rc == PF_OK)
        rc = rp_index_failed(c->ix, err);
    return rc;
}
