/* dataset: ownership and id lookup for the data set a close works on. */
#include <stdlib.h>
#include <string.h>

#include "parkfund/model.h"
#include "parkfund/banned.h"

void
pf_dataset_free(struct pf_dataset *ds)
{
    size_t i;

    if (!ds)
        return;
    for (i = 0; i < ds->nparks; i++) {
        struct pf_park *p = &ds->parks[i];
        free(p->park_id); free(p->name); free(p->name_en); free(p->region);
        free(p->overseas_centre); free(p->level);
    }
    for (i = 0; i < ds->nenterprises; i++) {
        struct pf_enterprise *e = &ds->enterprises[i];
        free(e->enterprise_id); free(e->name); free(e->credit_code);
        if (!ds->strings) {
            free(e->park_id); free(e->chain); free(e->segment);
        }
    }
    for (i = 0; i < ds->nfunds; i++) {
        struct pf_fund *f = &ds->funds[i];
        free(f->fund_id); free(f->name); free(f->currency); free(f->manager);
    }
    for (i = 0; i < ds->npartners; i++) {
        struct pf_partner *p = &ds->partners[i];
        free(p->partner_id); free(p->name); free(p->kind); free(p->region);
    }
    for (i = 0; i < ds->nprojects; i++) {
        struct pf_project *p = &ds->projects[i];
        free(p->project_id); free(p->enterprise_id); free(p->name);
        if (!ds->strings) {
            free(p->fund_id); free(p->chain); free(p->segment); free(p->theme);
            free(p->instrument); free(p->currency);
        }
    }
    for (i = 0; i < ds->npflows; i++)
        free(ds->pflows[i].flow_id);
    for (i = 0; i < ds->njflows; i++) {
        free(ds->jflows[i].flow_id);
        if (!ds->strings)
            free(ds->jflows[i].currency);
    }
    if (ds->strings) {
        pf_map_release(ds->strings, NULL);
        free(ds->strings);
    } else {
        for (i = 0; i < ds->nvaluations; i++) {
            free(ds->valuations[i].currency);
            free(ds->valuations[i].method);
        }
        for (i = 0; i < ds->nfx; i++)
            free(ds->fx[i].currency);
        for (i = 0; i < ds->nbench; i++)
            free(ds->bench[i].index_id);
    }
    for (i = 0; i < ds->npflows_rev; i++)
        free(ds->pflows_rev[i].flow_id);
    for (i = 0; i < ds->njflows_rev; i++) {
        free(ds->jflows_rev[i].flow_id);
        if (!ds->strings)
            free(ds->jflows_rev[i].currency);
    }
    free(ds->pflows_rev);
    free(ds->jflows_rev);
    for (i = 0; i < ds->nterms; i++) {
        struct pf_fund_terms *t = &ds->terms[i];
        free(t->fund_id);
        free(t->gp_partner_id);
        free(t->fee_basis);
        free(t->fee_basis_after);
        free(t->carry_exempt);
        free(t->concession_to);
    }
    free(ds->terms);
    free(ds->parks); free(ds->enterprises); free(ds->funds); free(ds->partners);
    free(ds->projects); free(ds->commitments); free(ds->pflows); free(ds->jflows);
    free(ds->valuations); free(ds->fx); free(ds->bench); free(ds->taxonomy_json);
    free(ds);
}

/* Records are sorted by id (strcmp), so lookups are binary searches. */
#define FIND(fn, type, arr, n, field)                                                   \
    int fn(const struct pf_dataset *ds, const char *id)                                  \
    {                                                                                    \
        size_t lo = 0, hi = ds->n;                                                       \
        while (lo < hi) {                                                                \
            size_t mid = (lo + hi) / 2;                                                  \
            int c = strcmp(ds->arr[mid].field, id);                                      \
            if (c == 0)                                                                  \
                return (int)mid;                                                         \
            if (c < 0)                                                                   \
                lo = mid + 1;                                                            \
            else                                                                         \
                hi = mid;                                                                \
        }                                                                                \
        return -1;                                                                       \
    }

FIND(pf_dataset_find_fund, struct pf_fund, funds, nfunds, fund_id)
FIND(pf_dataset_find_partner, struct pf_partner, partners, npartners, partner_id)
FIND(pf_dataset_find_project, struct pf_project, projects, nprojects, project_id)
FIND(pf_dataset_find_park, struct pf_park, parks, nparks, park_id)

const struct pf_fund_terms *
pf_dataset_terms_of(const struct pf_dataset *ds, int f)
{
    size_t lo = 0, hi = ds->nterms;
    if (f < 0 || (size_t)f >= ds->nfunds)
        return NULL;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ds->terms[mid].fund_id, ds->funds[f].fund_id);
        if (c == 0)
            return &ds->terms[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
