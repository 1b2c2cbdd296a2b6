/*
 * gen: pf_gen_write and the helpers every generator file shares: sub-seeds,
 * the RFC 4180 row writer, calendar helpers and FX conversion. The order of
 * work is fixed (FX, benchmark, parks, enterprises, then fund by fund), and
 * each part draws from its own seeded stream, so output is a pure function of
 * (scale, seed, as_of, taxonomy).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "gen_int.h"
#include "parkfund/banned.h"

const char *const pf_gen_files[] = {
    "parks.csv", "enterprises.csv", "funds.csv", "partners.csv", "commitments.csv",
    "partner_flows.csv", "projects.csv", "project_flows.csv", "valuations.csv", "fx_rates.csv",
    "benchmarks.csv", "fund_terms.csv", NULL,
};

static const char *const headers[PF_GEN_NFILES] = {
    "park_id,name,name_en,region,overseas_centre,level",
    "enterprise_id,name,park_id,credit_code,chain,segment",
    "fund_id,name,currency,inception_date,vintage,manager",
    "partner_id,name,kind,region",
    "partner_id,fund_id,date,amount",
    "flow_id,fund_id,partner_id,date,kind,purpose,amount,recallable,reverses,note",
    ("project_id,fund_id,enterprise_id,name,chain,segment,theme,instrument,commitment_amount,"
     "currency,commitment_date,co_investment,exit_date,listed_date"),
    "flow_id,project_id,date,kind,amount,currency,reverses,note",
    "project_id,date,value,currency,method",
    "date,currency,rate",
    "index_id,date,level",
    ("fund_id,gp_partner_id,carry,hurdle,hurdle_basis,catch_up,fee_rate,fee_basis,"
     "investment_period_end,fee_rate_after,fee_basis_after,term_years,carry_exempt,"
     "concession,concession_to"),
};

/* --- random helpers --- */

unsigned long
gen_subseed(unsigned long seed, unsigned long stream)
{
    uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + (uint64_t)stream * 0xD1B54A32D192ED03ULL
                 + 0x2545F4914F6CDD1DULL;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    /* GSL's mt19937 takes the low 32 bits of the seed; 0 means its default */
    z &= 0xFFFFFFFFULL;
    return (unsigned long)(z ? z : 1);
}

double
gen_u(struct pf_rng *r)
{
    return pf_rng_uniform(r);
}

double
gen_range(struct pf_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * pf_rng_uniform(r);
}

unsigned long
gen_int(struct pf_rng *r, unsigned long n)
{
    return n ? pf_rng_uniform_int(r, n) : 0;
}

int
gen_chance(struct pf_rng *r, double p)
{
    return pf_rng_uniform(r) < p;
}

/* --- CSV rows (RFC 4180: quote fields holding a comma, a quote, CR or LF) --- */

void
gen_row_begin(struct gen *g)
{
    pf_buf_reset(&g->line);
    g->ncols = 0;
}

void
gen_col(struct gen *g, const char *s)
{
    size_t n;

    if (g->ncols++)
        pf_buf_addc(&g->line, ',');
    if (!s || !*s)
        return;
    n = strcspn(s, ",\"\r\n");
    if (s[n] == '\0') {
        pf_buf_add(&g->line, s, n);
        return;
    }
    pf_buf_addc(&g->line, '"');
    for (; *s; s++) {
        if (*s == '"')
            pf_buf_addc(&g->line, '"');
        pf_buf_addc(&g->line, *s);
    }
    pf_buf_addc(&g->line, '"');
}

void
gen_col_money(struct gen *g, pf_cents v)
{
    char buf[40];

    gen_col(g, pf_money_format(v, buf, sizeof buf));
}

void
gen_col_e8(struct gen *g, int64_t v)
{
    char buf[40];

    gen_col(g, pf_decimal_format(v, 8, buf, sizeof buf));
}

void
gen_col_date(struct gen *g, pf_date d)
{
    char buf[16];

    gen_col(g, d == PF_DATE_NONE ? NULL : pf_date_format(d, buf, sizeof buf));
}

void
gen_col_size(struct gen *g, size_t v)
{
    char buf[32];

    snprintf(buf, sizeof buf, "%zu", v);
    gen_col(g, buf);
}

void
gen_row_end(struct gen *g, enum gen_file f)
{
    pf_buf_addc(&g->line, '\n');
    fwrite(g->line.s, 1, g->line.len, g->f[f]);
    g->rows[f]++;
}

/* --- dates --- */

int
gen_weekday(pf_date d)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0) */
    return (int)((((int64_t)d % 7) + 7 + 3) % 7);
}

pf_date
gen_bizday_before(pf_date d)
{
    int w = gen_weekday(d);

    return w == 5 ? d - 1 : w == 6 ? d - 2 : d;
}

pf_date
gen_bizday_after(pf_date d)
{
    int w = gen_weekday(d);

    return w == 5 ? d + 2 : w == 6 ? d + 1 : d;
}

int
gen_month_of(const struct gen *g, pf_date d)
{
    int y, m, day;

    pf_date_to_ymd(d, &y, &m, &day);
    return y * 12 + m - 1 - g->ym0;
}

pf_date
gen_month_end(const struct gen *g, int m)
{
    int ym = g->ym0 + m, y = ym / 12, mo = ym % 12 + 1;

    return pf_date_from_ymd(y, mo, pf_days_in_month(y, mo));
}

pf_date
gen_month_first(const struct gen *g, int m)
{
    int ym = g->ym0 + m;

    return pf_date_from_ymd(ym / 12, ym % 12 + 1, 1);
}

pf_date
gen_day_in_month(const struct gen *g, struct pf_rng *r, int m, int lo, int hi)
{
    pf_date first = gen_month_first(g, m), last = gen_month_end(g, m), d;
    int dim = (int)(last - first) + 1;

    if (hi > dim)
        hi = dim;
    if (lo < 1)
        lo = 1;
    if (lo > hi)
        lo = hi;
    d = first + (lo - 1) + (pf_date)gen_int(r, (unsigned long)(hi - lo + 1));
    /* to a business day inside the month */
    if (gen_weekday(d) >= 5) {
        pf_date b = gen_bizday_before(d), a = gen_bizday_after(d);
        d = (b >= first + lo - 1 || a > last) ? b : a;
        if (d < first)
            d = a;
    }
    if (d > g->as_of || d <= g->start)
        return PF_DATE_NONE;
    return d;
}

pf_date
gen_flow_day(pf_date d)
{
    int y, m, day, w;

    pf_date_to_ymd(d, &y, &m, &day);
    if (day < 11)
        day = 11;
    if (day > 28)
        day = 28;
    d = pf_date_from_ymd(y, m, day);
    w = gen_weekday(d);
    if (w == 5)
        d += day <= 20 ? 2 : -1;
    else if (w == 6)
        d += day <= 20 ? 1 : -2;
    return d;
}

pf_date
gen_add_years(pf_date d, double years)
{
    return d + (pf_date)pf_cents_round(years * 365.25);
}

/* --- money and FX --- */

double
gen_fx_rate(const struct gen *g, const char *currency, pf_date d)
{
    size_t i;
    int64_t k;

    if (strcmp(currency, "CNY") == 0)
        return 1.0;
    for (i = 0; i < g->nfx; i++) {
        if (strcmp(g->fx[i].code, currency) != 0)
            continue;
        k = (int64_t)d - g->fx_day0;
        if (k < 0)
            k = 0;
        if (k > (int64_t)g->as_of - g->fx_day0)
            k = (int64_t)g->as_of - g->fx_day0;
        return (double)g->fx[i].rate_e8[k] / 1e8;
    }
    return 1.0; /* not reached: projects only use currencies with a series */
}

pf_cents
gen_convert(const struct gen *g, pf_cents v, const char *from, const char *to, pf_date d)
{
    if (strcmp(from, to) == 0)
        return v;
    return pf_cents_round((double)v * gen_fx_rate(g, from, d) / gen_fx_rate(g, to, d));
}

pf_cents
gen_round_up(pf_cents v, pf_cents unit)
{
    if (v <= 0)
        return 0;
    return (v + unit - 1) / unit * unit;
}

pf_cents
gen_round_to(pf_cents v, pf_cents unit)
{
    if (v <= 0)
        return 0;
    v = (v + unit / 2) / unit * unit;
    return v ? v : unit;
}

void
gen_progress_step(struct gen *g)
{
    g->projects_done++;
    if (g->progress && g->projects_done % 64 == 0 && g->projects_done < g->projects_planned)
        g->progress(g->progress_arg, g->projects_done, g->projects_planned);
}

/* --- files --- */

/* mkdir -p: create dir and its missing parents. */
static pf_status
make_dirs(const char *dir, struct pf_err *err)
{
    char *p = pf_xstrdup(dir), *s;
    struct stat st;
    pf_status rc = PF_OK;

    for (s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rc = pf_err_set(err, PF_EIO, "", "cannot create directory '%s': %s", p,
                                strerror(errno));
                goto cleanup;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = pf_err_set(err, PF_EIO, "", "'%s' is not a directory", dir);
cleanup:
    free(p);
    return rc;
}

static void
gen_release(struct gen *g)
{
    size_t i;

    for (i = 0; i < g->nparks; i++)
        free(g->parks[i].name);
    free(g->parks);
    free(g->ents);
    free(g->ents_by_prov);
    free(g->prov_start);
    free(g->ents_domestic);
    free(g->ents_overseas);
    free(g->ents_gba);
    for (i = 0; i < g->nfx; i++)
        free(g->fx[i].rate_e8);
    free(g->fx);
    for (i = 0; i < g->npartners; i++)
        free(g->partners[i].name);
    free(g->partners);
    free(g->chains);
    free(g->segments);
    gen_project_scratch_free(g);
    pf_buf_release(&g->line);
}

/* --- public --- */

pf_status
pf_gen_write(const char *dir, unsigned scale, unsigned long seed, pf_date as_of,
             const struct pf_taxonomy *tax, void (*progress)(void *arg, size_t done, size_t total),
             void *arg, struct pf_gen_stats *stats, struct pf_err *err)
{
    struct gen g;
    char *path = NULL;
    size_t i;
    int y, m, d;
    pf_status rc = PF_OK;

    memset(&g, 0, sizeof g);
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!dir || !*dir || !tax) {
        rc = pf_err_set(err, PF_EUSAGE, "", "gen needs an output folder and a taxonomy");
        goto cleanup;
    }
    if (scale < 1 || scale > 100000) {
        rc = pf_err_set(err, PF_EUSAGE, "", "scale must be from 1 to 100000, not %u", scale);
        goto cleanup;
    }
    if (as_of == PF_DATE_NONE || as_of < pf_date_from_ymd(1990, 1, 1)
        || as_of > pf_date_from_ymd(9000, 12, 31)) {
        rc = pf_err_set(err, PF_EUSAGE, "", "as-of date is out of range (1990 to 9000)");
        goto cleanup;
    }
    g.tax = tax;
    g.scale = scale;
    g.seed = seed;
    g.as_of = as_of;
    g.progress = progress;
    g.progress_arg = arg;
    pf_date_to_ymd(as_of, &y, &m, &d);
    if (d > pf_days_in_month(y - 10, m))
        d = pf_days_in_month(y - 10, m);
    g.start = pf_date_from_ymd(y - 10, m, d);
    g.last_me = pf_date_month_end(as_of);
    g.ym0 = (y - 10) * 12 + m - 1;
    g.nmonths = 121;

    g.nchains = pf_taxonomy_count(tax, PF_TAX_CHAIN);
    g.nsegments = pf_taxonomy_count(tax, PF_TAX_SEGMENT);
    if (g.nchains == 0 || g.nsegments == 0) {
        rc = pf_err_set(err, PF_EDATA, "", "the taxonomy has no %s",
                        g.nchains == 0 ? "chains" : "segments");
        goto cleanup;
    }
    g.chains = pf_xreallocarray(NULL, g.nchains, sizeof *g.chains);
    for (i = 0; i < g.nchains; i++)
        g.chains[i] = pf_taxonomy_code(tax, PF_TAX_CHAIN, i);
    g.segments = pf_xreallocarray(NULL, g.nsegments, sizeof *g.segments);
    for (i = 0; i < g.nsegments; i++)
        g.segments[i] = pf_taxonomy_code(tax, PF_TAX_SEGMENT, i);

    if ((rc = make_dirs(dir, err)) != PF_OK)
        goto cleanup;
    for (i = 0; i < PF_GEN_NFILES; i++) {
        free(path);
        path = pf_xasprintf("%s/%s", dir, pf_gen_files[i]);
        if (!(g.f[i] = fopen(path, "wb"))) {
            rc = pf_err_set(err, PF_EIO, "", "cannot create '%s': %s", path, strerror(errno));
            goto cleanup;
        }
        setvbuf(g.f[i], NULL, _IOFBF, 1 << 16);
        fputs(headers[i], g.f[i]);
        fputc('\n', g.f[i]);
    }

    gen_fx_series(&g);
    gen_benchmark(&g);
    gen_parks(&g);
    gen_enterprises(&g);
    gen_funds(&g);

    for (i = 0; i < PF_GEN_NFILES; i++) {
        int bad = ferror(g.f[i]);
        bad |= fclose(g.f[i]) != 0;
        g.f[i] = NULL;
        if (bad && rc == PF_OK) {
            rc = pf_err_set(err, PF_EIO, "", "cannot write '%s/%s': %s", dir, pf_gen_files[i],
                            errno ? strerror(errno) : "write error");
        }
    }
    if (rc != PF_OK)
        goto cleanup;
    if (stats) {
        for (i = 0; i < PF_GEN_NFILES; i++) {
            stats->rows[i] = g.rows[i];
            stats->total += g.rows[i];
        }
    }
    if (progress)
        progress(arg, g.projects_planned, g.projects_planned);
cleanup:
    for (i = 0; i < PF_GEN_NFILES; i++)
        if (g.f[i])
            fclose(g.f[i]);
    free(path);
    gen_release(&g);
    return rc;
}
