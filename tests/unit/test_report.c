/*
 * Unit tests for report: a small run and data set built by hand (no engine,
 * no database) rendered into a scratch folder. The parts of the written files
 * are read back with `unzip -p` and searched. What they check:
 *   - the definitions load, and malformed ones are refused with the file named;
 *   - the files named, sanitised ids with a digest, nothing outside the folder;
 *   - a partner named =HYPERLINK(...) stays a string; formulas hold no input;
 *   - figures: formula text and cached values (XIRR with the stored rate as
 *     its guess, TVPI as a ratio of cells, totals as SUM);
 *   - partner isolation; byte-identical re-renders; languages; errors.
 * The spreadsheet programs' recalculation is tests/recalc/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "parkfund/model.h"
#include "parkfund/report.h"
#include "parkfund/store.h"
#include "parkfund/util.h"
#include "report/report_int.h"

#ifndef PF_SRCDIR
#define PF_SRCDIR "."
#endif

#define EVIL_ID "P/../../evil"
#define EVIL_NAME "=HYPERLINK(\"http://x\",\"y\")"
#define GOOD_NAME "第一合伙人银行"

static pf_date
day(const char *s)
{
    pf_date x = PF_DATE_NONE;
    const char *why;
    pf_date_parse(s, &x, &why);
    return x;
}

/* Fund F1 (CNY): partners P1 (60%) and EVIL_ID (40%), one project J1 (chain it). */
static struct pf_dataset *
make_dataset(void)
{
    struct pf_dataset *ds = pf_xcalloc(1, sizeof *ds);

    ds->batch = 1;
    ds->nparks = 1;
    ds->parks = pf_xcalloc(1, sizeof *ds->parks);
    ds->parks[0] = (struct pf_park){ pf_xstrdup("PK1"), pf_xstrdup("成都高新区"),
                                     pf_xstrdup("Chengdu Hi-tech Zone"), pf_xstrdup("CN-SC"),
                                     pf_xstrdup(""), pf_xstrdup("national") };
    ds->nenterprises = 1;
    ds->enterprises = pf_xcalloc(1, sizeof *ds->enterprises);
    ds->enterprises[0] = (struct pf_enterprise){ pf_xstrdup("E1"), pf_xstrdup("云数科技"),
                                                 pf_xstrdup("PK1"), pf_xstrdup(""),
                                                 pf_xstrdup("it"), pf_xstrdup("midstream"), 0 };
    ds->nfunds = 1;
    ds->funds = pf_xcalloc(1, sizeof *ds->funds);
    ds->funds[0] = (struct pf_fund){ pf_xstrdup("F1"), pf_xstrdup("一号基金 & Co"),
                                     pf_xstrdup("CNY"), pf_xstrdup("管理人"),
                                     day("2021-01-15"), 2021 };
    /* sorted by id: "P/../../evil" < "P1" */
    ds->npartners = 2;
    ds->partners = pf_xcalloc(2, sizeof *ds->partners);
    ds->partners[0] = (struct pf_partner){ pf_xstrdup(EVIL_ID), pf_xstrdup(EVIL_NAME),
                                           pf_xstrdup("guidance_fund"), pf_xstrdup("CN-SC") };
    ds->partners[1] = (struct pf_partner){ pf_xstrdup("P1"), pf_xstrdup(GOOD_NAME),
                                           pf_xstrdup("bank"), pf_xstrdup("CN-SC") };
    ds->nprojects = 1;
    ds->projects = pf_xcalloc(1, sizeof *ds->projects);
    ds->projects[0] = (struct pf_project){ pf_xstrdup("J1"), pf_xstrdup("F1"), pf_xstrdup("E1"),
                                           pf_xstrdup("云数 B 轮"), pf_xstrdup("it"),
                                           pf_xstrdup("midstream"), pf_xstrdup(""),
                                           pf_xstrdup("equity"), pf_xstrdup("CNY"), 0, 0,
                                           800000, 0, day("2021-03-01"), PF_DATE_NONE,
                                           PF_DATE_NONE };
    ds->ncommitments = 2;
    ds->commitments = pf_xcalloc(2, sizeof *ds->commitments);
    ds->commitments[0] = (struct pf_commitment){ 0, 0, day("2021-01-15"), 400000 };
    ds->commitments[1] = (struct pf_commitment){ 1, 0, day("2021-01-15"), 600000 };
    ds->npflows = 3;
    ds->pflows = pf_xcalloc(3, sizeof *ds->pflows);
    ds->pflows[0] = (struct pf_partner_flow){ pf_xstrdup("C-EVIL"), 0, 0, day("2021-02-01"),
                                              PF_CONTRIBUTION, PF_P_INVESTMENT, 200000, false, PF_DATE_NONE };
    ds->pflows[1] = (struct pf_partner_flow){ pf_xstrdup("C-P1"), 0, 1, day("2021-02-01"),
                                              PF_CONTRIBUTION, PF_P_INVESTMENT, 300000, false, PF_DATE_NONE };
    ds->pflows[2] = (struct pf_partner_flow){ pf_xstrdup("C-P1-LATE"), 0, 1, day("2025-01-01"),
                                              PF_CONTRIBUTION, PF_P_INVESTMENT, 1, false, PF_DATE_NONE };
    return ds;
}

/* The run: stored figures as the engine would store them (values made up but consistent). */
static struct pf_run *
make_run(void)
{
    struct pf_run *run = pf_run_new();
    static const char *const lines[] = { "beginning_nav", "contrib_investment",
                                         "dist_return_of_capital", "change_in_value",
                                         "ending_nav" };
    const char *keys[2] = { "P1", "*" };
    size_t k, l;

    run->id = 7;
    run->as_of = day("2024-06-30");
    run->batch = 1;
    run->engine = pf_xstrdup(PF_ENGINE_VERSION);
    run->taxonomy = pf_xstrdup("t1");
    run->benchmark = pf_xstrdup("csi300");
    run->digest = pf_xstrdup("abc123");
    run->created_at = pf_xstrdup("2024-07-01T08:00:00Z");
    run->input_rows = pf_xstrdup("{\"funds\": 1, \"partners\": 2}");

    /* fund F1 */
    pf_run_money(run, "fund", "F1", "F1", "commitment", 100000000);
    pf_run_money(run, "fund", "F1", "F1", "paid_in", 50000000);
    pf_run_money(run, "fund", "F1", "F1", "distributions", 10000000);
    pf_run_money(run, "fund", "F1", "F1", "nav", 60000000);
    pf_run_value(run, "fund", "F1", "F1", "tvpi", 1.4);
    pf_run_value(run, "fund", "F1", "F1", "dpi", 0.2);
    pf_run_value(run, "fund", "F1", "F1", "net_irr", 0.0831);
    pf_run_empty(run, "fund", "F1", "F1", "ks_pme", "no benchmark given");
    /* partners */
    pf_run_money(run, "partner", "F1", EVIL_ID, "commitment", 40000000);
    pf_run_money(run, "partner", "F1", EVIL_ID, "paid_in", 20000000);
    pf_run_money(run, "partner", "F1", EVIL_ID, "distributions", 4000000);
    pf_run_money(run, "partner", "F1", EVIL_ID, "nav", 24000000);
    pf_run_value(run, "partner", "F1", EVIL_ID, "interest", 0.4);
    pf_run_money(run, "partner", "F1", "P1", "commitment", 60000000);
    pf_run_money(run, "partner", "F1", "P1", "paid_in", 30000000);
    pf_run_money(run, "partner", "F1", "P1", "distributions", 6000000);
    pf_run_money(run, "partner", "F1", "P1", "nav", 36000000);
    pf_run_value(run, "partner", "F1", "P1", "interest", 0.6);
    pf_run_value(run, "partner", "F1", "P1", "tvpi", 1.4);
    pf_run_value(run, "partner", "F1", "P1", "net_irr", 0.0777);
    /* project and chain exposure */
    pf_run_money(run, "project", "F1", "J1", "invested", 40000000);
    pf_run_money(run, "project", "F1", "J1", "realised", 0);
    pf_run_money(run, "project", "F1", "J1", "nav", 55000000);
    pf_run_value(run, "project", "F1", "J1", "moic", 1.375);
    pf_run_money(run, "chain", "F1", "it", "invested", 40000000);
    pf_run_money(run, "chain", "F1", "it", "nav", 55000000);
    pf_run_value(run, "chain", "F1", "it", "nav_share", 1.0);
    pf_run_value(run, "chain", "F1", "*", "hhi", 10000.0);
    pf_run_money(run, "chain", NULL, "it", "invested", 40000000);
    pf_run_money(run, "chain", NULL, "it", "realised", 0);
    pf_run_money(run, "chain", NULL, "it", "nav", 55000000);
    pf_run_value(run, "chain", NULL, "it", "moic", 1.375);
    pf_run_value(run, "chain", NULL, "it", "nav_share", 1.0);
    pf_run_value(run, "chain", NULL, "*", "hhi", 10000.0);
    pf_run_value(run, "chain", NULL, "it", "volatility", 0.12);

    /* capital accounts: month, beginning 2024-05-31 */
    for (k = 0; k < 2; k++)
        for (l = 0; l < sizeof lines / sizeof *lines; l++) {
            static const pf_cents p1[] = { 30000000, 0, 0, 6000000, 36000000 };
            static const pf_cents f1[] = { 50000000, 0, 0, 10000000, 60000000 };
            char col[64];
            snprintf(col, sizeof col, "month.%s", lines[l]);
            pf_run_row_money(run, "account", "F1", keys[k], col, day("2024-05-31"),
                             k == 0 ? p1[l] : f1[l]);
        }
    pf_run_row_value(run, "account", "F1", "P1", "month.interest", day("2024-05-31"), 0.6);
    /* the XIRR blocks (netted by date; the last row is the NAV) */
    pf_run_row_money(run, "block", "F1", "net", "flow", day("2021-02-01"), -50000000);
    pf_run_row_money(run, "block", "F1", "net", "flow", day("2023-06-30"), 10000000);
    pf_run_row_money(run, "block", "F1", "net", "nav", day("2024-06-30"), 60000000);
    pf_run_row_money(run, "block", "F1", "partner:" EVIL_ID, "flow", day("2021-02-01"),
                     -20000000);
    pf_run_row_money(run, "block", "F1", "partner:" EVIL_ID, "nav", day("2024-06-30"),
                     24000000);
    pf_run_row_money(run, "block", "F1", "partner:P1", "flow", day("2021-02-01"), -30000000);
    pf_run_row_money(run, "block", "F1", "partner:P1", "nav", day("2024-06-30"), 36000000);
    /* history */
    pf_run_row_money(run, "nav_history", NULL, "it", "nav", day("2024-05-31"), 50000000);
    pf_run_row_money(run, "nav_history", NULL, "it", "nav", day("2024-06-30"), 55000000);
    pf_run_row_value(run, "risk", NULL, "it", "return", day("2024-06-30"), 0.05);
    pf_run_note_add(run, true, "partners_nav", 1, "fund 'F1': partners' NAVs sum to the fund's");
    pf_run_note_add(run, true, "rollforward", 1, "partner '" EVIL_ID "' in fund 'F1' reconciles");
    pf_run_note_add(run, false, "negative_cash", 0, "fund 'F1' cash below zero on 2022-01-01");
    return run;
}

/* The concatenated text of every part of a workbook (unzip -p). */
static char *
slurp_xlsx(const char *path)
{
    struct pf_buf b = PF_BUF_INIT;
    char cmd[4096], buf[8192];
    size_t n;
    FILE *p;

    snprintf(cmd, sizeof cmd, "unzip -p '%s' 2>/dev/null", path);
    p = popen(cmd, "r");
    if (!p)
        return pf_xstrdup("");
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        pf_buf_add(&b, buf, n);
    pclose(p);
    return b.s ? pf_buf_detach(&b) : pf_xstrdup("");
}

static char *
slurp_file(const char *path, size_t *n)
{
    char *s = NULL;
    struct pf_err err = { 0 };
    *n = 0;
    if (pf_read_file(path, &s, n, &err) != PF_OK)
        return NULL;
    return s;
}

static void
free_files(char **files, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

static const char *
find_file(char **files, size_t n, const char *needle)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strstr(files[i], needle))
            return files[i];
    return NULL;
}

/* Are the files of two renders, name by name in order, the same bytes? */
static void
same_files(char **files, size_t n, char **files2, size_t n2)
{
    size_t i;

    CHECK_INT(n2, n);
    for (i = 0; i < n && i < n2; i++) {
        size_t la, lb;
        char *a = slurp_file(files[i], &la), *b = slurp_file(files2[i], &lb);
        CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
        free(a);
        free(b);
    }
}

static pf_status
render(const struct pf_run *run, const struct pf_dataset *ds, const struct pf_taxonomy *tax,
       const char *dir, const char *partner, const char *lang, char ***files, size_t *n,
       struct pf_err *err)
{
    struct pf_report_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = dir;
    o.partner = partner;
    o.lang = lang;
    o.defs_dir = PF_SRCDIR "/reports";
    pf_err_clear(err);
    return pf_report_write(run, ds, tax, &o, files, n, err);
}

static void
test_cells(void)
{
    char a[24];
    CHECK_STR(rp_cell(0, 0, false, a), "A1");
    CHECK_STR(rp_cell(9, 27, false, a), "AB10");
    CHECK_STR(rp_cell(1048575, 16383, true, a), "$XFD$1048576");
}

static void
test_defs(const char *scratch)
{
    struct rp_defs *d = NULL;
    struct pf_err err = { 0 };
    char dir[1024], cmd[4096];
    FILE *f;

    CHECK(rp_defs_load(PF_SRCDIR "/reports", &d, &err) == PF_OK);
    if (d) {
        CHECK(d->manager.nsheets >= 9);
        CHECK(d->partner.nsheets >= 5);
        CHECK(rp_defs_format(d, "money") >= 0);
        CHECK(rp_defs_label(d, "instrument", "equity") != NULL);
    }
    rp_defs_free(d);
    d = NULL;

    /* missing folder: the file is named */
    pf_err_clear(&err);
    CHECK(rp_defs_load("/nonexistent/reports", &d, &err) == PF_ENOINPUT);
    CHECK(strstr(err.where, "formats.json") || strstr(err.msg, "formats.json"));

    /* a formula holding text is refused, naming the file and the path */
    snprintf(dir, sizeof dir, "%s/baddefs", scratch);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp %s/reports/*.json '%s'/", dir, PF_SRCDIR,
             dir);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s/partner.json", dir);
    f = fopen(cmd, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("{\"file\": \"statement\", \"title\": {\"zh\": \"x\", \"en\": \"x\"},"
              " \"subject\": {\"zh\": \"x\", \"en\": \"x\"}, \"sheets\": [{\"id\": \"s\","
              " \"name\": {\"zh\": \"S\", \"en\": \"S\"}, \"title\": {\"zh\": \"t\", \"en\": \"t\"},"
              " \"tables\": [{\"id\": \"t\", \"rows\": \"funds\", \"columns\": ["
              "{\"id\": \"a\", \"title\": {\"zh\": \"a\", \"en\": \"a\"}, \"metric\": \"nav\"},"
              "{\"id\": \"b\", \"title\": {\"zh\": \"b\", \"en\": \"b\"}, \"metric\": \"tvpi\","
              " \"formula\": \"HYPERLINK({a})\"}]}]}]}", f);
        fclose(f);
    }
    pf_err_clear(&err);
    CHECK(rp_defs_load(dir, &d, &err) == PF_EDATA);
    CHECK(strstr(err.where, "partner.json") != NULL);
    CHECK(strstr(err.msg, "sheets[0].tables[0].columns[1]") != NULL);
    rp_defs_free(d);
}

static void
test_render(const char *scratch, const struct pf_taxonomy *tax)
{
    struct pf_run *run = make_run();
    struct pf_dataset *ds = make_dataset();
    struct pf_err err = { 0 };
    char **files = NULL, **files2 = NULL, dir[1024], dir2[1024];
    size_t n = 0, n2 = 0, i;
    const char *port, *good, *evil;
    char *all;

    snprintf(dir, sizeof dir, "%s/out/a/b", scratch); /* created with its parents */
    CHECK(render(run, ds, tax, dir, NULL, NULL, &files, &n, &err) == PF_OK);
    if (err.status)
        fprintf(stderr, "     %s %s\n", err.where, err.msg);
    CHECK_INT(n, 3);
    port = find_file(files, n, "portfolio-2024-06-30.xlsx");
    good = find_file(files, n, "statement-P1-2024-06-30.xlsx");
    evil = find_file(files, n, "statement-P_.._.._evil-");
    CHECK(port && good && evil);
    /* every file sits directly in the folder: "<dir>/<name>", name without '/' or '..' */
    for (i = 0; i < n; i++) {
        size_t ld = strlen(dir);
        const char *name = files[i] + ld + 1;
        struct stat st;
        CHECK(strncmp(files[i], dir, ld) == 0 && files[i][ld] == '/');
        CHECK(strchr(name, '/') == NULL && name[0] != '.');
        CHECK(stat(files[i], &st) == 0 && S_ISREG(st.st_mode));
    }
    if (evil) { /* the changed id carries 8 hex digits of its digest */
        const char *p = strstr(evil, "evil-") + 5;
        CHECK(strlen(p) == strlen("12345678-2024-06-30.xlsx") && p[8] == '-');
    }
    if (!port || !good || !evil)
        goto cleanup;

    all = slurp_xlsx(port);
    /* the partner named =HYPERLINK(...) is a string, never a formula */
    CHECK(strstr(all, "<t>=HYPERLINK(\"http://x\",\"y\")</t>") != NULL);
    CHECK(strstr(all, "<f>HYPERLINK") == NULL && strstr(all, "<f>=") == NULL);
    /* XIRR over the net block, the stored rate as its guess and as the cached value */
    CHECK(strstr(all, ",0.0831)</f><v>0.0830999999999999") != NULL);
    CHECK(strstr(all, "<f>XIRR('现金流 Flows'!$D$") != NULL);
    /* TVPI as a ratio of cells with the stored value cached; totals as SUM */
    CHECK(strstr(all, "<v>1.4</v>") != NULL);
    CHECK(strstr(all, ")/F7</f>") != NULL);
    CHECK(strstr(all, "<f>SUM(") != NULL);
    CHECK(strstr(all, "<f>SUMPRODUCT((100*") != NULL);
    /* a reason, not a made-up number */
    CHECK(strstr(all, "no benchmark given") != NULL);
    /* the created time is the run's */
    CHECK(strstr(all, "2024-07-01T08:00:00Z") != NULL);
    /* the footer escapes '&' from the fund name? (manager footer is fixed text) */
    CHECK(strstr(all, "&amp;P") != NULL);
    free(all);

    /* the good partner's statement: no trace of the other partner */
    all = slurp_xlsx(good);
    CHECK(strstr(all, GOOD_NAME) != NULL);
    CHECK(strstr(all, "HYPERLINK") == NULL);
    CHECK(strstr(all, "evil") == NULL);
    CHECK(strstr(all, "C-EVIL") == NULL);
    CHECK(strstr(all, "partners_nav") != NULL);      /* checks naming no one are listed */
    CHECK(strstr(all, "C-P1-LATE") == NULL);         /* flows after the as-of date are not */
    CHECK(strstr(all, "<f>SUM(") != NULL);           /* ending NAV as a SUM of the lines */
    CHECK(strstr(all, ",0.0777)</f><v>0.0777") != NULL);
    free(all);

    /* the hostile partner's statement: its name only as text, the footer escaped */
    all = slurp_xlsx(evil);
    CHECK(strstr(all, "<f>HYPERLINK") == NULL);
    CHECK(strstr(all, GOOD_NAME) == NULL && strstr(all, "C-P1") == NULL);
    CHECK(strstr(all, "partner:P1") == NULL);
    free(all);

    /* rendering again gives byte-identical files */
    snprintf(dir2, sizeof dir2, "%s/out2", scratch);
    CHECK(render(run, ds, tax, dir2, NULL, "both", &files2, &n2, &err) == PF_OK);
    same_files(files, n, files2, n2);
    free_files(files2, n2);
    files2 = NULL;

    /* one partner only, in Chinese */
    snprintf(dir2, sizeof dir2, "%s/out3", scratch);
    CHECK(render(run, ds, tax, dir2, "P1", "zh", &files2, &n2, &err) == PF_OK);
    CHECK_INT(n2, 1);
    if (n2 == 1) {
        CHECK(strstr(files2[0], "statement-P1-2024-06-30.xlsx") != NULL);
        all = slurp_xlsx(files2[0]);
        CHECK(strstr(all, "name=\"资本账户\"") != NULL);
        CHECK(strstr(all, "Capital account") == NULL);
        free(all);
    }
    free_files(files2, n2);
    files2 = NULL;

    /* English */
    snprintf(dir2, sizeof dir2, "%s/out4", scratch);
    CHECK(render(run, ds, tax, dir2, NULL, "en", &files2, &n2, &err) == PF_OK);
    if (n2 >= 1) {
        all = slurp_xlsx(files2[0]);
        CHECK(strstr(all, "name=\"Summary\"") != NULL);
        CHECK(strstr(all, "<f>XIRR('Flows'!$D$") != NULL);
        free(all);
    }
    free_files(files2, n2);
    files2 = NULL;

    /* errors */
    CHECK(render(run, ds, tax, dir2, "nobody", NULL, &files2, &n2, &err) == PF_ENOINPUT);
    CHECK(strstr(err.msg, "'nobody'") != NULL);
    free_files(files2, n2);
    files2 = NULL;
    CHECK(render(run, ds, tax, dir2, NULL, "fr", &files2, &n2, &err) == PF_EUSAGE);
    free_files(files2, n2);
    files2 = NULL;
    CHECK(render(run, ds, tax, port, NULL, NULL, &files2, &n2, &err) == PF_EIO);
    CHECK_INT(n2, 0);
    free_files(files2, n2);
    files2 = NULL;
cleanup:
    free_files(files, n);
    pf_dataset_free(ds);
    pf_run_free(run);
}

/* A run with nothing in it still renders every sheet. */
/*
 * The same run as make_run() with its XIRR blocks packed (run->blocks and run->flows,
 * as pf_store_get_run_packed loads them for a report) instead of rows of "block".
 * Strings are borrowed from src, which must outlive the twin.
 */
static struct pf_run *
packed_twin(const struct pf_run *src)
{
    struct pf_run *run = pf_run_new();
    size_t i;

    run->id = src->id;
    run->as_of = src->as_of;
    run->batch = src->batch;
    run->engine = pf_xstrdup(src->engine);
    run->taxonomy = pf_xstrdup(src->taxonomy);
    run->benchmark = pf_xstrdup(src->benchmark);
    run->digest = pf_xstrdup(src->digest);
    run->created_at = pf_xstrdup(src->created_at);
    run->input_rows = pf_xstrdup(src->input_rows);
    for (i = 0; i < src->nresults; i++) {
        const struct pf_result *r = &src->results[i];
        if (r->has_value && r->is_money)
            pf_run_money(run, r->dimension, r->fund, r->key, r->metric, r->cents);
        else if (r->has_value)
            pf_run_value(run, r->dimension, r->fund, r->key, r->metric, r->value);
        else
            pf_run_empty(run, r->dimension, r->fund, r->key, r->metric, r->reason);
    }
    for (i = 0; i < src->nrows; i++) {
        const struct pf_run_row *w = &src->rows[i];
        struct pf_run_block *b;
        struct pf_run_flow *f;
        if (strcmp(w->tbl, "block") != 0) {
            if (w->is_money)
                pf_run_row_money(run, w->tbl, w->fund, w->key, w->col, w->date, w->cents);
            else
                pf_run_row_value(run, w->tbl, w->fund, w->key, w->col, w->date, w->value);
            continue;
        }
        b = run->nblocks ? &run->blocks[run->nblocks - 1] : NULL;
        if (!b || strcmp(b->key, w->key) != 0 || !b->fund != !w->fund ||
            (b->fund && strcmp(b->fund, w->fund) != 0)) {
            PF_GROW(run->blocks, run->nblocks + 1, run->cblocks);
            b = &run->blocks[run->nblocks++];
            b->fund = w->fund;
            b->key = w->key;
            b->first = run->nflows;
            b->n = 0;
        }
        PF_GROW(run->flows, run->nflows + 1, run->cflows);
        f = &run->flows[run->nflows++];
        f->col = w->col;
        f->date = w->date;
        f->cents = w->cents;
        b->n++;
    }
    for (i = 0; i < src->nnotes; i++)
        pf_run_note_add(run, src->notes[i].is_check, src->notes[i].name, src->notes[i].ok,
                        src->notes[i].detail);
    return run;
}

/* A report from a run whose flow blocks are packed (issue 12: the report no longer
 * expands 2.6 M block flows into rows) is the same report, byte for byte: the
 * portfolio workbook's flow sheet and XIRR formulas, and each statement's. */
static void
test_packed_blocks(const char *scratch, const struct pf_taxonomy *tax)
{
    struct pf_run *run = make_run(), *twin = packed_twin(run);
    struct pf_dataset *ds = make_dataset();
    struct pf_err err = { 0 };
    char **files = NULL, **files2 = NULL, dir[1024], dir2[1024];
    size_t n = 0, n2 = 0;

    /* the twin is what it claims: no block rows, three blocks of 3, 2 and 2 flows */
    CHECK_INT(twin->nrows, run->nrows - 7);
    CHECK_INT(twin->nblocks, 3);
    CHECK_INT(twin->nflows, 7);
    snprintf(dir, sizeof dir, "%s/rows", scratch);
    snprintf(dir2, sizeof dir2, "%s/packed", scratch);
    CHECK(render(run, ds, tax, dir, NULL, "both", &files, &n, &err) == PF_OK);
    CHECK(render(twin, ds, tax, dir2, NULL, "both", &files2, &n2, &err) == PF_OK);
    CHECK_INT(n, 3);
    same_files(files, n, files2, n2);
    /* and the flows are there: the net block's three rows with their amounts */
    if (n2 > 0) {
        const char *port = find_file(files2, n2, "portfolio-");
        char *all = port ? slurp_xlsx(port) : pf_xstrdup("");
        CHECK(strstr(all, "<v>-500000</v>") != NULL && strstr(all, "<v>100000</v>") != NULL);
        free(all);
    }
    free_files(files, n);
    free_files(files2, n2);
    pf_run_free(twin);
    pf_run_free(run);
    pf_dataset_free(ds);
}

static void
test_empty(const char *scratch, const struct pf_taxonomy *tax)
{
    struct pf_run *run = pf_run_new();
    struct pf_dataset *ds = pf_xcalloc(1, sizeof *ds);
    struct pf_err err = { 0 };
    char **files = NULL, dir[1024];
    size_t n = 0;

    run->id = 1;
    run->as_of = day("2024-01-31");
    snprintf(dir, sizeof dir, "%s/empty", scratch);
    CHECK(render(run, ds, tax, dir, NULL, NULL, &files, &n, &err) == PF_OK);
    if (err.status)
        fprintf(stderr, "     %s %s\n", err.where, err.msg);
    CHECK_INT(n, 1);
    free_files(files, n);
    pf_dataset_free(ds);
    pf_run_free(run);
}

/* --- which partner and fund a run note names: the index against the plain search --- */

/* The plain search the index replaced (notes x partners x strstr), kept as the oracle. */
static void
old_attrib(const struct pf_run *run, const struct pf_dataset *ds, int *who, int *fund)
{
    size_t i, k;
    for (i = 0; i < run->nnotes; i++) {
        const struct pf_run_note *n = &run->notes[i];
        who[i] = -1;
        fund[i] = -1;
        for (k = 0; k < ds->npartners; k++) {
            const struct pf_partner *p = &ds->partners[k];
            bool hit = rp_mentions(n->name, p->partner_id, true) ||
                       rp_mentions(n->detail, p->partner_id, true) ||
                       (p->name && (rp_mentions(n->name, p->name, false) ||
                                    rp_mentions(n->detail, p->name, false)));
            if (hit)
                who[i] = who[i] == -1 ? (int)k : -2;
        }
        for (k = 0; k < ds->nfunds; k++) {
            const struct pf_fund *f = &ds->funds[k];
            if (rp_mentions(n->name, f->fund_id, true) || rp_mentions(n->detail, f->fund_id, true))
                fund[i] = fund[i] == -1 ? (int)k : -2;
        }
    }
}

/* Both answers for every note of run; true when they agree (and, when want_who is given,
 * match it). */
static bool
attrib_agrees(const struct pf_run *run, const struct pf_dataset *ds, const int *want_who,
              const int *want_fund)
{
    int *w1 = pf_xcalloc(run->nnotes + 1, sizeof *w1), *f1 = pf_xcalloc(run->nnotes + 1, sizeof *f1);
    int *w2 = pf_xcalloc(run->nnotes + 1, sizeof *w2), *f2 = pf_xcalloc(run->nnotes + 1, sizeof *f2);
    bool same = true;
    size_t i;

    old_attrib(run, ds, w1, f1);
    rp_notes_attribute(run, ds, w2, f2);
    for (i = 0; i < run->nnotes; i++) {
        bool ok = w1[i] == w2[i] && f1[i] == f2[i] && (!want_who || w2[i] == want_who[i]) &&
                  (!want_fund || f2[i] == want_fund[i]);
        if (!ok) {
            fprintf(stderr, "     note %zu name '%s' detail '%s': old %d/%d, new %d/%d",
                    i, run->notes[i].name ? run->notes[i].name : "(null)",
                    run->notes[i].detail ? run->notes[i].detail : "(null)", w1[i], f1[i],
                    w2[i], f2[i]);
            if (want_who)
                fprintf(stderr, ", want %d/%d", want_who[i], want_fund[i]);
            fprintf(stderr, "\n");
            same = false;
        }
    }
    free(w1);
    free(f1);
    free(w2);
    free(f2);
    return same;
}

static void
attrib_free(struct pf_run *run, struct pf_dataset *ds)
{
    size_t i;
    for (i = 0; i < run->nnotes; i++) {
        free(run->notes[i].name);
        free(run->notes[i].detail);
    }
    free(run->notes);
    for (i = 0; i < ds->npartners; i++) {
        free(ds->partners[i].partner_id);
        free(ds->partners[i].name);
    }
    free(ds->partners);
    for (i = 0; i < ds->nfunds; i++)
        free(ds->funds[i].fund_id);
    free(ds->funds);
}

static void
test_note_attribution(void)
{
    /* ids with characters outside A-Z a-z 0-9 _ - (found by the plain search), a name
     * inside another name, names shorter than the index's prefix, an empty name */
    static const char *const pids[] = { "LP1", "LP10", "LP.X", "LP 7", "合伙人甲", "GP-2_b",
                                        "Q", "DUP" };
    static const char *const pnames[] = { "Alpha Bank", "Alpha Bank Group", "长江银行", "AB",
                                          "乙", "Zeta", NULL, "" };
    static const char *const fids[] = { "F1", "F10", "F.3", "基金一" };
    static const struct { const char *name, *detail; int who, fund; } cases[] = {
        { "x", "fund 'F1': partner LP1 paid", 0, 0 },
        { "x", "fund 'F10': partner LP10 paid", 1, 1 },
        { "LP1", NULL, 0, -1 },
        { NULL, "LP1x LP100 xLP1 F1a", -1, -1 },          /* not whole words */
        { "x", "LP1-2 and LP1_", -1, -1 },                 /* '-' and '_' are id characters */
        { "x", "LP1.5 F1.", 0, 0 },                        /* '.' is not */
        { "x", "LP1 and LP10 in F1", -2, 0 },              /* two partners */
        { "x", "F1 and F10", -1, -2 },                     /* two funds */
        { "x", "Alpha Bank Group in F10", -2, 1 },         /* a name inside another name */
        { "x", "Alpha Bank in F10", 0, 1 },
        { "x", "LP1 is Alpha Bank", 0, -1 },               /* one partner by id and name */
        { "Alpha Bank", "LP10", -2, -1 },
        { "x", "LP.X paid; F.3", 2, 2 },                   /* a '.' in the ids */
        { "x", "aLP.Xb F.3x", -1, -1 },
        { "x", "LP 7!", 3, -1 },                           /* a space in the id */
        { "x", "LP 70", -1, -1 },
        { "合伙人甲出资", "基金一", 4, 3 },                /* CJK ids: no ID characters */
        { "x", "长江银行股份", 2, -1 },
        { "x", "xABx", 3, -1 },                            /* a 2-byte name: a substring */
        { "x", "甲乙丙", 4, -1 },                          /* a 3-byte name */
        { "x", "Zet", -1, -1 },
        { "x", "GP-2_b.", 5, -1 },
        { "x", "Q", 6, -1 },
        { "x", "", -1, -1 },
        { "x", "DUP", -2, -1 },                            /* two partners share an id */
    };
    struct pf_run run;
    struct pf_dataset ds;
    int want_who[64], want_fund[64];
    size_t i, r;
    unsigned seed = 12;

    memset(&run, 0, sizeof run);
    memset(&ds, 0, sizeof ds);
    ds.npartners = sizeof pids / sizeof *pids + 1;
    ds.partners = pf_xcalloc(ds.npartners, sizeof *ds.partners);
    for (i = 0; i + 1 < ds.npartners; i++) {
        ds.partners[i].partner_id = pf_xstrdup(pids[i]);
        ds.partners[i].name = pnames[i] ? pf_xstrdup(pnames[i]) : NULL;
    }
    ds.partners[i].partner_id = pf_xstrdup("DUP"); /* the same id again */
    ds.partners[i].name = pf_xstrdup("Omega");
    ds.nfunds = sizeof fids / sizeof *fids;
    ds.funds = pf_xcalloc(ds.nfunds, sizeof *ds.funds);
    for (i = 0; i < ds.nfunds; i++)
        ds.funds[i].fund_id = pf_xstrdup(fids[i]);
    run.nnotes = sizeof cases / sizeof *cases;
    run.notes = pf_xcalloc(run.nnotes, sizeof *run.notes);
    for (i = 0; i < run.nnotes; i++) {
        run.notes[i].name = cases[i].name ? pf_xstrdup(cases[i].name) : NULL;
        run.notes[i].detail = cases[i].detail ? pf_xstrdup(cases[i].detail) : NULL;
        want_who[i] = cases[i].who;
        want_fund[i] = cases[i].fund;
    }
    CHECK(attrib_agrees(&run, &ds, want_who, want_fund));
    attrib_free(&run, &ds);

    /* random ids, names and notes over a few pieces that run into each other */
    LOOP_BEGIN("note attribution: index == plain search, random texts");
    for (r = 0; r < 200; r++) {
        static const char *const bits[] = { "LP", "1", "0", ".", " ", "-", "_", "中", "文",
                                            "A", "B", "F", "'", "x" };
        const size_t nbits = sizeof bits / sizeof *bits;
        struct pf_buf b = PF_BUF_INIT;
        size_t j, len;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
#define RANDOM_TEXT(maxlen)                                                               \
    (pf_buf_reset(&b), len = (size_t)RND() % (maxlen), (void)0);                          \
    for (j = 0; j < len; j++)                                                             \
        pf_buf_adds(&b, bits[RND() % nbits]);
        memset(&run, 0, sizeof run);
        memset(&ds, 0, sizeof ds);
        ds.npartners = 1 + (size_t)RND() % 12;
        ds.partners = pf_xcalloc(ds.npartners, sizeof *ds.partners);
        for (i = 0; i < ds.npartners; i++) {
            RANDOM_TEXT(4)
            ds.partners[i].partner_id = pf_xstrdup(pf_buf_str(&b));
            RANDOM_TEXT(5)
            ds.partners[i].name = RND() % 5 ? pf_xstrdup(pf_buf_str(&b)) : NULL;
        }
        ds.nfunds = 1 + (size_t)RND() % 4;
        ds.funds = pf_xcalloc(ds.nfunds, sizeof *ds.funds);
        for (i = 0; i < ds.nfunds; i++) {
            RANDOM_TEXT(4)
            ds.funds[i].fund_id = pf_xstrdup(pf_buf_str(&b));
        }
        run.nnotes = 20;
        run.notes = pf_xcalloc(run.nnotes, sizeof *run.notes);
        for (i = 0; i < run.nnotes; i++) {
            RANDOM_TEXT(8)
            run.notes[i].name = RND() % 7 ? pf_xstrdup(pf_buf_str(&b)) : NULL;
            RANDOM_TEXT(30)
            run.notes[i].detail = RND() % 7 ? pf_xstrdup(pf_buf_str(&b)) : NULL;
        }
#undef RANDOM_TEXT
#undef RND
        CHECK(attrib_agrees(&run, &ds, NULL, NULL));
        attrib_free(&run, &ds);
        pf_buf_release(&b);
    }
    LOOP_END();
}

int
main(void)
{
    struct pf_taxonomy *tax = NULL;
    struct pf_err err = { 0 };
    char scratch[] = "/tmp/parkfund-test-report.XXXXXX", cmd[512];

    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 1;
    }
    if (pf_taxonomy_load_dir(PF_SRCDIR "/models/taxonomy", &tax, &err) != PF_OK) {
        fprintf(stderr, "cannot load the taxonomy: %s %s\n", err.where, err.msg);
        return 1;
    }
    test_cells();
    test_note_attribution();
    test_defs(scratch);
    test_render(scratch, tax);
    test_packed_blocks(scratch, tax);
    test_empty(scratch, tax);
    pf_taxonomy_free(tax);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (!pf_t_failed && system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", scratch);
    return pf_t_done("test_report");
}
