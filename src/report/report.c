/*
 * report: pf_report_write, the module's entry point. Checks the options, reads
 * the definitions, indexes the run, names the files (ids through
 * pf_safe_filename, so nothing lands outside out_dir), and writes each
 * workbook to a hidden temporary name that is renamed into place once it is
 * complete, so a failed render never leaves a half-written .xlsx behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal --- */

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

/* mkdir -p */
static pf_status
make_dirs(const char *dir, struct pf_err *err)
{
    char *p = pf_xstrdup(dir), *s;
    struct stat st;
    pf_status rc = PF_OK;

    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = pf_err_set(err, PF_EIO, "", "cannot create folder '%s': %s", p,
                            strerror(errno));
            goto cleanup;
        }
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        rc = pf_err_set(err, PF_EIO, "", "cannot create folder '%s': %s", p, strerror(errno));
        goto cleanup;
    }
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = pf_err_set(err, PF_EIO, "", "cannot use '%s' as the output folder: not a folder",
                        p);
cleanup:
    free(p);
    return rc;
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every partner holding a position in the run, sorted by id. */
static const char **
run_partners(const struct rp_index *ix, size_t *n)
{
    struct pf_map seen = PF_MAP_INIT;
    const char **out = NULL;
    size_t cap = 0, f, k;

    *n = 0;
    for (f = 0; f < ix->nfunds; f++) {
        const struct rp_keys *ks = rp_index_keys(ix, "partner", ix->funds[f]);
        for (k = 0; ks && k < ks->n; k++) {
            if (strcmp(ks->keys[k], "*") == 0 || pf_map_has(&seen, ks->keys[k]))
                continue;
            pf_map_put(&seen, ks->keys[k], NULL);
            PF_GROW(out, *n + 1, cap);
            out[(*n)++] = ks->keys[k];
        }
    }
    if (*n)
        qsort(out, *n, sizeof *out, str_cmp);
    pf_map_release(&seen, NULL);
    return out;
}

/* stem-<id>-<as_of>.xlsx; an id the sanitiser changed gets 8 hex digits of its digest. */
static char *
file_name(const char *stem, const char *id, pf_date as_of)
{
    char day[16], hex[65];
    char *safe_stem = pf_safe_filename(stem), *safe, *out;

    pf_date_format(as_of, day, sizeof day);
    if (!id) {
        out = pf_xasprintf("%s-%s.xlsx", safe_stem, day);
        free(safe_stem);
        return out;
    }
    safe = pf_safe_filename(id);
    if (strcmp(safe, id) == 0) {
        out = pf_xasprintf("%s-%s-%s.xlsx", safe_stem, safe, day);
    } else {
        pf_sha256_hex(id, strlen(id), hex);
        out = pf_xasprintf("%s-%s-%.8s-%s.xlsx", safe_stem, safe, hex, day);
    }
    free(safe);
    free(safe_stem);
    return out;
}

/* Does text name needle? Ids match as whole words ("LP1" is not in "LP10"). */
static bool
mentions(const char *text, const char *needle, bool word)
{
    size_t n = strlen(needle);
    const char *p = text;
    if (!n || !text)
        return false;
    while ((p = strstr(p, needle)) != NULL) {
        bool left = p == text || !strchr(ID_CHARS, p[-1]);
        bool right = p[n] == '\0' || !strchr(ID_CHARS, p[n]);
        if (!word || (left && right))
            return true;
        p++;
    }
    return false;
}

/* For each run note, the one partner of ds it names (-1 none, -2 several). */
static int *
note_partners(const struct pf_run *run, const struct pf_dataset *ds)
{
    int *who = pf_xcalloc(run->nnotes + 1, sizeof *who);
    size_t i, k;
    for (i = 0; i < run->nnotes; i++) {
        const struct pf_run_note *n = &run->notes[i];
        who[i] = -1;
        for (k = 0; k < ds->npartners; k++) {
            const struct pf_partner *p = &ds->partners[k];
            bool hit = mentions(n->name, p->partner_id, true) ||
                       mentions(n->detail, p->partner_id, true) ||
                       (p->name && (mentions(n->name, p->name, false) ||
                                    mentions(n->detail, p->name, false)));
            if (hit)
                who[i] = who[i] == -1 ? (int)k : -2;
        }
    }
    return who;
}

/* For each run note, the one fund of ds it names (-1 none, -2 several). */
static int *
note_funds(const struct pf_run *run, const struct pf_dataset *ds)
{
    int *which = pf_xcalloc(run->nnotes + 1, sizeof *which);
    size_t i, k;
    for (i = 0; i < run->nnotes; i++) {
        const struct pf_run_note *n = &run->notes[i];
        which[i] = -1;
        for (k = 0; k < ds->nfunds; k++) {
            const struct pf_fund *f = &ds->funds[k];
            if (mentions(n->name, f->fund_id, true) || mentions(n->detail, f->fund_id, true))
                which[i] = which[i] == -1 ? (int)k : -2;
        }
    }
    return which;
}

typedef pf_status (*writer_fn)(struct rp_ctx *c, const char *path, struct pf_err *err);

/*
 * libxlsxwriter prints its own "[ERROR] ..." lines on stderr (a full disk, a file
 * too large) and returns an lxw_error, which becomes our message. So stderr is
 * captured while the library writes; the library's lines are dropped, anything
 * else (not ours to judge) is passed on as it came.
 */
struct capture {
    int saved;      /* the real stderr, or -1 when not capturing */
    FILE *f;
};

static void
capture_begin(struct capture *cap)
{
    cap->saved = -1;
    fflush(stderr);
    if (!(cap->f = tmpfile()))
        return;
    if ((cap->saved = dup(STDERR_FILENO)) < 0 || dup2(fileno(cap->f), STDERR_FILENO) < 0) {
        if (cap->saved >= 0)
            close(cap->saved);
        cap->saved = -1;
        fclose(cap->f);
        cap->f = NULL;
    }
}

static void
capture_end(struct capture *cap)
{
    char line[1024];

    if (cap->saved < 0)
        return;
    fflush(stderr);
    dup2(cap->saved, STDERR_FILENO);
    close(cap->saved);
    rewind(cap->f);
    while (fgets(line, sizeof line, cap->f)) {
        if (strncmp(line, "[ERROR]", 7) == 0 || strncmp(line, "[WARNING]", 9) == 0)
            continue;
        fputs(line, stderr);
    }
    fclose(cap->f);
}

static pf_status
write_one(struct rp_ctx *c, const char *dir, const char *name, writer_fn fn, char ***files,
          size_t *nfiles, size_t *cfiles, struct pf_err *err)
{
    char *path = pf_xasprintf("%s/%s", dir, name);
    char *tmp = pf_tmp_path(path);
    struct capture cap;
    pf_status rc;

    c->shown_path = path;
    capture_begin(&cap);
    rc = fn(c, tmp, err);
    capture_end(&cap);
    c->shown_path = NULL;
    if (rc != PF_OK) {
        unlink(tmp);
        goto cleanup;
    }
    if (rename(tmp, path) != 0) {
        rc = pf_err_set(err, PF_EIO, "", "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        goto cleanup;
    }
    PF_GROW(*files, *nfiles + 1, *cfiles);
    (*files)[(*nfiles)++] = path;
    path = NULL;
cleanup:
    free(path);
    free(tmp);
    return rc;
}

/* --- public --- */

pf_status
pf_report_write(const struct pf_run *run, const struct pf_dataset *ds,
                const struct pf_taxonomy *tax, const struct pf_report_opts *o, char ***files,
                size_t *nfiles, struct pf_err *err)
{
    struct rp_defs *defs = NULL;
    struct rp_index ix;
    struct rp_ctx c;
    const char **partners = NULL;
    const char *dir = o && o->out_dir && *o->out_dir ? o->out_dir : "out";
    const char *lang = o && o->lang ? o->lang : "both";
    size_t npartners = 0, cfiles = 0, i, total, done = 0;
    char *name = NULL;
    pf_status rc;

    *files = NULL;
    *nfiles = 0;
    memset(&ix, 0, sizeof ix);
    memset(&c, 0, sizeof c);
    if (o && o->unit && *o->unit) {
        if (strcmp(o->unit, "yuan") == 0)
            c.unit = 0;
        else if (strcmp(o->unit, "wan") == 0)
            c.unit = 4;
        else if (strcmp(o->unit, "yi") == 0)
            c.unit = 8;
        else
            return pf_err_set(err, PF_EUSAGE, "", "unknown unit '%s' (yuan, wan or yi)",
                              o->unit);
    }
    if (strcmp(lang, "zh") == 0)
        c.lang = RP_ZH;
    else if (strcmp(lang, "en") == 0)
        c.lang = RP_EN;
    else if (strcmp(lang, "both") == 0)
        c.lang = RP_BOTH;
    else
        return pf_err_set(err, PF_EUSAGE, "", "unknown language '%s' (zh, en or both)", lang);
    if (!run || !ds || !tax)
        return pf_err_set(err, PF_EINTERNAL, "", "report needs a run, its data and taxonomy");
    if ((rc = rp_defs_load(o && o->defs_dir ? o->defs_dir : "reports", &defs, err)) != PF_OK)
        goto cleanup;
    rp_index_build(&ix, run);
    partners = run_partners(&ix, &npartners);
    if (o && o->partner) {
        bool found = false;
        for (i = 0; i < npartners; i++)
            if (strcmp(partners[i], o->partner) == 0)
                found = true;
        if (!found) {
            rc = pf_err_set(err, PF_ENOINPUT, "", "no partner '%s' in run %lld", o->partner,
                            (long long)run->id);
            goto cleanup;
        }
    }
    if ((rc = make_dirs(dir, err)) != PF_OK)
        goto cleanup;
    pf_tmp_sweep(dir); /* what a killed report left */

    c.run = run;
    c.ds = ds;
    c.tax = tax;
    c.defs = defs;
    c.ix = &ix;
    c.forecast = o ? o->forecast : NULL;
    total = o && o->partner ? 1 : 1 + npartners;
    if (o && o->progress)
        o->progress(o->progress_arg, 0, total);
    if (!(o && o->partner)) {
        name = file_name(defs->manager.file, NULL, run->as_of);
        if ((rc = write_one(&c, dir, name, rp_manager_write, files, nfiles, &cfiles, err)))
            goto cleanup;
        free(name);
        name = NULL;
        if (o && o->progress)
            o->progress(o->progress_arg, ++done, total);
    }
    if (npartners)
        c.note_who = note_partners(run, ds);
    if (npartners)
        c.note_fund = note_funds(run, ds);
    c.corr = o ? o->corrections : NULL;
    for (i = 0; c.corr && i < c.corr->nnotes; i++)
        pf_map_put(&c.flow_notes, c.corr->notes[i].flow_id, c.corr->notes[i].note);
    for (i = 0; i < npartners; i++) {
        if (o && o->partner && strcmp(partners[i], o->partner) != 0)
            continue;
        c.partner = partners[i];
        name = file_name(defs->partner.file, partners[i], run->as_of);
        if ((rc = write_one(&c, dir, name, rp_statement_write, files, nfiles, &cfiles, err)))
            goto cleanup;
        free(name);
        name = NULL;
        if (o && o->progress)
            o->progress(o->progress_arg, ++done, total);
    }
    rc = PF_OK;
cleanup:
    free(name);
    free(partners);
    free(c.note_who);
    free(c.note_fund);
    pf_map_release(&c.flow_notes, NULL);
    pf_buf_release(&c.tmp);
    rp_index_release(&ix);
    rp_defs_free(defs);
    return rc;
}
