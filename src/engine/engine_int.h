/* engine internals: the indexed book a close computes from (engine folder only). */
#ifndef PARKFUND_ENGINE_INT_H
#define PARKFUND_ENGINE_INT_H

#include "parkfund/calc.h"
#include "parkfund/engine.h"

/* One range [lo, hi) into a sorted dataset array. */
struct span {
    size_t lo, hi;
};

/* A cash-flow block being built: (date, cents) pairs, netted by date on finish. */
struct block {
    pf_date *d;
    pf_cents *a;
    size_t n, cap;
};

struct eng {
    const struct pf_dataset *ds;
    struct pf_taxonomy *tax;
    const struct pf_close_opts *o;
    pf_date D;
    struct pf_run *run;
    struct pf_err *err;

    struct span *proj_jf;    /* per project: its flows in ds->jflows */
    struct span *proj_val;   /* per project: its valuations in ds->valuations */
    struct span *fund_pf;    /* per fund: its partner flows in ds->pflows */
    struct span *fund_cm;    /* per fund: its commitments in ds->commitments */
    pf_cents *jf_fund;       /* per project flow: amount in the fund's currency (0 after D) */
    pf_cents *jf_cny;        /* per project flow: amount in CNY (0 after D) */
    pf_cents *jf_own;        /* per project flow: amount in its project's currency */
    pf_cents *val_own;       /* per valuation: value in its project's currency */
    /* prefix sums over ds->jflows (entry i = sum of flows before i), so any date range
     * of one project's flows sums in O(log n): */
    pf_cents *pre_net;       /* investments - proceeds, project currency (NAV roll-forward) */
    pf_cents *pre_inv, *pre_proc, *pre_inc; /* in the fund's currency */
    /* the fund's NAV on dates already asked for (mPME weights), per fund being closed */
    pf_date *navc_d;
    pf_cents *navc_v;
    size_t navc_n, navc_cap;
    int navc_fund;
    int **fund_proj;         /* per fund: its projects (indices, by id) */
    size_t *fund_nproj;
    const char **proj_park;  /* per project: park id ("" unknown) */
    const char **proj_region, **proj_centre;
    struct span bench;       /* the benchmark's levels in ds->bench */
    bool have_bench;
};

/* fx: CNY per unit of cur at the latest rate on or before d (1 for CNY). */
pf_status eng_rate(struct eng *e, const char *cur, pf_date d, double *rate);
/* Convert cents from one currency to another at date d, rounded to the cent. */
pf_status eng_conv(struct eng *e, pf_cents v, const char *from, const char *to, pf_date d,
                   pf_cents *out);
/* Project NAV at t in the project's currency (SPEC §5 roll-forward, floored at 0). */
pf_cents eng_project_nav(const struct eng *e, int p, pf_date t, bool *valued);
/* First index of project p's flows dated after t (its range's end if none). */
size_t eng_flows_upto(const struct eng *e, int p, pf_date t);
/* Benchmark level on or before d. */
pf_status eng_bench_level(struct eng *e, pf_date d, double *level);

void block_add(struct block *b, pf_date d, pf_cents a);
void block_finish(struct block *b); /* sort by date and net */
void block_release(struct block *b);

pf_status eng_prepare(struct eng *e);
void eng_release(struct eng *e);

#endif
