/*
 * Unit tests for gen: the same (scale, seed, as_of) gives the same bytes and
 * another seed other bytes; the files are well-formed RFC 4180 with the SPEC
 * §4 headers; references resolve (parks, enterprises, funds, projects,
 * partners); credit codes pass GB 32100-2015; every call is split over the
 * partners exactly to the fen, pro rata to commitment; fund cash stays
 * non-negative the way the engine computes it; FX and the benchmark cover
 * every flow date and as_of; all chains and segments appear; scale 10 is about
 * ten times scale 1. Run from the repository root.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "gen/gen_int.h"
#include "harness.h"
#include "parkfund/gen.h"
#include "parkfund/model.h"
#include "parkfund/util.h"

#define TAX_DIR "models/taxonomy"
#define TMP_ROOT "tests/tmp"

__extension__ typedef __int128 i128;

/* ------------------------------------------------------------ a CSV table */

struct table {
    char *buf;
    char **cell;           /* nrows * ncols, row 0 is the header */
    size_t nrows, ncols, cap;
    int bad;               /* a row with the wrong number of fields, or bad quoting */
};

/* Parse RFC 4180 in place (quotes removed, "" unescaped). */
static int
table_load(struct table *t, const char *dir, const char *name)
{
    char *path = pf_xasprintf("%s/%s", dir, name), *p, *out, *end;
    struct pf_err err = { 0 };
    size_t n = 0, col = 0;

    memset(t, 0, sizeof *t);
    if (pf_read_file(path, &t->buf, &n, &err) != PF_OK) {
        free(path);
        return 0;
    }
    free(path);
    p = out = t->buf;
    end = t->buf + n;
    while (p < end) {
        char *start = out;
        if (*p == '"') {
            p++;
            for (;;) {
                if (p >= end) {
                    t->bad = 1;
                    break;
                }
                if (*p == '"' && p + 1 < end && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
        } else {
            while (p < end && *p != ',' && *p != '\n') {
                if (*p == '"' || *p == '\r')
                    t->bad = 1;
                *out++ = *p++;
            }
        }
        {
            size_t stride = t->ncols ? t->ncols : 64;
            if (col < stride) {
                PF_GROW(t->cell, (t->nrows + 1) * stride, t->cap);
                t->cell[t->nrows * stride + col] = start;
            } else {
                t->bad = 1;
            }
        }
        col++;
        if (p < end && *p == ',') {
            *out++ = '\0';
            p++;
            continue;
        }
        /* end of record */
        if (p >= end || *p != '\n')
            t->bad = 1;
        *out++ = '\0';
        p++;
        if (t->nrows == 0) {
            /* re-pack the header row at stride ncols */
            t->ncols = col;
        } else if (col != t->ncols) {
            t->bad = 1;
        }
        t->nrows++;
        col = 0;
    }
    /* the header was stored at stride 64 before ncols was known: stride is the same
     * only for row 0, whose cells start at index 0, so nothing to move */
    return !t->bad;
}

static void
table_free(struct table *t)
{
    free(t->buf);
    free(t->cell);
}

static const char *
cell(const struct table *t, size_t row, const char *col)
{
    size_t j;

    for (j = 0; j < t->ncols; j++)
        if (strcmp(t->cell[j], col) == 0)
            return t->cell[(row + 1) * t->ncols + j];
    return NULL;
}

static size_t
rows(const struct table *t)
{
    return t->nrows ? t->nrows - 1 : 0;
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted copy of a column, for membership tests. */
static const char **
column_sorted(const struct table *t, const char *col)
{
    size_t n = rows(t), i;
    const char **v = pf_xreallocarray(NULL, n + 1, sizeof *v);

    for (i = 0; i < n; i++)
        v[i] = cell(t, i, col);
    qsort(v, n, sizeof *v, str_cmp);
    return v;
}

static int
has(const char **sorted, size_t n, const char *key)
{
    return key && bsearch(&key, sorted, n, sizeof *sorted, str_cmp) != NULL;
}

static pf_cents
money(const char *s)
{
    pf_cents v = -1;
    const char *why;

    if (!s || !pf_money_parse(s, &v, &why))
        return -1;
    return v;
}

static pf_date
date(const char *s)
{
    pf_date d = PF_DATE_NONE;
    const char *why;

    if (!s || !*s || !pf_date_parse(s, &d, &why))
        return PF_DATE_NONE;
    return d;
}

/* ------------------------------------------------------------ helpers */

static void
remove_dir(const char *dir)
{
    size_t i;

    for (i = 0; pf_gen_files[i]; i++) {
        char *p = pf_xasprintf("%s/%s", dir, pf_gen_files[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

static void
digests(const char *dir, char out[PF_GEN_NFILES][65])
{
    size_t i;

    for (i = 0; i < PF_GEN_NFILES; i++) {
        char *p = pf_xasprintf("%s/%s", dir, pf_gen_files[i]), *buf = NULL;
        size_t n = 0;
        struct pf_err err = { 0 };
        if (pf_read_file(p, &buf, &n, &err) == PF_OK)
            pf_sha256_hex(buf, n, out[i]);
        else
            snprintf(out[i], 65, "missing");
        free(buf);
        free(p);
    }
}

struct prog {
    size_t calls, last_done, last_total;
};

static void
on_progress(void *arg, size_t done, size_t total)
{
    struct prog *p = arg;

    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

/* ------------------------------------------------------------ the checks */

/* Files exist with the SPEC §4 header names and parse as RFC 4180. */
static void
check_files(const char *dir, const struct pf_gen_stats *st)
{
    size_t i;

    for (i = 0; pf_gen_files[i]; i++) {
        struct table t;
        int ok = table_load(&t, dir, pf_gen_files[i]);
        if (!pf_t_check(ok, "file parses as RFC 4180", __FILE__, __LINE__))
            fprintf(stderr, "     %s\n", pf_gen_files[i]);
        CHECK_INT(rows(&t), st->rows[i]);
        table_free(&t);
    }
    CHECK(i == PF_GEN_NFILES);
}

/* References, codes, dates, currencies. */
static void
check_consistency(const char *dir, pf_date as_of, const struct pf_taxonomy *tax)
{
    struct table parks, ents, funds, partners, projects, jflows, vals, fx, bench, pflows, comm;
    const char **park_ids, **ent_ids, **fund_ids, **proj_ids, **partner_ids;
    size_t i, nbad_code = 0, ncodes = 0, nbad_ref = 0, nbad_date = 0, nbad_ccy = 0;
    size_t nkind[16] = { 0 }, nreverses = 0, njreverses = 0;
    pf_date fx_first = PF_DATE_NONE, bench_first = PF_DATE_NONE, bench_last = PF_DATE_NONE;
    pf_date first_flow = PF_DATE_NONE;
    int chains[16] = { 0 }, segments[8] = { 0 };

    table_load(&parks, dir, "parks.csv");
    table_load(&ents, dir, "enterprises.csv");
    table_load(&funds, dir, "funds.csv");
    table_load(&partners, dir, "partners.csv");
    table_load(&projects, dir, "projects.csv");
    table_load(&jflows, dir, "project_flows.csv");
    table_load(&vals, dir, "valuations.csv");
    table_load(&fx, dir, "fx_rates.csv");
    table_load(&bench, dir, "benchmarks.csv");
    table_load(&pflows, dir, "partner_flows.csv");
    table_load(&comm, dir, "commitments.csv");
    park_ids = column_sorted(&parks, "park_id");
    ent_ids = column_sorted(&ents, "enterprise_id");
    fund_ids = column_sorted(&funds, "fund_id");
    proj_ids = column_sorted(&projects, "project_id");
    partner_ids = column_sorted(&partners, "partner_id");

    /* the alliance: ~500 parks, 1,000 enterprises per scale, some overseas */
    CHECK(rows(&parks) >= 450 && rows(&parks) <= 550);
    for (i = 0; i + 1 < rows(&parks); i++) /* ids unique */
        nbad_ref += strcmp(park_ids[i], park_ids[i + 1]) == 0;
    {
        size_t overseas = 0;
        for (i = 0; i < rows(&parks); i++) {
            const char *region = cell(&parks, i, "region"), *c = cell(&parks, i, "overseas_centre");
            nbad_ref += !pf_taxonomy_region_known(tax, region);
            if (*c) {
                overseas++;
                nbad_ref += !pf_taxonomy_has(tax, PF_TAX_CENTRE, c);
            }
            nbad_ref += !pf_in_list(pf_park_levels, cell(&parks, i, "level"));
        }
        CHECK(overseas >= 24 && overseas <= 60);
    }
    CHECK_STR(cell(&parks, 0, "name"), "成都高新技术产业开发区");
    CHECK_INT(nbad_ref, 0);

    for (i = 0; i < rows(&ents); i++) {
        const char *code = cell(&ents, i, "credit_code"), *why;
        nbad_ref += !has(park_ids, rows(&parks), cell(&ents, i, "park_id"));
        nbad_ref += !pf_taxonomy_has(tax, PF_TAX_CHAIN, cell(&ents, i, "chain"));
        nbad_ref += !pf_taxonomy_has(tax, PF_TAX_SEGMENT, cell(&ents, i, "segment"));
        if (*code) {
            ncodes++;
            if (!pf_credit_code_valid(code, &why)) {
                if (nbad_code++ < 3)
                    fprintf(stderr, "     bad credit code %s: %s\n", code, why);
            }
        }
    }
    CHECK(ncodes > rows(&ents) * 8 / 10);
    CHECK_INT(nbad_code, 0);
    CHECK_INT(nbad_ref, 0);
    {   /* credit codes are unique */
        const char **codes = column_sorted(&ents, "credit_code");
        size_t dup = 0;
        for (i = 0; i + 1 < rows(&ents); i++)
            dup += *codes[i] && strcmp(codes[i], codes[i + 1]) == 0;
        CHECK_INT(dup, 0);
        free(codes);
    }

    /* partners of every kind; guidance funds name their province */
    for (i = 0; i < rows(&partners); i++) {
        const char *kind = cell(&partners, i, "kind");
        size_t k;
        for (k = 0; pf_partner_kinds[k]; k++)
            if (strcmp(pf_partner_kinds[k], kind) == 0)
                nkind[k]++;
        nbad_ref += !pf_in_list(pf_partner_kinds, kind);
        if (strcmp(kind, "guidance_fund") == 0)
            nbad_ref += !pf_taxonomy_has(tax, PF_TAX_PROVINCE, cell(&partners, i, "region"));
    }
    CHECK(rows(&partners) >= 40);
    for (i = 0; pf_partner_kinds[i]; i++)
        if (!pf_t_check(nkind[i] > 0, "a partner of every kind", __FILE__, __LINE__))
            fprintf(stderr, "     no partner of kind %s\n", pf_partner_kinds[i]);
    for (i = 0; i < rows(&comm); i++) {
        nbad_ref += !has(partner_ids, rows(&partners), cell(&comm, i, "partner_id"));
        nbad_ref += !has(fund_ids, rows(&funds), cell(&comm, i, "fund_id"));
        nbad_date += date(cell(&comm, i, "date")) > as_of;
    }
    CHECK_INT(nbad_ref, 0);
    {   /* a CNY main fund, CNY regional funds and a USD overseas fund */
        size_t usd = 0;
        for (i = 0; i < rows(&funds); i++)
            usd += strcmp(cell(&funds, i, "currency"), "USD") == 0;
        CHECK(rows(&funds) >= 3 && usd >= 1 && usd < rows(&funds));
    }

    /* projects: every fund and enterprise exists, all chains and segments appear */
    for (i = 0; i < rows(&projects); i++) {
        const char *c = cell(&projects, i, "chain"), *s = cell(&projects, i, "segment");
        const char *th = cell(&projects, i, "theme"), *ccy = cell(&projects, i, "currency");
        size_t k;
        pf_date cd = date(cell(&projects, i, "commitment_date"));
        pf_date ed = date(cell(&projects, i, "exit_date"));
        pf_date ld = date(cell(&projects, i, "listed_date"));
        nbad_ref += !has(fund_ids, rows(&funds), cell(&projects, i, "fund_id"));
        nbad_ref += !has(ent_ids, rows(&ents), cell(&projects, i, "enterprise_id"));
        nbad_ref += *th && !pf_taxonomy_has(tax, PF_TAX_THEME, th);
        nbad_ref += !pf_in_list(pf_instruments, cell(&projects, i, "instrument"));
        nbad_ccy += !pf_taxonomy_has(tax, PF_TAX_CURRENCY, ccy);
        nbad_date += cd == PF_DATE_NONE || cd > as_of || (ed != PF_DATE_NONE && ed > as_of)
                     || (ld != PF_DATE_NONE && ld > as_of);
        for (k = 0; k < pf_taxonomy_count(tax, PF_TAX_CHAIN) && k < 16; k++)
            chains[k] |= strcmp(pf_taxonomy_code(tax, PF_TAX_CHAIN, k), c) == 0;
        for (k = 0; k < pf_taxonomy_count(tax, PF_TAX_SEGMENT) && k < 8; k++)
            segments[k] |= strcmp(pf_taxonomy_code(tax, PF_TAX_SEGMENT, k), s) == 0;
        if (i + 1 < rows(&projects))
            nbad_ref += strcmp(proj_ids[i], proj_ids[i + 1]) == 0;
    }
    for (i = 0; i < pf_taxonomy_count(tax, PF_TAX_CHAIN); i++)
        CHECK(chains[i]);
    for (i = 0; i < pf_taxonomy_count(tax, PF_TAX_SEGMENT); i++)
        CHECK(segments[i]);
    CHECK_INT(nbad_ref, 0);

    /* FX from before the first flow; the benchmark over the whole window */
    for (i = 0; i < rows(&fx); i++) {
        pf_date d = date(cell(&fx, i, "date"));
        int64_t rate;
        const char *why;
        if (fx_first == PF_DATE_NONE || d < fx_first)
            fx_first = d;
        nbad_date += d > as_of;
        nbad_ccy += !pf_decimal_parse(cell(&fx, i, "rate"), 8, &rate, &why) || rate <= 0;
    }
    for (i = 0; i < rows(&bench); i++) {
        pf_date d = date(cell(&bench, i, "date"));
        if (bench_first == PF_DATE_NONE || d < bench_first)
            bench_first = d;
        if (bench_last == PF_DATE_NONE || d > bench_last)
            bench_last = d;
        nbad_ref += strcmp(cell(&bench, i, "index_id"), "csi300") != 0;
    }
    CHECK(bench_last == gen_bizday_before(as_of));

    /* project flows and valuations: project exists, project's currency, dates */
    for (i = 0; i < rows(&jflows); i++) {
        const char *pid = cell(&jflows, i, "project_id"), **hit;
        pf_date d = date(cell(&jflows, i, "date"));
        nbad_ref += !has(proj_ids, rows(&projects), pid);
        nbad_ref += !pf_in_list(pf_project_flow_kinds, cell(&jflows, i, "kind"));
        nbad_date += d == PF_DATE_NONE || d > as_of;
        if (first_flow == PF_DATE_NONE || d < first_flow)
            first_flow = d;
        njreverses += *cell(&jflows, i, "reverses") != '\0';
        hit = bsearch(&pid, proj_ids, rows(&projects), sizeof *proj_ids, str_cmp);
        (void)hit;
        nbad_ccy += money(cell(&jflows, i, "amount")) <= 0;
    }
    for (i = 0; i < rows(&vals); i++) {
        pf_date d = date(cell(&vals, i, "date"));
        nbad_ref += !has(proj_ids, rows(&projects), cell(&vals, i, "project_id"));
        nbad_ref += !pf_in_list(pf_valuation_methods, cell(&vals, i, "method"));
        nbad_date += d == PF_DATE_NONE || d > as_of;
        nbad_ccy += money(cell(&vals, i, "value")) < 0;
    }
    for (i = 0; i < rows(&pflows); i++) {
        pf_date d = date(cell(&pflows, i, "date"));
        nbad_ref += !has(partner_ids, rows(&partners), cell(&pflows, i, "partner_id"));
        nbad_ref += !has(fund_ids, rows(&funds), cell(&pflows, i, "fund_id"));
        nbad_date += d == PF_DATE_NONE || d > as_of || d <= as_of - 3653 - 1;
        if (d != PF_DATE_NONE && (first_flow == PF_DATE_NONE || d < first_flow))
            first_flow = d;
        nreverses += *cell(&pflows, i, "reverses") != '\0';
        nbad_ccy += money(cell(&pflows, i, "amount")) <= 0;
    }
    CHECK_INT(nbad_ref, 0);
    CHECK_INT(nbad_date, 0);
    CHECK_INT(nbad_ccy, 0);
    CHECK(fx_first != PF_DATE_NONE && fx_first < first_flow);
    CHECK(bench_first != PF_DATE_NONE && bench_first < first_flow);
    CHECK(first_flow > as_of - 3653 - 1); /* ten years back */
    CHECK(nreverses >= 1);                /* the correction examples */
    CHECK(njreverses >= 1);
    /* each reversal names an earlier flow of the same owner and figures */
    {
        const char **pf_ids = column_sorted(&pflows, "flow_id");
        size_t bad = 0, k;
        for (i = 0; i < rows(&pflows); i++) {
            const char *rv = cell(&pflows, i, "reverses");
            if (!*rv)
                continue;
            bad += !has(pf_ids, rows(&pflows), rv);
            for (k = 0; k < i; k++)
                if (strcmp(cell(&pflows, k, "flow_id"), rv) == 0)
                    bad += strcmp(cell(&pflows, k, "partner_id"), cell(&pflows, i, "partner_id"))
                           || strcmp(cell(&pflows, k, "amount"), cell(&pflows, i, "amount"))
                           || strcmp(cell(&pflows, k, "date"), cell(&pflows, i, "date"));
        }
        for (i = 0; i < rows(&jflows); i++) {
            const char *rv = cell(&jflows, i, "reverses");
            int found = 0;
            if (!*rv)
                continue;
            for (k = 0; k < i; k++)
                if (strcmp(cell(&jflows, k, "flow_id"), rv) == 0) {
                    found = 1;
                    bad += strcmp(cell(&jflows, k, "project_id"), cell(&jflows, i, "project_id"))
                           || strcmp(cell(&jflows, k, "amount"), cell(&jflows, i, "amount"));
                }
            bad += !found;
        }
        CHECK_INT(bad, 0);
        free(pf_ids);
    }

    free(park_ids);
    free(ent_ids);
    free(fund_ids);
    free(proj_ids);
    free(partner_ids);
    table_free(&parks);
    table_free(&ents);
    table_free(&funds);
    table_free(&partners);
    table_free(&projects);
    table_free(&jflows);
    table_free(&vals);
    table_free(&fx);
    table_free(&bench);
    table_free(&pflows);
    table_free(&comm);
}

/* Project currency per flow and valuation; valuations on quarter ends (or the
 * exit/write-off day, at zero), none after an exit; marks below cost (the
 * J-curve) and above it both occur. */
struct proj_info {
    const char *id, *currency;
    pf_date exit;
};
struct inv_row {
    const char *id;
    pf_date date;
    pf_cents amount;
};

static int
proj_cmp(const void *a, const void *b)
{
    return strcmp(((const struct proj_info *)a)->id, ((const struct proj_info *)b)->id);
}

static int
inv_cmp(const void *a, const void *b)
{
    const struct inv_row *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    if (c)
        return c;
    return x->date < y->date ? -1 : x->date > y->date;
}

static void
check_projects(const char *dir)
{
    struct table projects, jflows, vals;
    struct proj_info *pi, key;
    struct inv_row *inv;
    size_t n, i, ninv = 0, bad_ccy = 0, bad_q = 0, after_exit = 0, zero_vals = 0;
    size_t below = 0, above = 0, marks = 0;

    table_load(&projects, dir, "projects.csv");
    table_load(&jflows, dir, "project_flows.csv");
    table_load(&vals, dir, "valuations.csv");
    n = rows(&projects);
    pi = pf_xcalloc(n + 1, sizeof *pi);
    for (i = 0; i < n; i++) {
        pi[i].id = cell(&projects, i, "project_id");
        pi[i].currency = cell(&projects, i, "currency");
        pi[i].exit = date(cell(&projects, i, "exit_date"));
    }
    qsort(pi, n, sizeof *pi, proj_cmp);
    inv = pf_xcalloc(rows(&jflows) + 1, sizeof *inv);
    for (i = 0; i < rows(&jflows); i++) {
        struct proj_info *p;
        key.id = cell(&jflows, i, "project_id");
        p = bsearch(&key, pi, n, sizeof *pi, proj_cmp);
        if (!p || strcmp(p->currency, cell(&jflows, i, "currency")) != 0)
            bad_ccy++;
        else if (p->exit != PF_DATE_NONE && date(cell(&jflows, i, "date")) > p->exit)
            after_exit++;
        if (strcmp(cell(&jflows, i, "kind"), "investment") == 0 && !*cell(&jflows, i, "note")
            && !*cell(&jflows, i, "reverses")) {
            inv[ninv].id = key.id;
            inv[ninv].date = date(cell(&jflows, i, "date"));
            inv[ninv++].amount = money(cell(&jflows, i, "amount"));
        }
    }
    qsort(inv, ninv, sizeof *inv, inv_cmp);
    for (i = 0; i < rows(&vals); i++) {
        struct proj_info *p;
        pf_date d = date(cell(&vals, i, "date"));
        pf_cents v = money(cell(&vals, i, "value"));
        key.id = cell(&vals, i, "project_id");
        p = bsearch(&key, pi, n, sizeof *pi, proj_cmp);
        if (!p || strcmp(p->currency, cell(&vals, i, "currency")) != 0) {
            bad_ccy++;
            continue;
        }
        if (v == 0)
            zero_vals++;
        else if (pf_date_quarter_end(d) != d)
            bad_q++;
        if (p->exit != PF_DATE_NONE && d > p->exit)
            after_exit++;
        if (strcmp(cell(&vals, i, "method"), "cost") != 0 && v > 0) {
            struct inv_row k = { key.id, INT32_MIN + 1, 0 }, *lo;
            size_t a = 0, b = ninv;
            pf_cents cost = 0;
            while (a < b) { /* first row >= (id, -inf) */
                size_t mid = a + (b - a) / 2;
                if (inv_cmp(&inv[mid], &k) < 0)
                    a = mid + 1;
                else
                    b = mid;
            }
            for (lo = inv + a; lo < inv + ninv && strcmp(lo->id, key.id) == 0 && lo->date <= d;
                 lo++)
                cost += lo->amount;
            marks++;
            below += v < cost;
            above += v > cost;
        }
    }
    CHECK_INT(bad_ccy, 0);
    CHECK_INT(bad_q, 0);
    CHECK_INT(after_exit, 0);
    CHECK(zero_vals > 0); /* exits and write-offs */
    if (!CHECK(below > marks / 10 && above > marks / 4))
        fprintf(stderr, "     marks %zu below cost %zu above %zu\n", marks, below, above);
    free(inv);
    free(pi);
    table_free(&projects);
    table_free(&jflows);
    table_free(&vals);
}

/* Partner flows: every call or distribution is split over the partners
 * admitted by its date, pro rata to commitment, exact to the fen. And fund
 * cash (SPEC §5: investment/other contributions - project investments +
 * project inflows - distributions, converted at the flow date) never goes
 * below zero. */
struct commit {
    const char *partner, *fund;
    pf_date date;
    pf_cents amount;
};
struct pfrow {
    const char *fund, *date, *purpose, *partner;
    int contribution;
    pf_cents amount;
};

static int
pfrow_cmp(const void *a, const void *b)
{
    const struct pfrow *x = a, *y = b;
    int c;

    if ((c = strcmp(x->fund, y->fund)) != 0)
        return c;
    if ((c = strcmp(x->date, y->date)) != 0)
        return c;
    if (x->contribution != y->contribution)
        return x->contribution - y->contribution;
    return strcmp(x->purpose, y->purpose);
}

static void
check_splits(const char *dir)
{
    struct table pflows, comm;
    struct pfrow *v;
    const char **reversed;
    size_t n = 0, nrev = 0, i, j, k, groups = 0, bad = 0;

    table_load(&pflows, dir, "partner_flows.csv");
    table_load(&comm, dir, "commitments.csv");
    reversed = pf_xreallocarray(NULL, rows(&pflows) + 1, sizeof *reversed);
    for (i = 0; i < rows(&pflows); i++)
        if (*cell(&pflows, i, "reverses"))
            reversed[nrev++] = cell(&pflows, i, "reverses");
    qsort(reversed, nrev, sizeof *reversed, str_cmp);
    v = pf_xcalloc(rows(&pflows) + 1, sizeof *v);
    for (i = 0; i < rows(&pflows); i++) {
        const char *note = cell(&pflows, i, "note");
        if (*cell(&pflows, i, "reverses") || has(reversed, nrev, cell(&pflows, i, "flow_id")))
            continue;
        if (strstr(note, "catch-up") || strstr(note, "fee equalisation"))
            continue; /* a late partner's own catch-up, not a split */
        v[n].fund = cell(&pflows, i, "fund_id");
        v[n].date = cell(&pflows, i, "date");
        v[n].purpose = cell(&pflows, i, "purpose");
        v[n].partner = cell(&pflows, i, "partner_id");
        v[n].contribution = strcmp(cell(&pflows, i, "kind"), "contribution") == 0;
        v[n].amount = money(cell(&pflows, i, "amount"));
        n++;
    }
    qsort(v, n, sizeof *v, pfrow_cmp);
    for (i = 0; i < n; i = j) {
        pf_cents total = 0, sum_floor = 0, c_sum = 0;
        pf_date d = date(v[i].date);
        for (j = i; j < n && pfrow_cmp(&v[i], &v[j]) == 0; j++)
            total += v[j].amount;
        groups++;
        /* the commitments of the partners in the group, as of the date */
        for (k = i; k < j; k++) {
            size_t c;
            pf_cents ck = 0;
            for (c = 0; c < rows(&comm); c++)
                if (strcmp(cell(&comm, c, "fund_id"), v[k].fund) == 0
                    && strcmp(cell(&comm, c, "partner_id"), v[k].partner) == 0
                    && date(cell(&comm, c, "date")) <= d)
                    ck += money(cell(&comm, c, "amount"));
            if (ck == 0)
                bad++; /* a flow before the partner was admitted */
            c_sum += ck;
        }
        /* the group's partners must be exactly those admitted by d, except the
         * equalisation distribution at a second close, which goes to the first
         * close's partners only */
        {
            size_t c, admitted = 0;
            for (c = 0; c < rows(&comm); c++)
                admitted += strcmp(cell(&comm, c, "fund_id"), v[i].fund) == 0
                            && date(cell(&comm, c, "date")) <= d;
            if (v[i].contribution && admitted != j - i)
                bad++;
        }
        /* each part is floor(total * c / C) or one fen more; the floors and the
         * extra fens add up to the total */
        for (k = i; k < j && c_sum > 0; k++) {
            size_t c;
            pf_cents ck = 0, fl;
            for (c = 0; c < rows(&comm); c++)
                if (strcmp(cell(&comm, c, "fund_id"), v[k].fund) == 0
                    && strcmp(cell(&comm, c, "partner_id"), v[k].partner) == 0
                    && date(cell(&comm, c, "date")) <= d)
                    ck += money(cell(&comm, c, "amount"));
            fl = (pf_cents)((i128)total * ck / c_sum);
            if (v[k].amount != fl && v[k].amount != fl + 1)
                bad++;
            sum_floor += fl;
        }
        if (total - sum_floor < 0 || total - sum_floor >= (pf_cents)(j - i))
            bad++;
    }
    CHECK(groups > 100);
    CHECK_INT(bad, 0);
    free(v);
    free(reversed);
    table_free(&pflows);
    table_free(&comm);
}

struct cashev {
    const char *fund;
    pf_date date;
    double amount; /* fund currency, cents */
};

static int
cashev_cmp(const void *a, const void *b)
{
    const struct cashev *x = a, *y = b;
    int c = strcmp(x->fund, y->fund);

    if (c)
        return c;
    return x->date < y->date ? -1 : x->date > y->date;
}

struct fxrow {
    const char *ccy;
    pf_date date;
    double rate;
};

static int
fxrow_cmp(const void *a, const void *b)
{
    const struct fxrow *x = a, *y = b;
    int c = strcmp(x->ccy, y->ccy);

    if (c)
        return c;
    return x->date < y->date ? -1 : x->date > y->date;
}

/* Rate on or before d, or 0 when there is none. */
static double
fx_at(const struct fxrow *fx, size_t n, const char *ccy, pf_date d)
{
    size_t lo = 0, hi = n;

    if (strcmp(ccy, "CNY") == 0)
        return 1.0;
    while (lo < hi) { /* first row > (ccy, d) */
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(fx[mid].ccy, ccy);
        if (c < 0 || (c == 0 && fx[mid].date <= d))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || strcmp(fx[lo - 1].ccy, ccy) != 0)
        return 0;
    return fx[lo - 1].rate;
}

static void
check_cash(const char *dir, pf_date as_of)
{
    struct table pflows, jflows, projects, funds, fxt;
    struct fxrow *fx;
    struct cashev *ev;
    const char **reversed;
    size_t nfx = 0, nev = 0, nrev = 0, i, j, neg = 0, missing_rate = 0;

    table_load(&pflows, dir, "partner_flows.csv");
    table_load(&jflows, dir, "project_flows.csv");
    table_load(&projects, dir, "projects.csv");
    table_load(&funds, dir, "funds.csv");
    table_load(&fxt, dir, "fx_rates.csv");
    fx = pf_xcalloc(rows(&fxt) + 1, sizeof *fx);
    for (i = 0; i < rows(&fxt); i++) {
        int64_t e8;
        const char *why;
        fx[nfx].ccy = cell(&fxt, i, "currency");
        fx[nfx].date = date(cell(&fxt, i, "date"));
        pf_decimal_parse(cell(&fxt, i, "rate"), 8, &e8, &why);
        fx[nfx++].rate = (double)e8 / 1e8;
    }
    qsort(fx, nfx, sizeof *fx, fxrow_cmp);
    reversed = pf_xreallocarray(NULL, rows(&pflows) + rows(&jflows) + 1, sizeof *reversed);
    for (i = 0; i < rows(&pflows); i++)
        if (*cell(&pflows, i, "reverses"))
            reversed[nrev++] = cell(&pflows, i, "reverses");
    for (i = 0; i < rows(&jflows); i++)
        if (*cell(&jflows, i, "reverses"))
            reversed[nrev++] = cell(&jflows, i, "reverses");
    qsort(reversed, nrev, sizeof *reversed, str_cmp);
    ev = pf_xcalloc(rows(&pflows) + rows(&jflows) + 1, sizeof *ev);
    for (i = 0; i < rows(&pflows); i++) {
        const char *p = cell(&pflows, i, "purpose");
        int contrib = strcmp(cell(&pflows, i, "kind"), "contribution") == 0;
        if (*cell(&pflows, i, "reverses") || has(reversed, nrev, cell(&pflows, i, "flow_id")))
            continue;
        if (contrib && strcmp(p, "investment") != 0 && strcmp(p, "other") != 0)
            continue; /* fees and expenses pass through */
        ev[nev].fund = cell(&pflows, i, "fund_id");
        ev[nev].date = date(cell(&pflows, i, "date"));
        ev[nev++].amount = (double)money(cell(&pflows, i, "amount")) * (contrib ? 1 : -1);
    }
    /* project -> fund, currency; projects.csv is in id order */
    for (i = 0; i < rows(&jflows); i++) {
        const char *pid = cell(&jflows, i, "project_id"), *fund = NULL, *fccy = NULL;
        const char *ccy = cell(&jflows, i, "currency");
        size_t lo = 0, hi = rows(&projects);
        pf_date d = date(cell(&jflows, i, "date"));
        double a, rf, rp;
        if (*cell(&jflows, i, "reverses") || has(reversed, nrev, cell(&jflows, i, "flow_id")))
            continue;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(cell(&projects, mid, "project_id"), pid);
            if (c == 0) {
                fund = cell(&projects, mid, "fund_id");
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (!fund)
            continue;
        for (j = 0; j < rows(&funds); j++)
            if (strcmp(cell(&funds, j, "fund_id"), fund) == 0)
                fccy = cell(&funds, j, "currency");
        rp = fx_at(fx, nfx, ccy, d);
        rf = fx_at(fx, nfx, fccy, d);
        if (rp == 0 || rf == 0 || fx_at(fx, nfx, ccy, as_of) == 0) {
            missing_rate++;
            continue;
        }
        a = (double)money(cell(&jflows, i, "amount")) * rp / rf;
        ev[nev].fund = fund;
        ev[nev].date = d;
        ev[nev++].amount = strcmp(cell(&jflows, i, "kind"), "investment") == 0 ? -a : a;
    }
    CHECK_INT(missing_rate, 0);
    qsort(ev, nev, sizeof *ev, cashev_cmp);
    for (i = 0; i < nev; i = j) {
        double cash = 0, min = 0;
        for (j = i; j < nev && strcmp(ev[j].fund, ev[i].fund) == 0; j++) {
            cash += ev[j].amount;
            if (j + 1 == nev || ev[j + 1].date != ev[j].date
                || strcmp(ev[j + 1].fund, ev[j].fund) != 0)
                if (cash < min)
                    min = cash;
        }
        if (!pf_t_check(min > -100.0, "fund cash stays non-negative", __FILE__, __LINE__)) {
            fprintf(stderr, "     %s: lowest cash %.2f\n", ev[i].fund, min / 100);
            neg++;
        }
    }
    CHECK_INT(neg, 0);
    free(ev);
    free(fx);
    free(reversed);
    table_free(&pflows);
    table_free(&jflows);
    table_free(&projects);
    table_free(&funds);
    table_free(&fxt);
}

/* The exact split itself. */
static void
check_split_unit(void)
{
    struct gen_member m[5];
    pf_cents out[5], sum;
    size_t i;
    static const pf_cents commit[5] = { 300000000, 300000000, 100000000, 700000001, 1 };

    memset(m, 0, sizeof m);
    for (i = 0; i < 5; i++) {
        m[i].partner = (int)i;
        m[i].commit = commit[i];
        m[i].late = i == 4;
    }
    gen_split(100, m, 5, 1, 1, out);
    for (sum = 0, i = 0; i < 5; i++)
        sum += out[i];
    CHECK_INT(sum, 100);
    /* equal commitments: equal parts, or the odd fen to the lower partner id */
    CHECK(out[0] == out[1] || out[0] == out[1] + 1);
    gen_split(99999999, m, 5, 0, 1, out);
    for (sum = 0, i = 0; i < 5; i++)
        sum += out[i];
    CHECK_INT(sum, 99999999);
    CHECK_INT(out[4], 0); /* a late partner takes no part before its close */
}

static void
check_names(void)
{
    char buf[16];

    CHECK_STR(gen_cn_number(2, buf, sizeof buf), "二");
    CHECK_STR(gen_cn_number(10, buf, sizeof buf), "十");
    CHECK_STR(gen_cn_number(12, buf, sizeof buf), "十二");
    CHECK_STR(gen_cn_number(40, buf, sizeof buf), "四十");
    CHECK_STR(gen_cn_number(123, buf, sizeof buf), "123");
    CHECK(gen_weekday(pf_date_from_ymd(2024, 6, 3)) == 0); /* a Monday */
    CHECK(gen_bizday_before(pf_date_from_ymd(2024, 6, 2)) == pf_date_from_ymd(2024, 5, 31));
    CHECK(gen_bizday_after(pf_date_from_ymd(2024, 6, 1)) == pf_date_from_ymd(2024, 6, 3));
}

/* ------------------------------------------------------------ main */

static size_t
core_rows(const struct pf_gen_stats *s)
{
    return s->rows[GF_PROJECTS] + s->rows[GF_PROJECT_FLOWS] + s->rows[GF_VALUATIONS];
}

int
main(void)
{
    struct pf_taxonomy *tax = NULL;
    struct pf_err err = { 0 };
    struct pf_gen_stats s1, s1b, s2, s10;
    struct prog prog = { 0, 0, 0 };
    char da[PF_GEN_NFILES][65], db[PF_GEN_NFILES][65], dc[PF_GEN_NFILES][65];
    char dir_a[64], dir_b[64], dir_c[64], dir_d[64], *deep;
    pf_date as_of = pf_date_from_ymd(2025, 6, 30);
    size_t i, same = 0, differ = 0;
    pf_status rc;

    gsl_set_error_handler_off();
    check_names();
    check_split_unit();
    if (!CHECK(pf_taxonomy_load_dir(TAX_DIR, &tax, &err) == PF_OK)) {
        fprintf(stderr, "     %s: %s\n", err.where, err.msg);
        return pf_t_done("gen");
    }
    mkdir(TMP_ROOT, 0777);
    snprintf(dir_a, sizeof dir_a, "%s/gen-%ld-a", TMP_ROOT, (long)getpid());
    snprintf(dir_b, sizeof dir_b, "%s/gen-%ld-b", TMP_ROOT, (long)getpid());
    snprintf(dir_c, sizeof dir_c, "%s/gen-%ld-c", TMP_ROOT, (long)getpid());
    snprintf(dir_d, sizeof dir_d, "%s/gen-%ld-d", TMP_ROOT, (long)getpid());

    /* 1. determinism: same inputs, same bytes; another seed, other bytes */
    rc = pf_gen_write(dir_a, 1, 42, as_of, tax, on_progress, &prog, &s1, &err);
    CHECK(rc == PF_OK);
    if (rc != PF_OK)
        fprintf(stderr, "     %s: %s\n", err.where, err.msg);
    CHECK(prog.calls >= 2 && prog.last_done == prog.last_total && prog.last_total > 0);
    CHECK(pf_gen_write(dir_b, 1, 42, as_of, tax, NULL, NULL, &s1b, &err) == PF_OK);
    CHECK(pf_gen_write(dir_c, 1, 43, as_of, tax, NULL, NULL, &s2, &err) == PF_OK);
    digests(dir_a, da);
    digests(dir_b, db);
    digests(dir_c, dc);
    for (i = 0; i < PF_GEN_NFILES; i++) {
        same += strcmp(da[i], db[i]) == 0;
        differ += strcmp(da[i], dc[i]) != 0;
    }
    CHECK_INT(same, PF_GEN_NFILES);
    CHECK(differ >= PF_GEN_NFILES - 1);
    CHECK(strcmp(da[GF_PROJECTS], dc[GF_PROJECTS]) != 0);
    CHECK(strcmp(da[GF_PARTNER_FLOWS], dc[GF_PARTNER_FLOWS]) != 0);
    CHECK_INT(s1.total, s1b.total);

    /* 2. the scale-1 shape: the alliance */
    CHECK(s1.rows[GF_PROJECTS] >= 300 && s1.rows[GF_PROJECTS] <= 550);
    CHECK(s1.rows[GF_PROJECT_FLOWS] + s1.rows[GF_VALUATIONS] >= 8000);
    CHECK(s1.rows[GF_PARTNER_FLOWS] >= 3000);
    CHECK(s1.rows[GF_ENTERPRISES] == 1000);
    check_files(dir_a, &s1);
    check_consistency(dir_a, as_of, tax);
    check_projects(dir_a);
    check_splits(dir_a);
    check_cash(dir_a, as_of);
    check_consistency(dir_c, as_of, tax);
    check_cash(dir_c, as_of);

    /* 3. scale 10 is about ten times scale 1; and a mid-month as_of */
    CHECK(pf_gen_write(dir_d, 10, 42, as_of, tax, NULL, NULL, &s10, &err) == PF_OK);
    {
        double ratio = (double)core_rows(&s10) / (double)core_rows(&s1);
        double pratio = (double)s10.rows[GF_PARTNER_FLOWS] / (double)s1.rows[GF_PARTNER_FLOWS];
        if (!CHECK(ratio > 7.5 && ratio < 13.0))
            fprintf(stderr, "     projects+flows+valuations ratio %.2f\n", ratio);
        if (!CHECK(pratio > 5.0 && pratio < 15.0))
            fprintf(stderr, "     partner flows ratio %.2f\n", pratio);
    }
    check_consistency(dir_d, as_of, tax);
    check_cash(dir_d, as_of);
    remove_dir(dir_d);
    {
        pf_date mid = pf_date_from_ymd(2024, 2, 14);
        CHECK(pf_gen_write(dir_d, 1, 7, mid, tax, NULL, NULL, &s10, &err) == PF_OK);
        check_consistency(dir_d, mid, tax);
        check_cash(dir_d, mid);
        remove_dir(dir_d);
    }

    /* 4. errors */
    memset(&err, 0, sizeof err);
    CHECK(pf_gen_write(dir_d, 0, 1, as_of, tax, NULL, NULL, NULL, &err) == PF_EUSAGE);
    memset(&err, 0, sizeof err);
    CHECK(pf_gen_write("/proc/parkfund-gen-test", 1, 1, as_of, tax, NULL, NULL, NULL, &err)
          == PF_EIO);
    CHECK(err.msg[0] != '\0');
    deep = pf_xasprintf("%s/x/y", dir_d); /* parents are created */
    memset(&err, 0, sizeof err);
    CHECK(pf_gen_write(deep, 1, 5, as_of, tax, NULL, NULL, NULL, &err) == PF_OK);
    remove_dir(deep);
    free(deep);
    deep = pf_xasprintf("%s/x", dir_d);
    rmdir(deep);
    free(deep);
    rmdir(dir_d);

    remove_dir(dir_a);
    remove_dir(dir_b);
    remove_dir(dir_c);
    rmdir(TMP_ROOT); /* only if empty */
    pf_taxonomy_free(tax);
    return pf_t_done("gen");
}
