/*
 * report_int: what the report module's files share. The definitions read from
 * the JSON files in reports/ (defs.c), an index over a stored run (index.c), the rendering
 * context with its error capture and cell helpers (book.c), the generic table
 * renderer (table.c), and the two workbooks (manager.c, statement.c).
 * Only src/report/ and tests/unit/test_report.c include this file.
 */
#ifndef PARKFUND_REPORT_INT_H
#define PARKFUND_REPORT_INT_H

#include <xlsxwriter.h>

#include "parkfund/model.h"
#include "parkfund/report.h"
#include "parkfund/store.h"
#include "parkfund/util.h"

/* ------------------------------------------------------------ definitions */

enum rp_lang { RP_ZH, RP_EN, RP_BOTH };

/* A text in both languages; both = "中文 / English" unless the file says otherwise. */
struct rp_text {
    char *zh, *en, *both;
};

struct rp_fmtdef {
    char *name;
    char *num;     /* number format or NULL */
    char *font;
    bool bold, italic, wrap;
    double size;   /* 0 = default */
    int color, bg; /* -1 = none */
    int border, top;
    int align, valign; /* LXW_ALIGN_* or 0 */
};

struct rp_col {
    char *id;
    struct rp_text title;
    int fmt;          /* index into defs formats */
    double width[3];  /* by enum rp_lang; 0 = default */
    char *text;       /* text source (key, key_name, fund_name, ...) */
    char *date;       /* date source */
    char *metric;     /* stored result metric */
    char *formula;    /* template without '=': {col}, {total:col}, {param} */
    char *xirr;       /* block id template: {key}, {dimension} */
    char *special;    /* guidance_sum, region_invested */
    bool value_only;  /* a stored value no formula can express: '†' */
    bool total_sum;   /* SUM on the total row */
    bool zero_if_absent; /* a metric a row may not have (accrued carry): then 0 */
};

enum rp_chart_kind { RP_CHART_PIE, RP_CHART_COLUMN, RP_CHART_BAR, RP_CHART_LINE };
struct rp_chart {
    enum rp_chart_kind type;
    struct rp_text title;
    char *categories;  /* column id */
    char **values;     /* column ids */
    size_t nvalues;
    struct rp_text value_axis, category_axis; /* axis titles with units (optional) */
    bool has_value_axis, has_category_axis;
    int top;           /* > 0: chart the top N rows by the first value, and "other" */
};

struct rp_line {       /* a capital-account line */
    char *id;
    struct rp_text title;
    int sign;          /* +1, or -1 to show a stored positive amount as a deduction */
    char *sum_from, *sum_to; /* a SUM line over the lines between (inclusive) */
    bool strong;
    int fmt;           /* -1 = the table's amount format */
};
struct rp_section {
    struct rp_text title;
    struct rp_line *lines;
    size_t nlines;
};

struct rp_table {
    char *id, *kind;   /* kind "table" is the generic renderer */
    char *rows;        /* funds, dimension, partners, projects, partner_funds, guidance_partners */
    char *dimension, *scope;
    struct rp_text title;
    bool has_title;
    struct rp_col *cols;
    size_t ncols;
    bool autofilter, total, concentration, skip_star, freeze;
    bool portfolio_row;          /* rows "funds": a last row for the whole portfolio (key *) */
    struct rp_chart *chart;
    struct rp_section *sections; /* capital account */
    size_t nsections;
    struct rp_col *periods;      /* capital account: id and title */
    size_t nperiods;
    struct pf_map texts;         /* other texts: "key" or "key\x1fsub" -> rp_text */
    char *where;       /* "manager.json: sheets[1].tables[0]" for messages */
};

struct rp_sheet {
    char *id, *kind;
    struct rp_text name, title;
    struct rp_table *tables;
    size_t ntables;
    int freeze_cols;
};

struct rp_book {
    char *file;        /* file-name stem: portfolio, statement */
    struct rp_text title, subject, footer;
    struct rp_sheet *sheets;
    size_t nsheets;
    char *path;
};

struct rp_defs {
    struct rp_fmtdef *fmts;
    size_t nfmts;
    struct rp_fmtdef total;      /* overlay for total rows */
    int scale_min, scale_mid, scale_max;
    struct pf_map labels;        /* "group\x1fcode" -> rp_text */
    struct pf_map strings;       /* id -> rp_text */
    struct rp_book manager, partner;
};

pf_status rp_defs_load(const char *dir, struct rp_defs **out, struct pf_err *err);
void rp_defs_free(struct rp_defs *d);
int rp_defs_format(const struct rp_defs *d, const char *name); /* index or -1 */
/* A fixed label ("instrument", "equity"); NULL when the file has none. */
const struct rp_text *rp_defs_label(const struct rp_defs *d, const char *group,
                                    const char *code);
/* A common string ("total"); never NULL after a successful load. */
const struct rp_text *rp_defs_string(const struct rp_defs *d, const char *id);
/* A text inside a table's JSON (raw[key] or raw[key][sub]); NULL if absent. */
const struct rp_text *rp_table_text(const struct rp_defs *d, const struct rp_table *t,
                                    const char *key, const char *sub);
int rp_table_col(const struct rp_table *t, const char *id); /* index or -1 */

/* ------------------------------------------------------------------ index */

/* Indices into run->results or run->rows that share (dimension|tbl, fund, key). */
struct rp_group {
    size_t *idx;
    size_t n, cap;
    const struct pf_run *run; /* an index's groups: the run idx points into (a windowed
                                 index's part holds its own) */
};
/* Keys of one (dimension|tbl, fund), in order of first appearance. */
struct rp_keys {
    const char **keys;
    size_t n, cap;
};

struct rp_blockref {
    const char *fund, *key;  /* borrowed from the run */
};

struct rp_index {
    const struct pf_run *run;
    struct pf_map res;       /* "dim\x1f fund \x1f key" -> rp_group (results) */
    struct pf_map res_keys;  /* "dim\x1f fund" -> rp_keys */
    struct pf_map rows;      /* "tbl\x1f fund \x1f key" -> rp_group (rows) */
    struct pf_map row_keys;  /* "tbl\x1f fund" -> rp_keys */
    const char **funds;      /* fund ids in results order */
    size_t nfunds, cfunds;
    struct rp_blockref *blocks; /* every XIRR block, in run order */
    size_t nblocks, cblocks;
    struct pf_map packs;     /* "block\x1f fund \x1f key" -> rp_group of run->blocks (packed) */
    struct pf_map partner_funds; /* partner id -> rp_keys: the funds it is in (funds order) */
    struct rp_window *win;   /* windowed (rp_index_open): parts read from the store */
    struct rp_only *only;    /* rp_index_only: the kinds the run was read with */
    size_t nresults;         /* the run's number of results (a windowed run holds none) */
};

void rp_index_build(struct rp_index *ix, const struct pf_run *run);
void rp_index_release(struct rp_index *ix);
/*
 * A windowed index over run (its header and notes only): each part of the run (one
 * fund's results of one dimension, or rows of one table) is read from st when first
 * asked for and kept among the last `keep` parts used (keep 0: 32). For tests, the
 * environment's PARKFUND_REPORT_PARTS overrides keep, or is "all": then *ok is false
 * (the caller reads the whole run, to compare with). The funds and the flow blocks are
 * listed up front (pf_store_run_directory). *ok false: the run cannot be read by
 * parts (nothing changed; build a whole index instead). Lookups are as for a whole
 * index, but what one returns (a group, a keys list, a result or row) is valid only
 * until `keep` other parts have been read; keys and the other strings stay valid
 * until rp_index_release. A part that cannot be read is empty, and
 * rp_index_failed says why.
 */
pf_status rp_index_open(struct rp_index *ix, const struct pf_run *run, struct pf_store *st,
                        size_t keep, bool *ok, struct pf_err *err);
/*
 * The same for statements: no list of funds or blocks (a statement walks its partner's
 * funds, pfunds: partner id -> rp_keys in the run's fund order, borrowed until
 * rp_index_release; a block's size is read with its part).
 */
pf_status rp_index_open_partners(struct rp_index *ix, const struct pf_run *run,
                                 struct pf_store *st, size_t keep, const struct pf_map *pfunds,
                                 bool *ok, struct pf_err *err);
/*
 * The run was read with only these kinds (dimensions and tables; a statement's scope,
 * pf_store_get_run_scope): a lookup of any other kind finds nothing and is remembered,
 * and rp_index_failed reports it, so that a workbook never silently misses what was
 * not read.
 */
void rp_index_only(struct rp_index *ix, const char *const *kinds, size_t nkinds);
/* PF_OK, or the first failure to read a part of a windowed index, or the first kind
 * looked up that an rp_index_only index was not read with (its message in err). */
pf_status rp_index_failed(const struct rp_index *ix, struct pf_err *err);
/* Append index i to a group; free a heap group (pf_map_release's callback). */
void rp_group_add(struct rp_group *g, size_t i);
void rp_group_free(void *p);
const struct rp_group *rp_index_results(const struct rp_index *ix, const char *dim,
                                        const char *fund, const char *key);
const struct pf_result *rp_index_result(const struct rp_index *ix, const char *dim,
                                        const char *fund, const char *key, const char *metric);
const struct rp_keys *rp_index_keys(const struct rp_index *ix, const char *dim,
                                    const char *fund);
const struct rp_group *rp_index_rows(const struct rp_index *ix, const char *tbl,
                                     const char *fund, const char *key);
const struct rp_keys *rp_index_row_keys(const struct rp_index *ix, const char *tbl,
                                        const char *fund);
/*
 * An XIRR block's flows, whether the run holds them as rows (table "block") or packed
 * (run->blocks, pf_store_get_run_packed). rp_index_block_ref: the block's fund and key
 * as the run holds them (false: no such block). rp_index_block_size: how many flows.
 * rp_index_block_rows: the flows in stored order as rows (table "block", the block's
 * fund and key, money with a date) in *buf, grown as needed (*cap its size; the caller
 * frees it); returns their number.
 */
bool rp_index_block_ref(const struct rp_index *ix, const char *fund, const char *key,
                        struct rp_blockref *out);
size_t rp_index_block_size(const struct rp_index *ix, const char *fund, const char *key);
size_t rp_index_block_rows(const struct rp_index *ix, const char *fund, const char *key,
                           struct pf_run_row **buf, size_t *cap);
/* The funds a partner has results in, in the order of ix->funds; NULL for none. */
const struct rp_keys *rp_index_partner_funds(const struct rp_index *ix, const char *partner);

/* ------------------------------------------------------------------ notes */

/*
 * For each run note (who and fund hold run->nnotes entries): the one partner of
 * ds it names (its index; -1 none, -2 several distinct partners) and likewise the
 * one fund. Ids are named as whole words of ID characters (A-Z a-z 0-9 _ -), a
 * partner's name anywhere in the note's name or detail. Costs the notes' length,
 * not notes times partners.
 */
void rp_notes_attribute(const struct pf_run *run, const struct pf_dataset *ds, int *who,
                        int *fund);
/* Does text name needle? word: as a whole word of ID characters (plain search). */
bool rp_mentions(const char *text, const char *needle, bool word);

/* ------------------------------------------------------ rendering context */

/* Where an XIRR block sits in the workbook's flow sheets. */
struct rp_blockpos {
    int sheet;               /* index into ctx->flow_sheets */
    lxw_row_t first, last;   /* rows (0-based) of the block's flows, NAV row included */
};

#define RP_FLOW_COL_FUND 0
#define RP_FLOW_COL_BLOCK 1
#define RP_FLOW_COL_DATE 2
#define RP_FLOW_COL_AMOUNT 3
#define RP_FLOW_COL_TYPE 4
#define RP_MAX_FLOW_SHEETS 64

struct rp_ctx {
    const struct pf_run *run;
    const struct pf_dataset *ds;
    const struct pf_taxonomy *tax;
    const struct rp_defs *defs;
    const struct rp_book *book;
    const struct rp_index *ix;
    enum rp_lang lang;
    int unit;                /* 0 yuan, 4 wan (10^4), 8 yi (10^8): money's display scale */
    const char *partner;     /* the statement's partner id, NULL for the manager */
    lxw_workbook *wb;
    lxw_format **fcache;     /* nfmts * 3 variants: plain, total, strong */
    lxw_error xerr;          /* first libxlsxwriter error */
    char xwhere[160];        /* what was being written then */
    struct pf_map blocks;    /* "fund\x1f key" -> rp_blockpos */
    const struct rp_blockref *blist; /* the blocks this workbook writes, in order */
    size_t nblist;
    int *note_who;           /* per run note: the ds partner it names, -1 none, -2 several */
    int *note_fund;          /* per run note: the ds fund it names, -1 none, -2 several */
    struct pf_map fund_notes; /* ds fund id -> rp_group: the run notes about it, in order */
    const struct rp_keys *pfunds; /* statements: the partner's funds, in ix->funds order */
    /* statements: per ds partner, its commitments and flows (indices into ds), and per
     * partner id its corrected flows (indices into corr->v); NULL: read them all */
    struct rp_group *p_commit, *p_flows;
    struct pf_map p_corr;
    char *flow_sheets[RP_MAX_FLOW_SHEETS];
    lxw_row_t flow_last[RP_MAX_FLOW_SHEETS]; /* last block row of each flow sheet */
    size_t nflow_sheets;
    const struct rp_sheet *flow_def;
    char footer[256];
    const struct pf_corrections *corr; /* corrected partner flows (statements), or NULL */
    struct pf_map flow_notes;  /* flow id -> its note (borrowed from corr) */
    /* statements: a block row's formula over the partner's own flow list (NULL: a value);
     * is_nav for the block's last row (the NAV at D) */
    char *(*block_link)(struct rp_ctx *c, const char *fund, const char *block, bool is_nav,
                        lxw_row_t row);
    void *stmt;                /* statements: the writer's own layout (statement.c) */
    struct rp_stream *stream;  /* a streamed report's worker state (report.c), or NULL */
    struct pf_map acct_cells;  /* statements: "fund\x1fperiod\x1fline" -> "'Sheet'!$H$9" */
    const char *cur_sheet;   /* the sheet being written (for chart ranges) */
    const struct pf_forecast *forecast; /* the run's forecast to show, or NULL */
    lxw_worksheet *cur_ws;   /* the sheet whose column widths are being measured */
    double setw[64], usedw[64]; /* its widths as set, and the widest value written */
    lxw_format *mfmts[12];   /* the formats of measured cells (filled once per workbook) */
    bool mfmts_ok;
    /* the next chart's title continues with this (a fund's title; after the chart's own
     * words, so input text never starts a title, where '=' would make it a formula) */
    const char *chart_title_more;
    char **keep;             /* strings libxlsxwriter may read until the book closes */
    size_t nkeep;
    const char *shown_path;  /* the file's final name, for messages (written to a temp) */
    struct pf_buf tmp;       /* scratch for texts */
};

enum rp_variant { RP_PLAIN, RP_TOTAL, RP_STRONG };

const char *rp_tr(const struct rp_ctx *c, const struct rp_text *t);
lxw_format *rp_fmt(struct rp_ctx *c, int fmt, enum rp_variant v);
lxw_format *rp_fmt_named(struct rp_ctx *c, const char *name, enum rp_variant v);
/* Record the first libxlsxwriter failure; later ones are ignored. */
void rp_check(struct rp_ctx *c, lxw_error e, const char *what);

void rp_write_text(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                   const char *s, lxw_format *f);
void rp_write_num(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, double v,
                  lxw_format *f);
void rp_write_date(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, pf_date d,
                   lxw_format *f);
void rp_write_formula(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                      const char *formula, double cached, lxw_format *f);
void rp_write_blank(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                    lxw_format *f);
/* A stored result's number (money in currency units), or false with no value. */
bool rp_result_number(const struct pf_result *r, double *v);
/* A result's value or its reason (as text in the reason format). True if a number. */
bool rp_write_result(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                     const struct pf_result *res, lxw_format *f);

/* "D7", "$D$7" into buf (>= 16 bytes). */
char *rp_cell(lxw_row_t r, lxw_col_t col, bool absolute, char *buf);
/* "'Sheet name'!" with quotes doubled, appended to b. */
void rp_sheet_prefix(struct pf_buf *b, const char *sheet);
/* The XIRR formula over a block, or NULL when the block is not in this workbook. */
char *rp_xirr_formula(struct rp_ctx *c, const char *fund, const char *block, double guess);

/* Add a sheet: name by language, landscape, fit to width, footer, title rows.
 * *row receives the first free row. */
lxw_worksheet *rp_add_sheet(struct rp_ctx *c, const struct rp_sheet *s, const char *name,
                            lxw_row_t *row);
/* The first free row rp_add_sheet gives for s (after the title rows). */
lxw_row_t rp_sheet_first_row(const struct rp_sheet *s);
void rp_header_row(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r,
                   const struct rp_table *t);
void rp_col_widths(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t);
/* Set columns first..last to width w (remembered: a wider value written later widens it
 * when the sheet is done, so no text or number is cut off). */
void rp_set_width(struct rp_ctx *c, lxw_worksheet *ws, lxw_col_t first, lxw_col_t last,
                  double w);
void rp_write_long_note(struct rp_ctx *c, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                        const char *text, double w);
/* How wide s shows (CJK characters count two). */
double rp_text_width(const char *s);
const char *rp_sheet_name(const struct rp_ctx *c, const struct rp_sheet *s);
/* The print footer: left text (input text is escaped), page x of n, the as-of date. */
void rp_set_footer(struct rp_ctx *c, const char *left);

/* A label in the workbook's language(s) ("zh / en" for both). */
const char *rp_label(struct rp_ctx *c, const char *zh, const char *en);
/* A sheet written in code (not from the definitions): names and title by language. */
lxw_worksheet *rp_add_named_sheet(struct rp_ctx *c, const char *zh, const char *en,
                                  const char *tzh, const char *ten, lxw_row_t *row);

/* Names shown for codes and records. */
const char *rp_key_name(struct rp_ctx *c, const char *dimension, const char *key);
const char *rp_fund_title(struct rp_ctx *c, const char *fund);

/* Flow blocks: lay out (pre-pass) and write. keep(fund, key) selects blocks. */
void rp_blocks_layout(struct rp_ctx *c, const struct rp_sheet *s,
                      const struct rp_blockref *list, size_t n);
void rp_blocks_write(struct rp_ctx *c, const struct rp_sheet *s);
void rp_blocks_release(struct rp_ctx *c);

/* The audit block; show lists the run notes to show (ascending indices, a statement's
 * own), or is NULL for every note (the manager's). */
void rp_audit_write(struct rp_ctx *c, const struct rp_sheet *s, const size_t *show,
                    size_t nshow);

/* ------------------------------------------------------------ tables */

struct rp_rowref {
    const char *fund;  /* NULL = portfolio */
    const char *key;
    size_t idx;        /* for row sources of a workbook's own (dates) */
};

/* Callbacks a workbook gives the generic renderer; any may be NULL. */
struct rp_table_env {
    /* a "special" column: fills *formula (empty for a plain value) and *value */
    bool (*special)(void *arg, struct rp_ctx *c, const struct rp_table *t, size_t col,
                    const struct rp_rowref *rr, lxw_row_t row, struct pf_buf *formula,
                    double *value);
    /* a column with no source of its own: its number, or false for a blank */
    bool (*value)(void *arg, const struct rp_table *t, size_t col, const struct rp_rowref *rr,
                  double *value);
    /* a named parameter in a formula ({interest}): its absolute cell and value */
    bool (*param)(void *arg, const char *name, const struct rp_rowref *rr, char *cell,
                  double *value);
    /* called after each data row is written */
    void (*row_done)(void *arg, const struct rp_table *t, const struct rp_rowref *rr,
                     lxw_row_t row);
    void *arg;
};

/*
 * Write table t at *row (the caller writes any title): header, one row per
 * rowref, a total row, concentration rows, and a chart to the right. *row
 * receives the next free row (after a blank one); *hdr and *last the header
 * and last data rows (for the freeze and autofilter). dimension NULL: the
 * dimension of t's row source.
 */
void rp_table_write(struct rp_ctx *c, lxw_worksheet *ws, const struct rp_table *t,
                    const char *dimension, const struct rp_rowref *rows, size_t nrows,
                    const struct rp_table_env *env, lxw_row_t *row, lxw_row_t *hdr,
                    lxw_row_t *last);
/* The rows a table's "rows" source selects (only fund's when fund != NULL). */
struct rp_rowref *rp_table_rows(struct rp_ctx *c, const struct rp_table *t, const char *fund,
                                size_t *n);
/* A sheet of generic tables (each_fund tables repeat per fund). */
void rp_tables_sheet(struct rp_ctx *c, const struct rp_sheet *s, const struct rp_table_env *env);

pf_status rp_manager_write(struct rp_ctx *c, const char *path, struct pf_err *err);
pf_status rp_statement_write(struct rp_ctx *c, const char *path, struct pf_err *err);

/* Open a workbook (constant memory, properties from the run); close it and map
 * the first error. */
pf_status rp_book_open(struct rp_ctx *c, const char *path, const char *title,
                       const char *subject, struct pf_err *err);
pf_status rp_book_close(struct rp_ctx *c, const char *path, struct pf_err *err);

/* ------------------------------------------------------------ forecast */
/* The manager's Forecast sheet and a statement's Expected calls sheet
 * (forecast.c); nothing when c->forecast is NULL (or the partner has no rows). */
void rp_forecast_sheet(struct rp_ctx *c);
void rp_forecast_partner_sheet(struct rp_ctx *c);

/* ------------------------------------------------------- fund economics */
/* The manager's "Carry & fees" sheet and the statement's "Carried interest" sheet
 * (economics.c); nothing when no fund (of the partner) has terms. */
void rp_economics_sheet(struct rp_ctx *c);
void rp_economics_partner_sheet(struct rp_ctx *c);

#endif
