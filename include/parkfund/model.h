/*
 * model: the domain vocabulary. The taxonomy (chains, segments, themes, regions,
 * overseas centres, currencies, with Chinese and English names) read from
 * models/taxonomy/<name>.json with cJSON; the GB 32100-2015 credit-code check; the
 * fixed enumerations of SPEC §4; and the in-memory data set an engine works on.
 * No SQLite, no GSL.
 *
 * Memory rule: pf_taxonomy_* and pf_dataset_* objects are freed with their
 * *_free function (NULL accepted). Strings returned by lookups are borrowed from
 * the taxonomy and live as long as it does.
 */
#ifndef PARKFUND_MODEL_H
#define PARKFUND_MODEL_H

#include "parkfund/util.h"

/* ------------------------------------------------------------------ taxonomy */

enum pf_tax_kind {
    PF_TAX_CHAIN,    /* energy, materials, ... (8, SPEC §3) */
    PF_TAX_SEGMENT,  /* upstream, midstream, downstream */
    PF_TAX_THEME,    /* professional committees' themes */
    PF_TAX_PROVINCE, /* ISO 3166-2:CN, incl. CN-HK, CN-MO, CN-TW */
    PF_TAX_COUNTRY,  /* ISO 3166-1 alpha-2, every country */
    PF_TAX_CENTRE,   /* overseas centres: north_america, europe, africa, arab, southeast_asia */
    PF_TAX_CURRENCY, /* ISO 4217 codes allowed in input */
    PF_TAX_KIND_COUNT
};

struct pf_taxonomy;

/*
 * Load every models/taxonomy/<name>.json under dir (chains.json, segments.json,
 * themes.json, regions.json, currencies.json). Rejects duplicate codes, missing
 * names, and unknown centres referenced by countries. On error *out is NULL and
 * err names the file and the problem (PF_EDATA, or PF_ENOINPUT if missing).
 */
pf_status pf_taxonomy_load_dir(const char *dir, struct pf_taxonomy **out, struct pf_err *err);
/*
 * Load from the canonical JSON text produced by pf_taxonomy_json() (that is how
 * a batch's stored taxonomy is read back, so later edits to the files never
 * change how history is read).
 */
pf_status pf_taxonomy_load_json(const char *json, struct pf_taxonomy **out, struct pf_err *err);
/* Canonical JSON of the whole taxonomy (stable key order); caller frees. */
char *pf_taxonomy_json(const struct pf_taxonomy *t);
/* SHA-256 hex of pf_taxonomy_json(): the taxonomy version. Borrowed. */
const char *pf_taxonomy_version(const struct pf_taxonomy *t);
void pf_taxonomy_free(struct pf_taxonomy *t);

bool pf_taxonomy_has(const struct pf_taxonomy *t, enum pf_tax_kind k, const char *code);
/* Name in "zh" or "en"; NULL for an unknown code. */
const char *pf_taxonomy_name(const struct pf_taxonomy *t, enum pf_tax_kind k, const char *code,
                             const char *lang);
/* Codes in file order (the order reports list them in). */
size_t pf_taxonomy_count(const struct pf_taxonomy *t, enum pf_tax_kind k);
const char *pf_taxonomy_code(const struct pf_taxonomy *t, enum pf_tax_kind k, size_t i);
/* A region code is a province code (CN-xx) or a country code. */
bool pf_taxonomy_region_known(const struct pf_taxonomy *t, const char *code);
bool pf_taxonomy_region_domestic(const struct pf_taxonomy *t, const char *code);
/* The overseas centre a country belongs to by default ("china" for provinces and CN). */
const char *pf_taxonomy_region_centre(const struct pf_taxonomy *t, const char *code);
/* ISO 4217 exponent of a taxonomy currency (JPY 0, KWD 3), for display only:
 * amounts are always stored in hundredths. -1 for an unknown code. */
int pf_taxonomy_currency_minor_units(const struct pf_taxonomy *t, const char *code);

/* -------------------------------------------------------------- credit code */

/*
 * 统一社会信用代码 (GB 32100-2015): 18 characters from "0-9A-HJ-NPQRTUWXY"; the
 * last is the check character over the first 17 (weights 3^i mod 31).
 * Returns false with a static reason ("must be 18 characters", "check digit is
 * wrong", ...).
 */
bool pf_credit_code_valid(const char *code, const char **why);
/* The check character for 17 valid leading characters, or 0 if one is invalid. */
char pf_credit_code_check_char(const char *first17);

/* -------------------------------------------------------- fixed enumerations */

extern const char *const pf_park_levels[];        /* national, provincial, other; NULL-ended */
extern const char *const pf_partner_kinds[];      /* bank, insurer, guidance_fund, ... */
extern const char *const pf_instruments[];        /* equity, debt, convertible, ppp, fund */
extern const char *const pf_valuation_methods[];  /* cost, market, dcf, transaction, other */
extern const char *const pf_contribution_purposes[]; /* investment, management_fee, ... */
extern const char *const pf_distribution_purposes[]; /* return_of_capital, gain, income, other */
extern const char *const pf_project_flow_kinds[]; /* investment, proceeds, dividend, ... */
bool pf_in_list(const char *const *list, const char *s);

/* -------------------------------------------------------------- input kinds */

/*
 * The eleven input kinds of SPEC §4 and their fields, in one table that import
 * (validation), store (columns) and gen (headers) share. A row travels as an
 * array of canonical strings indexed like `fields`: text as given, dates
 * "YYYY-MM-DD", money as integer minor units ("123456"), rates and levels as
 * integers scaled by 1e8, and NULL for an absent optional field.
 */
enum pf_kind {
    PF_K_PARKS, PF_K_ENTERPRISES, PF_K_FUNDS, PF_K_PARTNERS, PF_K_PROJECTS,
    PF_K_COMMITMENTS, PF_K_PARTNER_FLOWS, PF_K_PROJECT_FLOWS, PF_K_VALUATIONS,
    PF_K_FX_RATES, PF_K_BENCHMARKS, PF_K_FUND_TERMS, PF_K_COUNT
};
enum pf_ftype {
    PF_F_TEXT, PF_F_DATE, PF_F_MONEY,
    PF_F_RATE,     /* > 0, up to 8 decimals, stored x 1e8 */
    PF_F_INT,      /* a year */
    PF_F_FRACTION, /* 0 <= x <= 1, up to 8 decimals, stored x 1e8 (fund terms' rates) */
    PF_F_COUNT     /* a whole number 1..999 (term_years) */
};
struct pf_field {
    const char *name;
    bool required;
    enum pf_ftype type;
};
#define PF_MAX_FIELDS 16
struct pf_kind_def {
    const char *name;          /* "partner_flows": also the CSV file stem and JSON key */
    const char *table;         /* SQL table */
    bool reference;            /* versioned reference record (else an append-only fact) */
    int nkey;                  /* the first nkey fields form the record's identity */
    const struct pf_field *fields;
    int nfields;
};
extern const struct pf_kind_def pf_kinds[PF_K_COUNT]; /* in dependency order */
/* Kind by name ("parks") or -1. */
int pf_kind_by_name(const char *name);
int pf_kind_field(enum pf_kind k, const char *field); /* index or -1 */

/* ------------------------------------------------------------------ dataset */

/*
 * The data as known at one batch: reference records at their latest version at
 * or before that batch, facts imported at or before it, reversed flows (and the
 * flows reversing them) already removed, restated valuations resolved. Arrays
 * are sorted by id (records) or by (owner, date, id) (facts) so that every
 * computation over them is deterministic. Indices link facts to records.
 */
enum pf_pflow_kind { PF_CONTRIBUTION, PF_DISTRIBUTION };
enum pf_purpose {
    PF_P_INVESTMENT, PF_P_MANAGEMENT_FEE, PF_P_EXPENSES, PF_P_OTHER_IN,
    PF_P_RETURN_OF_CAPITAL, PF_P_GAIN, PF_P_INCOME, PF_P_OTHER_OUT,
    PF_P_CARRIED_INTEREST /* to a gp partner only (SPEC §10): not an LP distribution */
};
enum pf_jflow_kind { PF_J_INVESTMENT, PF_J_PROCEEDS, PF_J_DIVIDEND, PF_J_INTEREST, PF_J_FEE_INCOME };

struct pf_park {
    char *park_id, *name, *name_en, *region, *overseas_centre, *level; /* empty "" if absent */
};
struct pf_enterprise {
    char *enterprise_id, *name, *park_id, *credit_code, *chain, *segment;
    int park; /* index into parks, -1 if unknown */
};
struct pf_fund {
    char *fund_id, *name, *currency, *manager;
    pf_date inception;
    int vintage; /* 0 if absent: then the inception year */
};
struct pf_partner {
    char *partner_id, *name, *kind, *region;
};
struct pf_project {
    char *project_id, *fund_id, *enterprise_id, *name, *chain, *segment, *theme, *instrument,
        *currency;
    int fund, enterprise;           /* indices */
    pf_cents commitment_amount;     /* project currency */
    pf_cents co_investment;         /* project currency, 0 if absent */
    pf_date commitment_date, exit_date, listed_date; /* PF_DATE_NONE if absent */
};
struct pf_commitment {
    int partner, fund;
    pf_date date;
    pf_cents amount; /* fund currency */
};
struct pf_partner_flow {
    char *flow_id;
    int fund, partner;
    pf_date date;
    enum pf_pflow_kind kind;
    enum pf_purpose purpose;
    pf_cents amount; /* fund currency, positive */
    bool recallable;
    pf_date reversed_on; /* in pflows_rev: the date of the flow reversing it; else NONE */
};
struct pf_project_flow {
    char *flow_id;
    int project;
    pf_date date;
    enum pf_jflow_kind kind;
    pf_cents amount;  /* positive */
    char *currency;
    pf_date reversed_on; /* in jflows_rev: the date of the flow reversing it; else NONE */
};
struct pf_valuation {
    int project;
    pf_date date;
    pf_cents value;
    char *currency;
    char *method;
};
struct pf_fx_rate {
    pf_date date;
    char *currency;
    int64_t rate_e8; /* CNY per unit, scaled by 1e8 */
};
struct pf_bench_level {
    char *index_id;
    pf_date date;
    int64_t level_e8; /* scaled by 1e8 */
};

/*
 * A fund's economics (SPEC §4 fund_terms, §10): one version per fund as known at
 * the batch. Rates are fractions scaled by 1e8, exactly as imported.
 */
struct pf_fund_terms {
    char *fund_id, *gp_partner_id;
    int fund, gp;                 /* indices, -1 if unknown */
    int64_t carry_e8, hurdle_e8, catch_up_e8, fee_rate_e8, fee_rate_after_e8, concession_e8;
    bool hurdle_simple;           /* hurdle_basis "simple" (default compound) */
    char *fee_basis;              /* "commitment" | "invested" | "nav" */
    char *fee_basis_after;        /* default "invested" */
    pf_date investment_period_end; /* PF_DATE_NONE if absent */
    int term_years;               /* 0 if absent */
    char *carry_exempt;           /* partner ids separated by ';', "" if none */
    char *concession_to;          /* "lps" | "gp" | "" */
};

struct pf_dataset {
    int64_t batch;        /* the cut-off batch */
    char *taxonomy_json;  /* the taxonomy in force at that batch */
    struct pf_park *parks; size_t nparks;
    struct pf_enterprise *enterprises; size_t nenterprises;
    struct pf_fund *funds; size_t nfunds;
    struct pf_partner *partners; size_t npartners;
    struct pf_project *projects; size_t nprojects;
    struct pf_commitment *commitments; size_t ncommitments;
    struct pf_partner_flow *pflows; size_t npflows;
    struct pf_project_flow *jflows; size_t njflows;
    struct pf_valuation *valuations; size_t nvaluations;
    struct pf_fx_rate *fx; size_t nfx;           /* sorted by (currency, date) */
    struct pf_bench_level *bench; size_t nbench; /* sorted by (index_id, date) */
    struct pf_fund_terms *terms; size_t nterms;  /* sorted by fund_id */
    /* flows reversed by a later flow, with the reversal's date: out of pflows/jflows,
     * which hold only flows never reversed; a close as of a date before the reversal
     * counts them (the reversal is not known then). Same order as pflows/jflows. */
    struct pf_partner_flow *pflows_rev; size_t npflows_rev;
    struct pf_project_flow *jflows_rev; size_t njflows_rev;
    size_t nreversed;     /* flows dropped because reversed (for the audit block) */
    /* When set, the currency of flows, valuations and rates, the valuation method, the
     * index id, and a project's fund, chain, segment, theme, instrument and currency and
     * an enterprise's park, chain and segment point into this pool of shared strings (the
     * store's loader repeats a few codes over millions of rows); otherwise each is its
     * own heap string. */
    struct pf_map *strings;
};

void pf_dataset_free(struct pf_dataset *ds);
/* Binary search helpers over sorted id arrays; -1 if absent. */
int pf_dataset_find_fund(const struct pf_dataset *ds, const char *id);
int pf_dataset_find_partner(const struct pf_dataset *ds, const char *id);
int pf_dataset_find_project(const struct pf_dataset *ds, const char *id);
int pf_dataset_find_park(const struct pf_dataset *ds, const char *id);
/* The terms of fund index f, or NULL (a fund without terms: SPEC §5 figures only). */
const struct pf_fund_terms *pf_dataset_terms_of(const struct pf_dataset *ds, int f);

#endif
