/*
 * libFuzzer target for the importers (SPEC §8: "the importers survive fuzzing").
 * The first input byte picks the reader and kind (CSV of one of the eleven
 * kinds, or a JSON bundle); the rest is the file. Each input is imported as a
 * dry run into one database that already holds the sample data, so references
 * resolve and the deep validation paths are reached.
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
static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct pf_err err = { 0 };
    char db[128];
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
    snprintf(dir, sizeof dir, "/tmp/pf_fuzz_XXXXXX");
    if (!mkdtemp(dir))
        abort();
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
    char path[160];
    const char *files[1];
    FILE *f;
    int pick;

    if (size < 1)
        return 0;
    pick = data[0] % (PF_K_COUNT + 1);
    if (pick == PF_K_COUNT)
        snprintf(path, sizeof path, "%s/bundle.json", dir);
    else
        snprintf(path, sizeof path, "%s/%s.csv", dir, pf_kinds[pick].name);
    f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    memset(&o, 0, sizeof o);
    o.tax = tax;
    o.dry_run = true;
    files[0] = path;
    (void)pf_import(st, files, 1, &o, &res, &err);
    remove(path);
    return 0;
}
