/*
 * rng: a seeded Mersenne Twister for the data generator, so `gen --seed N`
 * writes the same files everywhere. GSL stays inside calc (STYLE (c)).
 */
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "parkfund/calc.h"
#include "parkfund/banned.h"

struct pf_rng {
    gsl_rng *g;
};

struct pf_rng *
pf_rng_new(unsigned long seed)
{
    struct pf_rng *r = pf_xmalloc(sizeof *r);
    r->g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r->g)
        /* GSL's only failure is out of memory: take pf_xmalloc's exit path with
         * a request no allocator can meet, so the message and status match */
        r->g = pf_xmalloc(SIZE_MAX);
    gsl_rng_set(r->g, seed);
    return r;
}

void
pf_rng_free(struct pf_rng *r)
{
    if (!r)
        return;
    gsl_rng_free(r->g);
    free(r);
}

double
pf_rng_uniform(struct pf_rng *r)
{
    return gsl_rng_uniform(r->g);
}

unsigned long
pf_rng_uniform_int(struct pf_rng *r, unsigned long n)
{
    uint64_t x, limit;

    if (n == 0)
        return 0;
    if (n <= 0xffffffffUL) /* mt19937 gives 32 bits; GSL handles this range */
        return gsl_rng_uniform_int(r->g, n);
    /* wider: two draws, rejecting the top partial block to stay uniform */
    limit = UINT64_MAX - UINT64_MAX % n;
    do
        x = ((uint64_t)gsl_rng_get(r->g) << 32) | (uint64_t)gsl_rng_get(r->g);
    while (x >= limit);
    return (unsigned long)(x % n);
}

double
pf_rng_gaussian(struct pf_rng *r, double sigma)
{
    return gsl_ran_gaussian(r->g, sigma);
}

double
pf_rng_lognormal(struct pf_rng *r, double zeta, double sigma)
{
    return gsl_ran_lognormal(r->g, zeta, sigma);
}
