/*
 * notes: which partner and which fund each run note names, so a statement can
 * leave out the notes about others. An id is named when it appears as a whole
 * word (a maximal run of ID characters: "LP1" is not in "LP10"); a partner's
 * name when it appears anywhere (a plain substring).
 *
 * The texts are read once, not once per partner: each note's text is cut into
 * its runs of ID characters and every run looked up among the ids (a hash map),
 * and at each byte the names starting with the next PREFIX bytes are the only
 * ones compared. The few needles that index cannot see (an id holding a
 * character outside the ID characters, a name shorter than PREFIX bytes) are
 * searched for plainly, as every needle once was; the answer is the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "parkfund/banned.h"

/* --- internal --- */

#define PREFIX 3 /* bytes a name is indexed by (one CJK character in UTF-8) */

static bool
id_char(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

static bool
all_id_chars(const char *s)
{
    for (; *s; s++)
        if (!id_char((unsigned char)*s))
            return false;
    return true;
}

bool
rp_mentions(const char *text, const char *needle, bool word)
{
    size_t n = strlen(needle);
    const char *p = text;
    if (!n || !text)
        return false;
    while ((p = strstr(p, needle)) != NULL) {
        bool left = p == text || !id_char((unsigned char)p[-1]);
        bool right = p[n] == '\0' || !id_char((unsigned char)p[n]);
        if (!word || (left && right))
            return true;
        p++;
    }
    return false;
}

/* a name: its index in ds->partners and its first PREFIX bytes as a number */
struct cand {
    uint32_t key;
    int k;
};

struct slot {
    uint32_t key;      /* bit 31 set: used */
    uint32_t first, n; /* range of cands */
};

struct attrib {
    struct pf_map pids, fids;  /* id -> index + 1 (as a pointer) */
    int *slow_pid, *slow_fid, *slow_name; /* searched plainly */
    size_t nslow_pid, nslow_fid, nslow_name;
    struct cand *cands;
    size_t ncands;
    struct slot *slots;
    size_t mask;
};

static uint32_t
key_of(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    return (uint32_t)u[0] << 16 | (uint32_t)u[1] << 8 | (uint32_t)u[2];
}

static size_t
hash_of(uint32_t key)
{
    uint32_t h = key * 2654435761u; /* the high bits mix all of the key's */
    return (size_t)(h ^ h >> 15);
}

static int
cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

static const struct slot *
slot_find(const struct attrib *A, uint32_t key)
{
    size_t i = hash_of(key) & A->mask;
    while (A->slots[i].key & 0x80000000u) {
        if ((A->slots[i].key & 0xffffffu) == key)
            return &A->slots[i];
        i = (i + 1) & A->mask;
    }
    return NULL;
}

static void
put_id(struct pf_map *m, const char *id, int k, int **slow, size_t *nslow)
{
    if (!id || !*id)
        return;
    /* an id the runs of ID characters cannot hold, or a second partner with the same
     * id (the map keeps the first): searched plainly */
    if (!all_id_chars(id) || pf_map_has(m, id)) {
        *slow = pf_xreallocarray(*slow, *nslow + 1, sizeof **slow);
        (*slow)[(*nslow)++] = k;
        return;
    }
    pf_map_put(m, id, (void *)(uintptr_t)((size_t)k + 1));
}

static void
attrib_build(struct attrib *A, const struct pf_dataset *ds)
{
    size_t k, i, cap = 16;

    memset(A, 0, sizeof *A);
    for (k = 0; k < ds->npartners; k++) {
        const struct pf_partner *p = &ds->partners[k];
        size_t len = p->name ? strlen(p->name) : 0;
        put_id(&A->pids, p->partner_id, (int)k, &A->slow_pid, &A->nslow_pid);
        if (len == 0)
            continue;
        if (len < PREFIX) {
            A->slow_name = pf_xreallocarray(A->slow_name, A->nslow_name + 1,
                                            sizeof *A->slow_name);
            A->slow_name[A->nslow_name++] = (int)k;
            continue;
        }
        A->cands = pf_xreallocarray(A->cands, A->ncands + 1, sizeof *A->cands);
        A->cands[A->ncands].key = key_of(p->name);
        A->cands[A->ncands++].k = (int)k;
    }
    for (k = 0; k < ds->nfunds; k++)
        put_id(&A->fids, ds->funds[k].fund_id, (int)k, &A->slow_fid, &A->nslow_fid);
    if (A->ncands)
        qsort(A->cands, A->ncands, sizeof *A->cands, cand_cmp);
    while (cap < 2 * A->ncands)
        cap *= 2;
    A->slots = pf_xcalloc(cap, sizeof *A->slots);
    A->mask = cap - 1;
    for (i = 0; i < A->ncands; i++) {
        size_t h;
        if (i > 0 && A->cands[i].key == A->cands[i - 1].key)
            continue;
        for (h = hash_of(A->cands[i].key) & A->mask; A->slots[h].key & 0x80000000u;
             h = (h + 1) & A->mask)
            ;
        A->slots[h].key = A->cands[i].key | 0x80000000u;
        A->slots[h].first = (uint32_t)i;
        while (i + A->slots[h].n < A->ncands && A->cands[i + A->slots[h].n].key ==
                                                    A->cands[i].key)
            A->slots[h].n++;
    }
}

static void
attrib_release(struct attrib *A)
{
    pf_map_release(&A->pids, NULL);
    pf_map_release(&A->fids, NULL);
    free(A->slow_pid);
    free(A->slow_fid);
    free(A->slow_name);
    free(A->cands);
    free(A->slots);
}

/* One more index named: the first stays, a second distinct one makes it -2. */
static void
named(int *acc, int k)
{
    if (*acc == -1)
        *acc = k;
    else if (*acc != k)
        *acc = -2;
}

static void
scan(const struct attrib *A, const struct pf_dataset *ds, const char *text, struct pf_buf *b,
     int *who, int *fund)
{
    size_t len, i, j;
    const unsigned char *u = (const unsigned char *)text;

    if (!text)
        return;
    len = strlen(text);
    /* ids: the text's runs of ID characters */
    for (i = 0; i < len;) {
        void *v;
        if (!id_char(u[i])) {
            i++;
            continue;
        }
        for (j = i; j < len && id_char(u[j]); j++)
            ;
        pf_buf_reset(b);
        pf_buf_add(b, text + i, j - i);
        if ((v = pf_map_get(&A->pids, pf_buf_str(b))) != NULL)
            named(who, (int)((uintptr_t)v - 1));
        if ((v = pf_map_get(&A->fids, pf_buf_str(b))) != NULL)
            named(fund, (int)((uintptr_t)v - 1));
        i = j;
    }
    /* names: at each byte, the names that start with the next PREFIX bytes */
    for (i = 0; A->ncands && i + PREFIX <= len && *who != -2; i++) {
        const struct slot *s = slot_find(A, key_of(text + i));
        size_t c;
        for (c = 0; s && c < s->n; c++) {
            int k = A->cands[s->first + c].k;
            const char *name = ds->partners[k].name;
            size_t n = strlen(name);
            if (n <= len - i && memcmp(text + i, name, n) == 0)
                named(who, k);
        }
    }
    for (i = 0; i < A->nslow_pid; i++)
        if (rp_mentions(text, ds->partners[A->slow_pid[i]].partner_id, true))
            named(who, A->slow_pid[i]);
    for (i = 0; i < A->nslow_name; i++)
        if (rp_mentions(text, ds->partners[A->slow_name[i]].name, false))
            named(who, A->slow_name[i]);
    for (i = 0; i < A->nslow_fid; i++)
        if (rp_mentions(text, ds->funds[A->slow_fid[i]].fund_id, true))
            named(fund, A->slow_fid[i]);
}

/* --- public --- */

void
rp_notes_attribute(const struct pf_run *run, const struct pf_dataset *ds, int *who, int *fund)
{
    struct attrib A;
    struct pf_buf b = PF_BUF_INIT;
    size_t i;

    attrib_build(&A, ds);
    for (i = 0; i < run->nnotes; i++) {
        const struct pf_run_note *n = &run->notes[i];
        who[i] = -1;
        fund[i] = -1;
        scan(&A, ds, n->name, &b, &who[i], &fund[i]);
        scan(&A, ds, n->detail, &b, &who[i], &fund[i]);
    }
    pf_buf_release(&b);
    attrib_release(&A);
}
