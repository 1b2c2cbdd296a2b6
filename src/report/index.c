/*
 * index: finds a stored run's results and rows by (dimension, fund, key) and
 * lists the keys of a (dimension, fund) in the order the engine stored them.
 * Pointers handed out are borrowed from the run and the index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal --- */

#define NULL_FUND "\x02" /* stands for the portfolio (fund NULL) in keys */

static void
key3(struct pf_buf *b, const char *a, const char *fund, const char *key)
{
    pf_buf_reset(b);
    pf_buf_adds(b, a);
    pf_buf_addc(b, '\x1f');
    pf_buf_adds(b, fund ? fund : NULL_FUND);
    if (key) {
        pf_buf_addc(b, '\x1f');
        pf_buf_adds(b, key);
    }
}

static void
group_add(struct pf_map *m, struct pf_map *km, struct pf_buf *b, const char *a,
          const char *fund, const char *key, size_t i, const struct pf_run *run)
{
    struct rp_group *g;

    key3(b, a, fund, key);
    g = pf_map_get(m, pf_buf_str(b));
    if (!g) {
        struct rp_keys *ks;
        g = pf_xcalloc(1, sizeof *g);
        g->run = run;
        pf_map_put(m, pf_buf_str(b), g);
        key3(b, a, fund, NULL);
        ks = pf_map_get(km, pf_buf_str(b));
        if (!ks) {
            ks = pf_xcalloc(1, sizeof *ks);
            pf_map_put(km, pf_buf_str(b), ks);
        }
        PF_GROW(ks->keys, ks->n + 1, ks->cap);
        ks->keys[ks->n++] = key;
    }
    rp_group_add(g, i);
}

void
rp_group_add(struct rp_group *g, size_t i)
{
    PF_GROW(g->idx, g->n + 1, g->cap);
    g->idx[g->n++] = i;
}

void
rp_group_free(void *p)
{
    struct rp_group *g = p;
    if (g) {
        free(g->idx);
        free(g);
    }
}

static void
keys_free(void *p)
{
    struct rp_keys *k = p;
    if (k) {
        free(k->keys);
        free(k);
    }
}

/* --- internal: a windowed index (rp_index_open) --- */

struct rp_part {
    bool rows;               /* rows of table name, else results of dimension name */
    const char *fund, *name; /* interned in the window's pool; fund NULL: portfolio */
    char *key;               /* its key in part_of */
    struct pf_run *run;
    struct rp_index ix;
    unsigned long used;      /* the window's clock when last asked for */
};

struct rp_window {
    struct pf_store *st;
    int64_t run_id;
    struct pf_map pool;      /* the strings of every part (and of the lists below) */
    struct rp_part *parts;   /* keep slots; run NULL when free */
    size_t keep;
    unsigned long clock;
    struct rp_part *last;    /* the part asked for last */
    struct pf_map part_of;   /* "r|R \x1f fund \x1f name" -> its slot (NULL: not held) */
    struct pf_map block_n;   /* "fund \x1f key" -> its number of flows (size_t, heap) */
    bool listed;             /* funds and blocks listed (rp_index_open) */
    const struct pf_map *pfunds; /* rp_index_open_partners: partner -> its funds */
    struct pf_err err;       /* the first part that could not be read */
};

static void
part_drop(struct rp_window *w, struct rp_part *p)
{
    if (!p->run)
        return;
    pf_map_put(&w->part_of, p->key, NULL);
    rp_index_release(&p->ix);
    pf_run_free(p->run);
    free(p->key);
    memset(p, 0, sizeof *p);
    if (w->last == p)
        w->last = NULL;
}

static bool
same_fund(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The index over the part (fund, rows, name), read when not held (evicting the part
 * used longest ago); NULL when it could not be read. */
static const struct rp_index *
window_part(const struct rp_index *ix, const char *fund, bool rows, const char *name)
{
    struct rp_window *w = ix->win;
    struct pf_buf b = PF_BUF_INIT;
    struct rp_part *p;
    struct pf_run *run = NULL;
    struct pf_err err;
    size_t i;

    if ((p = w->last) && p->rows == rows && same_fund(p->fund, fund) &&
        strcmp(p->name, name) == 0) {
        p->used = ++w->clock;
        return &p->ix;
    }
    key3(&b, rows ? "r" : "R", fund, name);
    if ((p = pf_map_get(&w->part_of, pf_buf_str(&b))) != NULL) {
        pf_buf_release(&b);
        p->used = ++w->clock;
        w->last = p;
        return &p->ix;
    }
    memset(&err, 0, sizeof err);
    if (pf_store_get_run_part(w->st, w->run_id, fund, rows, name, &w->pool, &run, &err) !=
        PF_OK) {
        if (w->err.status == PF_OK)
            w->err = err;
        pf_buf_release(&b);
        return NULL;
    }
    for (i = 0, p = &w->parts[0]; i < w->keep; i++) {
        if (!w->parts[i].run) {
            p = &w->parts[i];
            break;
        }
        if (w->parts[i].used < p->used)
            p = &w->parts[i];
    }
    part_drop(w, p);
    p->rows = rows;
    p->fund = fund ? pf_map_intern(&w->pool, fund) : NULL;
    p->name = pf_map_intern(&w->pool, name);
    p->key = pf_buf_detach(&b);
    p->run = run;
    p->used = ++w->clock;
    rp_index_build(&p->ix, run);
    pf_map_put(&w->part_of, p->key, p);
    w->last = p;
    return &p->ix;
}

struct rp_only {
    struct pf_map kinds;
    char missing[64];        /* the first kind asked for and not read, "" none */
};

/* May ix answer for kind? An rp_index_only index remembers the first it may not. */
static bool
kind_read(const struct rp_index *ix, const char *kind)
{
    if (!ix->only || pf_map_has(&ix->only->kinds, kind))
        return true;
    if (!ix->only->missing[0])
        snprintf(ix->only->missing, sizeof ix->only->missing, "%s", kind);
    return false;
}

static void
dir_fund(void *arg, const char *fund)
{
    struct rp_index *ix = arg;
    PF_GROW(ix->funds, ix->nfunds + 1, ix->cfunds);
    ix->funds[ix->nfunds++] = pf_map_intern(&ix->win->pool, fund);
}

static void
dir_block(void *arg, const char *fund, const char *key, size_t n)
{
    struct rp_index *ix = arg;
    struct pf_buf b = PF_BUF_INIT;
    size_t *have;

    key3(&b, fund ? fund : NULL_FUND, key, NULL);
    if ((have = pf_map_get(&ix->win->block_n, pf_buf_str(&b))) != NULL) {
        *have += n; /* a block stored in several packs */
    } else {
        have = pf_xmalloc(sizeof *have);
        *have = n;
        pf_map_put(&ix->win->block_n, pf_buf_str(&b), have);
        PF_GROW(ix->blocks, ix->nblocks + 1, ix->cblocks);
        ix->blocks[ix->nblocks].fund = fund ? pf_map_intern(&ix->win->pool, fund) : NULL;
        ix->blocks[ix->nblocks++].key = pf_map_intern(&ix->win->pool, key);
    }
    pf_buf_release(&b);
}

/* --- public --- */

void
rp_index_build(struct rp_index *ix, const struct pf_run *run)
{
    struct pf_map seen = PF_MAP_INIT;
    struct pf_buf b = PF_BUF_INIT;
    size_t i;

    memset(ix, 0, sizeof *ix);
    ix->run = run;
    ix->nresults = run->nresults;
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        group_add(&ix->res, &ix->res_keys, &b, r->dimension, r->fund, r->key, i, run);
        if (r->fund && !pf_map_has(&seen, r->fund)) {
            pf_map_put(&seen, r->fund, NULL);
            PF_GROW(ix->funds, ix->nfunds + 1, ix->cfunds);
            ix->funds[ix->nfunds++] = r->fund;
        }
    }
    for (i = 0; i < run->nrows; i++) {
        const struct pf_run_row *r = &run->rows[i];
        size_t before = ix->rows.n;
        group_add(&ix->rows, &ix->row_keys, &b, r->tbl, r->fund, r->key, i, run);
        if (ix->rows.n != before && strcmp(r->tbl, "block") == 0) {
            PF_GROW(ix->blocks, ix->nblocks + 1, ix->cblocks);
            ix->blocks[ix->nblocks].fund = r->fund;
            ix->blocks[ix->nblocks++].key = r->key;
        }
    }
    /* packed blocks (pf_store_get_run_packed): listed like row blocks, flows left packed */
    for (i = 0; i < run->nblocks; i++) {
        const struct pf_run_block *pb = &run->blocks[i];
        struct rp_group *g;
        key3(&b, "block", pb->fund, pb->key);
        g = pf_map_get(&ix->packs, pf_buf_str(&b));
        if (!g) {
            g = pf_xcalloc(1, sizeof *g);
            g->run = run;
            pf_map_put(&ix->packs, pf_buf_str(&b), g);
            if (!pf_map_has(&ix->rows, pf_buf_str(&b))) {
                PF_GROW(ix->blocks, ix->nblocks + 1, ix->cblocks);
                ix->blocks[ix->nblocks].fund = pb->fund;
                ix->blocks[ix->nblocks++].key = pb->key;
            }
        }
        rp_group_add(g, i);
    }
    /* each partner's funds, in funds order (a statement walks only its own) */
    for (i = 0; i < ix->nfunds; i++) {
        const struct rp_keys *ks = rp_index_keys(ix, "partner", ix->funds[i]);
        size_t k;
        for (k = 0; ks && k < ks->n; k++) {
            struct rp_keys *pf = pf_map_get(&ix->partner_funds, ks->keys[k]);
            if (!pf) {
                pf = pf_xcalloc(1, sizeof *pf);
                pf_map_put(&ix->partner_funds, ks->keys[k], pf);
            }
            PF_GROW(pf->keys, pf->n + 1, pf->cap);
            pf->keys[pf->n++] = ix->funds[i];
        }
    }
    pf_map_release(&seen, NULL);
    pf_buf_release(&b);
}

static pf_status
open_window(struct rp_index *ix, const struct pf_run *run, struct pf_store *st, size_t keep,
            const struct pf_map *pfunds, bool *ok, struct pf_err *err)
{
    const char *env = getenv("PARKFUND_REPORT_PARTS");
    struct rp_window *w;
    pf_status rc;

    *ok = false;
    memset(ix, 0, sizeof *ix);
    if (env && strcmp(env, "all") == 0) /* tests: the whole run, to compare with */
        return PF_OK;
    if (env && *env && strtol(env, NULL, 10) > 0)
        keep = (size_t)strtol(env, NULL, 10);
    w = pf_xcalloc(1, sizeof *w);
    w->st = st;
    w->run_id = run->id;
    w->keep = keep ? keep : 32;
    w->parts = pf_xcalloc(w->keep, sizeof *w->parts);
    w->pfunds = pfunds;
    w->listed = !pfunds;
    ix->win = w;
    ix->run = run;
    rc = pf_store_run_directory(st, run->id, ok, &ix->nresults, pfunds ? NULL : dir_fund,
                                pfunds ? NULL : dir_block, ix, err);
    if (rc != PF_OK || !*ok)
        rp_index_release(ix);
    return rc;
}

pf_status
rp_index_open(struct rp_index *ix, const struct pf_run *run, struct pf_store *st, size_t keep,
              bool *ok, struct pf_err *err)
{
    return open_window(ix, run, st, keep, NULL, ok, err);
}

pf_status
rp_index_open_partners(struct rp_index *ix, const struct pf_run *run, struct pf_store *st,
                       size_t keep, const struct pf_map *pfunds, bool *ok, struct pf_err *err)
{
    return open_window(ix, run, st, keep, pfunds, ok, err);
}

void
rp_index_only(struct rp_index *ix, const char *const *kinds, size_t nkinds)
{
    size_t i;
    if (!ix->only)
        ix->only = pf_xcalloc(1, sizeof *ix->only);
    for (i = 0; i < nkinds; i++)
        pf_map_put(&ix->only->kinds, kinds[i], NULL);
}

pf_status
rp_index_failed(const struct rp_index *ix, struct pf_err *err)
{
    if (ix->only && ix->only->missing[0])
        return pf_err_set(err, PF_EINTERNAL, "",
                          "a workbook read '%s', which the report did not load for it",
                          ix->only->missing);
    if (!ix->win || ix->win->err.status == PF_OK)
        return PF_OK;
    *err = ix->win->err;
    return err->status;
}

void
rp_index_release(struct rp_index *ix)
{
    struct rp_window *w = ix->win;
    size_t i;

    if (ix->only) {
        pf_map_release(&ix->only->kinds, NULL);
        free(ix->only);
    }
    if (w) {
        for (i = 0; i < w->keep; i++)
            part_drop(w, &w->parts[i]);
        free(w->parts);
        pf_map_release(&w->part_of, NULL);
        pf_map_release(&w->block_n, free);
        pf_map_release(&w->pool, NULL);
        free(w);
    }
    pf_map_release(&ix->res, rp_group_free);
    pf_map_release(&ix->res_keys, keys_free);
    pf_map_release(&ix->rows, rp_group_free);
    pf_map_release(&ix->row_keys, keys_free);
    pf_map_release(&ix->packs, rp_group_free);
    pf_map_release(&ix->partner_funds, keys_free);
    free(ix->funds);
    free(ix->blocks);
    memset(ix, 0, sizeof *ix);
}

const struct rp_group *
rp_index_results(const struct rp_index *ix, const char *dim, const char *fund, const char *key)
{
    struct pf_buf b = PF_BUF_INIT;
    const struct rp_group *g;
    if (!kind_read(ix, dim) || (ix->win && !(ix = window_part(ix, fund, false, dim))))
        return NULL;
    key3(&b, dim, fund, key);
    g = pf_map_get(&ix->res, pf_buf_str(&b));
    pf_buf_release(&b);
    return g;
}

const struct pf_result *
rp_index_result(const struct rp_index *ix, const char *dim, const char *fund, const char *key,
                const char *metric)
{
    const struct rp_group *g = rp_index_results(ix, dim, fund, key);
    size_t i;
    if (!g)
        return NULL;
    for (i = 0; i < g->n; i++) {
        const struct pf_result *r = &g->run->results[g->idx[i]];
        if (strcmp(r->metric, metric) == 0)
            return r;
    }
    return NULL;
}

const struct rp_keys *
rp_index_keys(const struct rp_index *ix, const char *dim, const char *fund)
{
    struct pf_buf b = PF_BUF_INIT;
    const struct rp_keys *k;
    if (!kind_read(ix, dim) || (ix->win && !(ix = window_part(ix, fund, false, dim))))
        return NULL;
    key3(&b, dim, fund, NULL);
    k = pf_map_get(&ix->res_keys, pf_buf_str(&b));
    pf_buf_release(&b);
    return k;
}

const struct rp_group *
rp_index_rows(const struct rp_index *ix, const char *tbl, const char *fund, const char *key)
{
    struct pf_buf b = PF_BUF_INIT;
    const struct rp_group *g;
    if (!kind_read(ix, tbl) || (ix->win && !(ix = window_part(ix, fund, true, tbl))))
        return NULL;
    key3(&b, tbl, fund, key);
    g = pf_map_get(&ix->rows, pf_buf_str(&b));
    pf_buf_release(&b);
    return g;
}

static const struct rp_group *
block_packs(const struct rp_index *ix, const char *fund, const char *key)
{
    struct pf_buf b = PF_BUF_INIT;
    const struct rp_group *g;
    if (ix->packs.n == 0)
        return NULL;
    key3(&b, "block", fund, key);
    g = pf_map_get(&ix->packs, pf_buf_str(&b));
    pf_buf_release(&b);
    return g;
}

bool
rp_index_block_ref(const struct rp_index *ix, const char *fund, const char *key,
                   struct rp_blockref *out)
{
    const struct rp_group *g;
    if (ix->win && !(ix = window_part(ix, fund, true, "block")))
        return false;
    g = rp_index_rows(ix, "block", fund, key);
    if (g && g->n > 0) {
        out->fund = ix->run->rows[g->idx[0]].fund;
        out->key = ix->run->rows[g->idx[0]].key;
        return true;
    }
    g = block_packs(ix, fund, key);
    if (g && g->n > 0) {
        out->fund = ix->run->blocks[g->idx[0]].fund;
        out->key = ix->run->blocks[g->idx[0]].key;
        return true;
    }
    return false;
}

size_t
rp_index_block_size(const struct rp_index *ix, const char *fund, const char *key)
{
    const struct rp_group *g;
    size_t n, i;
    if (ix->win && !ix->win->listed) { /* a statement's: from the block's part */
        if (!(ix = window_part(ix, fund, true, "block")))
            return 0;
    } else if (ix->win) { /* from the directory: the layout reads no flow */
        struct pf_buf b = PF_BUF_INIT;
        const size_t *have;
        key3(&b, fund ? fund : NULL_FUND, key, NULL);
        have = pf_map_get(&ix->win->block_n, pf_buf_str(&b));
        pf_buf_release(&b);
        return have ? *have : 0;
    }
    g = rp_index_rows(ix, "block", fund, key);
    n = g ? g->n : 0;
    g = block_packs(ix, fund, key);
    for (i = 0; g && i < g->n; i++)
        n += ix->run->blocks[g->idx[i]].n;
    return n;
}

static char block_tbl[] = "block"; /* the table name of a decoded block's rows */

size_t
rp_index_block_rows(const struct rp_index *ix, const char *fund, const char *key,
                    struct pf_run_row **buf, size_t *cap)
{
    const struct pf_run *run;
    const struct rp_group *g;
    size_t n = 0, i, j;

    if (ix->win && !(ix = window_part(ix, fund, true, "block")))
        return 0;
    run = ix->run;
    g = rp_index_rows(ix, "block", fund, key);

    for (i = 0; g && i < g->n; i++) {
        PF_GROW(*buf, n + 1, *cap);
        (*buf)[n++] = run->rows[g->idx[i]];
    }
    g = block_packs(ix, fund, key);
    for (i = 0; g && i < g->n; i++) {
        const struct pf_run_block *pb = &run->blocks[g->idx[i]];
        for (j = 0; j < pb->n; j++) {
            const struct pf_run_flow *f = &run->flows[pb->first + j];
            struct pf_run_row *r;
            PF_GROW(*buf, n + 1, *cap);
            r = &(*buf)[n++];
            memset(r, 0, sizeof *r);
            r->tbl = block_tbl;
            r->fund = pb->fund;
            r->key = pb->key;
            r->col = f->col;
            r->date = f->date;
            r->is_money = r->has_value = true;
            r->cents = f->cents;
        }
    }
    return n;
}

const struct rp_keys *
rp_index_row_keys(const struct rp_index *ix, const char *tbl, const char *fund)
{
    struct pf_buf b = PF_BUF_INIT;
    const struct rp_keys *k;
    if (!kind_read(ix, tbl) || (ix->win && !(ix = window_part(ix, fund, true, tbl))))
        return NULL;
    key3(&b, tbl, fund, NULL);
    k = pf_map_get(&ix->row_keys, pf_buf_str(&b));
    pf_buf_release(&b);
    return k;
}

const struct rp_keys *
rp_index_partner_funds(const struct rp_index *ix, const char *partner)
{
    if (ix->win && ix->win->pfunds)
        return partner ? pf_map_get(ix->win->pfunds, partner) : NULL;
    return partner ? pf_map_get(&ix->partner_funds, partner) : NULL;
}
