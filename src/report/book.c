/*
 * book: what both workbooks share. Opening and closing a workbook in constant
 * memory mode with the run's properties, formats from the definitions, cell
 * writers that record the first libxlsxwriter error, sheet setup (names by
 * language, print setup, footer, title rows), the XIRR flow blocks and the
 * audit block. Input text only ever reaches a cell through rp_write_text
 * (worksheet_write_string), never a formula or series name, and a chart title only
 * after the title's own words (a J-curve names its fund), never at its start.
 */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal --- */

#define RP_MAX_TEXT 32767 /* Excel's limit on a cell's characters */

static void
apply_fmtdef(lxw_format *f, const struct rp_fmtdef *d)
{
    if (d->num)
        format_set_num_format(f, d->num);
    if (d->font)
        format_set_font_name(f, d->font);
    if (d->bold)
        format_set_bold(f);
    if (d->italic)
        format_set_italic(f);
    if (d->wrap)
        format_set_text_wrap(f);
    if (d->size > 0)
        format_set_font_size(f, d->size);
    if (d->color >= 0)
        format_set_font_color(f, (lxw_color_t)d->color);
    if (d->bg >= 0)
        format_set_bg_color(f, (lxw_color_t)d->bg);
    if (d->border)
        format_set_border(f, LXW_BORDER_THIN);
    if (d->top)
        format_set_top(f, LXW_BORDER_THIN);
    if (d->align)
        format_set_align(f, (uint8_t)d->align);
    if (d->valign)
        format_set_align(f, (uint8_t)d->valign);
}

/* Cut s to at most max bytes without splitting a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Header/footer text: '&' starts a control code there, so input text doubles it. */
static void
footer_escape(struct pf_buf *b, const char *s, size_t max_chars)
{
    size_t chars = 0;
    for (; *s && chars < max_chars; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            chars++;
        if (*s == '&')
            pf_buf_addc(b, '&');
        if ((unsigned char)*s < 0x20)
            pf_buf_addc(b, ' ');
        else
            pf_buf_addc(b, *s);
    }
    /* finish a multi-byte character cut by the count */
    while (*s && ((unsigned char)*s & 0xC0) == 0x80)
        pf_buf_addc(b, *s++);
}

static const char *
col_letters(lxw_col_t col, char *buf)
{
    char tmp[8];
    int n = 0, i;
    unsigned c = (unsigned)col + 1;
    while (c > 0 && n < 7) {
        unsigned rem = (c - 1) % 26;
        tmp[n++] = (char)('A' + rem);
        c = (c - 1) / 26;
    }
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

/* --- column widths from the values written --- */

#define RP_WIDTH_COLS 64
#define RP_WIDTH_MAX 130.0

double
rp_text_width(const char *s)
{
    double w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        if (*p < 0x80) {
            w += 1.0;
            p++;
        } else if (*p >= 0xE0) {  /* CJK and full-width punctuation */
            w += 2.0;
            p += *p >= 0xF0 ? 4 : 3;
        } else {
            w += 1.0;
            p += 2;
        }
    }
    return w;
}

static void
note_width(struct rp_ctx *c, lxw_col_t col, double w)
{
    if (col < RP_WIDTH_COLS && w > c->usedw[col])
        c->usedw[col] = w;
}

/* Formats whose cells are table values (titles, notes and wrapped texts are not). */
static bool
measured(struct rp_ctx *c, lxw_format *f)
{
    static const char *const names[] = { "text", "label", "reason", "digest", "pass", "fail" };
    size_t i;
    if (!f)
        return true;
    if (!c->mfmts_ok) {
        for (i = 0; i < 6; i++) {
            c->mfmts[2 * i] = rp_fmt_named(c, names[i], RP_PLAIN);
            c->mfmts[2 * i + 1] = rp_fmt_named(c, names[i], RP_TOTAL);
        }
        c->mfmts_ok = true;
    }
    for (i = 0; i < 12; i++)
        if (f == c->mfmts[i])
            return true;
    return false;
}

static void
number_width(struct rp_ctx *c, lxw_col_t col, double v, lxw_format *f)
{
    char buf[64];
    int digits, n;
    if (!f || !strstr(f->num_format, "#,##0") || v != v)
        return;
    n = snprintf(buf, sizeof buf, "%.0f", v < 0 ? -v : v);
    digits = n > 0 ? n : 1;
    note_width(c, col, (double)(digits + (digits - 1) / 3 + (v < 0 ? 1 : 0) +
                                (strstr(f->num_format, ".00") ? 3 : 0)) + 2.0);
}

static void
fit_widths(struct rp_ctx *c)
{
    lxw_col_t i;
    if (c->cur_ws)
        for (i = 0; i < RP_WIDTH_COLS; i++)
            if (c->usedw[i] > c->setw[i]) {
                double w = c->usedw[i] + 1.0;
                rp_check(c, worksheet_set_column(c->cur_ws, i, i,
                                                 w > RP_WIDTH_MAX ? RP_WIDTH_MAX : w, NULL),
                         "a column width");
            }
    c->cur_ws = NULL;
    memset(c->setw, 0, sizeof c->setw);
    memset(c->usedw, 0, sizeof c->usedw);
}

void
rp_set_width(struct rp_ctx *c, lxw_worksheet *ws, lxw_col_t first, lxw_col_t last, double w)
{
    lxw_col_t i;
    for (i = first; i <= last && i < RP_WIDTH_COLS; i++)
        c->setw[i] = w;
    rp_check(c, worksheet_set_column(ws, first, last, w, NULL), "a column width");
}

/* A long note wrapped within column col (width w): the row as tall as its lines. */
void
rp_write_long_note(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                   const char *text, double w)
{
    double tw = rp_text_width(text);
    int lines = w > 2 ? (int)(tw / (w * 0.92)) + 1 : 1;
    rp_check(c, worksheet_set_row(ws, r, 15.0 * lines + 2, NULL), "a row height");
    rp_write_text(c, ws, r, col, text, rp_fmt_named(c, "note_wrap", RP_PLAIN));
}

/* --- public: texts, formats, cells --- */

const char *
rp_tr(const struct rp_ctx *c, const struct rp_text *t)
{
    if (!t)
        return "";
    switch (c->lang) {
    case RP_ZH:
        return t->zh;
    case RP_EN:
        return t->en;
    default:
        return t->both;
    }
}

/*
 * An earlier format with the same properties as f, or f. libxlsxwriter gives a
 * format its style index on first use; a format equal to one already used never gets
 * one and is looked up again, by hashing the whole format, on every cell it writes
 * (a fifth of a report's time). Writing the cells with the earlier format instead
 * gives them the same style index, and the unused duplicate is left out of the
 * styles, as before: the file is byte for byte the same. The earlier formats are
 * ours and the workbook's own default (the first it made, style 0), which a format
 * with no property of its own, such as plain text, equals: that one alone was
 * hashed for every text cell of the Flows sheet, a fifth of the manager's workbook
 * at scale 100. The properties compared run from num_format up to the list link;
 * the fields among them that the workbook fills in when it is saved are still zero
 * here (formats are zeroed when made).
 */
static lxw_format *
same_format(const struct rp_ctx *c, lxw_format *f)
{
    size_t i, from = offsetof(lxw_format, num_format),
              len = offsetof(lxw_format, list_pointers) - from;
    lxw_format *dflt = STAILQ_FIRST(c->wb->formats);
    if (dflt && dflt != f && memcmp((const char *)dflt + from, (const char *)f + from, len) == 0)
        return dflt;
    for (i = 0; i < c->defs->nfmts * 3; i++)
        if (c->fcache[i] && c->fcache[i] != f &&
            memcmp((const char *)c->fcache[i] + from, (const char *)f + from, len) == 0)
            return c->fcache[i];
    return f;
}

lxw_format *
rp_fmt(struct rp_ctx *c, int fmt, enum rp_variant v)
{
    size_t i;
    lxw_format *f;

    if (fmt < 0 || (size_t)fmt >= c->defs->nfmts)
        fmt = rp_defs_format(c->defs, "text");
    i = (size_t)fmt * 3 + (size_t)v;
    if (c->fcache[i])
        return c->fcache[i];
    f = workbook_add_format(c->wb);
    if (!f) {
        rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a format");
        return NULL;
    }
    apply_fmtdef(f, &c->defs->fmts[fmt]);
    /* --unit: money shown in 万 or 亿 by the format alone (the cell keeps the full
     * amount): "," scales by 1000, a quoted "." sets the decimal 1 or 2 digits from the
     * end: 0"."0, = value / 10^4 to one decimal, 0"."00,, = value / 10^8 to two */
    if (c->unit && c->defs->fmts[fmt].num && strstr(c->defs->fmts[fmt].num, "#,##0.00"))
        format_set_num_format(f, c->unit == 4 ? "0\".\"0," : "0\".\"00,,");
    if (v == RP_TOTAL)
        apply_fmtdef(f, &c->defs->total);
    else if (v == RP_STRONG)
        format_set_bold(f);
    c->fcache[i] = same_format(c, f);
    return c->fcache[i];
}

lxw_format *
rp_fmt_named(struct rp_ctx *c, const char *name, enum rp_variant v)
{
    return rp_fmt(c, rp_defs_format(c->defs, name), v);
}

void
rp_check(struct rp_ctx *c, lxw_error e, const char *what)
{
    if (e == LXW_NO_ERROR || c->xerr != LXW_NO_ERROR)
        return;
    c->xerr = e;
    snprintf(c->xwhere, sizeof c->xwhere, "%s", what);
}

void
rp_write_text(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, const char *s,
              lxw_format *f)
{
    size_t n;
    if (!s || !*s) {
        rp_write_blank(c, ws, r, col, f);
        return;
    }
    if (ws == c->cur_ws && measured(c, f))
        note_width(c, col, rp_text_width(s) + 1.0);
    n = utf8_cut(s, RP_MAX_TEXT);
    if (s[n]) {
        char *cut = pf_xstrndup(s, n);
        rp_check(c, worksheet_write_string(ws, r, col, cut, f), "a text cell");
        free(cut);
    } else {
        rp_check(c, worksheet_write_string(ws, r, col, s, f), "a text cell");
    }
}

void
rp_write_num(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, double v,
             lxw_format *f)
{
    if (ws == c->cur_ws)
        number_width(c, col, v, f);
    rp_check(c, worksheet_write_number(ws, r, col, v, f), "a number cell");
}

void
rp_write_date(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, pf_date d,
              lxw_format *f)
{
    if (d == PF_DATE_NONE)
        rp_write_blank(c, ws, r, col, f);
    else
        rp_write_num(c, ws, r, col, pf_date_excel(d), f);
}

void
rp_write_formula(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                 const char *formula, double cached, lxw_format *f)
{
    if (ws == c->cur_ws)
        number_width(c, col, cached, f);
    rp_check(c, worksheet_write_formula_num(ws, r, col, formula, f, cached), "a formula cell");
}

void
rp_write_blank(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, lxw_format *f)
{
    if (f)
        rp_check(c, worksheet_write_blank(ws, r, col, f), "a blank cell");
}

bool
rp_result_number(const struct pf_result *r, double *v)
{
    if (!r || !r->has_value)
        return false;
    *v = r->is_money ? (double)r->cents / 100.0 : r->value;
    return true;
}

bool
rp_write_result(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                const struct pf_result *res, lxw_format *f)
{
    double v;
    if (rp_result_number(res, &v)) {
        rp_write_num(c, ws, r, col, v, f);
        return true;
    }
    if (res && res->reason) {
        const struct rp_text *t = rp_defs_label(c->defs, "reason", res->reason);
        rp_write_text(c, ws, r, col, t ? rp_tr(c, t) : res->reason,
                      rp_fmt_named(c, "reason", RP_PLAIN));
    }
    else
        rp_write_blank(c, ws, r, col, f);
    return false;
}

char *
rp_cell(lxw_row_t r, lxw_col_t col, bool absolute, char *buf)
{
    char letters[8];
    col_letters(col, letters);
    if (absolute)
        snprintf(buf, 24, "$%s$%lu", letters, (unsigned long)r + 1);
    else
        snprintf(buf, 24, "%s%lu", letters, (unsigned long)r + 1);
    return buf;
}

void
rp_sheet_prefix(struct pf_buf *b, const char *sheet)
{
    pf_buf_addc(b, '\'');
    for (; *sheet; sheet++) {
        if (*sheet == '\'')
            pf_buf_addc(b, '\'');
        pf_buf_addc(b, *sheet);
    }
    pf_buf_adds(b, "'!");
}

/* The shortest decimal that reads back as exactly v (the guess in a formula). */
static void
shortest(double v, char *buf, size_t n)
{
    int prec;
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

char *
rp_xirr_formula(struct rp_ctx *c, const char *fund, const char *block, double guess)
{
    struct pf_buf b = PF_BUF_INIT;
    const struct rp_blockpos *p;
    const char *sheet;
    char a[24], z[24], g[40];

    pf_buf_adds(&b, fund ? fund : "\x02");
    pf_buf_addc(&b, '\x1f');
    pf_buf_adds(&b, block);
    p = pf_map_get(&c->blocks, pf_buf_str(&b));
    pf_buf_reset(&b);
    if (!p || guess != guess)
        goto none;
    sheet = c->flow_sheets[p->sheet];
    pf_buf_adds(&b, "XIRR(");
    rp_sheet_prefix(&b, sheet);
    pf_buf_addf(&b, "%s:%s,", rp_cell(p->first, RP_FLOW_COL_AMOUNT, true, a),
                rp_cell(p->last, RP_FLOW_COL_AMOUNT, true, z));
    rp_sheet_prefix(&b, sheet);
    shortest(guess, g, sizeof g);
    pf_buf_addf(&b, "%s:%s,%s)", rp_cell(p->first, RP_FLOW_COL_DATE, true, a),
                rp_cell(p->last, RP_FLOW_COL_DATE, true, z), g);
    return pf_buf_detach(&b);
none:
    pf_buf_release(&b);
    return NULL;
}

/* --- public: sheets --- */

const char *
rp_sheet_name(const struct rp_ctx *c, const struct rp_sheet *s)
{
    return rp_tr(c, &s->name);
}

static bool
sheet_has_values(const struct rp_sheet *s)
{
    size_t i, j;
    for (i = 0; i < s->ntables; i++)
        for (j = 0; j < s->tables[i].ncols; j++)
            if (s->tables[i].cols[j].value_only)
                return true;
    return false;
}

lxw_row_t
rp_sheet_first_row(const struct rp_sheet *s)
{
    return sheet_has_values(s) || strcmp(s->kind, "risk") == 0 ? 4 : 3;
}

lxw_worksheet *
rp_add_sheet(struct rp_ctx *c, const struct rp_sheet *s, const char *name, lxw_row_t *row)
{
    lxw_worksheet *ws;
    lxw_error e;
    struct pf_buf b = PF_BUF_INIT;
    char day[16];

    *row = 0;
    if (!name)
        name = rp_sheet_name(c, s);
    e = workbook_validate_sheet_name(c->wb, name);
    if (e != LXW_NO_ERROR) {
        rp_check(c, e, "a sheet name");
        return NULL;
    }
    fit_widths(c); /* the previous sheet is done */
    ws = workbook_add_worksheet(c->wb, name);
    if (!ws) {
        rp_check(c, LXW_ERROR_MEMORY_MALLOC_FAILED, "a sheet");
        return NULL;
    }
    c->cur_ws = ws;
    c->cur_sheet = name;
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.7);
    rp_check(c, worksheet_set_footer(ws, c->footer), "the footer");

    /* title rows: the sheet's title, the run, the † note */
    rp_write_text(c, ws, 0, 0, rp_tr(c, &s->title), rp_fmt_named(c, "title", RP_PLAIN));
    pf_buf_addf(&b, "%s %s · %s %lld", rp_tr(c, rp_defs_string(c->defs, "as_of")),
                pf_date_format(c->run->as_of, day, sizeof day),
                rp_tr(c, rp_defs_string(c->defs, "run")), (long long)c->run->id);
    if (c->unit)
        pf_buf_addf(&b, " · %s", rp_tr(c, rp_defs_label(c->defs, "unit",
                                                         c->unit == 4 ? "wan" : "yi")));
    rp_write_text(c, ws, 1, 0, pf_buf_str(&b), rp_fmt_named(c, "subtitle", RP_PLAIN));
    *row = 3;
    if (sheet_has_values(s) || strcmp(s->kind, "risk") == 0) {
        rp_write_text(c, ws, 2, 0, rp_tr(c, rp_defs_string(c->defs, "value_note")),
                      rp_fmt_named(c, "note", RP_PLAIN));
        *row = 4;
    }
    pf_buf_release(&b);
    return ws;
}

void
rp_header_row(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const struct rp_table *t)
{
    lxw_format *h = rp_fmt_named(c, "header", RP_PLAIN);
    struct pf_buf b = PF_BUF_INIT;
    size_t i;

    {
        /* tall enough for the longest title wrapped in its column (CJK counted double) */
        double height = c->lang == RP_BOTH ? 45 : 30;
        for (i = 0; i < t->ncols; i++) {
            double w = t->cols[i].width[c->lang] > 2 ? t->cols[i].width[c->lang] - 1 : 8;
            double lines = 1;
            double tw = rp_text_width(rp_tr(c, &t->cols[i].title)) + 2; /* and " †" */
            while (tw > w * lines)
                lines += 1;
            if (15 * lines + 3 > height)
                height = 15 * lines + 3;
        }
        rp_check(c, worksheet_set_row(ws, r, height, NULL), "a header row");
    }
    for (i = 0; i < t->ncols; i++) {
        const char *p = rp_tr(c, &t->cols[i].title), *q;
        int nccy = 0;
        pf_buf_reset(&b);
        /* {benchmark}: the run's index; {ccy}: CNY on portfolio tables, else the fund's */
        while ((q = strchr(p, '{')) != NULL) {
            pf_buf_addf(&b, "%.*s", (int)(q - p), p);
            if (strncmp(q, "{benchmark}", 11) == 0) {
                pf_buf_adds(&b, c->run->benchmark && *c->run->benchmark ? c->run->benchmark
                                                                         : "—");
                p = q + 11;
            } else if (strncmp(q, "{ccy}", 5) == 0) {
                bool cny = t->scope && strcmp(t->scope, "portfolio") == 0;
                const struct rp_text *ct = rp_defs_label(c->defs, "ccy", cny ? "cny" : "fund");
                /* "zh / en" titles hold it twice: each half in its own language */
                if (c->lang == RP_BOTH && ct)
                    pf_buf_adds(&b, nccy++ == 0 ? ct->zh : ct->en);
                else
                    pf_buf_adds(&b, rp_tr(c, ct));
                p = q + 5;
            } else {
                pf_buf_addc(&b, *q);
                p = q + 1;
            }
        }
        pf_buf_adds(&b, p);
        if (t->cols[i].value_only)
            pf_buf_adds(&b, " †");
        rp_write_text(c, ws, r, (lxw_col_t)i, pf_buf_str(&b), h);
    }
    pf_buf_release(&b);
}

void
rp_col_widths(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t)
{
    size_t i;
    for (i = 0; i < t->ncols; i++) {
        double w = t->cols[i].width[c->lang];
        if (w > 0)
            rp_set_width(c, ws, (lxw_col_t)i, (lxw_col_t)i, w);
    }
}

/* --- public: workbooks --- */

static char shm_dir[] = "/dev/shm";

pf_status
rp_book_open(struct rp_ctx *c, const char *path, const char *title, const char *subject,
             struct pf_err *err)
{
    lxw_workbook_options opts;
    lxw_doc_properties props;
    char author[] = "parkfund", keywords[128], comments[256];
    char *t = pf_xstrdup(title), *s = pf_xstrdup(subject);
    int64_t epoch = 0;
    char day[16];

    memset(&opts, 0, sizeof opts);
    opts.constant_memory = LXW_TRUE;
    /* A statement's temporary parts (tens of KB) go to memory, /dev/shm, when there is
     * one and TMPDIR does not say otherwise: creating and deleting a few files per
     * workbook on a disk file system was an eighth of a report. The manager's workbook
     * (hundreds of MB of sheet XML at scale) keeps the default temporary folder. */
    if (c->partner && !getenv("TMPDIR") && access(shm_dir, W_OK | X_OK) == 0)
        opts.tmpdir = shm_dir;
    c->wb = workbook_new_opt(path, &opts);
    if (!c->wb) {
        free(t);
        free(s);
        return pf_err_set(err, PF_EIO, "", "cannot start workbook '%s'", path);
    }
    c->fcache = pf_xcalloc(c->defs->nfmts * 3, sizeof *c->fcache);
    if (!c->run->created_at || !pf_iso_epoch(c->run->created_at, &epoch))
        epoch = (int64_t)c->run->as_of * 86400; /* no run time: the as-of date, still fixed */
    snprintf(keywords, sizeof keywords, "run %lld; as of %s; batch %lld",
             (long long)c->run->id, pf_date_format(c->run->as_of, day, sizeof day),
             (long long)c->run->batch);
    snprintf(comments, sizeof comments, "engine %s; input digest %s",
             c->run->engine ? c->run->engine : "", c->run->digest ? c->run->digest : "");
    memset(&props, 0, sizeof props);
    props.title = t;
    props.subject = s;
    props.author = author;
    props.keywords = keywords;
    props.comments = comments;
    props.created = (time_t)epoch;
    rp_check(c, workbook_set_properties(c->wb, &props), "the document properties");
    free(t);
    free(s);
    return PF_OK;
}

pf_status
rp_book_close(struct rp_ctx *c, const char *path, struct pf_err *err)
{
    lxw_error e;
    pf_status rc = PF_OK;
    int sys;

    if (!c->wb)
        return PF_OK;
    errno = 0;
    fit_widths(c);
    e = workbook_close(c->wb);
    sys = errno;
    c->wb = NULL;
    while (c->nkeep > 0)
        free(c->keep[--c->nkeep]);
    free(c->keep);
    c->keep = NULL;
    free(c->fcache);
    c->fcache = NULL;
    c->mfmts_ok = false;
    if (c->shown_path)
        path = c->shown_path;
    if (c->xerr != LXW_NO_ERROR)
        rc = pf_err_set(err, PF_EINTERNAL, "", "cannot write %s in '%s': %s", c->xwhere, path,
                        lxw_strerror(c->xerr));
    else if (e != LXW_NO_ERROR && (sys == ENOSPC || sys == EFBIG || sys == EDQUOT ||
                                   sys == EACCES || sys == EROFS || sys == EIO))
        rc = pf_err_set(err, PF_EIO, "", "cannot write '%s': %s", path, strerror(sys));
    else if (e != LXW_NO_ERROR)
        rc = pf_err_set(err, PF_EIO, "", "cannot write '%s': %s", path, lxw_strerror(e));
    c->xerr = LXW_NO_ERROR;
    return rc;
}

/* --- public: footer --- */

/* "&L<left>&C<page x of n>&R<as of>"; left is input text (escaped, cut to fit). */
void
rp_set_footer(struct rp_ctx *c, const char *left)
{
    struct pf_buf b = PF_BUF_INIT;
    char day[16];

    pf_buf_adds(&b, "&L");
    footer_escape(&b, left ? left : "", 80);
    pf_buf_adds(&b, "&C");
    pf_buf_adds(&b, rp_tr(c, rp_defs_string(c->defs, "page_footer")));
    pf_buf_adds(&b, "&R");
    pf_buf_adds(&b, pf_date_format(c->run->as_of, day, sizeof day));
    snprintf(c->footer, sizeof c->footer, "%.*s", (int)utf8_cut(pf_buf_str(&b), 250),
             pf_buf_str(&b));
    pf_buf_release(&b);
}

/* --- public: flow blocks --- */

static void
blockpos_free(void *p)
{
    free(p);
}

void
rp_blocks_layout(struct rp_ctx *c, const struct rp_sheet *s, const struct rp_blockref *list,
                 size_t n)
{
    struct pf_buf b = PF_BUF_INIT;
    lxw_row_t row = 5; /* title rows, blank, header */
    int sheet = 0;
    size_t i;

    memset(c->flow_last, 0, sizeof c->flow_last);
    c->blist = list;
    c->nblist = n;
    for (i = 0; i < n; i++) {
        size_t nflows = rp_index_block_size(c->ix, list[i].fund, list[i].key);
        struct rp_blockpos *p;

        if (nflows == 0)
            continue;
        pf_buf_reset(&b);
        pf_buf_adds(&b, list[i].fund ? list[i].fund : "\x02");
        pf_buf_addc(&b, '\x1f');
        pf_buf_adds(&b, list[i].key);
        if (pf_map_has(&c->blocks, pf_buf_str(&b)))
            continue;
        if ((size_t)row + nflows > LXW_ROW_MAX) {
            if (sheet + 1 >= RP_MAX_FLOW_SHEETS)
                break; /* no room: the IRRs past here are written as values */
            sheet++;
            row = 5;
        }
        p = pf_xcalloc(1, sizeof *p);
        p->sheet = sheet;
        p->first = row;
        p->last = row + (lxw_row_t)nflows - 1;
        c->flow_last[sheet] = p->last;
        row += (lxw_row_t)nflows;
        pf_map_put(&c->blocks, pf_buf_str(&b), p);
    }
    c->nflow_sheets = (size_t)sheet + 1;
    for (i = 0; i < c->nflow_sheets; i++) {
        free(c->flow_sheets[i]);
        if (i == 0)
            c->flow_sheets[i] = pf_xstrdup(rp_sheet_name(c, s));
        else
            c->flow_sheets[i] = pf_xasprintf("%s %zu", rp_sheet_name(c, s), i + 1);
    }
    pf_buf_release(&b);
}

void
rp_blocks_release(struct rp_ctx *c)
{
    size_t i;
    pf_map_release(&c->blocks, blockpos_free);
    for (i = 0; i < c->nflow_sheets; i++) {
        free(c->flow_sheets[i]);
        c->flow_sheets[i] = NULL;
    }
    c->nflow_sheets = 0;
}

void
rp_blocks_write(struct rp_ctx *c, const struct rp_sheet *s)
{
    const struct rp_table *t = &s->tables[0];
    lxw_worksheet *ws = NULL;
    struct pf_run_row *flows = NULL; /* one block's, decoded when the run holds them packed */
    size_t cflows = 0, nflows;
    struct pf_buf b = PF_BUF_INIT;
    lxw_format *f_text = rp_fmt_named(c, "text", RP_PLAIN);
    lxw_format *f_date = rp_fmt(c, t->ncols > RP_FLOW_COL_DATE ? t->cols[RP_FLOW_COL_DATE].fmt
                                                             : -1, RP_PLAIN);
    lxw_format *f_money = rp_fmt(c, t->ncols > RP_FLOW_COL_AMOUNT
                                        ? t->cols[RP_FLOW_COL_AMOUNT].fmt : -1, RP_PLAIN);
    lxw_format *f_nav = rp_fmt(c, t->ncols > RP_FLOW_COL_AMOUNT
                                      ? t->cols[RP_FLOW_COL_AMOUNT].fmt : -1, RP_STRONG);
    const struct rp_text *lab_flow = rp_defs_label(c->defs, "block_row", "flow");
    const struct rp_text *lab_nav = rp_defs_label(c->defs, "block_row", "nav");
    const char *portfolio = rp_tr(c, rp_defs_string(c->defs, "portfolio"));
    struct pf_map written = PF_MAP_INIT;
    int cur = -1;
    lxw_row_t hdr = 4;
    size_t i, j;

    /* every laid-out block, in order; sheets are opened as blocks reach them */
    for (i = 0; i < c->nblist; i++) {
        const struct rp_blockref *br = &c->blist[i];
        const struct rp_blockpos *p;

        pf_buf_reset(&b);
        pf_buf_adds(&b, br->fund ? br->fund : "\x02");
        pf_buf_addc(&b, '\x1f');
        pf_buf_adds(&b, br->key);
        p = pf_map_get(&c->blocks, pf_buf_str(&b));
        if (!p || pf_map_has(&written, pf_buf_str(&b)))
            continue;
        pf_map_put(&written, pf_buf_str(&b), NULL);
        while (cur < p->sheet) {
            lxw_row_t row;
            cur++;
            ws = rp_add_sheet(c, s, c->flow_sheets[cur], &row);
            if (!ws)
                goto cleanup;
            rp_col_widths(c, ws, t);
            hdr = 4;
            if (c->flow_last[cur] > hdr) /* before the rows: constant memory */
                rp_check(c, worksheet_autofilter(ws, hdr, 0, c->flow_last[cur],
                                                 (lxw_col_t)t->ncols - 1), "the flows' autofilter");
            rp_header_row(c, ws, hdr, t);
            worksheet_freeze_panes(ws, hdr + 1, 0);
            rp_check(c, worksheet_repeat_rows(ws, hdr, hdr), "the print titles");
            /* the flows are for recalculation, not for paper: the default print is the
             * sheet's title and header only (select the rows to print them) */
            if (!c->partner)
                rp_check(c, worksheet_print_area(ws, 0, 0, hdr, (lxw_col_t)t->ncols - 1),
                         "the print area");
        }
        nflows = rp_index_block_rows(c->ix, br->fund, br->key, &flows, &cflows);
        for (j = 0; j < nflows; j++) {
            const struct pf_run_row *fr = &flows[j];
            lxw_row_t row = p->first + (lxw_row_t)j;
            bool is_nav = strcmp(fr->col, "nav") == 0;
            rp_write_text(c, ws, row, RP_FLOW_COL_FUND, fr->fund ? fr->fund : portfolio, f_text);
            rp_write_text(c, ws, row, RP_FLOW_COL_BLOCK, fr->key, f_text);
            rp_write_date(c, ws, row, RP_FLOW_COL_DATE, fr->date, f_date);
            if (fr->has_value) {
                double v = fr->is_money ? (double)fr->cents / 100.0 : fr->value;
                char *link = c->block_link ? c->block_link(c, br->fund, br->key, is_nav, row)
                                           : NULL;
                if (link)
                    rp_write_formula(c, ws, row, RP_FLOW_COL_AMOUNT, link, v,
                                     is_nav ? f_nav : f_money);
                else
                    rp_write_num(c, ws, row, RP_FLOW_COL_AMOUNT, v, is_nav ? f_nav : f_money);
                free(link);
            }
            rp_write_text(c, ws, row, RP_FLOW_COL_TYPE,
                          rp_tr(c, is_nav ? lab_nav : lab_flow), f_text);
        }
    }
    if (!ws) { /* no blocks at all: still the sheet, saying so */
        lxw_row_t row;
        ws = rp_add_sheet(c, s, c->nflow_sheets ? c->flow_sheets[0] : NULL, &row);
        if (!ws)
            goto cleanup;
        rp_col_widths(c, ws, t);
        rp_header_row(c, ws, 4, t);
        rp_write_text(c, ws, 5, 0, rp_tr(c, rp_defs_string(c->defs, "no_rows")),
                      rp_fmt_named(c, "note", RP_PLAIN));
    }
cleanup:
    free(flows);
    pf_map_release(&written, NULL);
    pf_buf_release(&b);
}

/* --- public: audit --- */

/* A detail wraps within its column: the row is as tall as its lines (set before the row's
 * cells, as constant memory requires). */
static void
detail_row(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const struct rp_table *t,
           const char *detail)
{
    double cw = t->ncols > 2 ? t->cols[2].width[c->lang] : 100;
    double w = rp_text_width(detail);
    int lines = cw > 0 ? (int)(w / (cw * 0.95)) + 1 : 1;
    if (lines > 1)
        rp_check(c, worksheet_set_row(ws, r, 15.0 * lines, NULL), "a row height");
}

/* A check's or warning's name in the book's language ("partners_nav_share" in Chinese). */
static const char *
note_name(struct rp_ctx *c, const char *name)
{
    const struct rp_text *t = rp_defs_label(c->defs, "note_name", name);
    if (!t || c->lang == RP_EN)
        return name;
    pf_buf_reset(&c->tmp);
    pf_buf_addf(&c->tmp, "%s（%s）", t->zh, name);
    return pf_buf_str(&c->tmp);
}

/*
 * A note's detail in the book's language. The engine writes English with amounts in
 * cents; in Chinese the detail is the check's description with the fund, the period
 * and each amount in 分 taken from it (both: the Chinese, then the English as stored).
 */
static const char *
note_detail(struct rp_ctx *c, const struct pf_run_note *n)
{
    const struct rp_text *t = rp_defs_label(c->defs, "note_name", n->name);
    const char *d = n->detail ? n->detail : "", *p;
    static const char *const periods[] = { "month", "qtd", "ytd", "itd" };
    size_t i;
    bool first = true;

    if (c->lang == RP_EN || !t)
        return d;
    pf_buf_reset(&c->tmp);
    pf_buf_adds(&c->tmp, t->zh);
    /* the fund and partner named, the period */
    for (p = d; (p = strstr(p, "fund '")) != NULL; p += 6) {
        const char *e = strchr(p + 6, '\'');
        if (!e)
            break;
        pf_buf_addf(&c->tmp, "%s基金 %.*s", first ? "：" : "，", (int)(e - p - 6), p + 6);
        first = false;
        break;
    }
    if ((p = strstr(d, "partner '")) != NULL) {
        const char *e = strchr(p + 9, '\'');
        if (e)
            pf_buf_addf(&c->tmp, "，合伙人 %.*s", (int)(e - p - 9), p + 9);
    }
    for (i = 0; i < 4; i++) {
        char w[16];
        snprintf(w, sizeof w, "' %s", periods[i]);
        if (strstr(d, w)) {
            const struct rp_text *pt = rp_defs_label(c->defs, "period", periods[i]);
            pf_buf_addf(&c->tmp, "，%s", pt ? pt->zh : periods[i]);
        }
    }
    /* amounts: "N cents" -> "N 分" */
    for (p = d; (p = strstr(p, " cents")) != NULL; p += 6) {
        const char *q = p;
        while (q > d && (q[-1] == '-' || (q[-1] >= '0' && q[-1] <= '9')))
            q--;
        if (q < p)
            pf_buf_addf(&c->tmp, "，%.*s 分", (int)(p - q), q);
    }
    if (c->lang == RP_BOTH) {
        pf_buf_adds(&c->tmp, " / ");
        pf_buf_adds(&c->tmp, d);
    }
    return pf_buf_str(&c->tmp);
}

static lxw_row_t
audit_item(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, const struct rp_table *t,
           const char *item, const char *value, const char *fmt)
{
    rp_write_text(c, ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "items", item)),
                  rp_fmt_named(c, "label_strong", RP_PLAIN));
    rp_write_text(c, ws, r, 1, value, rp_fmt_named(c, fmt ? fmt : "text", RP_PLAIN));
    return r + 1;
}

void
rp_audit_write(struct rp_ctx *c, const struct rp_sheet *s, const size_t *show,
               size_t nshow)
{
    const struct rp_table *t = &s->tables[0];
    const struct pf_run *run = c->run;
    lxw_worksheet *ws;
    lxw_row_t r;
    char buf[64], day[16];
    cJSON *rows = NULL, *it;
    size_t i, nchecks = 0, nwarn = 0, npass = 0, nfail = 0;
    size_t nlist = show ? nshow : run->nnotes;
    lxw_format *f_sec = rp_fmt_named(c, "section", RP_PLAIN);
    /* details stay on one line: rows here have no height to grow into */
    lxw_format *f_text = rp_fmt_named(c, "text", RP_PLAIN);
    lxw_format *f_count = rp_fmt_named(c, "count", RP_PLAIN);
    lxw_format *f_wrap = rp_fmt_named(c, "wrap", RP_PLAIN);

    ws = rp_add_sheet(c, s, NULL, &r);
    if (!ws)
        return;
    rp_col_widths(c, ws, t);
    rp_header_row(c, ws, r, t);
    worksheet_freeze_panes(ws, r + 1, 0);
    r++;
    snprintf(buf, sizeof buf, "%lld", (long long)run->id);
    r = audit_item(c, ws, r, t, "run", buf, NULL);
    r = audit_item(c, ws, r, t, "as_of", pf_date_format(run->as_of, day, sizeof day), NULL);
    snprintf(buf, sizeof buf, "%lld", (long long)run->batch);
    r = audit_item(c, ws, r, t, "batch", buf, NULL);
    r = audit_item(c, ws, r, t, "engine", run->engine ? run->engine : "", NULL);
    r = audit_item(c, ws, r, t, "taxonomy", run->taxonomy ? run->taxonomy : "", "digest");
    r = audit_item(c, ws, r, t, "benchmark",
                   run->benchmark && *run->benchmark ? run->benchmark : "—", NULL);
    r = audit_item(c, ws, r, t, "digest", run->digest ? run->digest : "", "digest");
    r = audit_item(c, ws, r, t, "created_at", run->created_at ? run->created_at : "", NULL);
    /* a statement holds nothing portfolio-wide: no counts of results or input rows */
    if (!c->partner) {
        snprintf(buf, sizeof buf, "%zu", c->ix->nresults);
        r = audit_item(c, ws, r, t, "results", buf, NULL);
        r++;
        /* input row counts: {"kind": n, ...} */
        rp_write_text(c, ws, r++, 0, rp_tr(c, rp_table_text(c->defs, t, "items", "input_rows")),
                      f_sec);
        rows = run->input_rows ? cJSON_Parse(run->input_rows) : NULL;
        if (cJSON_IsObject(rows) && cJSON_GetArraySize(rows) > 0) {
            cJSON_ArrayForEach(it, rows) {
                const struct rp_text *lab = rp_defs_label(c->defs, "input_kind", it->string);
                rp_write_text(c, ws, r, 0, lab ? rp_tr(c, lab) : it->string,
                              rp_fmt_named(c, "text", RP_PLAIN));
                if (cJSON_IsNumber(it))
                    rp_write_num(c, ws, r, 1, it->valuedouble, f_count);
                else if (cJSON_IsString(it))
                    rp_write_text(c, ws, r, 1, it->valuestring, f_text);
                r++;
            }
        } else {
            rp_write_text(c, ws, r++, 1, run->input_rows && *run->input_rows ? run->input_rows
                                             : rp_tr(c, rp_table_text(c->defs, t, "items", "none")),
                          f_text);
        }
    }
    r++;

    /* the tally covers the checks listed (a statement lists only its own funds') */
    for (i = 0; i < nlist; i++) {
        const struct pf_run_note *n = &run->notes[show ? show[i] : i];
        if (n->is_check) {
            if (n->ok)
                npass++;
            else
                nfail++;
        }
    }
    /* the manager's default print: the run and the tally, not hundreds of check lines */
    if (!c->partner)
        rp_check(c, worksheet_print_area(ws, 0, 0, r, 2), "the print area");
    rp_write_text(c, ws, r, 0, rp_tr(c, rp_table_text(c->defs, t, "items", "checks")), f_sec);
    {
        struct pf_buf b = PF_BUF_INIT;
        pf_buf_addf(&b, "%zu %s, %zu %s", npass,
                    rp_tr(c, rp_defs_label(c->defs, "check", "pass")), nfail,
                    rp_tr(c, rp_defs_label(c->defs, "check", "fail")));
        rp_write_text(c, ws, r, 1, pf_buf_str(&b),
                      rp_fmt_named(c, nfail ? "fail" : "pass", RP_PLAIN));
        pf_buf_release(&b);
    }
    r++;
    for (i = 0; i < nlist; i++) {
        const struct pf_run_note *n = &run->notes[show ? show[i] : i];
        if (!n->is_check)
            continue;
        nchecks++;
        detail_row(c, ws, r, t, note_detail(c, n));
        rp_write_text(c, ws, r, 0, note_name(c, n->name), rp_fmt_named(c, "text", RP_PLAIN));
        rp_write_text(c, ws, r, 1,
                      rp_tr(c, rp_defs_label(c->defs, "check", n->ok ? "pass" : "fail")),
                      rp_fmt_named(c, n->ok ? "pass" : "fail", RP_PLAIN));
        rp_write_text(c, ws, r, 2, note_detail(c, n), f_wrap);
        r++;
    }
    (void)nchecks;
    r++;
    rp_write_text(c, ws, r++, 0, rp_tr(c, rp_table_text(c->defs, t, "items", "warnings")),
                  f_sec);
    for (i = 0; i < nlist; i++) {
        const struct pf_run_note *n = &run->notes[show ? show[i] : i];
        if (n->is_check)
            continue;
        nwarn++;
        detail_row(c, ws, r, t, note_detail(c, n));
        rp_write_text(c, ws, r, 0, note_name(c, n->name), rp_fmt_named(c, "text", RP_PLAIN));
        rp_write_text(c, ws, r, 2, note_detail(c, n), f_wrap);
        r++;
    }
    if (!nwarn)
        rp_write_text(c, ws, r++, 1, rp_tr(c, rp_table_text(c->defs, t, "items", "none")),
                      f_text);
    cJSON_Delete(rows);
}

const char *
rp_label(struct rp_ctx *c, const char *zh, const char *en)
{
    /* "both" labels live in a ring of eight buffers, so a few can be used in one call
     * (the report is single-threaded) */
    static char ring[8][512];
    static unsigned next;
    char *b;
    if (c->lang == RP_ZH)
        return zh;
    if (c->lang == RP_EN)
        return en;
    b = ring[next++ % 8];
    snprintf(b, sizeof ring[0], "%s / %s", zh, en);
    return b;
}

lxw_worksheet *
rp_add_named_sheet(struct rp_ctx *c, const char *zh, const char *en, const char *tzh,
                   const char *ten, lxw_row_t *row)
{
    /* static: the context keeps the sheet's name (chart ranges) while it is written */
    static struct rp_sheet s;
    static char name_zh[64], name_en[64], name_both[96], t_zh[160], t_en[160], t_both[320];
    memset(&s, 0, sizeof s);
    snprintf(name_zh, sizeof name_zh, "%s", zh);
    snprintf(name_en, sizeof name_en, "%s", en);
    snprintf(name_both, sizeof name_both, "%s %s", zh, en);
    snprintf(t_zh, sizeof t_zh, "%s", tzh);
    snprintf(t_en, sizeof t_en, "%s", ten);
    snprintf(t_both, sizeof t_both, "%s / %s", tzh, ten);
    s.name.zh = name_zh;
    s.name.en = name_en;
    s.name.both = name_both;
    s.title.zh = t_zh;
    s.title.en = t_en;
    s.title.both = t_both;
    s.kind = name_en;
    return rp_add_sheet(c, &s, NULL, row);
}
