/*
 * index: finds a stored run's results and rows by (dimension, fund, key) and
 * lists the keys of a (dimension, fund) in the order the engine stored them.
 * Pointers handed out are borrowed from the run and the index.
 */
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
          const char *fund, const char *key, size_t i)
{
    struct rp_group *g;

    key3(b, a, fund, key);
    g = pf_map_get(m, pf_buf_str(b));
    if (!g) {
        struct rp_keys *ks;
        g = pf_xcalloc(1, sizeof *g);
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

/* --- public --- */

void
rp_index_build(struct rp_index *ix, const struct pf_run *run)
{
    struct pf_map seen = PF_MAP_INIT;
    struct pf_buf b = PF_BUF_INIT;
    size_t i;

    memset(ix, 0, sizeof *ix);
    ix->run = run;
    for (i = 0; i < run->nresults; i++) {
        const struct pf_result *r = &run->results[i];
        group_add(&ix->res, &ix->res_keys, &b, r->dimension, r->fund, r->key, i);
        if (r->fund && !pf_map_has(&seen, r->fund)) {
            pf_map_put(&seen, r->fund, NULL);
            PF_GROW(ix->funds, ix->nfunds + 1, ix->cfunds);
            ix->funds[ix->nfunds++] = r->fund;
        }
    }
    for (i = 0; i < run->nrows; i++) {
        const struct pf_run_row *r = &run->rows[i];
        size_t before = ix->rows.n;
        group_add(&ix->rows, &ix->row_keys, &b, r->tbl, r->fund, r->key, i);
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

void
rp_index_release(struct rp_index *ix)
{
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
        const struct pf_result *r = &ix->run->results[g->idx[i]];
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
    const struct rp_group *g = rp_index_rows(ix, "block", fund, key);
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
    const struct rp_group *g = rp_index_rows(ix, "block", fund, key);
    size_t n = g ? g->n : 0, i;
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
    const struct pf_run *run = ix->run;
    const struct rp_group *g = rp_index_rows(ix, "block", fund, key);
    size_t n = 0, i, j;

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
    key3(&b, tbl, fund, NULL);
    k = pf_map_get(&ix->row_keys, pf_buf_str(&b));
    pf_buf_release(&b);
    return k;
}

const struct rp_keys *
rp_index_partner_funds(const struct rp_index *ix, const char *partner)
{
    return partner ? pf_map_get(&ix->partner_funds, partner) : NULL;
}
