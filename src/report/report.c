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

/* Every partner holding a position in the run, sorted by id (copies). */
static char **
run_partners(const struct rp_index *ix, size_t *n)
{
    struct pf_map seen = PF_MAP_INIT;
    char **out = NULL;
    size_t cap = 0, f, k;

    *n = 0;
    for (f = 0; f < ix->nfunds; f++) {
        const struct rp_keys *ks = rp_index_keys(ix, "partner", ix->funds[f]);
        for (k = 0; ks && k < ks->n; k++) {
            if (strcmp(ks->keys[k], "*") == 0 || pf_map_has(&seen, ks->keys[k]))
                continue;
            pf_map_put(&seen, ks->keys[k], NULL);
            PF_GROW(out, *n + 1, cap);
            out[(*n)++] = pf_xstrdup(ks->keys[k]);
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
    char *scope; /* streamed: the funds the statement reads, "F1\x1fF2..." (sorted) */
};

/*
 * A streamed report (opts.db): no process holds the whole portfolio but the one
 * writing the manager's workbook. The caller gives the run's header, notes and
 * partner results and the data set's parks, funds and partners only; each worker
 * opens the database itself and reads, for a statement, the funds it reads (its
 * scope: the funds its partner has results, commitments or flows in), kept while
 * the next statements share them (jobs are taken in groups of one scope), and for
 * the manager's workbook the whole run and data set, freed once it is written.
 * Runs and the batches before them never change, so each worker's own read
 * transaction sees what the caller saw.
 */
struct rp_stream {
    const char *db;
    const struct pf_map *pfunds;  /* the caller's: partner -> its funds (rp_keys) */
    struct pf_store *st;          /* the worker's own connection, in one read transaction */
    const struct pf_run *base;    /* the caller's: header and notes */
    const struct pf_dataset *base_ds;
    const struct rp_index *base_ix;
    const char *scope;            /* the scope loaded (borrowed from a job), or NULL */
    struct pf_run *run;           /* a scope's run (statements when no window) or the
                                     manager's header / whole run */
    struct pf_dataset *ds;
    struct rp_index ix;
    bool has_ix;
    int wstate;                   /* statements' window: 0 not tried, 1 open, -1 none */
    struct pf_run *whead;         /* its header (the caller's notes lent) */
    struct rp_index wix;
};

static void
free_partner_rows(struct rp_ctx *c, size_t npartners)
{
    size_t i;
    for (i = 0; c->p_commit && i < npartners; i++)
        free(c->p_commit[i].idx);
    for (i = 0; c->p_flows && i < npartners; i++)
        free(c->p_flows[i].idx);
    free(c->p_commit);
    free(c->p_flows);
    c->p_commit = c->p_flows = NULL;
}

static void index_partner_rows(struct rp_ctx *c, const struct pf_dataset *ds);

/* A run header lent the caller's notes (the worker reads none of its own). */
static void
lend_notes(struct pf_run *run, const struct pf_run *base)
{
    run->notes = base->notes;
    run->nnotes = base->nnotes;
    run->cnotes = 0;
}

static void
free_lent(struct pf_run *run, const struct pf_run *base)
{
    if (run && run->notes == base->notes) {
        run->notes = NULL;
        run->nnotes = run->cnotes = 0;
    }
    pf_run_free(run);
}

/* Drop what the worker read for its last file (not the statements' window); the
 * context points at the caller's again. */
static void
stream_drop(struct rp_ctx *c, struct rp_stream *S)
{
    if (S->ds)
        free_partner_rows(c, S->ds->npartners);
    if (S->has_ix)
        rp_index_release(&S->ix);
    free_lent(S->run, S->base);
    pf_dataset_free(S->ds);
    S->run = NULL;
    S->ds = NULL;
    S->has_ix = false;
    S->scope = NULL;
    c->run = S->base;
    c->ds = S->base_ds;
    c->ix = S->base_ix;
}

/* Everything the worker read, and its connection. */
static void
stream_close(struct rp_ctx *c, struct rp_stream *S)
{
    stream_drop(c, S);
    if (S->wstate > 0)
        rp_index_release(&S->wix);
    free_lent(S->whead, S->base);
    S->whead = NULL;
    S->wstate = 0;
    if (S->st)
        pf_store_rollback(S->st);
    pf_store_close(S->st);
    S->st = NULL;
}

/*
 * What a statement reads of the run: the results of these dimensions and the rows of
 * these tables (its partner's figures, its funds', their chains for the look-through,
 * fees and the waterfall; its capital account, look-through, flow blocks, CNY
 * positions, FX and valuations). The rest (projects, parks, regions and the other
 * breakdowns, NAV histories: four fifths of a run) is not read for statements; a
 * statement that looked one up would fail (rp_index_only), not miss it silently.
 */
static const char *const stmt_kinds[] = { "partner", "fund", "chain", "fees", "waterfall",
                                          "account", "lookthrough", "block", "partner_cny",
                                          "fx", "valuation" };
#define NKINDS (sizeof stmt_kinds / sizeof *stmt_kinds)

/* Split s in place at 0x1f into the non-empty ids, appended to *v. */
static void
split_ids(char *s, const char ***v, size_t *n, size_t *cap)
{
    char *next;
    for (; s; s = next) {
        if ((next = strchr(s, '\x1f')) != NULL)
            *next++ = '\0';
        if (!*s)
            continue;
        PF_GROW(*v, *n + 1, *cap);
        (*v)[(*n)++] = s;
    }
}

/*
 * Read a statement's scope (scope not NULL) or everything (the manager's workbook).
 * The worker's connection stays in one read transaction from its first read to
 * stream_close: runs and the batches before them never change, so it sees what the
 * caller saw, and parts read while a workbook is written come from the same snapshot.
 */
static pf_status
stream_load(struct rp_ctx *c, struct rp_stream *S, const char *scope, struct pf_err *err)
{
    const char **funds = NULL; /* the funds, then the partners */
    char *copy = NULL;
    size_t n = 0, cap = 0, nf;
    bool partwise = false;
    pf_status rc = PF_OK;

    if (scope && S->scope && strcmp(scope, S->scope) == 0)
        return PF_OK;
    stream_drop(c, S);
    if (!S->st) {
        if ((rc = pf_store_open(S->db, PF_STORE_READONLY, &S->st, err)) != PF_OK)
            return rc;
        if ((rc = pf_store_begin_read(S->st, err)) != PF_OK) {
            pf_store_close(S->st);
            S->st = NULL;
            return rc;
        }
    }
    if (scope) {
        /* "F1\x1fF2...\x1eP1\x1fP2...": the funds, then the partners (ids are never
         * empty) */
        char *part;
        copy = pf_xstrdup(scope);
        part = strchr(copy, '\x1e');
        if (part)
            *part++ = '\0';
        split_ids(copy, &funds, &n, &cap);
        nf = n;
        if (part)
            split_ids(part, &funds, &n, &cap);
        rc = pf_store_load_dataset_scope(S->st, S->base->batch, funds, nf, funds + nf, n - nf,
                                         &S->ds, err);
        /* the run a part at a time, the parts last used kept across statements (once
         * per worker); a run stored before the parts: the scope's kinds, whole */
        if (rc == PF_OK && S->wstate == 0) {
            rc = pf_store_get_run_head(S->st, S->base->id, &S->whead, err);
            if (rc == PF_OK) {
                lend_notes(S->whead, S->base);
                rc = rp_index_open_partners(&S->wix, S->whead, S->st, 0, S->pfunds,
                                            &partwise, err);
            }
            S->wstate = rc == PF_OK && partwise ? 1 : -1;
        }
        if (rc == PF_OK && S->wstate < 0) {
            rc = pf_store_get_run_scope(S->st, S->base->id, funds, nf, stmt_kinds, NKINDS,
                                        &S->run, err);
            if (rc == PF_OK) {
                lend_notes(S->run, S->base);
                rp_index_build(&S->ix, S->run);
                rp_index_only(&S->ix, stmt_kinds, NKINDS);
                S->has_ix = true;
            }
        }
    } else {
        /* the manager's workbook: the run a part at a time (a window of the parts last
         * used), the data set with the as-of month's flows only (what its Activity sheet
         * lists); a run stored before the parts: whole */
        int y, m, d;
        pf_date_to_ymd(S->base->as_of, &y, &m, &d);
        rc = pf_store_get_run_head(S->st, S->base->id, &S->run, err);
        if (rc == PF_OK) {
            lend_notes(S->run, S->base);
            rc = rp_index_open(&S->ix, S->run, S->st, 0, &partwise, err);
        }
        if (rc == PF_OK && partwise) {
            S->has_ix = true;
            rc = pf_store_load_dataset_month(S->st, S->base->batch, pf_date_from_ymd(y, m, 1),
                                             S->base->as_of, &S->ds, err);
        } else if (rc == PF_OK) {
            free_lent(S->run, S->base);
            S->run = NULL;
            rc = pf_store_get_run_packed(S->st, S->base->id, true, NULL, 0, &S->run, err);
            if (rc == PF_OK)
                rc = pf_store_load_dataset_lean(S->st, S->base->batch, &S->ds, err);
            if (rc == PF_OK) {
                rp_index_build(&S->ix, S->run);
                S->has_ix = true;
            }
        }
    }
    free(funds);
    free(copy);
    if (rc != PF_OK) {
        stream_drop(c, S);
        return rc;
    }
    if (scope) /* the caller's notes were attributed once, for all statements */
        index_partner_rows(c, S->ds);
    S->scope = scope;
    c->ds = S->ds;
    if (scope && S->wstate > 0) {
        c->run = S->whead;
        c->ix = &S->wix;
    } else {
        c->run = S->run;
        c->ix = &S->ix;
    }
    return PF_OK;
}

static pf_status
run_job(struct rp_ctx *c, const struct job *j, struct pf_err *err)
{
    struct rp_stream *S = c->stream;
    pf_status rc;

    c->partner = j->partner;
    if (S && (rc = stream_load(c, S, j->partner ? j->scope : NULL, err)) != PF_OK)
        return rc;
    rc = write_file(c, j->path, j->partner ? rp_statement_write : rp_manager_write, err);
    if (S && !j->partner) /* the whole run goes once the manager's workbook is written */
        stream_drop(c, S);
    return rc;
}

/*
 * Parallel writing. What the caller loaded is indexed before the workers are
 * forked, so each reads its own copy; none touches the caller's database
 * connection (a streamed report's workers open their own), and each ends with
 * _exit so no atexit handler or stdio buffer runs twice. Workers take the next
 * group of files (struct plan) from a counter they share (the manager's workbook,
 * the biggest, first), and report each file through a pipe: its number and its
 * error (status PF_OK when written). One record is one write() of at most
 * PIPE_BUF bytes, so records from several workers never interleave.
 * After a failure no file after it (in file order) is started, and every file
 * before it still is: whatever the number of workers and the order files are
 * taken in, the files written are those before the first failing one, and its
 * error is the one reported (the sequential path's, which does the same).
 */
struct shared {
    atomic_size_t next;
    atomic_size_t stop_at; /* the first failing file so far; njobs: none */
};

/* stop_at = min(stop_at, j) */
static void
stop_before(atomic_size_t *stop_at, size_t j)
{
    size_t cur = atomic_load(stop_at);
    while (j < cur && !atomic_compare_exchange_weak(stop_at, &cur, j))
        ;
}

struct record {
    size_t job;
    struct pf_err err;
};
_Static_assert(sizeof(struct record) <= PIPE_BUF, "a worker's record must be one atomic write");

/* The order jobs are taken in: groups of jobs (seq[gstart[g] .. gstart[g + 1])), each
 * taken whole by one worker; a group is one file unless a streamed report's
 * statements share a scope. */
struct plan {
    size_t *seq, *gstart, ngroups;
};

static void
worker(struct rp_ctx *c, const struct job *jobs, const struct plan *pl, struct shared *sh,
       int fd)
{
    size_t g = 0, k = 0;
    bool have = false;
    for (;;) {
        struct record rec;
        size_t j, off = 0;
        if (!have || k == pl->gstart[g + 1]) {
            if ((g = atomic_fetch_add(&sh->next, 1)) >= pl->ngroups)
                break;
            k = pl->gstart[g];
            have = true;
        }
        j = pl->seq[k++];
        if (j > atomic_load(&sh->stop_at))
            continue;
        memset(&rec, 0, sizeof rec);
        rec.job = j;
        if (run_job(c, &jobs[j], &rec.err) != PF_OK) {
            if (rec.err.status == PF_OK) /* a writer that forgot its message */
                pf_err_set(&rec.err, PF_EINTERNAL, "", "cannot write '%s'", jobs[j].path);
            stop_before(&sh->stop_at, j);
        }
        while (off < sizeof rec) {
            ssize_t w = write(fd, (const char *)&rec + off, sizeof rec - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
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
write_parallel(struct rp_ctx *c, const struct job *jobs, size_t njobs, const struct plan *pl,
               size_t nworkers, const struct pf_report_opts *o, size_t *done, size_t total,
               bool *ok, bool *forked, struct pf_err *err)
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
    atomic_init(&sh->stop_at, njobs);
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
            worker(c, jobs, pl, sh, fd[1]);
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
            stop_before(&sh->stop_at, rec.job);
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
    /* every file before the first failure must be there: else a worker died on one */
    for (j = 0; j < first_bad && ok[j]; j++)
        ;
    if (j < first_bad)
        rc = pf_err_set(err, PF_EINTERNAL, "", "cannot write '%s': a report worker %s",
                        jobs[j].path, died ? "stopped before it was done" : "gave up");
    else if (first_bad < njobs)
        rc = pf_err_set(err, bad.status, bad.where, "%s", bad.msg);
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
list_jobs(const struct rp_defs *defs, const struct pf_run *run, char **partners,
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

/* Each partner's own commitments and flows (indices into ds): a statement then reads
 * its own rows, not everyone's. */
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
}

/* Once per report, what statements look up: the partner and fund each note names,
 * the notes about each fund (in note order), each partner's corrected flows (by
 * partner id) and own rows (rows: not in a streamed report, whose workers index each
 * scope's data set). */
static void
index_for_statements(struct rp_ctx *c, const struct pf_run *run, const struct pf_dataset *ds,
                     bool rows)
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
    for (i = 0; c->corr && i < c->corr->n; i++) {
        struct rp_group *g = pf_map_get(&c->p_corr, c->corr->v[i].partner_id);
        if (!g) {
            g = pf_xcalloc(1, sizeof *g);
            pf_map_put(&c->p_corr, c->corr->v[i].partner_id, g);
        }
        rp_group_add(g, i);
    }
    if (rows)
        index_partner_rows(c, ds);
}

/* --- streamed: each statement's scope and the order files are taken in --- */

struct fund_set {
    char **v;
    size_t n, cap;
};

static void
pfunds_free(void *p)
{
    struct rp_keys *k = p;
    size_t i;
    for (i = 0; k && i < k->n; i++)
        free((char *)k->keys[i]);
    if (k)
        free(k->keys);
    free(k);
}

static void
fund_set_free(void *p)
{
    struct fund_set *fs = p;
    size_t i;
    for (i = 0; fs && i < fs->n; i++)
        free(fs->v[i]);
    if (fs)
        free(fs->v);
    free(fs);
}

static void
add_pair(void *arg, const char *partner, const char *fund)
{
    struct pf_map *m = arg;
    struct fund_set *fs = pf_map_get(m, partner);
    if (!fs) {
        fs = pf_xcalloc(1, sizeof *fs);
        pf_map_put(m, partner, fs);
    }
    PF_GROW(fs->v, fs->n + 1, fs->cap);
    fs->v[fs->n++] = pf_xstrdup(fund);
}

/*
 * A streamed report's partners (as run_partners finds them) and each one's scope:
 * the funds it has results in (the run) and those it has commitments or flows in (the
 * data set at the run's batch, as pf_report_partner_funds finds for report
 * --partner), sorted, joined by 0x1f; then 0x1e and the partner. Read here from db
 * (the partner results, then freed: no worker inherits them). *scopes maps each
 * partner to its scope (heap strings), *pfunds to the funds it has results in, in the
 * run's order (what rp_index_partner_funds gives; pfunds_free frees them).
 */
static pf_status
stream_partners(const struct pf_run *run, const char *db, char ***partners,
                size_t *npartners, struct pf_map *scopes, struct pf_map *pfunds,
                struct pf_err *err)
{
    struct pf_store *st = NULL;
    struct pf_run *pres = NULL;
    struct rp_index pix;
    struct pf_map pairs = PF_MAP_INIT;
    const char **all = NULL;
    size_t cap = 0, j, i;
    pf_status rc;

    memset(&pix, 0, sizeof pix);
    if ((rc = pf_store_open(db, PF_STORE_READONLY, &st, err)) != PF_OK)
        goto cleanup;
    if ((rc = pf_store_begin_read(st, err)) != PF_OK)
        goto cleanup;
    rc = pf_store_get_run_dim(st, run->id, "partner", &pres, err);
    if (rc == PF_OK)
        rc = pf_store_partner_funds(st, run->batch, NULL, add_pair, &pairs, err);
    pf_store_rollback(st);
    if (rc != PF_OK)
        goto cleanup;
    rp_index_build(&pix, pres);
    *partners = run_partners(&pix, npartners);
    for (j = 0; j < *npartners; j++) {
        const char *p = (*partners)[j];
        const struct rp_keys *ks = rp_index_partner_funds(&pix, p);
        const struct fund_set *fs = pf_map_get(&pairs, p);
        struct pf_buf b = PF_BUF_INIT;
        size_t n = 0;
        for (i = 0; ks && i < ks->n; i++) {
            PF_GROW(all, n + 1, cap);
            all[n++] = ks->keys[i];
        }
        for (i = 0; fs && i < fs->n; i++) {
            PF_GROW(all, n + 1, cap);
            all[n++] = fs->v[i];
        }
        if (n)
            qsort(all, n, sizeof *all, str_cmp);
        for (i = 0; i < n; i++) {
            if (i && strcmp(all[i], all[i - 1]) == 0)
                continue;
            if (b.len)
                pf_buf_addc(&b, '\x1f');
            pf_buf_adds(&b, all[i]);
        }
        pf_buf_addc(&b, '\x1e');
        pf_buf_adds(&b, p);
        pf_map_put(scopes, p, pf_buf_detach(&b));
        if (ks) { /* its funds in the run's order, for the statements' windows */
            struct rp_keys *copy = pf_xcalloc(1, sizeof *copy);
            for (i = 0; i < ks->n; i++) {
                PF_GROW(copy->keys, copy->n + 1, copy->cap);
                copy->keys[copy->n++] = pf_xstrdup(ks->keys[i]);
            }
            pf_map_put(pfunds, p, copy);
        }
    }
cleanup:
    free(all);
    rp_index_release(&pix);
    pf_run_free(pres);
    pf_map_release(&pairs, fund_set_free);
    pf_store_close(st);
    return rc;
}

/*
 * A group's statements share one read: of at most GROUP_FUNDS funds (a statement whose
 * own scope is wider is read alone), so memory does not grow with the portfolio, and
 * at most GROUP_MAX statements, so both workers stay busy. One read per statement
 * was 23 ms at scale 100, most of it a fixed cost (the tables' pages of a small fund
 * are as many as a large one's): reading 32 funds at once costs little more.
 */
#define GROUP_FUNDS 32
#define GROUP_MAX 64

/* A scope's fund ids (before its 0x1e), each once, into set (a map used as a set)
 * and fs. */
static void
scope_add(const char *scope, struct pf_map *set, struct fund_set *fs)
{
    size_t len = strcspn(scope, "\x1e");
    char *copy = pf_xstrndup(scope, len), *p, *next;

    for (p = copy; p; p = next) {
        if ((next = strchr(p, '\x1f')) != NULL)
            *next++ = '\0';
        if (!*p || pf_map_has(set, p))
            continue;
        pf_map_put(set, p, NULL);
        PF_GROW(fs->v, fs->n + 1, fs->cap);
        fs->v[fs->n++] = pf_xstrdup(p);
    }
    free(copy);
}

/* How many of a scope's funds (each once in it) set does not hold. */
static size_t
scope_new(const char *scope, const struct pf_map *set)
{
    char *copy = pf_xstrndup(scope, strcspn(scope, "\x1e")), *p, *next;
    size_t n = 0;

    for (p = copy; p; p = next) {
        if ((next = strchr(p, '\x1f')) != NULL)
            *next++ = '\0';
        n += *p && !pf_map_has(set, p);
    }
    free(copy);
    return n;
}

/* Each job of group [from, to) of seq reads the union of their funds, for all of the
 * group's partners (in the group's order). */
static void
group_scope(struct job *jobs, const size_t *seq, size_t from, size_t to)
{
    struct pf_map set = PF_MAP_INIT;
    struct fund_set fs = { NULL, 0, 0 };
    struct pf_buf b = PF_BUF_INIT;
    size_t i;

    if (to - from < 2)
        return;
    for (i = from; i < to; i++)
        scope_add(jobs[seq[i]].scope, &set, &fs);
    if (fs.n)
        qsort(fs.v, fs.n, sizeof *fs.v, str_cmp);
    for (i = 0; i < fs.n; i++) {
        if (i)
            pf_buf_addc(&b, '\x1f');
        pf_buf_adds(&b, fs.v[i]);
        free(fs.v[i]);
    }
    free(fs.v);
    pf_buf_addc(&b, '\x1e');
    for (i = from; i < to; i++) {
        if (i > from)
            pf_buf_addc(&b, '\x1f');
        pf_buf_adds(&b, jobs[seq[i]].partner);
    }
    for (i = from; i < to; i++) {
        free(jobs[seq[i]].scope);
        jobs[seq[i]].scope = pf_xstrdup(pf_buf_str(&b));
    }
    pf_buf_release(&b);
    pf_map_release(&set, NULL);
}

struct ord {
    bool stmt;          /* false: the manager's workbook, first */
    const char *scope;
    size_t idx;
};

static int
ord_cmp(const void *a, const void *b)
{
    const struct ord *x = a, *y = b;
    int c;
    if (x->stmt != y->stmt)
        return x->stmt ? 1 : -1;
    if ((c = strcmp(x->scope, y->scope)) != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Streamed: statements of one scope together (the manager's workbook first); else each
 * file alone, in file order. */
static void
plan_jobs(struct job *jobs, size_t njobs, bool streamed, struct plan *pl)
{
    size_t i, g, run = 0;
    struct pf_map gset = PF_MAP_INIT;   /* the current group's funds */
    struct fund_set group = { NULL, 0, 0 };
    pl->seq = pf_xcalloc(njobs + 1, sizeof *pl->seq);
    pl->gstart = pf_xcalloc(njobs + 2, sizeof *pl->gstart);
    pl->ngroups = 0;
    for (i = 0; i < njobs; i++)
        pl->seq[i] = i;
    if (streamed && njobs > 1) {
        struct ord *o = pf_xcalloc(njobs, sizeof *o);
        for (i = 0; i < njobs; i++)
            o[i] = (struct ord){ jobs[i].partner != NULL, jobs[i].scope ? jobs[i].scope : "",
                                 i };
        qsort(o, njobs, sizeof *o, ord_cmp);
        for (i = 0; i < njobs; i++)
            pl->seq[i] = o[i].idx;
        free(o);
    }
    for (i = 0; i < njobs; i++) {
        const struct job *j = &jobs[pl->seq[i]];
        bool join = false;
        if (streamed && j->partner && i && jobs[pl->seq[i - 1]].partner && run < GROUP_MAX) {
            /* the group's funds with this statement's: still within GROUP_FUNDS? */
            join = group.n + scope_new(j->scope, &gset) <= GROUP_FUNDS;
        }
        if (!join) {
            pl->gstart[pl->ngroups++] = i;
            run = 0;
            for (g = 0; g < group.n; g++)
                free(group.v[g]);
            group.n = 0;
            pf_map_release(&gset, NULL);
        }
        run++;
        if (j->partner && j->scope)
            scope_add(j->scope, &gset, &group);
    }
    for (g = 0; g < group.n; g++)
        free(group.v[g]);
    free(group.v);
    pf_map_release(&gset, NULL);
    pl->gstart[pl->ngroups] = njobs;
    for (g = 0; streamed && g < pl->ngroups; g++)
        group_scope(jobs, pl->seq, pl->gstart[g], pl->gstart[g + 1]);
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
    char **partners = NULL;
    struct pf_map scopes = PF_MAP_INIT; /* streamed: partner -> its scope */
    struct pf_map pfunds = PF_MAP_INIT; /* streamed: partner -> its funds */
    const char *dir = o && o->out_dir && *o->out_dir ? o->out_dir : "out";
    size_t npartners = 0, cfiles = 0, i, total, done = 0, njobs = 0, nworkers;
    struct job *jobs = NULL;
    struct rp_stream stream;
    struct plan plan;
    bool *ok = NULL, forked = false, streamed = o && o->db;
    pf_status rc;

    *files = NULL;
    memset(&stream, 0, sizeof stream);
    memset(&plan, 0, sizeof plan);
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
    if (streamed)
        rc = stream_partners(run, o->db, &partners, &npartners, &scopes, &pfunds, err);
    else
        partners = run_partners(&ix, &npartners);
    if (rc != PF_OK)
        goto cleanup;
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
        index_for_statements(&c, run, ds, !streamed);
    jobs = list_jobs(defs, run, partners, npartners, o ? o->partner : NULL, dir, &njobs);
    if (streamed) {
        stream.db = o->db;
        stream.base = run;
        stream.base_ds = ds;
        stream.base_ix = &ix;
        stream.pfunds = &pfunds;
        c.stream = &stream;
        for (i = 0; i < njobs; i++)
            if (jobs[i].partner)
                jobs[i].scope = pf_xstrdup(pf_map_get(&scopes, jobs[i].partner));
    }
    plan_jobs(jobs, njobs, streamed, &plan);
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
        rc = write_parallel(&c, jobs, njobs, &plan, nworkers, o, &done, total, ok, &forked,
                            err);
    if (!forked) {
        /* as the workers do: no file after a failing one, every file before it */
        size_t stop_at = njobs;
        struct pf_err e;
        for (i = 0; i < njobs; i++) {
            size_t j = plan.seq[i];
            if (j > stop_at)
                continue;
            memset(&e, 0, sizeof e);
            if (run_job(&c, &jobs[j], &e) != PF_OK) {
                if (e.status == PF_OK) /* a writer that forgot its message */
                    pf_err_set(&e, PF_EINTERNAL, "", "cannot write '%s'", jobs[j].path);
                stop_at = j; /* j < stop_at: an earlier failure stopped the later files */
                *err = e;
                rc = e.status;
                continue;
            }
            ok[j] = true;
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
    if (c.stream)
        stream_close(&c, &stream);
    for (i = 0; i < njobs; i++) {
        free(jobs[i].path);
        free(jobs[i].scope);
    }
    free(jobs);
    free(plan.seq);
    free(plan.gstart);
    free(ok);
    for (i = 0; i < npartners; i++)
        free(partners[i]);
    free(partners);
    pf_map_release(&scopes, free);
    pf_map_release(&pfunds, pfunds_free);
    free(c.note_who);
    free(c.note_fund);
    pf_map_release(&c.fund_notes, rp_group_free);
    free_partner_rows(&c, ds ? ds->npartners : 0);
    pf_map_release(&c.p_corr, rp_group_free);
    pf_map_release(&c.flow_notes, NULL);
    pf_buf_release(&c.tmp);
    rp_index_release(&ix);
    rp_defs_free(defs);
    return rc;
}
