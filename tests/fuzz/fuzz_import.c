/*
 * libFuzzer targets for the importers (SPEC §8: "the importers survive fuzzing").
 * Built twice by tests/fuzz/run.sh: fuzz_csv, where the first input byte picks
 * one of the CSV kinds and the rest is the file; and fuzz_json (-DFUZZ_JSON),
 * where the whole input is a JSON bundle (seeds in tests/fuzz/seeds/json). Each
 * input is imported as a dry run into one database that already holds the
 * sample data, so references resolve and the deep validation paths are reached.
 * The scratch folder lives under $TMPDIR and is removed at exit.
 *   make fuzz   (clang, -fsanitize=fuzzer,address,undefined)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parkfund/calc.h"
#include "parkfund/import.h"
#include "parkfund/store.h"

static struct pf_taxonomy *tax;
static struct pf_store *st;
static char dir[512];

static void
cleanup(void)
{
    static const char *const names[] = { "f.db", "f.db-wal", "f.db-shm", "f.db-journal",
                                         "bundle.json", NULL };
    char path[600];
    size_t i;
    int k;

    pf_store_close(st);
    st = NULL;
    for (i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    for (k = 0; k < PF_K_COUNT; k++) {
        snprintf(path, sizeof path, "%s/%s.csv", dir, pf_kinds[k].name);
        remove(path);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct pf_err err = { 0 };
    char db[600];
    const char *sample[] = { PF_SRCDIR "/models/sample/parks.csv",
                             PF_SRCDIR "/models/sample/enterprises.csv",
                             PF_SRCDIR "/models/sample/funds.csv",
                             PF_SRCDIR "/models/sample/partners.csv",
                             PF_SRCDIR "/models/sample/projects.csv",
                             PF_SRCDIR "/models/sample/commitments.csv",
                             PF_SRCDIR "/models/sample/partner_flows.csv" };
    struct pf_import_opts o;
    struct pf_import_result res;

    (void)argc;
    (void)argv;
    pf_calc_init();
    snprintf(dir, sizeof dir, "%s/pf_fuzz_XXXXXX",
             getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    snprintf(db, sizeof db, "%s/f.db", dir);
    if (pf_taxonomy_load_dir(PF_SRCDIR "/models/taxonomy", &tax, &err) ||
        pf_store_open(db, PF_STORE_CREATE, &st, &err))
        abort();
    memset(&o, 0, sizeof o);
    o.tax = tax;
    if (pf_import(st, sample, 7, &o, &res, &err))
        abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct pf_err err = { 0 };
    struct pf_import_opts o;
    struct pf_import_result res;
    char path[600];
    const char *files[1];
    FILE *f;

#ifdef FUZZ_JSON
    snprintf(path, sizeof path, "%s/bundle.json", dir);
#else
    if (size < 1)
        return 0;
    snprintf(path, sizeof path, "%s/%s.csv", dir, pf_kinds[data[0] % PF_K_COUNT].name);
    data++;
    size--;
#endif
    f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    memset(&o, 0, sizeof o);
    o.tax = tax;
    o.dry_run = true;
    files[0] = path;
    (void)pf_import(st, files, 1, &o, &res, &err);
    remove(path);
    return 0;
}
