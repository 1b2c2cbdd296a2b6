/* Unit tests for import: line numbers across quoted newlines, BOM/CRLF, kinds, JSON lines. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "parkfund/import.h"
#include "parkfund/store.h"

static char dir[256], db[300];
static struct pf_taxonomy *tax;

static const char *
write_file(const char *name, const char *text)
{
    static char p[400];
    FILE *f;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    f = fopen(p, "wb");
    fputs(text, f);
    fclose(f);
    return p;
}

static pf_status
run_import(const char *const *files, size_t n, bool dry, struct pf_import_result *res,
           struct pf_err *err)
{
    struct pf_store *st = NULL;
    struct pf_import_opts o;
    pf_status rc;
    memset(&o, 0, sizeof o);
    o.tax = tax;
    o.dry_run = dry;
    if ((rc = pf_store_open(db, PF_STORE_CREATE, &st, err)) != PF_OK)
        return rc;
    rc = pf_import(st, files, n, &o, res, err);
    pf_store_close(st);
    return rc;
}

static void
test_kinds(void)
{
    CHECK_INT(pf_import_kind_of("parks.csv"), PF_K_PARKS);
    CHECK_INT(pf_import_kind_of("/x/y/2024-06_partner_flows.csv"), PF_K_PARTNER_FLOWS);
    CHECK_INT(pf_import_kind_of("PROJECT_FLOWS.CSV") < 0, 1); /* kinds are lower case */
    CHECK_INT(pf_import_kind_of("myparks.csv"), -1);          /* no separator before the kind */
    CHECK_INT(pf_import_kind_of("parks.txt"), -1);
}

static void
test_lines(void)
{
    struct pf_import_result res;
    struct pf_err err = { 0 };
    const char *f[2];
    char p1[400];

    /* a BOM, CRLF, and a quoted name spanning lines 3-4: the bad level is on line 5 */
    snprintf(p1, sizeof p1, "%s", write_file("parks.csv",
        "\xEF\xBB\xBFpark_id,name,region,level\r\n"
        "PK1,甲园区,CN-SC,national\r\n"
        "PK2,\"乙园区\r\n(二期)\",CN-GZ,provincial\r\n"
        "PK3,丙园区,CN-FJ,bogus\r\n"));
    f[0] = p1;
    CHECK(run_import(f, 1, false, &res, &err) == PF_EDATA);
    CHECK(strstr(err.where, "parks.csv:5") != NULL);
    CHECK(strstr(err.msg, "field 'level'") != NULL);

    /* fixed, the file imports; a blank line in between is fine */
    snprintf(p1, sizeof p1, "%s", write_file("parks.csv",
        "\xEF\xBB\xBFpark_id,name,region,level\r\n"
        "PK1,甲园区,CN-SC,national\r\n"
        "\r\n"
        "PK2,\"乙园区\r\n(二期)\",CN-GZ,provincial\r\n"));
    pf_err_clear(&err);
    CHECK(run_import(f, 1, true, &res, &err) == PF_OK); /* dry run first */
    CHECK_INT(res.rows_new[PF_K_PARKS], 2);
    CHECK(run_import(f, 1, false, &res, &err) == PF_OK);
    CHECK_INT(res.batch, 1); /* the dry run left no batch behind */
    CHECK_INT(res.rows_new[PF_K_PARKS], 2);
    CHECK(run_import(f, 1, false, &res, &err) == PF_OK);
    CHECK(res.already && res.batch == 1);

    /* the same rows in another file: read, nothing new, no batch */
    f[0] = write_file("more_parks.csv", "park_id,name,region,level\nPK1,甲园区,CN-SC,national\n");
    CHECK(run_import(f, 1, false, &res, &err) == PF_OK);
    CHECK(res.nothing_new);

    /* a JSON bundle: the bad row's line is found although cJSON keeps none */
    f[0] = write_file("bundle.json",
        "{\n"
        "  \"parks\": [\n"
        "    {\"park_id\": \"PK9\", \"name\": \"九园\", \"region\": \"CN-HN\"}\n"
        "  ],\n"
        "  \"funds\": [\n"
        "    {\"fund_id\": \"F1\", \"name\": \"基金\", \"currency\": \"CNY\",\n"
        "     \"inception_date\": \"2024-01-01\"},\n"
        "    {\"fund_id\": \"F2\", \"name\": \"基金二\", \"currency\": \"XXX\",\n"
        "     \"inception_date\": \"2024-01-01\"}\n"
        "  ]\n"
        "}\n");
    pf_err_clear(&err);
    CHECK(run_import(f, 1, false, &res, &err) == PF_EDATA);
    CHECK(strstr(err.where, "bundle.json:8") != NULL);
    CHECK(strstr(err.msg, "field 'currency'") != NULL);
}

static bool
in_funds(int f, const bool *in, size_t nfunds)
{
    return f >= 0 && (size_t)f < nfunds && in[f];
}

/*
 * A store `name` in the test folder holding the sample data (batch 1) and then one
 * more file `file` of text `text` (batch 2); *res is the second import's result.
 */
static void
sample_then(const char *name, const char *file, const char *text, struct pf_store **st,
            struct pf_import_result *res)
{
    static const char *const kinds[] = { "parks", "enterprises", "funds", "partners",
                                         "projects", "commitments", "partner_flows",
                                         "project_flows", "valuations", "fx_rates",
                                         "benchmarks" };
    const char *files[11];
    char paths[11][128], path[320];
    struct pf_import_opts o;
    struct pf_err err = { 0 };
    size_t i;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (i = 0; i < 11; i++) {
        snprintf(paths[i], sizeof paths[i], "models/sample/%s.csv", kinds[i]);
        files[i] = paths[i];
    }
    memset(&o, 0, sizeof o);
    o.tax = tax;
    CHECK(pf_store_open(path, PF_STORE_CREATE, st, &err) == PF_OK);
    CHECK(*st && pf_import(*st, files, 11, &o, res, &err) == PF_OK);
    files[0] = write_file(file, text);
    CHECK(*st && pf_import(*st, files, 1, &o, res, &err) == PF_OK);
    if (err.status)
        fprintf(stderr, "     %s %s\n", err.where, err.msg);
}

/*
 * A partner's statement loads only its own part of the data set (issue 12):
 * pf_store_load_dataset_partner, checked against the whole data set filtered here in
 * C: every park, fund and partner; the projects of the partner's funds and their
 * enterprises; the partner's own commitments and flows, in the same order; no project
 * flows, no market data. Project P-CN-01 moves from F-CN to F-US in a second batch:
 * its latest version decides where it belongs (a filter before the version would put
 * it in both).
 */
static void
test_partner_scope(void)
{
    struct pf_store *st = NULL;
    struct pf_import_result res;
    struct pf_err err = { 0 };
    struct pf_dataset *full = NULL;
    char digest[65];
    size_t i, k, p, nchecked = 0;

    sample_then("scope.db", "projects.csv",
        "project_id,fund_id,enterprise_id,name,chain,segment,theme,instrument,"
        "commitment_amount,currency,commitment_date,co_investment,exit_date,listed_date\n"
        "P-CN-01,F-US,E-01,锦城新材料 A 轮,materials,upstream,circular_economy,equity,"
        "15000000.00,CNY,2021-03-01,10000000.00,,\n", &st, &res);
    CHECK(pf_store_load_dataset(st, res.batch, &full, digest, &err) == PF_OK);
    for (p = 0; full && p < full->npartners; p++) {
        const char *pid = full->partners[p].partner_id;
        struct pf_dataset *part = NULL;
        bool *in = pf_xcalloc(full->nfunds + 1, sizeof *in);
        bool *proj = pf_xcalloc(full->nprojects + 1, sizeof *proj);
        bool *ent = pf_xcalloc(full->nenterprises + 1, sizeof *ent);
        for (i = 0; i < full->ncommitments; i++)
            if (full->commitments[i].partner == (int)p)
                in[full->commitments[i].fund] = true;
        for (i = 0; i < full->npflows; i++)
            if (full->pflows[i].partner == (int)p)
                in[full->pflows[i].fund] = true;
        for (i = 0; i < full->nprojects; i++)
            if (in_funds(full->projects[i].fund, in, full->nfunds)) {
                proj[i] = true;
                if (full->projects[i].enterprise >= 0)
                    ent[full->projects[i].enterprise] = true;
            }
        CHECK(pf_store_load_dataset_partner(st, res.batch, pid, &part, &err) == PF_OK);
        if (!part)
            goto next;
        CHECK(part->nparks == full->nparks && part->nfunds == full->nfunds &&
              part->npartners == full->npartners);
        CHECK(part->nvaluations == 0 && part->nfx == 0 && part->nbench == 0);
        for (i = 0, k = 0; i < full->nprojects; i++)
            if (proj[i]) {
                CHECK(k < part->nprojects &&
                      strcmp(part->projects[k].project_id, full->projects[i].project_id) == 0 &&
                      strcmp(part->projects[k].fund_id, full->projects[i].fund_id) == 0);
                k++;
            }
        CHECK_INT(part->nprojects, k);
        for (i = 0, k = 0; i < full->nenterprises; i++)
            if (ent[i]) {
                CHECK(k < part->nenterprises && strcmp(part->enterprises[k].enterprise_id,
                                                       full->enterprises[i].enterprise_id) == 0);
                k++;
            }
        CHECK_INT(part->nenterprises, k);
        for (i = 0, k = 0; i < full->ncommitments; i++)
            if (full->commitments[i].partner == (int)p) {
                CHECK(k < part->ncommitments &&
                      part->commitments[k].amount == full->commitments[i].amount &&
                      part->commitments[k].date == full->commitments[i].date &&
                      part->commitments[k].partner == (int)p);
                k++;
            }
        CHECK_INT(part->ncommitments, k);
        for (i = 0, k = 0; i < full->npflows; i++)
            if (full->pflows[i].partner == (int)p) {
                CHECK(k < part->npflows &&
                      strcmp(part->pflows[k].flow_id, full->pflows[i].flow_id) == 0);
                k++;
            }
        CHECK_INT(part->npflows, k);
        CHECK_INT(part->njflows, 0);
        nchecked++;
    next:
        pf_dataset_free(part);
        free(in);
        free(proj);
        free(ent);
    }
    /* the move took: P-CN-01 is F-US's now, so an F-CN-only partner does not see it */
    if (full) {
        struct pf_dataset *part = NULL;
        int j = pf_dataset_find_project(full, "P-CN-01");
        CHECK(j >= 0 && strcmp(full->projects[j].fund_id, "F-US") == 0);
        CHECK(pf_store_load_dataset_partner(st, res.batch, "LP-SCGF", &part, &err) == PF_OK);
        CHECK(part && pf_dataset_find_project(part, "P-CN-01") < 0 &&
              pf_dataset_find_project(part, "P-CN-02") >= 0);
        pf_dataset_free(part);
    }
    CHECK_INT(nchecked, 5); /* the sample's five partners */
    pf_dataset_free(full);
    pf_store_close(st);
}

/*
 * A reversed flow is loaded apart, with the date of its reversal: a close before that
 * date still counts it (load.c finds them from the reversals through their index). The
 * sample reverses partner flow CN-C02-PICC-X on 2022-06-30; a second batch reverses
 * project flow J-CN-05 (P-CN-02's 2023 dividend, 300,000.00) on 2024-03-31. At batch 1
 * J-CN-05 is an ordinary flow; at batch 2 it is reversed, in the whole data set and in
 * the statement load of a partner of P-CN-02's fund F-CN.
 */
static void
test_reversed_flows(void)
{
    char digest[65];
    struct pf_store *st = NULL;
    struct pf_import_result res;
    struct pf_err err = { 0 };
    struct pf_dataset *b1 = NULL, *b2 = NULL, *part = NULL;
    pf_date d;
    const char *why;
    size_t i;

    sample_then("reversed.db", "project_flows.csv",
        "flow_id,project_id,date,kind,amount,currency,reverses,note\n"
        "J-CN-05-R,P-CN-02,2024-03-31,dividend,300000.00,CNY,J-CN-05,冲销\n", &st, &res);
    CHECK_INT(res.batch, 2);
    CHECK(pf_store_load_dataset(st, 1, &b1, digest, &err) == PF_OK);
    CHECK(pf_store_load_dataset(st, 2, &b2, digest, &err) == PF_OK);
    CHECK(pf_store_load_dataset_partner(st, 2, "LP-PICC", &part, &err) == PF_OK);
    if (!b1 || !b2 || !part)
        goto cleanup;
    /* batch 1: the partner flow reversed on 2022-06-30, J-CN-05 still a flow */
    CHECK_INT(b1->npflows_rev, 1);
    CHECK(b1->npflows_rev == 1 && strcmp(b1->pflows_rev[0].flow_id, "CN-C02-PICC-X") == 0 &&
          pf_date_parse("2022-06-30", &d, &why) && b1->pflows_rev[0].reversed_on == d);
    CHECK_INT(b1->njflows_rev, 0);
    for (i = 0; i < b1->njflows && strcmp(b1->jflows[i].flow_id, "J-CN-05") != 0; i++)
        ;
    CHECK(i < b1->njflows);
    /* batch 2: J-CN-05 reversed on 2024-03-31, out of the flows, its amount kept */
    CHECK_INT(b2->njflows, b1->njflows - 1);
    CHECK_INT(b2->njflows_rev, 1);
    CHECK(b2->njflows_rev == 1 && strcmp(b2->jflows_rev[0].flow_id, "J-CN-05") == 0 &&
          pf_date_parse("2024-03-31", &d, &why) && b2->jflows_rev[0].reversed_on == d &&
          b2->jflows_rev[0].amount == 30000000 &&
          b2->jflows_rev[0].project == pf_dataset_find_project(b2, "P-CN-02"));
    for (i = 0; i < b2->njflows; i++)
        CHECK(strcmp(b2->jflows[i].flow_id, "J-CN-05") != 0);
    CHECK(part->njflows_rev == 1 && strcmp(part->jflows_rev[0].flow_id, "J-CN-05") == 0);
    CHECK(part->npflows_rev == 1 &&
          strcmp(part->pflows_rev[0].flow_id, "CN-C02-PICC-X") == 0);
cleanup:
    pf_dataset_free(b1);
    pf_dataset_free(b2);
    pf_dataset_free(part);
    pf_store_close(st);
}

int
main(void)
{
    struct pf_err err = { 0 };
    snprintf(dir, sizeof dir, "/tmp/pf_test_import_%d", (int)getpid());
    snprintf(db, sizeof db, "%s/t.db", dir);
    if (mkdtemp(dir) == NULL && access(dir, F_OK) != 0) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        if (system(cmd) != 0)
            return 1;
    }
    if (pf_taxonomy_load_dir("models/taxonomy", &tax, &err) != PF_OK) {
        fprintf(stderr, "taxonomy: %s\n", err.msg);
        return 1;
    }
    test_kinds();
    test_lines();
    test_partner_scope();
    test_reversed_flows();
    pf_taxonomy_free(tax);
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return pf_t_done("import");
}
