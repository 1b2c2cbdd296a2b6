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
    pf_taxonomy_free(tax);
    {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return pf_t_done("import");
}
