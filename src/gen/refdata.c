/*
 * refdata: the reference records that do not move: ~500 parks (mainland zones
 * named city + type, Hong Kong and Macao parks, the overseas centres' parks),
 * 1,000 x scale enterprises with GB 32100-2015 credit codes, and partners.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"
#include "parkfund/banned.h"

#define PARKS_TOTAL 500

/* --- internal --- */

static int
chain_index(const struct gen *g, const char *code)
{
    size_t i;

    if (!code)
        return -1;
    for (i = 0; i < g->nchains; i++)
        if (strcmp(g->chains[i], code) == 0)
            return (int)i;
    return -1;
}

static struct gen_park *
park_new(struct gen *g, size_t *cap)
{
    struct gen_park *p;

    PF_GROW(g->parks, g->nparks + 1, *cap);
    p = &g->parks[g->nparks];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "PK%04zu", g->nparks + 1);
    g->nparks++;
    return p;
}

static void
park_row(struct gen *g, const struct gen_park *p, const char *name_en, const char *region,
         const char *centre, const char *level)
{
    gen_row_begin(g);
    gen_col(g, p->id);
    gen_col(g, p->name);
    gen_col(g, name_en);
    gen_col(g, region);
    gen_col(g, centre);
    gen_col(g, level);
    gen_row_end(g, GF_PARKS);
}

/* Mainland parks of one province: the capital's 高新区 and 经开区 first, then a
 * random choice of the other city x type combinations. */
static void
province_parks(struct gen *g, struct pf_rng *r, int prov, size_t count, size_t *cap)
{
    const struct gen_province *pv = &gen_provinces[prov];
    size_t ncombo = pv->ncities * gen_npark_types, i, j;
    size_t *combo = pf_xreallocarray(NULL, ncombo, sizeof *combo);

    for (i = 0; i < ncombo; i++)
        combo[i] = i;
    if (count > ncombo)
        count = ncombo;
    /* combos 0 and 1 are city 0 with types 0 and 1; shuffle from 2 on */
    for (i = 2; i < count && i < ncombo; i++) {
        size_t k = i + (size_t)gen_int(r, (unsigned long)(ncombo - i)), t = combo[i];
        combo[i] = combo[k];
        combo[k] = t;
    }
    for (j = 0; j < count; j++) {
        size_t city = combo[j] / gen_npark_types, type = combo[j] % gen_npark_types;
        const struct gen_park_type *pt = &gen_park_types[type];
        struct gen_park *p = park_new(g, cap);
        const char *level;
        char *en;

        p->prov = prov;
        p->named = -1;
        p->city = (int)city;
        p->chain = chain_index(g, pt->chain);
        p->name = pf_xasprintf("%s%s", pv->cities[city].zh, pt->zh);
        if (pt->national)
            level = city < 2 ? "national" : "provincial";
        else if (!pt->chain)
            level = gen_chance(r, 0.5) ? "provincial" : "other";
        else
            level = gen_chance(r, 0.4) ? "provincial" : "other";
        p->weight = strcmp(level, "national") == 0 ? 4 : strcmp(level, "provincial") == 0 ? 2 : 1;
        en = pf_xasprintf("%s %s", pv->cities[city].en, pt->en);
        park_row(g, p, en, pv->code, NULL, level);
        free(en);
    }
    free(combo);
}

/* GB 11714 check character of an 8-character organisation code body. */
static char
org_check(const char *body)
{
    static const int w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    int sum = 0, i, c;

    for (i = 0; i < 8; i++) {
        c = body[i];
        sum += (c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10) * w[i];
    }
    c = 11 - sum % 11;
    return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

/* 统一社会信用代码 of enterprise number idx: 9 (工商) 1 (企业), a GB/T 2260
 * district code, a 9-character organisation code (unique per idx), check. */
static void
credit_code(struct pf_rng *r, const struct gen_province *pv, int city, size_t idx, char out[19])
{
    static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char body[9];
    int i;

    unsigned gb = (unsigned)pv->gb % 100u, c = (unsigned)(city + 1) % 100u;
    unsigned dist = 2u + (unsigned)gen_int(r, 18);

    snprintf(out, 19, "91%02u%02u%02u", gb, c, dist % 100u);
    if (gen_chance(r, 0.7)) {
        /* post-2015 registrations: MA + 6 code characters */
        uint64_t v = ((uint64_t)idx * 7919u + 12345u) % 28629151u; /* 31^5 */
        body[0] = 'M';
        body[1] = 'A';
        for (i = 6; i >= 2; i--) {
            body[i] = alpha[v % 31];
            v /= 31;
        }
        body[7] = alpha[gen_int(r, 31)];
    } else {
        uint64_t v = ((uint64_t)idx * 7u + 3141592u) % 100000000u;
        for (i = 7; i >= 0; i--) {
            body[i] = (char)('0' + v % 10);
            v /= 10;
        }
    }
    memcpy(out + 8, body, 8);
    out[16] = org_check(body);
    out[17] = '\0';
    out[17] = pf_credit_code_check_char(out);
    out[18] = '\0';
}

/* --- public --- */

void
gen_parks(struct gen *g)
{
    struct pf_rng *r = pf_rng_new(gen_subseed(g->seed, 1));
    size_t cap = 0, i, nnamed = 0, wsum = 0, target, left;

    for (i = 0; i < gen_nnamed_parks; i++)
        if (pf_taxonomy_region_known(g->tax, gen_named_parks[i].region))
            nnamed++;
    for (i = 0; i < gen_nprovinces; i++)
        if (pf_taxonomy_has(g->tax, PF_TAX_PROVINCE, gen_provinces[i].code))
            wsum += (size_t)gen_provinces[i].weight;
    target = PARKS_TOTAL > nnamed ? PARKS_TOTAL - nnamed : 0;
    left = target;
    for (i = 0; i < gen_nprovinces && wsum; i++) {
        size_t count;
        if (!pf_taxonomy_has(g->tax, PF_TAX_PROVINCE, gen_provinces[i].code))
            continue;
        count = (target * (size_t)gen_provinces[i].weight + wsum / 2) / wsum;
        if (count > left)
            count = left;
        if (count < 2)
            count = 2;
        left -= count < left ? count : left;
        province_parks(g, r, (int)i, count, &cap);
    }
    for (i = 0; i < gen_nnamed_parks; i++) {
        const struct gen_named_park *np = &gen_named_parks[i];
        const char *centre = pf_taxonomy_region_centre(g->tax, np->region);
        int domestic = pf_taxonomy_region_domestic(g->tax, np->region);
        struct gen_park *p;

        if (!pf_taxonomy_region_known(g->tax, np->region) || !centre)
            continue;
        if (!domestic && (!*centre || !pf_taxonomy_has(g->tax, PF_TAX_CENTRE, centre)))
            continue;
        p = park_new(g, &cap);
        p->prov = -1;
        p->named = (int)i;
        p->chain = -1;
        p->overseas = !domestic;
        p->weight = domestic ? 2 : 4;
        p->name = pf_xstrdup(np->zh);
        park_row(g, p, np->en, np->region, domestic ? NULL : centre,
                 domestic ? "other" : "other");
    }
    pf_rng_free(r);
}

void
gen_enterprises(struct gen *g)
{
    struct pf_rng *r = pf_rng_new(gen_subseed(g->seed, 2));
    size_t n = (size_t)1000 * g->scale, i, *cum = NULL, total = 0, *fill = NULL;
    size_t cdom = 0, cover = 0, cgba = 0;
    static const char *const suffix[] = { "有限公司", "股份有限公司", "有限责任公司" };

    cum = pf_xreallocarray(NULL, g->nparks, sizeof *cum);
    for (i = 0; i < g->nparks; i++) {
        total += (size_t)g->parks[i].weight;
        cum[i] = total;
    }
    g->ents = pf_xcalloc(n, sizeof *g->ents);
    g->nents = n;
    g->prov_start = pf_xcalloc(gen_nprovinces + 1, sizeof *g->prov_start);
    for (i = 0; i < n; i++) {
        struct gen_ent *e = &g->ents[i];
        const struct gen_park *p;
        const struct gen_chain_words *cw;
        size_t pick = (size_t)gen_int(r, (unsigned long)total), lo = 0, hi = g->nparks - 1;
        char code[19] = "";
        char *name;

        while (lo < hi) { /* first park with cum > pick */
            size_t mid = lo + (hi - lo) / 2;
            if (cum[mid] > pick)
                hi = mid;
            else
                lo = mid + 1;
        }
        e->park = (int)lo;
        p = &g->parks[lo];
        if (p->chain >= 0 && gen_chance(r, 0.6))
            e->chain = p->chain;
        else
            e->chain = (int)gen_int(r, (unsigned long)g->nchains);
        e->segment = (int)gen_int(r, (unsigned long)g->nsegments);
        e->trade1 = gen_trade1[gen_int(r, (unsigned long)gen_ntrade1)];
        do
            e->trade2 = gen_trade2[gen_int(r, (unsigned long)gen_ntrade2)];
        while (strcmp(e->trade1, e->trade2) == 0);
        cw = gen_chain_words_find(g->chains[e->chain]);
        e->word = cw ? cw->words[gen_int(r, 8)] : "科技";
        if (p->prov >= 0) {
            const struct gen_province *pv = &gen_provinces[p->prov];
            int municipality = pv->gb == 11 || pv->gb == 12 || pv->gb == 31 || pv->gb == 50;
            const char *place = municipality || gen_chance(r, 0.5) ? pv->short_zh
                                                                   : pv->cities[p->city].zh;
            name = pf_xasprintf("%s%s%s%s%s", place, e->trade1, e->trade2, e->word,
                                suffix[gen_chance(r, 0.65) ? 0 : gen_chance(r, 0.7) ? 1 : 2]);
            credit_code(r, pv, p->city, i, code);
            g->prov_start[p->prov + 1]++;
        } else {
            name = pf_xasprintf("%s%s%s（%s）有限公司", e->trade1, e->trade2, e->word,
                                gen_named_parks[p->named].place_zh);
        }
        if (p->overseas)
            cover++;
        else
            cdom++;
        if (p->prov < 0 && !p->overseas)
            cgba++;
        gen_row_begin(g);
        {
            char id[24];
            snprintf(id, sizeof id, "E%06zu", i + 1);
            gen_col(g, id);
        }
        gen_col(g, name);
        gen_col(g, p->id);
        gen_col(g, code);
        gen_col(g, g->chains[e->chain]);
        gen_col(g, g->segments[e->segment]);
        gen_row_end(g, GF_ENTERPRISES);
        free(name);
    }
    /* indexes: by mainland province, domestic, overseas, Hong Kong + Macao */
    for (i = 0; i < gen_nprovinces; i++)
        g->prov_start[i + 1] += g->prov_start[i];
    g->ents_by_prov = pf_xcalloc(g->prov_start[gen_nprovinces] + 1, sizeof *g->ents_by_prov);
    fill = pf_xcalloc(gen_nprovinces, sizeof *fill);
    g->ents_domestic = pf_xcalloc(cdom + 1, sizeof(int));
    g->ents_overseas = pf_xcalloc(cover + 1, sizeof(int));
    g->ents_gba = pf_xcalloc(cgba + 1, sizeof(int));
    for (i = 0; i < n; i++) {
        const struct gen_park *p = &g->parks[g->ents[i].park];
        if (p->prov >= 0)
            g->ents_by_prov[g->prov_start[p->prov] + fill[p->prov]++] = (int)i;
        if (p->overseas)
            g->ents_overseas[g->nents_overseas++] = (int)i;
        else
            g->ents_domestic[g->nents_domestic++] = (int)i;
        if (p->prov < 0 && !p->overseas)
            g->ents_gba[g->nents_gba++] = (int)i;
    }
    free(fill);
    free(cum);
    pf_rng_free(r);
}

int
gen_partner_add(struct gen *g, const char *kind, char *name, const char *region)
{
    struct gen_partner *p;

    PF_GROW(g->partners, g->npartners + 1, g->cpartners);
    p = &g->partners[g->npartners];
    snprintf(p->id, sizeof p->id, "LP%04zu", g->npartners + 1);
    p->kind = kind;
    p->name = name;
    p->region = region ? region : "";
    gen_row_begin(g);
    gen_col(g, p->id);
    gen_col(g, p->name);
    gen_col(g, p->kind);
    gen_col(g, p->region);
    gen_row_end(g, GF_PARTNERS);
    return (int)g->npartners++;
}
