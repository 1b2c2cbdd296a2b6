/* import internals: the per-command context shared by the CSV and JSON readers. */
#ifndef PARKFUND_IMPORT_INT_H
#define PARKFUND_IMPORT_INT_H

#include "parkfund/import.h"

struct imp {
    struct pf_store *st;
    const struct pf_import_opts *o;
    const struct pf_taxonomy *tax;
    struct pf_err *err;
    int64_t batch;
    struct pf_map refs[PF_K_COUNT]; /* id -> struct imp_ref*, reference kinds only */
    struct pf_map pairs;            /* "partner\x1ffund" with a commitment */
    int64_t totals[PF_K_COUNT][PF_MAX_FIELDS];
    size_t rows_read[PF_K_COUNT], rows_new[PF_K_COUNT];
    size_t file_rows_read;
    const char *file;               /* name as given, for messages */
    size_t bytes_done, bytes_total;
    /* reversals wait until every flow of their kind is in (file order must not
     * matter): canonical rows with where they came from */
    struct imp_deferred *deferred;
    size_t ndeferred, cdeferred;
    size_t *src_rows_new;           /* per file of the command, set by pf_import */
    size_t src;                     /* index of the file being read */
    struct pf_map seen_val;         /* valuation "project\x1fdate" -> (file index, line) */
    const char *const *src_names;   /* the command's files, by index */
    /* a fact duplicated in this import: its identity and where the second came, so
     * the error can name the first (found by reading the files again: error path) */
    bool dup_pending, searching;
    enum pf_kind dup_k;
    char *dup_key[PF_MAX_FIELDS];
    const char *dup_file, *found_file;
    long dup_line, found_line;
};

struct imp_deferred {
    enum pf_kind k;
    char *c[PF_MAX_FIELDS];
    const char *file;
    long line;
    size_t src;
};

struct imp_ref {
    char *vals[PF_MAX_FIELDS];
    bool this_batch;
    const char *seen_file;          /* non-NULL once a row for this id came in this import */
    long seen_line;
};

/*
 * Validate one row of kind k (raw[i] follows pf_kinds[k].fields, NULL when
 * absent), turn it into canonical form and store it unless an identical row is
 * stored already. line is the row's first line in the file.
 */
pf_status imp_row(struct imp *im, enum pf_kind k, char **raw, long line);
/* Store the reversals deferred by imp_row, once every flow of their kind is in. */
pf_status imp_flush_deferred(struct imp *im);

/* Readers: feed every row of one file through imp_row. */
pf_status imp_csv_file(struct imp *im, const char *path, enum pf_kind k);
/* JSON bundle: parse once (imp_json_open), then rows of one kind at a time. */
struct imp_json;
pf_status imp_json_open(struct imp *im, const char *path, struct imp_json **out);
pf_status imp_json_kind(struct imp *im, struct imp_json *j, enum pf_kind k);
bool imp_json_has_kind(const struct imp_json *j, enum pf_kind k);
void imp_json_free(struct imp_json *j);

void imp_progress(struct imp *im, size_t bytes);

#endif
