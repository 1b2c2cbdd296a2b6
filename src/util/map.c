/* map: a string-keyed open-addressing hash table (FNV-1a, linear probing). */
#include <stdlib.h>
#include <string.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

static uint64_t
hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t
slot(const struct pf_map *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void
grow(struct pf_map *m)
{
    struct pf_map big = PF_MAP_INIT;
    size_t i;

    big.cap = m->cap ? m->cap * 2 : 64;
    big.keys = pf_xcalloc(big.cap, sizeof *big.keys);
    big.vals = pf_xcalloc(big.cap, sizeof *big.vals);
    for (i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            size_t j = slot(&big, m->keys[i]);
            big.keys[j] = m->keys[i];
            big.vals[j] = m->vals[i];
        }
    }
    big.n = m->n;
    free(m->keys);
    free(m->vals);
    *m = big;
}

void *
pf_map_put(struct pf_map *m, const char *key, void *val)
{
    size_t i;
    void *old;

    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    i = slot(m, key);
    if (m->keys[i]) {
        old = m->vals[i];
        m->vals[i] = val;
        return old;
    }
    m->keys[i] = pf_xstrdup(key);
    m->vals[i] = val;
    m->n++;
    return NULL;
}

void *
pf_map_get(const struct pf_map *m, const char *key)
{
    size_t i;
    if (!m->cap)
        return NULL;
    i = slot(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

bool
pf_map_has(const struct pf_map *m, const char *key)
{
    return m->cap && m->keys[slot(m, key)] != NULL;
}

void
pf_map_release(struct pf_map *m, void (*free_val)(void *))
{
    size_t i;
    for (i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            free(m->keys[i]);
            if (free_val)
                free_val(m->vals[i]);
        }
    }
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}

const char *
pf_map_intern(struct pf_map *m, const char *key)
{
    size_t i;
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = pf_xstrdup(key);
        m->vals[i] = NULL;
        m->n++;
    }
    return m->keys[i];
}
