/*
 * gen: the deterministic synthetic data set behind `parkfund gen` and `demo`
 * (SPEC §6). It writes the eleven input files of SPEC §4 (CSV, RFC 4180, UTF-8,
 * header row, LF) for a park alliance: parks, enterprises, a main CNY fund,
 * regional sub-funds backed by provincial guidance funds, overseas USD funds,
 * their partners, ten years of capital calls, distributions, project flows,
 * quarterly valuations, FX rates and a benchmark index. Scale N multiplies the
 * projects and flows by about N. The same (scale, seed, as_of) gives the same
 * bytes. No SQLite, no printing; rows are streamed to the files.
 *
 * Memory rule: nothing is returned that the caller frees.
 */
#ifndef PARKFUND_GEN_H
#define PARKFUND_GEN_H

#include "parkfund/model.h"
#include "parkfund/util.h"

#define PF_GEN_NFILES 12

/* Data rows written per file (header excluded), in the order of pf_gen_files. */
struct pf_gen_stats {
    size_t rows[PF_GEN_NFILES];
    size_t total;
};

/*
 * The files pf_gen_write creates, NULL-ended: "parks.csv", "enterprises.csv",
 * "funds.csv", "partners.csv", "commitments.csv", "partner_flows.csv",
 * "projects.csv", "project_flows.csv", "valuations.csv", "fx_rates.csv",
 * "benchmarks.csv". The file name is the import kind.
 */
extern const char *const pf_gen_files[];

/*
 * Write the data set into dir (created, with its parents, if missing; existing
 * files of the same names are replaced). scale >= 1; seed any value; as_of is
 * the last date the data reaches (normally a month end): every date written is
 * on or before it and the flows cover the ten years before it. Codes come from
 * tax (chains, segments, themes, provinces, countries, centres, currencies).
 *
 * progress, when not NULL, is called now and then with (arg, done, total) and
 * once at the end with done == total. stats, when not NULL, receives the row
 * counts. Returns PF_OK, PF_EUSAGE for scale 0 or an as_of before 1990,
 * PF_EDATA when the taxonomy lacks chains or segments, PF_EIO when a file
 * cannot be created or written (err names it).
 */
pf_status pf_gen_write(const char *dir,                /* output folder */
                       unsigned scale,                 /* >= 1 */
                       unsigned long seed,             /* RNG seed */
                       pf_date as_of,                  /* last date of the data */
                       const struct pf_taxonomy *tax,  /* codes to use */
                       void (*progress)(void *arg, size_t done, size_t total),
                       void *arg,                      /* passed to progress */
                       struct pf_gen_stats *stats,     /* OUT: row counts, may be NULL */
                       struct pf_err *err);            /* OUT: the failure */

#endif
