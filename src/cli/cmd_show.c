/*
 * show: a quick look at a stored run in the terminal, without opening Excel.
 * Columns are aligned by display width, so Chinese names (two columns per
 * character) line up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parkfund/export.h"
#include "parkfund/model.h"
#include "parkfund/store.h"
#include "parkfund/banned.h"

#define MAXC 13

struct table {
    const char *head[MAXC];
    bool right[MAXC];
    int ncols;
    char **cells; /* row-major */
    size_t nrows, cap;
};

static void
row_add(struct table *t, char **vals)
{
    int c;
    PF_GROW(t->cells, (t->nrows + 1) * (size_t)t->ncols, t->cap);
    for (c = 0; c < t->ncols; c++)
        t->cells[t->nrows * (size_t)t->ncols + (size_t)c] = vals[c];
    t->nrows++;
}

/* Cut a cell to at most w display columns (names can be long). */
static void
print_cell(const char *s, size_t w, bool right)
{
    size_t sw = pf_utf8_width(s), pad;
    if (sw > w) {
        /* shorten by code points until it fits, then mark with "…" */
        char buf[512];
        size_t len = strlen(s), cut = len < sizeof buf - 4 ? len : sizeof buf - 4;
        for (;;) {
            while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
                cut--;
            memcpy(buf, s, cut);
            memcpy(buf + cut, "\xe2\x80\xa6", 4);
            if (pf_utf8_width(buf) <= w || cut == 0)
                break;
            cut--;
        }
        fputs(buf, stdout);
        pad = w - pf_utf8_width(buf);
        while (pad--)
            putchar(' ');
        return;
    }
    pad = w - sw;
    if (right)
        while (pad--)
            putchar(' ');
    fputs(s, stdout);
    if (!right)
        while (pad--)
            putchar(' ');
}

static void
table_print(struct table *t)
{
    size_t w[MAXC] = { 0 }, r;
    int c;
    for (c = 0; c < t->ncols; c++)
        w[c] = pf_utf8_width(t->head[c]);
    for (r = 0; r < t->nrows; r++)
        for (c = 0; c < t->ncols; c++) {
            size_t x = pf_utf8_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (x > w[c])
                w[c] = x;
        }
    for (c = 0; c < t->ncols; c++)
        if (w[c] > 36)
            w[c] = 36;
    for (c = 0; c < t->ncols; c++) {
        print_cell(t->head[c], w[c], t->right[c]);
        fputs(c + 1 < t->ncols ? "  " : "\n", stdout);
    }
    for (c = 0; c < t->ncols; c++) {
        size_t i;
        for (i = 0; i < w[c]; i++)
            putchar('-');
        fputs(c + 1 < t->ncols ? "  " : "\n", stdout);
    }
    for (r = 0; r < t->nrows; r++)
        for (c = 0; c < t->ncols; c++) {
            print_cell(t->cells[r * (size_t)t->ncols + (size_t)c], w[c], t->right[c]);
            fputs(c + 1 < t->ncols ? "  " : "\n", stdout);
        }
}

static void
table_free(struct table *t)
{
    size_t i;
    for (i = 0; i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
}

/* Results by name, built once: a run at scale 100 holds a million of them. */
static struct pf_map byname = PF_MAP_INIT;

static void
result_key(char *buf, size_t n, const char *dim, const char *fund, const char *key,
           const char *metric)
{
    snprintf(buf, n, "%s\x1f%s\x1f%s\x1f%s", dim, fund ? fund : "", key, metric);
}

static void
index_results(const struct pf_run *run)
{
    char name[600];
    size_t i;
    for (i = run->nresults; i-- > 0;) { /* the first of equal names wins */
        const struct pf_result *r = &run->results[i];
        result_key(name, sizeof name, r->dimension, r->fund, r->key, r->metric);
        pf_map_put(&byname, name, (void *)r);
    }
}

static const struct pf_result *
find(const struct pf_run *run, const char *dim, const char *fund, const char *key,
     const char *metric)
{
    char name[600];
    (void)run;
    result_key(name, sizeof name, dim, fund, key, metric);
    return pf_map_get(&byname, name);
}

/* Money with thousands separators, ratios as multiples, rates as percentages. */
static char *
fmt(const struct pf_result *r, char kind)
{
    char buf[64], raw[40];
    size_t i, len, out = 0, lead;
    if (!r)
        return pf_xstrdup("");
    if (!r->has_value)
        return pf_xstrdup("-");
    if (r->is_money) {
        pf_money_format(r->cents, raw, sizeof raw);
        len = strlen(raw);
        lead = raw[0] == '-';
        for (i = 0; i < len; i++) {
            size_t intlen = strchr(raw, '.') ? (size_t)(strchr(raw, '.') - raw) - lead
                                             : len - lead;
            if (i > lead && i < lead + intlen && (lead + intlen - i) % 3 == 0)
                buf[out++] = ',';
            buf[out++] = raw[i];
        }
        buf[out] = '\0';
        return pf_xstrdup(buf);
    }
    if (kind == '%')
        snprintf(buf, sizeof buf, "%.2f%%", r->value * 100.0);
    else if (kind == 'x')
        snprintf(buf, sizeof buf, "%.2fx", r->value);
    else if (kind == 'n')
        snprintf(buf, sizeof buf, "%.0f", r->value);
    else
        snprintf(buf, sizeof buf, "%.4f", r->value);
    return pf_xstrdup(buf);
}

static void
history_row(void *arg, const char *const *cols)
{
    struct table *t = arg;
    char *v[MAXC];
    int c;
    for (c = 0; c < t->ncols; c++)
        v[c] = pf_xstrdup(cols[c]);
    row_add(t, v);
}

/* The runs and batches an auditor picks from (`verify --run N`, `export --run N`). */
static pf_status
show_history(struct pf_ctx *ctx, struct table *t, bool runs)
{
    static const char *const rh[] = { "run", "as_of", "batch", "created (UTC)", "engine",
                                      "benchmark", "results" };
    static const char *const bh[] = { "batch", "imported (UTC)", "files", "rows read",
                                      "rows new", "taxonomy" };
    struct pf_store *st = NULL;
    pf_status rc;
    int c;

    t->ncols = runs ? 7 : 6;
    for (c = 0; c < t->ncols; c++) {
        t->head[c] = runs ? rh[c] : bh[c];
        t->right[c] = runs ? (c == 0 || c == 2 || c == 6) : (c == 0 || (c >= 2 && c <= 4));
    }
    if ((rc = pf_store_open(ctx->db, PF_STORE_READONLY, &st, &ctx->err)))
        goto cleanup;
    rc = runs ? pf_store_list_runs(st, history_row, t, &ctx->err)
              : pf_store_list_batches(st, history_row, t, &ctx->err);
    if (rc == PF_OK)
        table_print(t);
cleanup:
    pf_store_close(st);
    return rc;
}

/* The table's headings (n of them), numbers from column first_right on. */
static void
table_head(struct table *t, const char *const *h, size_t n, size_t first_right)
{
    size_t i;
    for (i = 0; i < n; i++)
        t->head[i] = h[i];
    t->ncols = (int)n;
    for (i = first_right; i < n; i++)
        t->right[i] = true;
}

/* A figure column: the metric shown, and fmt's kind for it. */
struct metric_col {
    const char *metric;
    char kind;
};

/* v[i] = the owner's metric cols[i] formatted, for i < n. */
static void
metric_cells(char **v, const struct pf_run *run, const char *dim, const char *fund,
             const char *key, const struct metric_col *cols, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        v[i] = fmt(find(run, dim, fund, key, cols[i].metric), cols[i].kind);
}

/* show funds: one line per fund in the run. */
static void
show_funds(struct table *t, const struct pf_run *run, const struct pf_dataset *ds)
{
    const char *h[] = { "fund", "name", "ccy", "commitment", "paid_in", "distributions",
                        "nav", "tvpi", "dpi", "net_irr", "gross_irr", "ks_pme",
                        "accrued_carry" };
    /* carry_accrued (SPEC §10) is empty for a fund without terms: it has no carry */
    static const struct metric_col cols[] = {
        { "commitment", 0 }, { "paid_in", 0 }, { "distributions", 0 }, { "nav", 0 },
        { "tvpi", 'x' }, { "dpi", 'x' }, { "net_irr", '%' }, { "gross_irr", '%' },
        { "ks_pme", 'r' }, { "carry_accrued", 0 } };
    size_t i;

    table_head(t, h, 13, 3);
    for (i = 0; i < ds->nfunds; i++) {
        const char *F = ds->funds[i].fund_id;
        char *v[13];
        if (!find(run, "fund", F, F, "nav"))
            continue;
        v[0] = pf_xstrdup(F);
        v[1] = pf_xstrdup(ds->funds[i].name);
        v[2] = pf_xstrdup(ds->funds[i].currency);
        metric_cells(v + 3, run, "fund", F, F, cols, 10);
        row_add(t, v);
    }
}

/* show partners: one line per partner and fund. */
static void
show_partners(struct table *t, const struct pf_run *run, const struct pf_dataset *ds)
{
    const char *h[] = { "fund", "partner", "name", "commitment", "paid_in", "distributions",
                        "nav", "unfunded", "interest", "tvpi", "net_irr" };
    static const struct metric_col cols[] = {
        { "commitment", 0 }, { "paid_in", 0 }, { "distributions", 0 }, { "nav", 0 },
        { "unfunded", 0 }, { "interest", '%' }, { "tvpi", 'x' }, { "net_irr", '%' } };
    size_t f, i;

    table_head(t, h, 11, 3);
    for (f = 0; f < ds->nfunds; f++)
        for (i = 0; i < ds->npartners; i++) {
            const char *F = ds->funds[f].fund_id, *P = ds->partners[i].partner_id;
            char *v[11];
            if (!find(run, "partner", F, P, "nav"))
                continue;
            v[0] = pf_xstrdup(F);
            v[1] = pf_xstrdup(P);
            v[2] = pf_xstrdup(ds->partners[i].name);
            metric_cells(v + 3, run, "partner", F, P, cols, 8);
            row_add(t, v);
        }
}

/* show chains | regions: the portfolio's exposure, one line per chain or region. */
static void
show_exposure(struct table *t, const struct pf_run *run, const struct pf_taxonomy *tax,
              bool chains, const char *lang)
{
    const char *dim = chains ? "chain" : "region";
    const char *h[] = { dim, "name", "count", "invested (CNY)", "realised", "nav",
                        "nav_share", "moic", "gross_irr", chains ? "volatility" : "" };
    static const struct metric_col cols[] = {
        { "invested", 0 }, { "realised", 0 }, { "nav", 0 }, { "nav_share", '%' },
        { "moic", 'x' }, { "gross_irr", '%' }, { "volatility", '%' } }; /* the last: chains */
    size_t i;

    table_head(t, h, chains ? 10 : 9, 2);
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        const char *name;
        char *v[10];
        if (r->fund || strcmp(r->dimension, dim) || strcmp(r->metric, "count"))
            continue;
        name = chains ? pf_taxonomy_name(tax, PF_TAX_CHAIN, r->key, lang)
                      : pf_taxonomy_name(tax, strncmp(r->key, "CN-", 3) == 0
                                                  ? PF_TAX_PROVINCE : PF_TAX_COUNTRY,
                                         r->key, lang);
        v[0] = pf_xstrdup(r->key);
        v[1] = pf_xstrdup(name ? name : "");
        v[2] = fmt(r, 'n');
        metric_cells(v + 3, run, dim, NULL, r->key, cols, chains ? 7 : 6);
        row_add(t, v);
    }
}

pf_status
cmd_show(struct pf_ctx *ctx, int argc, char **argv)
{
    struct pf_opt opts[] = { { "db", true, NULL }, { "run", true, NULL },
                             { "quiet", false, NULL }, { "lang", true, NULL } };
    struct pf_store *st = NULL;
    struct pf_run *run = NULL;
    struct pf_dataset *ds = NULL;
    struct pf_taxonomy *tax = NULL;
    struct table t;
    char **pos = NULL, digest[65], day[16];
    const char *what, *lang;
    size_t npos;
    int64_t id = 0;
    pf_status rc;

    memset(&t, 0, sizeof t);
    if ((rc = pf_cli_parse(ctx, argc, argv, opts, 4, 1, &pos, &npos)))
        goto cleanup;
    lang = opts[3].value && strcmp(opts[3].value, "en") == 0 ? "en" : "zh";
    if (npos != 1) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "say what to show: funds, partners, chains, "
                        "regions, runs or batches");
        goto cleanup;
    }
    what = pos[0];
    if (strcmp(what, "runs") == 0 || strcmp(what, "batches") == 0) {
        rc = show_history(ctx, &t, strcmp(what, "runs") == 0);
        goto cleanup;
    }
    if (strcmp(what, "forecast") == 0 || strcmp(what, "forecasts") == 0) {
        rc = pf_cli_show_forecast(ctx, opts[1].value, strcmp(what, "forecasts") == 0);
        goto cleanup;
    }
    if (strcmp(what, "funds") && strcmp(what, "partners") && strcmp(what, "chains") &&
        strcmp(what, "regions")) {
        rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "cannot show '%s' (funds, partners, chains, "
                        "regions, runs or batches)", what);
        goto cleanup;
    }
    if (opts[1].value) {
        char *end;
        id = strtoll(opts[1].value, &end, 10);
        if (*end || id <= 0) {
            rc = pf_err_set(&ctx->err, PF_EUSAGE, "", "option '--run': '%s' is not a run "
                            "number", opts[1].value);
            goto cleanup;
        }
    }
    if ((rc = pf_store_open(ctx->db, PF_STORE_READONLY, &st, &ctx->err)) ||
        (rc = pf_store_get_run(st, id, &run, &ctx->err)) ||
        (rc = pf_store_load_dataset(st, run->batch, &ds, digest, &ctx->err)) ||
        (rc = pf_taxonomy_load_json(ds->taxonomy_json, &tax, &ctx->err)))
        goto cleanup;
    index_results(run);
    printf("run %lld, as of %s, batch %lld%s%s\n\n", (long long)run->id,
           pf_date_format(run->as_of, day, sizeof day), (long long)run->batch,
           run->benchmark ? ", benchmark " : "", run->benchmark ? run->benchmark : "");
    if (strcmp(what, "funds") == 0)
        show_funds(&t, run, ds);
    else if (strcmp(what, "partners") == 0)
        show_partners(&t, run, ds);
    else
        show_exposure(&t, run, tax, strcmp(what, "chains") == 0, lang);
    table_print(&t);
cleanup:
    pf_map_release(&byname, NULL);
    table_free(&t);
    pf_taxonomy_free(tax);
    pf_dataset_free(ds);
    pf_run_free(run);
    pf_store_close(st);
    free(pos);
    return rc;
}
