/*
 * gen_int: internals shared by the src/gen files and tests/unit/test_gen.c only.
 * The run context, the name tables, the CSV row writer and the date helpers.
 * Money is pf_cents from the first rounding on; doubles only for the random
 * model (rates, multiples) before pf_cents_round.
 */
#ifndef PARKFUND_GEN_INT_H
#define PARKFUND_GEN_INT_H

#include <stdio.h>

#include "parkfund/calc.h"
#include "parkfund/gen.h"

/* ------------------------------------------------------------ file indexes */
enum gen_file {
    GF_PARKS, GF_ENTERPRISES, GF_FUNDS, GF_PARTNERS, GF_COMMITMENTS, GF_PARTNER_FLOWS,
    GF_PROJECTS, GF_PROJECT_FLOWS, GF_VALUATIONS, GF_FX, GF_BENCH, GF_FUND_TERMS
};

/* ------------------------------------------------------- name tables (names.c) */
struct gen_city {
    const char *zh, *en;
};
struct gen_province {
    const char *code;     /* CN-SC */
    const char *short_zh; /* 四川 */
    const char *full_zh;  /* 四川省 */
    int gb;               /* GB/T 2260 two-digit prefix, 51 */
    int weight;           /* relative number of parks; regional committees weigh more */
    const struct gen_city *cities;
    size_t ncities;
};
struct gen_park_type {
    const char *zh, *en;
    const char *chain; /* chain the park specialises in, or NULL for a general zone */
    int national;      /* 1: can be a national-level zone (高新区, 经开区) */
};
/* Parks outside the mainland: Hong Kong, Macao and the overseas centres' parks. */
struct gen_named_park {
    const char *region;   /* CN-HK, CN-MO or a country code */
    const char *zh, *en;
    const char *currency; /* the local currency projects there may use */
    const char *place_zh; /* 泰国, 香港: put in enterprise names */
};
struct gen_chain_words {
    const char *chain;
    const char *words[8];  /* industry words for enterprise names */
    const char *themes[4]; /* themes that suit the chain (NULL-padded) */
};

extern const struct gen_province gen_provinces[];
extern const size_t gen_nprovinces;
extern const struct gen_park_type gen_park_types[];
extern const size_t gen_npark_types;
extern const struct gen_named_park gen_named_parks[];
extern const size_t gen_nnamed_parks;
extern const struct gen_chain_words gen_chain_words[];
extern const size_t gen_nchain_words;
extern const char *const gen_trade1[];
extern const size_t gen_ntrade1;
extern const char *const gen_trade2[];
extern const size_t gen_ntrade2;
extern const char *const gen_surnames[];
extern const size_t gen_nsurnames;
extern const char *const gen_given[];
extern const size_t gen_ngiven;
extern const char *const gen_banks[];
extern const size_t gen_nbanks;
extern const char *const gen_insurers[];
extern const size_t gen_ninsurers;
extern const char *const gen_central_soes[];
extern const size_t gen_ncentral_soes;
extern const char *const gen_others[];
extern const size_t gen_nothers;

const struct gen_province *gen_province_find(const char *code);
const struct gen_chain_words *gen_chain_words_find(const char *chain);
/* Chinese numeral for 1..99 ("二", "十二"), Arabic digits beyond; buf >= 16. */
char *gen_cn_number(unsigned n, char *buf, size_t size);

/* ------------------------------------------------------------ run context */
struct gen_park {
    char id[16];
    int prov;       /* index into gen_provinces, -1 for HK/MO/overseas named parks */
    int named;      /* index into gen_named_parks, -1 for mainland parks */
    int city;       /* city index within the province */
    int chain;      /* specialisation (index into the chains), -1 for general */
    int weight;     /* relative number of enterprises */
    int overseas;   /* 1 for parks under an overseas centre */
    char *name;
};
struct gen_ent {
    int park;           /* index into parks */
    int chain, segment; /* indexes into the taxonomy's chains and segments */
    const char *trade1, *trade2, *word;
};
struct gen_fx {
    const char *code;
    int64_t *rate_e8; /* one per day from fx_day0 to as_of (weekends carry Friday's) */
};
struct gen_partner {
    char id[16];
    const char *kind;
    char *name;
    const char *region; /* "" or a province code */
};
struct gen_member {
    int partner;    /* index into partners */
    int weight;     /* relative commitment */
    int late;       /* 1: admitted at the second close */
    pf_cents commit;
};

struct gen {
    const struct pf_taxonomy *tax;
    unsigned scale;
    unsigned long seed;
    pf_date as_of, start; /* data window: (start, as_of] */
    pf_date last_me;      /* month end of as_of's month */
    int nmonths;          /* months from start's month to as_of's month, inclusive */
    int ym0;              /* year * 12 + month - 1 of month 0 */

    FILE *f[PF_GEN_NFILES];
    size_t rows[PF_GEN_NFILES];
    struct pf_buf line;
    int ncols;

    const char **chains; size_t nchains;
    const char **segments; size_t nsegments;

    struct gen_park *parks; size_t nparks;
    struct gen_ent *ents; size_t nents;
    int *ents_by_prov;     /* enterprise indexes grouped by province (mainland) */
    size_t *prov_start;    /* [gen_nprovinces + 1] offsets into ents_by_prov */
    int *ents_domestic; size_t nents_domestic;   /* mainland + HK + MO */
    int *ents_overseas; size_t nents_overseas;
    int *ents_gba; size_t nents_gba;             /* HK + MO (Greater Bay Area partners) */

    pf_date fx_day0;
    struct gen_fx *fx; size_t nfx;

    struct gen_partner *partners; size_t npartners, cpartners;

    struct gen_pscratch *ps; /* project.c's per-project scratch */

    size_t next_project, next_pflow, next_jflow, next_fund;
    size_t projects_planned, projects_done;
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

/* --------------------------------------------------------- gen.c helpers */
/* splitmix64 of (seed, stream): independent, deterministic sub-seeds. */
unsigned long gen_subseed(unsigned long seed, unsigned long stream);
double gen_u(struct pf_rng *r);                                    /* [0,1) */
double gen_range(struct pf_rng *r, double lo, double hi);          /* [lo,hi) */
unsigned long gen_int(struct pf_rng *r, unsigned long n);          /* [0,n) */
int gen_chance(struct pf_rng *r, double p);

/* CSV rows: begin, add columns, end (appends LF and writes to file f). */
void gen_row_begin(struct gen *g);
void gen_col(struct gen *g, const char *s);  /* NULL or "" writes an empty field */
void gen_col_money(struct gen *g, pf_cents v);
void gen_col_date(struct gen *g, pf_date d); /* PF_DATE_NONE writes an empty field */
void gen_col_e8(struct gen *g, int64_t v);
void gen_col_size(struct gen *g, size_t v);
void gen_row_end(struct gen *g, enum gen_file f);

/* Dates. Weekday 0 = Monday. */
int gen_weekday(pf_date d);
pf_date gen_bizday_before(pf_date d); /* d, or the Friday before a weekend day */
pf_date gen_bizday_after(pf_date d);  /* d, or the Monday after a weekend day */
int gen_month_of(const struct gen *g, pf_date d);   /* month index, may be < 0 */
pf_date gen_month_end(const struct gen *g, int m);
pf_date gen_month_first(const struct gen *g, int m);
/* A business day of month m between day lo and hi (clamped to the month), or
 * PF_DATE_NONE when it would fall after as_of. */
pf_date gen_day_in_month(const struct gen *g, struct pf_rng *r, int m, int lo, int hi);
/* Move d into days 11..28 of its month on a business day (flow dates, so that a
 * month's calls on days 1..5 and distributions on days 6..10 come first). */
pf_date gen_flow_day(pf_date d);
pf_date gen_add_years(pf_date d, double years);

/* CNY per unit of currency on or before day d (1 for CNY). */
double gen_fx_rate(const struct gen *g, const char *currency, pf_date d);
/* amount in currency `from` on day d expressed in `to`, rounded to the cent. */
pf_cents gen_convert(const struct gen *g, pf_cents v, const char *from, const char *to, pf_date d);
/* Round v up (away from zero for v > 0) to a multiple of unit. */
pf_cents gen_round_up(pf_cents v, pf_cents unit);
pf_cents gen_round_to(pf_cents v, pf_cents unit);

void gen_progress_step(struct gen *g);

/* ------------------------------------------------------ module entry points */
/* refdata.c: parks, enterprises (and their indexes). */
void gen_parks(struct gen *g);
void gen_enterprises(struct gen *g);
/* Add a partner and write its row; returns its index. */
int gen_partner_add(struct gen *g, const char *kind, char *name /* owned */, const char *region);
/* market.c: FX series and the benchmark index; written and kept (FX) for conversion. */
void gen_fx_series(struct gen *g);
int gen_fx_has(const struct gen *g, const char *code); /* CNY or a generated series */
void gen_benchmark(struct gen *g);
/* fund.c: all funds with their partners, projects and flows. */
void gen_funds(struct gen *g);

/* project.c: one project's life, written to projects/project_flows/valuations.
 * Monthly fund-currency totals are added to *acc (arrays of g->nmonths). */
struct gen_fund_acc {
    pf_cents *inv;    /* project investments */
    pf_cents *roc;    /* proceeds up to cost */
    pf_cents *gain;   /* proceeds above cost */
    pf_cents *income; /* dividends, interest, fee income */
    pf_cents committed; /* project commitments, fund currency at commitment dates */
};
enum gen_fund_type { GEN_FUND_MAIN, GEN_FUND_REGIONAL, GEN_FUND_OVERSEAS };
struct gen_fund {
    char id[16];
    enum gen_fund_type type;
    int prov;            /* regional: index into gen_provinces */
    unsigned phase;      /* 1, 2, ... */
    const char *currency;
    pf_date inception, invest_end, second_close; /* second_close PF_DATE_NONE if none */
    size_t nprojects;
    int corrections;     /* 1: this fund's data carries the correction examples */
    int terms_variant;   /* 0 default; 1 simple hurdle; 2 partial catch-up; 3 concession */
    int overpays_carry;  /* 1: pays carry at 40 % of profit (a clawback exposure at D) */
};
void gen_project(struct gen *g, struct pf_rng *r, const struct gen_fund *f, pf_date commit_date,
                 size_t ordinal, struct gen_fund_acc *acc);
void gen_project_scratch_free(struct gen *g);

/* The largest-remainder split used for partners' shares (exposed for tests). */
void gen_split(pf_cents total, const struct gen_member *m, size_t n, int include_late,
               int include_early, pf_cents *out);

#endif
