/*
 * report: renders a stored run as Excel workbooks (libxlsxwriter). It computes
 * nothing new: every figure is a stored result, written either as a plain value
 * or as a live formula (SUM, a ratio of cells, XIRR over the date-netted flow
 * blocks written into the same workbook) whose cached value is the stored
 * figure, so a spreadsheet program that recalculates lands on the same number.
 * What the workbooks hold (sheets, columns, titles in Chinese and English,
 * number formats, widths) is read from the report definitions, the JSON files in reports/.
 *
 * Safety rules kept here: text that came from input is only ever written as a
 * string (never a formula); no formula contains input text; file names derived
 * from ids go through pf_safe_filename, so nothing is written outside out_dir;
 * the workbook's created time is the run's, so re-rendering a run gives
 * byte-identical files. A partner's statement holds that partner's data only.
 *
 * Memory rule: *files from pf_report_write is an array of heap strings; the
 * caller frees each string and then the array (also on failure, when some
 * files were written before the error).
 */
#ifndef PARKFUND_REPORT_H
#define PARKFUND_REPORT_H

#include "parkfund/model.h"
#include "parkfund/store.h"
#include "parkfund/util.h"

struct pf_report_opts {
    const char *out_dir;  /* created if missing */
    const char *partner;  /* NULL: manager workbook + every partner; else that partner only */
    const char *lang;     /* "zh", "en" or "both" (NULL = both: "中文 / English" headers) */
    const char *unit;     /* amounts shown in "yuan" (NULL), "wan" (10^4) or "yi" (10^8);
                             only the display: every cell holds the full amount */
    const char *defs_dir; /* folder holding manager.json, partner.json, formats.json */
    /* the run's forecast (SPEC §11), or NULL: a Forecast sheet in the manager's
     * workbook and an Expected calls sheet in each statement */
    const struct pf_forecast *forecast;
    /* the corrected partner flows, shown marked in statements; may be NULL */
    const struct pf_corrections *corrections;
    /* files written at once, each by its own worker process (forked once everything
     * is loaded): 0 = one per online core, 1 = one after another in this process.
     * The files are the same either way. */
    unsigned jobs;
    /*
     * Not NULL: a streamed report, read from this database file by the report itself,
     * so that no process holds the whole portfolio (issue 12). run then holds the
     * header and the notes only (pf_store_get_run_funds of no fund) and ds the parks,
     * funds and partners only (pf_store_load_dataset_scope of nothing). The partners
     * and their funds are read first; each statement's worker reads its partner's
     * part (pf_store_load_dataset_scope, pf_store_get_run_scope), the manager's
     * workbook reads the run a part at a time (rp_index_open) with the as-of month's
     * flows (pf_store_load_dataset_month). The files are the same bytes.
     */
    const char *db;
    /* may be NULL; called with (files done, files in all) */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

/*
 * Render a stored run. ds is the data as known at run->batch (names, flows) and
 * tax the taxonomy in force then. Writes portfolio-<as_of>.xlsx and, for every
 * partner holding a commitment in the run, statement-<partner_id>-<as_of>.xlsx
 * (opts->partner: that statement only). A partner id that the sanitiser had to
 * change gets a short digest of the raw id in its file name, so two ids never
 * share a file. Each file is written to a temporary name and renamed into place.
 *
 * *files and *nfiles receive the paths written (out_dir joined with the file name).
 * Errors: PF_EUSAGE for a bad lang; PF_ENOINPUT for an unknown partner or a
 * missing definitions file; PF_EDATA for a malformed definition (the file and
 * the JSON path are named); PF_EIO when a folder or file cannot be written.
 */
pf_status pf_report_write(const struct pf_run *run, const struct pf_dataset *ds,
                          const struct pf_taxonomy *tax, const struct pf_report_opts *o,
                          char ***files,  /* OUT: paths written */
                          size_t *nfiles, /* OUT: how many */
                          struct pf_err *err);

/*
 * The funds a statement of partner may read: every fund in which ds (the data at
 * the run's batch) has a commitment or a flow of the partner, at any date. The
 * run's own partner results decide which of them the statement shows (the engine
 * gives a fund's partners from its commitments and flows up to the as-of date,
 * a subset); a statement reads nothing of any other fund and nothing portfolio-wide,
 * so pf_store_get_run_funds of these funds renders the same statement as the whole
 * run. *funds (borrowed from ds, in ds fund order) is freed by the caller; none
 * for a partner ds does not know.
 */
void pf_report_partner_funds(const struct pf_dataset *ds, const char *partner,
                             const char ***funds, size_t *nfunds);

#endif
