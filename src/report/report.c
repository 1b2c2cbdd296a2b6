/*
 * report: pf_report_write, the module's entry point. Checks the options, reads
 * the definitions, indexes the run, names the files (ids through
 * pf_safe_filename, so nothing lands outside out_dir), and writes each
 * workbook to a hidden temporary name that is renamed into place once it is
 * complete, so a failed render never leaves a half-written .xlsx behind.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS: the workers' shared counter */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal --- */

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

/* Write one workbook to a temporary name and rename it into place. */
static pf_status
write_file(struct rp_ctx *c, const char *path, writer_fn fn, struct pf_err *err)
{
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
    }
cleanup:
    free(tmp);
    return rc;
}

/* One file to write: the manager's workbook (partner NULL) or a partner's statement. */
struct job {
    const char *partner;
    char *path;
};

static pf_status
run_job(struct rp_ctx *c, const struct job *j, struct pf_err *err)
{
    c->partner = j->partner;
    return write_file(c, j->path, j->partner ? rp_statement_write : rp_manager_write, err);
}

/*
 * Parallel writing. Everything is loaded and indexed before the workers are
 * forked, so each reads its own copy of the run, the data and the index; none
 * touches a database connection (the caller's stays idle in the parent), and
 * each ends with _exit so no atexit handler or stdio buffer runs twice. Workers
 * take the next file from a counter they share (the manager's workbook, the
 * biggest, first), and report each file through a pipe: its number and its
 * error (status PF_OK when written). One record is one write() of at most
 * PIPE_BUF bytes, so records from several workers never interleave.
 * After a failure no worker starts another file; the files before the failing
 * one were all started already, so the first error in file order is the one
 * the sequential path would have met.
 */
struct shared {
    atomic_size_t next;
    atomic_int stop;
};

struct record {
    size_t job;
    struct pf_err err;
};
_Static_assert(sizeof(struct record) <= PIPE_BUF, "a worker's record must be one atomic write");

static void
worker(struct rp_ctx *c, const struct job *jobs, size_t njobs, struct shared *sh, int fd)
{
    for (;;) {
        struct record rec;
        size_t j, off = 0;
        if (atomic_load(&sh->stop))
            break;
        if ((j = atomic_fetch_add(&sh->next, 1)) >= njobs)
            break;
        memset(&rec, 0, sizeof rec);
        rec.job = j;
        if (run_job(c, &jobs[j], &rec.err) != PF_OK) {
            if (rec.err.status == PF_OK) /* a writer that forgot its message */
                pf_err_set(&rec.err, PF_EINTERNAL, "", "cannot write '%s'", jobs[j].path);
            atomic_store(&sh->stop, 1);
        }
        while (off < sizeof rec) {
            ssize_t w = write(fd, (const char *)&rec + off, sizeof rec - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        if (rec.err.status != PF_OK)
            break;
    }
    _exit(0);
}

/* Read one whole record; false at the end (every worker gone). */
static bool
read_record(int fd, struct record *rec)
{
    size_t off = 0;
    while (off < sizeof *rec) {
        ssize_t r = read(fd, (char *)rec + off, sizeof *rec - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        off += (size_t)r;
    }
    return true;
}

/*
 * Write jobs[0..njobs) with up to nworkers processes; ok[j] receives whether
 * file j was written. Returns the first failure in file order (its message in
 * err), PF_OK when every file was written. *forked is false when no worker
 * could be started (the caller then writes sequentially).
 */
static pf_status
write_parallel(struct rp_ctx *c, const struct job *jobs, size_t njobs, size_t nworkers,
               const struct pf_report_opts *o, size_t *done, size_t total, bool *ok,
               bool *forked, struct pf_err *err)
{
    struct shared *sh;
    pid_t *pids = pf_xcalloc(nworkers, sizeof *pids);
    size_t started = 0, w, j, first_bad = njobs;
    struct record rec;
    struct pf_err bad;
    int fd[2], status;
    bool died = false;
    pf_status rc = PF_OK;

    *forked = false;
    memset(&bad, 0, sizeof bad);
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        free(pids);
        return PF_OK;
    }
    atomic_init(&sh->next, 0);
    atomic_init(&sh->stop, 0);
    if (pipe(fd) != 0) {
        munmap(sh, sizeof *sh);
        free(pids);
        return PF_OK;
    }
    fflush(NULL); /* nothing buffered is written twice */
    for (w = 0; w < nworkers; w++) {
        pid_t pid = fork();
        if (pid < 0)
            break; /* the ones started share the work */
        if (pid == 0) {
            close(fd[0]);
            worker(c, jobs, njobs, sh, fd[1]);
        }
        pids[started++] = pid;
    }
    close(fd[1]);
    if (started == 0) {
        close(fd[0]);
        munmap(sh, sizeof *sh);
        free(pids);
        return PF_OK;
    }
    *forked = true;
    while (read_record(fd[0], &rec)) {
        if (rec.job >= njobs)
            continue;
        if (rec.err.status == PF_OK) {
            ok[rec.job] = true;
            if (o && o->progress)
                o->progress(o->progress_arg, ++*done, total);
        } else {
            atomic_store(&sh->stop, 1);
            if (rec.job < first_bad) {
                first_bad = rec.job;
                bad = rec.err;
            }
        }
    }
    close(fd[0]);
    for (w = 0; w < started; w++) {
        pid_t got;
        status = 0;
        while ((got = waitpid(pids[w], &status, 0)) < 0 && errno == EINTR)
            ;
        if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            died = true;
    }
    if (first_bad < njobs) {
        rc = pf_err_set(err, bad.status, bad.where, "%s", bad.msg);
    } else {
        for (j = 0; j < njobs && ok[j]; j++)
            ;
        if (j < njobs)
            rc = pf_err_set(err, PF_EINTERNAL, "", "cannot write '%s': a report worker %s",
                            jobs[j].path, died ? "stopped before it was done" : "gave up");
    }
    munmap(sh, sizeof *sh);
    free(pids);
    return rc;
}

/* --unit and --lang into c. */
static pf_status
unit_and_lang(const struct pf_report_opts *o, struct rp_ctx *c, struct pf_err *err)
{
    const char *lang = o && o->lang ? o->lang : "both";
    if (o && o->unit && *o->unit) {
        if (strcmp(o->unit, "yuan") == 0)
            c->unit = 0;
        else if (strcmp(o->unit, "wan") == 0)
            c->unit = 4;
        else if (strcmp(o->unit, "yi") == 0)
            c->unit = 8;
        else
            return pf_err_set(err, PF_EUSAGE, "", "unknown unit '%s' (yuan, wan or yi)",
                              o->unit);
    }
    if (strcmp(lang, "zh") == 0)
        c->lang = RP_ZH;
    else if (strcmp(lang, "en") == 0)
        c->lang = RP_EN;
    else if (strcmp(lang, "both") == 0)
        c->lang = RP_BOTH;
    else
        return pf_err_set(err, PF_EUSAGE, "", "unknown language '%s' (zh, en or both)", lang);
    return PF_OK;
}

/* The files, in the order they are listed: the manager's workbook (unless one
 * partner's statement is asked), then the statements by partner id. */
static struct job *
list_jobs(const struct rp_defs *defs, const struct pf_run *run, const char **partners,
          size_t npartners, const char *only, const char *dir, size_t *njobs)
{
    struct job *jobs = pf_xcalloc(npartners + 2, sizeof *jobs);
    size_t i, n = 0;
    char *name;
    if (!only) {
        name = file_name(defs->manager.file, NULL, run->as_of);
        jobs[n++].path = pf_xasprintf("%s/%s", dir, name);
        free(name);
    }
    for (i = 0; i < npartners; i++) {
        if (only && strcmp(partners[i], only) != 0)
            continue;
        name = file_name(defs->partner.file, partners[i], run->as_of);
        jobs[n].partner = partners[i];
        jobs[n++].path = pf_xasprintf("%s/%s", dir, name);
        free(name);
    }
    *njobs = n;
    return jobs;
}

/* Each partner's own commitments and flows (indices into ds), and its corrected
 * flows by partner id: a statement then reads its own rows, not everyone's. */
static void
index_partner_rows(struct rp_ctx *c, const struct pf_dataset *ds)
{
    size_t i;
    c->p_commit = pf_xcalloc(ds->npartners + 1, sizeof *c->p_commit);
    c->p_flows = pf_xcalloc(ds->npartners + 1, sizeof *c->p_flows);
    for (i = 0; i < ds->ncommitments; i++) {
        struct rp_group *g;
        if (ds->commitments[i].partner < 0 ||
            (size_t)ds->commitments[i].partner >= ds->npartners)
            continue;
        g = &c->p_commit[ds->commitments[i].partner];
        rp_group_add(g, i);
    }
    for (i = 0; i < ds->npflows; i++) {
        struct rp_group *g;
        if (ds->pflows[i].partner < 0 || (size_t)ds->pflows[i].partner >= ds->npartners)
            continue;
        g = &c->p_flows[ds->pflows[i].partner];
        rp_group_add(g, i);
    }
    for (i = 0; c->corr && i < c->corr->n; i++) {
        struct rp_group *g = pf_map_get(&c->p_corr, c->corr->v[i].partner_id);
        if (!g) {
            g = pf_xcalloc(1, sizeof *g);
            pf_map_put(&c->p_corr, c->corr->v[i].partner_id, g);
        }
        rp_group_add(g, i);
    }
}

/* Once per report, what statements look up: the partner and fund each note names,
 * the notes about each fund (in note order), each partner's own rows. */
static void
index_for_statements(struct rp_ctx *c, const struct pf_run *run, const struct pf_dataset *ds)
{
    size_t i;
    c->note_who = pf_xcalloc(run->nnotes + 1, sizeof *c->note_who);
    c->note_fund = pf_xcalloc(run->nnotes + 1, sizeof *c->note_fund);
    rp_notes_attribute(run, ds, c->note_who, c->note_fund);
    for (i = 0; i < run->nnotes; i++) {
        struct rp_group *g;
        if (c->note_fund[i] < 0)
            continue;
        g = pf_map_get(&c->fund_notes, ds->funds[c->note_fund[i]].fund_id);
        if (!g) {
            g = pf_xcalloc(1, sizeof *g);
            pf_map_put(&c->fund_notes, ds->funds[c->note_fund[i]].fund_id, g);
        }
        rp_group_add(g, i);
    }
    index_partner_rows(c, ds);
}

/* --- public --- */

void
pf_report_partner_funds(const struct pf_dataset *ds, const char *partner, const char ***funds,
                        size_t *nfunds)
{
    int pi = partner ? pf_dataset_find_partner(ds, partner) : -1;
    bool *in = NULL;
    size_t i;

    *funds = NULL;
    *nfunds = 0;
    if (pi < 0)
        return;
    in = pf_xcalloc(ds->nfunds + 1, sizeof *in);
    for (i = 0; i < ds->ncommitments; i++)
        if (ds->commitments[i].partner == pi && ds->commitments[i].fund >= 0 &&
            (size_t)ds->commitments[i].fund < ds->nfunds)
            in[ds->commitments[i].fund] = true;
    for (i = 0; i < ds->npflows; i++)
        if (ds->pflows[i].partner == pi && ds->pflows[i].fund >= 0 &&
            (size_t)ds->pflows[i].fund < ds->nfunds)
            in[ds->pflows[i].fund] = true;
    *funds = pf_xcalloc(ds->nfunds + 1, sizeof **funds);
    for (i = 0; i < ds->nfunds; i++)
        if (in[i])
            (*funds)[(*nfunds)++] = ds->funds[i].fund_id;
    free(in);
}

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
    size_t npartners = 0, cfiles = 0, i, total, done = 0, njobs = 0, nworkers;
    struct job *jobs = NULL;
    bool *ok = NULL, forked = false;
    pf_status rc;

    *files = NULL;
    *nfiles = 0;
    memset(&ix, 0, sizeof ix);
    memset(&c, 0, sizeof c);
    if ((rc = unit_and_lang(o, &c, err)) != PF_OK)
        return rc;
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
    c.corr = o ? o->corrections : NULL;
    for (i = 0; c.corr && i < c.corr->nnotes; i++)
        pf_map_put(&c.flow_notes, c.corr->notes[i].flow_id, c.corr->notes[i].note);
    if (npartners)
        index_for_statements(&c, run, ds);
    jobs = list_jobs(defs, run, partners, npartners, o ? o->partner : NULL, dir, &njobs);
    total = njobs;
    if (o && o->progress)
        o->progress(o->progress_arg, 0, total);
    nworkers = o && o->jobs ? o->jobs : 0;
    if (nworkers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nworkers = n > 0 ? (size_t)n : 1;
    }
    if (nworkers > njobs)
        nworkers = njobs;
    ok = pf_xcalloc(njobs + 1, sizeof *ok);
    if (nworkers > 1)
        rc = write_parallel(&c, jobs, njobs, nworkers, o, &done, total, ok, &forked, err);
    if (!forked) {
        for (i = 0; i < njobs; i++) {
            if ((rc = run_job(&c, &jobs[i], err)) != PF_OK)
                break;
            ok[i] = true;
            if (o && o->progress)
                o->progress(o->progress_arg, ++done, total);
        }
    }
    /* every file written, in file order (also after a failure: nothing written is
     * removed) */
    for (i = 0; i < njobs; i++) {
        if (!ok[i])
            continue;
        PF_GROW(*files, *nfiles + 1, cfiles);
        (*files)[(*nfiles)++] = jobs[i].path;
        jobs[i].path = NULL;
    }
cleanup:
    for (i = 0; i < njobs; i++)
        free(jobs[i].path);
    free(jobs);
    free(ok);
    free(partners);
    free(c.note_who);
    free(c.note_fund);
    pf_map_release(&c.fund_notes, rp_group_free);
    for (i = 0; c.p_commit && i < ds->npartners; i++)
        free(c.p_commit[i].idx);
    for (i = 0; c.p_flows && i < ds->npartners; i++)
        free(c.p_flows[i].idx);
    free(c.p_commit);
    free(c.p_flows);
    pf_map_release(&c.p_corr, rp_group_free);
    pf_map_release(&c.flow_notes, NULL);
    pf_buf_release(&c.tmp);
    rp_index_release(&ix);
    rp_defs_free(defs);
    return rc;
}
