/*
 * load: the data "as known at batch B" for a close or a verify, and the
 * SHA-256 digest of exactly what was read. Every query has a total ORDER BY,
 * so neither PRAGMA reverse_unordered_selects nor the query plan can change
 * the order (and therefore the digest or any floating-point sum).
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "parkfund/banned.h"

struct loader {
    struct pf_dataset *ds;
    size_t cap[PF_K_COUNT]; /* capacity of each growing array */
    struct pf_store *st;
    struct pf_sha256 *h;
    struct pf_err *err;
    int64_t batch;
    const char *scope;   /* not NULL: only what statements read (JSON arrays of ids): ?2
                            the funds, ?3 the partners */
    const char *scope_partners;
    bool hash;           /* the rows feed the digest (only pf_store_load_dataset's is kept) */
    const char *month_from, *month_to; /* not NULL: only the flows dated between (?2, ?3) */
};

/*
 * A statements' scope (pf_store_load_dataset_scope): a set of funds and a set of
 * partners, each a JSON array of ids (?2, ?3; the batch is ?1). Kept: the projects of
 * those funds at their latest version as known at the batch (and their enterprises),
 * the partners' own commitments and flows, no project flows (a statement reads
 * none). A scoped kind's query reads only rows that can be in scope, through the
 * primary keys and migration 7's indexes (`push`, a condition on the query's own key
 * or fact), and keeps those its latest version puts in scope (`scope`, see
 * scope_sql): a project that moved funds is in scope by where it is now.
 */
#define SCOPE_FUNDS                                                                       \
    "WITH scope_fund(fund_id) AS (SELECT value FROM json_each(?2)), "                     \
    "scope_partner(partner_id) AS (SELECT value FROM json_each(?3)), "                    \
    "scope_project(project_id, enterprise_id) AS (SELECT project_id, enterprise_id FROM "  \
    "(SELECT project_id, fund_id, enterprise_id, max(batch_id) FROM project WHERE "       \
    "batch_id <= ?1 AND project_id IN (SELECT project_id FROM project WHERE fund_id IN "   \
    "scope_fund) GROUP BY project_id) WHERE fund_id IN scope_fund) "

/* Feed one row of text columns to the digest: fields split by 0x1f, rows by 0x1e. */
static void
digest_row(struct loader *L, sqlite3_stmt *q, int ncols)
{
    int i;
    for (i = 0; i < ncols; i++) {
        const unsigned char *t = sqlite3_column_text(q, i);
        if (sqlite3_column_type(q, i) == SQLITE_NULL)
            pf_sha256_update(L->h, "\x1d", 1);
        else
            pf_sha256_update(L->h, t, (size_t)sqlite3_column_bytes(q, i));
        pf_sha256_update(L->h, "\x1f", 1);
    }
    pf_sha256_update(L->h, "\x1e", 1);
}

static char *
col_str(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return pf_xstrdup(t ? (const char *)t : "");
}

/* A code shared by many rows (currency, method, index id): one copy in the pool. */
static char *
col_code(struct loader *L, sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return (char *)pf_map_intern(L->ds->strings, t ? (const char *)t : "");
}

typedef void (*row_fn)(struct loader *L, sqlite3_stmt *q);

/* Run one query, feeding the digest its tag and rows; a query whose rows are rare
 * (lazy_tag) adds its tag only once it has a row, so data sets without such rows keep
 * the digest they always had. */
static pf_status
run_query_tagged(struct loader *L, const char *tag, const char *sql, row_fn fn, bool lazy_tag)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;
    bool tagged = !lazy_tag;

    if ((s = store_prepare(L->st, sql, &q, L->err)) != PF_OK)
        return s;
    sqlite3_bind_int64(q, 1, L->batch);
    if (L->scope && sqlite3_bind_parameter_count(q) >= 3) {
        sqlite3_bind_text(q, 2, L->scope, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, L->scope_partners, -1, SQLITE_STATIC);
    } else if (L->month_from && sqlite3_bind_parameter_count(q) >= 3) {
        sqlite3_bind_text(q, 2, L->month_from, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, L->month_to, -1, SQLITE_STATIC);
    }
    if (tagged)
        pf_sha256_update(L->h, tag, strlen(tag) + 1);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (!tagged) {
            pf_sha256_update(L->h, tag, strlen(tag) + 1);
            tagged = true;
        }
        if (L->hash)
            digest_row(L, q, sqlite3_column_count(q));
        fn(L, q);
    }
    if (rc != SQLITE_DONE)
        s = store_fail(L->st, rc, "cannot load data", L->err);
    sqlite3_finalize(q);
    return s;
}

static pf_status
run_query(struct loader *L, const char *tag, const char *sql, row_fn fn)
{
    return run_query_tagged(L, tag, sql, fn, false);
}

static void
add_park(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_park *p;
    PF_GROW(ds->parks, ds->nparks + 1, L->cap[PF_K_PARKS]);
    p = &ds->parks[ds->nparks++];
    p->park_id = col_str(q, 0); p->name = col_str(q, 1); p->name_en = col_str(q, 2);
    p->region = col_str(q, 3); p->overseas_centre = col_str(q, 4); p->level = col_str(q, 5);
}

static void
add_enterprise(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_enterprise *e;
    PF_GROW(ds->enterprises, ds->nenterprises + 1, L->cap[PF_K_ENTERPRISES]);
    e = &ds->enterprises[ds->nenterprises++];
    e->enterprise_id = col_str(q, 0); e->name = col_str(q, 1); e->park_id = col_code(L, q, 2);
    e->credit_code = col_str(q, 3); e->chain = col_code(L, q, 4); e->segment = col_code(L, q, 5);
    e->park = -1;
}

static void
add_fund(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_fund *f;
    PF_GROW(ds->funds, ds->nfunds + 1, L->cap[PF_K_FUNDS]);
    f = &ds->funds[ds->nfunds++];
    f->fund_id = col_str(q, 0); f->name = col_str(q, 1); f->currency = col_str(q, 2);
    f->inception = store_col_date(q, 3);
    f->vintage = sqlite3_column_type(q, 4) == SQLITE_NULL ? 0 : sqlite3_column_int(q, 4);
    f->manager = col_str(q, 5);
    if (f->vintage == 0 && f->inception != PF_DATE_NONE) {
        int y, m, d;
        pf_date_to_ymd(f->inception, &y, &m, &d);
        f->vintage = y;
    }
}

static int64_t
col_e8(sqlite3_stmt *q, int i, int64_t dflt)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(q, i);
}

static void
add_terms(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_fund_terms *t;
    const unsigned char *basis;
    ds->terms = pf_xreallocarray(ds->terms, ds->nterms + 1, sizeof *t);
    t = &ds->terms[ds->nterms++];
    t->fund_id = col_str(q, 0);
    t->gp_partner_id = col_str(q, 1);
    t->carry_e8 = col_e8(q, 2, 0);
    t->hurdle_e8 = col_e8(q, 3, 0);
    basis = sqlite3_column_text(q, 4);
    t->hurdle_simple = basis && strcmp((const char *)basis, "simple") == 0;
    t->catch_up_e8 = col_e8(q, 5, 100000000); /* default 1: full catch-up */
    t->fee_rate_e8 = col_e8(q, 6, 0);
    t->fee_basis = col_str(q, 7);
    t->investment_period_end = sqlite3_column_type(q, 8) == SQLITE_NULL ? PF_DATE_NONE
                                                                      : store_col_date(q, 8);
    t->fee_rate_after_e8 = col_e8(q, 9, -1); /* absent: the same rate */
    t->fee_basis_after = col_str(q, 10);
    t->term_years = sqlite3_column_type(q, 11) == SQLITE_NULL ? 0 : sqlite3_column_int(q, 11);
    t->carry_exempt = col_str(q, 12);
    t->concession_e8 = col_e8(q, 13, 0);
    t->concession_to = col_str(q, 14);
    t->fund = pf_dataset_find_fund(ds, t->fund_id);
    t->gp = pf_dataset_find_partner(ds, t->gp_partner_id);
}

static void
add_partner(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_partner *p;
    PF_GROW(ds->partners, ds->npartners + 1, L->cap[PF_K_PARTNERS]);
    p = &ds->partners[ds->npartners++];
    p->partner_id = col_str(q, 0); p->name = col_str(q, 1); p->kind = col_str(q, 2);
    p->region = col_str(q, 3);
}

static void
add_project(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_project *p;
    PF_GROW(ds->projects, ds->nprojects + 1, L->cap[PF_K_PROJECTS]);
    p = &ds->projects[ds->nprojects++];
    p->project_id = col_str(q, 0); p->fund_id = col_code(L, q, 1);
    p->enterprise_id = col_str(q, 2);
    p->name = col_str(q, 3); p->chain = col_code(L, q, 4); p->segment = col_code(L, q, 5);
    p->theme = col_code(L, q, 6); p->instrument = col_code(L, q, 7);
    p->commitment_amount = sqlite3_column_int64(q, 8);
    p->currency = col_code(L, q, 9);
    p->commitment_date = store_col_date(q, 10);
    p->co_investment = sqlite3_column_int64(q, 11);
    p->exit_date = store_col_date(q, 12);
    p->listed_date = store_col_date(q, 13);
    p->fund = p->enterprise = -1;
}

static void
add_commitment(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_commitment *c;
    PF_GROW(ds->commitments, ds->ncommitments + 1, L->cap[PF_K_COMMITMENTS]);
    c = &ds->commitments[ds->ncommitments++];
    c->partner = pf_dataset_find_partner(ds, (const char *)sqlite3_column_text(q, 0));
    c->fund = pf_dataset_find_fund(ds, (const char *)sqlite3_column_text(q, 1));
    c->date = store_col_date(q, 2);
    c->amount = sqlite3_column_int64(q, 3);
}

static void
fill_pflow(struct loader *L, sqlite3_stmt *q, struct pf_partner_flow *f)
{
    struct pf_dataset *ds = L->ds;
    const char *kind, *purpose, *rec;
    static const char *const purposes[] = { "investment", "management_fee", "expenses", "other",
                                            "return_of_capital", "gain", "income", "other",
                                            "carried_interest" };
    int i;

    f->flow_id = col_str(q, 0);
    f->fund = pf_dataset_find_fund(ds, (const char *)sqlite3_column_text(q, 1));
    f->partner = pf_dataset_find_partner(ds, (const char *)sqlite3_column_text(q, 2));
    f->date = store_col_date(q, 3);
    kind = (const char *)sqlite3_column_text(q, 4);
    f->kind = strcmp(kind, "distribution") == 0 ? PF_DISTRIBUTION : PF_CONTRIBUTION;
    purpose = (const char *)sqlite3_column_text(q, 5);
    f->purpose = f->kind == PF_CONTRIBUTION ? PF_P_OTHER_IN : PF_P_OTHER_OUT;
    for (i = f->kind == PF_CONTRIBUTION ? 0 : 4; i < (f->kind == PF_CONTRIBUTION ? 4 : 9); i++)
        if (strcmp(purposes[i], purpose) == 0)
            f->purpose = (enum pf_purpose)i;
    f->amount = sqlite3_column_int64(q, 6);
    rec = (const char *)sqlite3_column_text(q, 7);
    f->recallable = f->kind == PF_DISTRIBUTION && rec && strcmp(rec, "yes") == 0;
    f->reversed_on = PF_DATE_NONE;
}

static void
add_pflow(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    PF_GROW(ds->pflows, ds->npflows + 1, L->cap[PF_K_PARTNER_FLOWS]);
    fill_pflow(L, q, &ds->pflows[ds->npflows++]);
}

static void
add_pflow_rev(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_partner_flow *f;
    ds->pflows_rev = pf_xreallocarray(ds->pflows_rev, ds->npflows_rev + 1, sizeof *f);
    f = &ds->pflows_rev[ds->npflows_rev++];
    fill_pflow(L, q, f);
    f->reversed_on = store_col_date(q, 8);
}

static void
fill_jflow(struct loader *L, sqlite3_stmt *q, struct pf_project_flow *f)
{
    struct pf_dataset *ds = L->ds;
    static const char *const kinds[] = { "investment", "proceeds", "dividend", "interest",
                                         "fee_income" };
    const char *kind;
    int i;

    f->flow_id = col_str(q, 0);
    f->project = pf_dataset_find_project(ds, (const char *)sqlite3_column_text(q, 1));
    f->date = store_col_date(q, 2);
    kind = (const char *)sqlite3_column_text(q, 3);
    f->kind = PF_J_INVESTMENT;
    for (i = 0; i < 5; i++)
        if (strcmp(kinds[i], kind) == 0)
            f->kind = (enum pf_jflow_kind)i;
    f->amount = sqlite3_column_int64(q, 4);
    f->currency = col_code(L, q, 5);
    f->reversed_on = PF_DATE_NONE;
}

static void
add_jflow(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    PF_GROW(ds->jflows, ds->njflows + 1, L->cap[PF_K_PROJECT_FLOWS]);
    fill_jflow(L, q, &ds->jflows[ds->njflows++]);
}

static void
add_jflow_rev(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_project_flow *f;
    ds->jflows_rev = pf_xreallocarray(ds->jflows_rev, ds->njflows_rev + 1, sizeof *f);
    f = &ds->jflows_rev[ds->njflows_rev++];
    fill_jflow(L, q, f);
    f->reversed_on = store_col_date(q, 6);
}

static void
add_valuation(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_valuation *v;
    PF_GROW(ds->valuations, ds->nvaluations + 1, L->cap[PF_K_VALUATIONS]);
    v = &ds->valuations[ds->nvaluations++];
    v->project = pf_dataset_find_project(ds, (const char *)sqlite3_column_text(q, 0));
    v->date = store_col_date(q, 1);
    v->value = sqlite3_column_int64(q, 2);
    v->currency = col_code(L, q, 3);
    v->method = col_code(L, q, 4);
}

static void
add_fx(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_fx_rate *r;
    PF_GROW(ds->fx, ds->nfx + 1, L->cap[PF_K_FX_RATES]);
    r = &ds->fx[ds->nfx++];
    r->currency = col_code(L, q, 0);
    r->date = store_col_date(q, 1);
    r->rate_e8 = sqlite3_column_int64(q, 2);
}

static void
add_bench(struct loader *L, sqlite3_stmt *q)
{
    struct pf_dataset *ds = L->ds;
    struct pf_bench_level *b;
    PF_GROW(ds->bench, ds->nbench + 1, L->cap[PF_K_BENCHMARKS]);
    b = &ds->bench[ds->nbench++];
    b->index_id = col_code(L, q, 0);
    b->date = store_col_date(q, 1);
    b->level_e8 = sqlite3_column_int64(q, 2);
}

static const struct {
    const char *tag;
    const char *sql;
    row_fn fn;
    bool market; /* market data: valuations, FX rates, benchmark levels */
    const char *scope; /* for statements, the rows kept: a condition on the query's
                          columns (NULL: all) */
    const char *push;  /* and the rows read: ANDed to the query's first WHERE */
} queries[] = {
    { "parks", "SELECT park_id, name, name_en, region, overseas_centre, level, max(batch_id) "
               "FROM park WHERE batch_id <= ?1 GROUP BY park_id ORDER BY park_id", add_park,
      false, NULL, NULL },
    { "enterprises", "SELECT enterprise_id, name, park_id, credit_code, chain, segment, "
                     "max(batch_id) FROM enterprise WHERE batch_id <= ?1 GROUP BY enterprise_id "
                     "ORDER BY enterprise_id", add_enterprise, false,
      "enterprise_id IN (SELECT enterprise_id FROM scope_project)",
      "enterprise_id IN (SELECT enterprise_id FROM scope_project)" },
    { "funds", "SELECT fund_id, name, currency, inception_date, vintage, manager, max(batch_id) "
               "FROM fund WHERE batch_id <= ?1 GROUP BY fund_id ORDER BY fund_id", add_fund,
      false, NULL, NULL },
    { "partners", "SELECT partner_id, name, kind, region, max(batch_id) FROM partner "
                  "WHERE batch_id <= ?1 GROUP BY partner_id ORDER BY partner_id", add_partner,
      false, NULL, NULL },
    { "projects", "SELECT project_id, fund_id, enterprise_id, name, chain, segment, theme, "
                  "instrument, commitment_amount, currency, commitment_date, co_investment, "
                  "exit_date, listed_date, max(batch_id) FROM project WHERE batch_id <= ?1 "
                  "GROUP BY project_id ORDER BY project_id", add_project, false,
      "fund_id IN scope_fund", "project_id IN (SELECT project_id FROM scope_project)" },
    { "commitments", "SELECT partner_id, fund_id, date, amount FROM commitment "
                     "WHERE batch_id <= ?1 ORDER BY fund_id, partner_id, date", add_commitment,
      false, "partner_id IN scope_partner", "partner_id IN scope_partner" },
    { "partner_flows", "SELECT flow_id, fund_id, partner_id, date, kind, purpose, amount, "
                       "recallable FROM partner_flow f WHERE batch_id <= ?1 AND reverses IS NULL "
                       "AND NOT EXISTS (SELECT 1 FROM partner_flow r WHERE r.reverses = f.flow_id "
                       "AND r.batch_id <= ?1) ORDER BY fund_id, date, flow_id", add_pflow, false,
      "partner_id IN scope_partner", "partner_id IN scope_partner" },
    { "project_flows", "SELECT flow_id, project_id, date, kind, amount, currency FROM "
                       "project_flow f WHERE batch_id <= ?1 AND reverses IS NULL AND NOT EXISTS "
                       "(SELECT 1 FROM project_flow r WHERE r.reverses = f.flow_id AND "
                       "r.batch_id <= ?1) ORDER BY project_id, date, flow_id", add_jflow, false,
      "0", "0" },
    { "valuations", "SELECT project_id, date, value, currency, method, max(batch_id) FROM "
                    "valuation WHERE batch_id <= ?1 GROUP BY project_id, date "
                    "ORDER BY project_id, date", add_valuation, true, NULL, NULL },
    { "fx_rates", "SELECT currency, date, rate FROM fx_rate WHERE batch_id <= ?1 "
                  "ORDER BY currency, date", add_fx, true, NULL, NULL },
    { "benchmarks", "SELECT index_id, date, level FROM benchmark WHERE batch_id <= ?1 "
                    "ORDER BY index_id, date", add_bench, true, NULL, NULL },
};

/* sql with cond ANDed to its first "WHERE batch_id <= ?1". The caller frees. */
static char *
pushed_sql(const char *sql, const char *cond)
{
    const char *where = strstr(sql, " WHERE batch_id <= ?1");
    size_t w;
    if (!where)
        return pf_xstrdup(sql);
    w = (size_t)(where - sql) + strlen(" WHERE batch_id <= ?1");
    return pf_xasprintf("%.*s AND %s%s", (int)w, sql, cond, sql + w);
}

/* A scoped kind's query: the query as written with `push` ANDed to its first WHERE
 * (which reads rows by the first table's key or fact, so a record's latest version
 * is still among them), its rows kept only when `scope` holds, in the same order.
 * The caller frees. */
static char *
scope_sql(const char *sql, const char *scope, const char *push)
{
    char *inner = pushed_sql(sql, push), *out;
    const char *order = strstr(inner, " ORDER BY ");
    size_t n = order ? (size_t)(order - inner) : strlen(inner);

    out = pf_xasprintf(SCOPE_FUNDS "SELECT * FROM (%.*s) WHERE %s%s", (int)n, inner, scope,
                       order ? order : "");
    free(inner);
    return out;
}

/* A flow query (its flows are f) of a month's load: only those dated ?2 to ?3. The
 * caller frees. */
static char *
month_sql(const struct loader *L, const char *sql)
{
    const char *order = strstr(sql, " ORDER BY ");
    size_t n = order ? (size_t)(order - sql) : strlen(sql);
    if (!L->month_from)
        return pf_xstrdup(sql);
    return pf_xasprintf("%.*s AND f.date BETWEEN ?2 AND ?3%s", (int)n, sql, order ? order : "");
}

static bool
is_flows(const char *tag)
{
    return strcmp(tag, "partner_flows") == 0 || strcmp(tag, "project_flows") == 0;
}

/* digest NULL: none asked, so no row is hashed (a report's loads) */
static pf_status
load_dataset(struct pf_store *st, int64_t batch, bool market, const char *scope,
             const char *scope_partners, const char *const month[2], struct pf_dataset **out,
             char digest[65], struct pf_err *err)
{
    struct pf_dataset *ds = pf_xcalloc(1, sizeof *ds);
    struct loader L = { ds, { 0 }, st, pf_sha256_new(), err, batch, scope, scope_partners,
                        digest != NULL, month ? month[0] : NULL, month ? month[1] : NULL };
    char *rev_p = NULL, *rev_j = NULL;
    pf_status s = PF_OK;
    int64_t n1 = 0, n2 = 0;
    size_t i;
    bool has_terms = false;

    *out = NULL;
    ds->batch = batch;
    ds->strings = pf_xcalloc(1, sizeof *ds->strings);
    if ((s = pf_store_taxonomy_at(st, batch, &ds->taxonomy_json, err)) != PF_OK)
        goto cleanup;
    if (ds->taxonomy_json)
        pf_sha256_update(L.h, ds->taxonomy_json, strlen(ds->taxonomy_json) + 1);
    for (i = 0; i < sizeof queries / sizeof *queries; i++) {
        char *sql;
        if (!market && queries[i].market)
            continue;
        if (scope && queries[i].scope)
            sql = scope_sql(queries[i].sql, queries[i].scope, queries[i].push);
        else if (is_flows(queries[i].tag))
            sql = month_sql(&L, queries[i].sql);
        else if (month && strcmp(queries[i].tag, "enterprises") == 0)
            /* a month's load is the manager's workbook's: enterprises are named through
             * their projects only (a key filter: the latest version still found) */
            sql = pushed_sql(queries[i].sql, "enterprise_id IN (SELECT enterprise_id FROM "
                                             "project WHERE batch_id <= ?1)");
        else
            sql = pf_xstrdup(queries[i].sql);
        s = run_query(&L, queries[i].tag, sql, queries[i].fn);
        free(sql);
        if (s != PF_OK)
            goto cleanup;
    }
    /* a read-only open of a database written before migration 4 has no fund_terms */
    {
        sqlite3_stmt *q = NULL;
        if ((s = store_prepare(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                   "AND name = 'fund_terms'", &q, err)) != PF_OK)
            goto cleanup;
        has_terms = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
        sqlite3_finalize(q);
    }
    /*
     * Reversed flows with the date of their reversal (a close before it counts them).
     * Found from the reversals (r), through the partial index on reverses, not by
     * asking every flow whether something reverses it: the same rows in the same
     * order (reverses is unique, so r is the one reversal), without a scan of each flow
     * table with a lookup per row, which was a fifth of a partner's data load.
     */
    rev_p = month_sql(&L, "SELECT f.flow_id, f.fund_id, f.partner_id, f.date, f.kind, "
                          "f.purpose, f.amount, f.recallable, r.date AS rev FROM partner_flow "
                          "r JOIN partner_flow f ON f.flow_id = r.reverses WHERE r.reverses "
                          "IS NOT NULL AND r.batch_id <= ?1 AND f.batch_id <= ?1 AND "
                          "f.reverses IS NULL ORDER BY f.fund_id, f.date, f.flow_id");
    rev_j = month_sql(&L, "SELECT f.flow_id, f.project_id, f.date, f.kind, f.amount, "
                          "f.currency, r.date AS rev FROM project_flow r JOIN project_flow f "
                          "ON f.flow_id = r.reverses WHERE r.reverses IS NOT NULL AND "
                          "r.batch_id <= ?1 AND f.batch_id <= ?1 AND f.reverses IS NULL "
                          "ORDER BY f.project_id, f.date, f.flow_id");
    if ((s = run_query_tagged(&L, "partner_flows_reversed", rev_p, add_pflow_rev, true)) !=
            PF_OK ||
        (s = run_query_tagged(&L, "project_flows_reversed", rev_j, add_jflow_rev, true)) !=
            PF_OK ||
        (has_terms && (s = run_query_tagged(&L, "fund_terms",
                              "SELECT fund_id, gp_partner_id, carry, hurdle, hurdle_basis, "
                              "catch_up, fee_rate, fee_basis, investment_period_end, "
                              "fee_rate_after, fee_basis_after, term_years, carry_exempt, "
                              "concession, concession_to, max(batch_id) FROM fund_terms WHERE "
                              "batch_id <= ?1 GROUP BY fund_id ORDER BY fund_id", add_terms,
                              true)) != PF_OK))
        goto cleanup;
    for (i = 0; i < ds->nenterprises; i++)
        ds->enterprises[i].park = pf_dataset_find_park(ds, ds->enterprises[i].park_id);
    for (i = 0; i < ds->nprojects; i++) {
        struct pf_project *p = &ds->projects[i];
        int e;
        p->fund = pf_dataset_find_fund(ds, p->fund_id);
        /* enterprises are sorted by id too */
        size_t lo = 0, hi = ds->nenterprises;
        e = -1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strcmp(ds->enterprises[mid].enterprise_id, p->enterprise_id);
            if (c == 0) {
                e = (int)mid;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        p->enterprise = e;
    }
    {
        sqlite3_stmt *q = NULL;
        if ((s = store_prepare(st, "SELECT (SELECT count(*) FROM partner_flow WHERE batch_id <= "
                                   "?1 AND reverses IS NOT NULL), (SELECT count(*) FROM "
                                   "project_flow WHERE batch_id <= ?1 AND reverses IS NOT NULL)",
                               &q, err)) != PF_OK)
            goto cleanup;
        sqlite3_bind_int64(q, 1, batch);
        if (sqlite3_step(q) == SQLITE_ROW) {
            n1 = sqlite3_column_int64(q, 0);
            n2 = sqlite3_column_int64(q, 1);
        }
        sqlite3_finalize(q);
        ds->nreversed = (size_t)(2 * (n1 + n2));
    }
    if (digest)
        pf_sha256_final(L.h, digest);
    *out = ds;
    ds = NULL;
cleanup:
    free(rev_p);
    free(rev_j);
    pf_sha256_free(L.h);
    pf_dataset_free(ds);
    return s;
}

pf_status
pf_store_load_dataset(struct pf_store *st, int64_t batch, struct pf_dataset **out,
                      char digest[65], struct pf_err *err)
{
    return load_dataset(st, batch, true, NULL, NULL, NULL, out, digest, err);
}

pf_status
pf_store_load_dataset_lean(struct pf_store *st, int64_t batch, struct pf_dataset **out,
                           struct pf_err *err)
{
    return load_dataset(st, batch, false, NULL, NULL, NULL, out, NULL, err);
}

/* ids as a JSON array of strings (a scope's ?2 or ?3) */
static char *
ids_json(const char *const *funds, size_t n)
{
    struct pf_buf b = PF_BUF_INIT;
    size_t i;
    const unsigned char *p;

    pf_buf_addc(&b, '[');
    for (i = 0; i < n; i++) {
        if (!funds[i])
            continue;
        if (b.len > 1)
            pf_buf_addc(&b, ',');
        pf_buf_addc(&b, '"');
        for (p = (const unsigned char *)funds[i]; *p; p++) {
            if (*p == '"' || *p == '\\') {
                pf_buf_addc(&b, '\\');
                pf_buf_addc(&b, (char)*p);
            } else if (*p < 0x20) {
                pf_buf_addf(&b, "\\u%04x", *p);
            } else {
                pf_buf_addc(&b, (char)*p);
            }
        }
        pf_buf_addc(&b, '"');
    }
    pf_buf_addc(&b, ']');
    return pf_buf_detach(&b);
}

pf_status
pf_store_load_dataset_scope(struct pf_store *st, int64_t batch, const char *const *funds,
                            size_t nfunds, const char *const *partners, size_t npartners,
                            struct pf_dataset **out, struct pf_err *err)
{
    char *f = ids_json(funds, nfunds), *p = ids_json(partners, npartners);
    pf_status s = load_dataset(st, batch, false, f, p, NULL, out, NULL, err);
    free(f);
    free(p);
    return s;
}

pf_status
pf_store_partner_funds(struct pf_store *st, int64_t batch, const char *partner,
                       void (*fn)(void *arg, const char *partner, const char *fund), void *arg,
                       struct pf_err *err)
{
    sqlite3_stmt *q = NULL;
    pf_status s;
    int rc;

    if ((s = store_prepare(st, partner
                                   ? "SELECT partner_id, fund_id FROM commitment WHERE "
                                     "partner_id = ?2 AND batch_id <= ?1 UNION SELECT "
                                     "partner_id, fund_id FROM partner_flow WHERE partner_id = "
                                     "?2 AND batch_id <= ?1 ORDER BY 1, 2"
                                   : "SELECT partner_id, fund_id FROM commitment WHERE "
                                     "batch_id <= ?1 UNION SELECT partner_id, fund_id FROM "
                                     "partner_flow WHERE batch_id <= ?1 ORDER BY 1, 2",
                           &q, err)) != PF_OK)
        return s;
    sqlite3_bind_int64(q, 1, batch);
    if (partner)
        sqlite3_bind_text(q, 2, partner, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        fn(arg, (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1));
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "cannot read the partners' funds", err);
    sqlite3_finalize(q);
    return s;
}

struct fund_list {
    char **v;
    size_t n, cap;
};

static void
add_fund_id(void *arg, const char *partner, const char *fund)
{
    struct fund_list *l = arg;
    (void)partner;
    PF_GROW(l->v, l->n + 1, l->cap);
    l->v[l->n++] = pf_xstrdup(fund);
}

pf_status
pf_store_load_dataset_month(struct pf_store *st, int64_t batch, pf_date from, pf_date to,
                            struct pf_dataset **out, struct pf_err *err)
{
    char a[16], b[16];
    const char *month[2] = { pf_date_format(from, a, sizeof a), pf_date_format(to, b, sizeof b) };
    return load_dataset(st, batch, false, NULL, NULL, month, out, NULL, err);
}

pf_status
pf_store_load_dataset_partner(struct pf_store *st, int64_t batch, const char *partner,
                              struct pf_dataset **out, struct pf_err *err)
{
    struct fund_list l = { NULL, 0, 0 };
    pf_status s;
    size_t i;

    *out = NULL;
    s = pf_store_partner_funds(st, batch, partner, add_fund_id, &l, err);
    if (s == PF_OK)
        s = pf_store_load_dataset_scope(st, batch, (const char *const *)l.v, l.n, &partner, 1,
                                        out, err);
    for (i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    return s;
}
