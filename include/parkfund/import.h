/*
 * import: CSV and JSON input (SPEC §4) -> validated canonical rows -> one
 * batch, in one write transaction. All or nothing: the first bad row rejects
 * the whole command with "FILE:LINE: field 'x': message" (PF_EDATA) and the
 * database is left exactly as it was.
 *
 * Files are processed in the dependency order of the kinds (parks, enterprises,
 * funds, partners, projects, commitments, partner flows, project flows,
 * valuations, fx rates, benchmarks), so references resolve across all files of
 * a command whatever order they are named in. Within a file, a flow that
 * `reverses` another must come after it.
 *
 * Reading streams: CSV is read line by line (memory bounded by the longest
 * line, at most 1 MiB); a JSON bundle is parsed whole (keep bundles small).
 */
#ifndef PARKFUND_IMPORT_H
#define PARKFUND_IMPORT_H

#include "parkfund/model.h"
#include "parkfund/store.h"
#include "parkfund/util.h"

#define PF_MAX_FIELD_BYTES 4096

struct pf_import_opts {
    const char *kind;     /* --kind for every CSV file, NULL: from each file's name */
    const char *encoding; /* --encoding (iconv name), NULL: UTF-8 */
    bool dry_run;         /* validate and count, write nothing */
    const struct pf_taxonomy *tax; /* the taxonomy in force; stored with the batch */
    /* called now and then; may be NULL */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

struct pf_import_result {
    int64_t batch;      /* the new batch, or the earlier one when already */
    bool already;       /* the same content was imported before: nothing done */
    bool nothing_new;   /* every row was already stored: no batch created */
    size_t rows_read[PF_K_COUNT];
    size_t rows_new[PF_K_COUNT];
};

/*
 * Import files[0..n) as one batch. The store must be open for writing; import
 * takes the write lock itself (PF_EBUSY when another writer holds it past the
 * busy timeout). On any error nothing is written.
 */
pf_status pf_import(struct pf_store *st, const char *const *files, size_t n,
                    const struct pf_import_opts *opts, struct pf_import_result *res,
                    struct pf_err *err);

/* The kind a file name implies ("2024-06_partner_flows.csv" -> PF_K_PARTNER_FLOWS), or -1. */
int pf_import_kind_of(const char *path);

#endif
