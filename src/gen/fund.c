/*
 * fund: the funds and everything at fund level. A main alliance fund (CNY),
 * 6 x scale regional sub-funds (CNY) each backed by its province's guidance
 * fund, and scale overseas funds (USD). Per fund: its partners, its projects
 * (project.c), then a month-by-month cash model over the projects' flows that
 * times the investment calls ahead of the investments and pays the proceeds
 * out quarterly (return of capital, gain, income); the fund's size follows
 * from what it called and committed; management-fee and expense calls; a
 * second close with catch-up and equalisation. Every call and distribution is
 * split over the partners by commitment, exact to the fen (largest remainder).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"
#include "parkfund/banned.h"

#define MAX_MEMBERS 24

/* Partners shared between funds, created on first use. */
struct registry {
    int gf[64], soe[64], park[64]; /* by index into gen_provinces */
    int bank[16], insurer[16], central[16], other[16];
};

enum fev_type { FE_SPLIT, FE_ONE, FE_EARLY };
struct fev {
    pf_date date;
    size_t seq;
    enum fev_type type;
    int contribution;
    const char *purpose;
    pf_cents amount;
    int recallable;
    int member; /* FE_ONE */
    const char *note;
};
struct fevs {
    struct fev *v;
    size_t n, cap;
};

/* --- internal: partners --- */

static int
reg_get(struct gen *g, int *slot, const char *kind, const char *name, const char *region)
{
    if (*slot < 0)
        *slot = gen_partner_add(g, kind, pf_xstrdup(name), region);
    return *slot;
}

static int
reg_gf(struct gen *g, struct registry *reg, int prov)
{
    const struct gen_province *pv = &gen_provinces[prov];

    if (reg->gf[prov] < 0)
        reg->gf[prov] = gen_partner_add(
            g, "guidance_fund", pf_xasprintf("%s产业发展投资引导基金（有限合伙）", pv->full_zh),
            pv->code);
    return reg->gf[prov];
}

static int
reg_soe(struct gen *g, struct registry *reg, int prov)
{
    const struct gen_province *pv = &gen_provinces[prov];

    if (reg->soe[prov] < 0)
        reg->soe[prov] = gen_partner_add(
            g, "soe", pf_xasprintf("%s产业投资集团有限责任公司", pv->short_zh), pv->code);
    return reg->soe[prov];
}

static int
reg_park(struct gen *g, struct registry *reg, int prov)
{
    const struct gen_province *pv = &gen_provinces[prov];

    if (reg->park[prov] < 0)
        reg->park[prov] = gen_partner_add(
            g, "park", pf_xasprintf("%s高新投资发展集团有限公司", pv->cities[0].zh), pv->code);
    return reg->park[prov];
}

static int
new_corporate(struct gen *g, struct pf_rng *r, int prov)
{
    static const char *const suffix[] = { "集团股份有限公司", "控股有限公司", "实业有限公司" };
    const struct gen_chain_words *cw = &gen_chain_words[gen_int(r, (unsigned long)gen_nchain_words)];
    const char *t1 = gen_trade1[gen_int(r, (unsigned long)gen_ntrade1)];
    const char *t2 = gen_trade2[gen_int(r, (unsigned long)gen_ntrade2)];
    const char *word = cw->words[gen_int(r, 8)];
    const char *place = prov >= 0 ? gen_provinces[prov].short_zh : "";

    return gen_partner_add(g, "corporate",
                           pf_xasprintf("%s%s%s%s%s", place, t1, t2, word, suffix[gen_int(r, 3)]),
                           prov >= 0 ? gen_provinces[prov].code : "");
}

static int
new_individual(struct gen *g, struct pf_rng *r)
{
    const char *s = gen_surnames[gen_int(r, (unsigned long)gen_nsurnames)];
    const char *n = gen_given[gen_int(r, (unsigned long)gen_ngiven)];

    return gen_partner_add(g, "individual", pf_xasprintf("%s%s", s, n), "");
}

static void
member_add(struct gen_member *m, size_t *n, int partner, int weight, int late)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (m[i].partner == partner) {
            m[i].weight += weight;
            return;
        }
    if (*n >= MAX_MEMBERS)
        return;
    m[*n].partner = partner;
    m[*n].weight = weight;
    m[*n].late = late;
    m[*n].commit = 0;
    (*n)++;
}

static int
member_cmp(const void *a, const void *b)
{
    const struct gen_member *x = a, *y = b;

    return x->partner < y->partner ? -1 : x->partner > y->partner;
}

static size_t
build_members(struct gen *g, struct pf_rng *r, struct registry *reg, const struct gen_fund *f,
              size_t k, struct gen_member *m)
{
    size_t n = 0;
    int sc = -1, gd = -1, i;

    switch (f->type) {
    case GEN_FUND_MAIN:
        for (i = 0; i < (int)gen_nprovinces; i++) {
            if (strcmp(gen_provinces[i].code, "CN-SC") == 0)
                sc = i;
            if (strcmp(gen_provinces[i].code, "CN-GD") == 0)
                gd = i;
        }
        if (sc >= 0) /* the alliance's home province backs the main fund too */
            member_add(m, &n, reg_gf(g, reg, sc), 10, 0);
        member_add(m, &n, reg_get(g, &reg->bank[0], "bank", gen_banks[0], ""), 12, 0);
        member_add(m, &n, reg_get(g, &reg->bank[1], "bank", gen_banks[1], ""), 10, 0);
        member_add(m, &n, reg_get(g, &reg->bank[2], "bank", gen_banks[2], ""), 8, 0);
        member_add(m, &n, reg_get(g, &reg->insurer[0], "insurer", gen_insurers[0], ""), 10, 0);
        member_add(m, &n, reg_get(g, &reg->central[0], "soe", gen_central_soes[0], ""), 8, 0);
        member_add(m, &n, reg_get(g, &reg->central[1], "soe", gen_central_soes[1], ""), 6, 0);
        for (i = 0; i < 3; i++)
            member_add(m, &n, new_corporate(g, r, -1), 3 + (int)gen_int(r, 3), 0);
        if (sc >= 0)
            member_add(m, &n, reg_park(g, reg, sc), 3, 0);
        if (gd >= 0)
            member_add(m, &n, reg_park(g, reg, gd), 3, 0);
        member_add(m, &n, new_individual(g, r), 1, 0);
        member_add(m, &n, new_individual(g, r), 1, 0);
        member_add(m, &n, reg_get(g, &reg->other[0], "other", gen_others[0], ""), 2, 0);
        member_add(m, &n, reg_get(g, &reg->insurer[1], "insurer", gen_insurers[1], ""), 8, 1);
        member_add(m, &n, new_corporate(g, r, -1), 3, 1);
        member_add(m, &n, new_individual(g, r), 1, 1);
        break;
    case GEN_FUND_REGIONAL: {
        int b = (int)(k % 7);
        member_add(m, &n, reg_gf(g, reg, f->prov), 25, 0);
        member_add(m, &n, reg_soe(g, reg, f->prov), 20, 0);
        member_add(m, &n, reg_park(g, reg, f->prov), 12, 0);
        member_add(m, &n, reg_get(g, &reg->bank[b], "bank", gen_banks[b], ""), 15, 0);
        member_add(m, &n, new_corporate(g, r, f->prov), 10, 0);
        if (gen_chance(r, 0.5))
            member_add(m, &n, new_individual(g, r), 2, 0);
        if (gen_chance(r, 0.1))
            member_add(m, &n, reg_get(g, &reg->other[2], "other", gen_others[2], ""), 3, 0);
        if (gen_chance(r, 0.5)) {
            int q = (int)(k % gen_ninsurers);
            if (gen_chance(r, 0.5))
                member_add(m, &n, reg_get(g, &reg->insurer[q], "insurer", gen_insurers[q], ""),
                           12, 1);
            else
                member_add(m, &n, new_corporate(g, r, f->prov), 8, 1);
        }
        break;
    }
    case GEN_FUND_OVERSEAS: {
        int c = (int)(k % 4), q = (int)((k + 2) % gen_ninsurers), b = (int)((k + 3) % 8);
        member_add(m, &n, reg_get(g, &reg->bank[8], "bank", gen_banks[8], ""), 20, 0);
        member_add(m, &n, reg_get(g, &reg->insurer[q], "insurer", gen_insurers[q], ""), 12, 0);
        member_add(m, &n, reg_get(g, &reg->central[4], "soe", gen_central_soes[4], ""), 15, 0);
        member_add(m, &n, reg_get(g, &reg->central[c], "soe", gen_central_soes[c], ""), 10, 0);
        member_add(m, &n, new_corporate(g, r, -1), 8, 0);
        member_add(m, &n, reg_get(g, &reg->other[3], "other", gen_others[3], ""), 3, 0);
        if (gen_chance(r, 0.6))
            member_add(m, &n, reg_get(g, &reg->bank[b], "bank", gen_banks[b], ""), 10, 1);
        break;
    }
    }
    /* the general partner (the manager's GP vehicle): about 1 % of the fund, a member
     * that pays its calls like the others and receives the carried interest */
    {
        int w = 0, gp;
        size_t j;
        const char *mgr = f->type == GEN_FUND_MAIN      ? "联盟产业基金管理有限公司"
                          : f->type == GEN_FUND_OVERSEAS ? "联盟海外投资管理（香港）有限公司"
                                                         : "联盟股权投资基金管理有限公司";
        for (j = 0; j < n; j++)
            w += m[j].weight;
        gp = gen_partner_add(g, "gp", pf_xasprintf("%s（%s 普通合伙人）", mgr, f->id), "");
        member_add(m, &n, gp, w / 99 > 0 ? w / 99 : 1, 0);
    }
    qsort(m, n, sizeof *m, member_cmp);
    return n;
}

/* --- internal: events --- */

static struct fev *
fev_add(struct fevs *e, pf_date d, enum fev_type type, int contribution, const char *purpose,
        pf_cents amount)
{
    struct fev *v;

    PF_GROW(e->v, e->n + 1, e->cap);
    v = &e->v[e->n];
    memset(v, 0, sizeof *v);
    v->date = d;
    v->seq = e->n;
    v->type = type;
    v->contribution = contribution;
    v->purpose = purpose;
    v->amount = amount;
    v->member = -1;
    e->n++;
    return v;
}

static int
fev_cmp(const void *a, const void *b)
{
    const struct fev *x = a, *y = b;

    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
pflow_row(struct gen *g, const struct gen_fund *f, const struct gen_member *mb, const struct fev *e,
          pf_cents amount, const char *reverses, const char *note, char *id_out)
{
    char id[24];

    snprintf(id, sizeof id, "PF%07zu", ++g->next_pflow);
    if (id_out)
        snprintf(id_out, 24, "%s", id);
    gen_row_begin(g);
    gen_col(g, id);
    gen_col(g, f->id);
    gen_col(g, g->partners[mb->partner].id);
    gen_col_date(g, e->date);
    gen_col(g, e->contribution ? "contribution" : "distribution");
    gen_col(g, e->purpose);
    gen_col_money(g, amount);
    gen_col(g, e->contribution ? NULL : e->recallable ? "yes" : "no");
    gen_col(g, reverses);
    gen_col(g, note);
    gen_row_end(g, GF_PARTNER_FLOWS);
}

/* Committed capital admitted on or before d. */
static pf_cents
committed_at(const struct gen_fund *f, const struct gen_member *m, size_t n, pf_date d)
{
    pf_cents s = 0;
    size_t i;

    for (i = 0; i < n; i++)
        if (!m[i].late || (f->second_close != PF_DATE_NONE && d >= f->second_close))
            s += m[i].commit;
    return s;
}

/* --- internal: one fund --- */

static int
date_cmp(const void *a, const void *b)
{
    pf_date x = *(const pf_date *)a, y = *(const pf_date *)b;

    return x < y ? -1 : x > y;
}

/* One fund's generation: its members, projects, cash model and partner events. */
struct frun {
    struct gen *g;
    struct pf_rng *r;
    struct gen_fund *f;
    struct gen_member mb[MAX_MEMBERS];
    size_t nm;
    int gp_at;                  /* the GP's member index, -1 if none */
    int cny;
    struct gen_fund_acc acc;    /* the projects' flows by month, in fund currency */
    struct fevs ev;             /* the partners' events */
    pf_date *call_day;          /* per month, PF_DATE_NONE if none */
    pf_cents called, size;
    pf_cents parts[MAX_MEMBERS];
};

/* Projects, committed over the investment period (front-loaded). */
static void
fund_projects(struct frun *x)
{
    struct gen *g = x->g;
    struct gen_fund *f = x->f;
    pf_date wend = f->invest_end < g->as_of - 45 ? f->invest_end : g->as_of - 45;
    pf_date *dates = pf_xreallocarray(NULL, f->nprojects + 1, sizeof *dates);
    size_t i;

    x->acc.inv = pf_xcalloc((size_t)g->nmonths, sizeof(pf_cents));
    x->acc.roc = pf_xcalloc((size_t)g->nmonths, sizeof(pf_cents));
    x->acc.gain = pf_xcalloc((size_t)g->nmonths, sizeof(pf_cents));
    x->acc.income = pf_xcalloc((size_t)g->nmonths, sizeof(pf_cents));
    for (i = 0; i < f->nprojects; i++) {
        double span = (double)(wend - f->inception - 20);
        dates[i] = gen_bizday_before(f->inception + 20
                                     + (pf_date)(span * pow(gen_u(x->r), 1.3)));
        if (dates[i] <= f->inception)
            dates[i] = gen_bizday_after(f->inception + 1);
    }
    qsort(dates, f->nprojects, sizeof *dates, date_cmp);
    for (i = 0; i < f->nprojects; i++)
        gen_project(g, x->r, f, dates[i], i, &x->acc);
    free(dates);
}

/*
 * The cash model: calls on days 1-5 cover the month's investments on days 11-28; the
 * quarter's inflows are distributed on days 6-10 of the next quarter, the GP's carry
 * out of the gains once they pass the hurdle, roughly. Carry is paid on realised profit
 * above the capital called (no hurdle: the engine's waterfall then shows what is
 * accrued; the overpaying fund shows a clawback).
 */
static void
fund_cash(struct frun *x)
{
    struct gen *g = x->g;
    struct gen_fund *f = x->f;
    int m0 = gen_month_of(g, f->inception), m;
    pf_cents call_unit = x->cny ? 10000000 : 1000000; /* 100,000 / 10,000 */
    pf_cents dist_min = x->cny ? 50000000 : 10000000;
    pf_cents cash = 0, pend_roc = 0, pend_gain = 0, pend_inc = 0;
    pf_cents dist_total = 0, carry_paid = 0;
    double carry_pay_rate = f->overpays_carry ? 0.40 : 0.20;

    x->call_day = pf_xcalloc((size_t)g->nmonths, sizeof *x->call_day);
    for (m = 0; m < g->nmonths; m++)
        x->call_day[m] = PF_DATE_NONE;
    for (m = m0 + 1; m < g->nmonths; m++) {
        int cm = (g->ym0 + m) % 12 + 1;
        pf_cents need = x->acc.inv[m], pend = pend_roc + pend_gain + pend_inc;
        x->call_day[m] = gen_day_in_month(g, x->r, m, 1, 5);
        if (cm % 3 == 1 && pend >= dist_min) {
            pf_date dd = gen_day_in_month(g, x->r, m, 6, 10);
            if (dd != PF_DATE_NONE) {
                struct fev *e;
                if (pend_roc > 0) {
                    e = fev_add(&x->ev, dd, FE_SPLIT, 0, "return_of_capital", pend_roc);
                    e->recallable = dd < f->invest_end;
                }
                dist_total += pend;
                /* the hurdle, roughly: paid out more than the calls grown at 8 % a year over
                 * half the fund's age (capital is called gradually)
                 * (the overpaying fund does not wait for it) */
                if (pend_gain > 0 && x->gp_at >= 0 && dist_total > x->called &&
                    (f->overpays_carry ||
                     (double)dist_total > (double)x->called *
                                              pow(1.08, (double)(dd - f->inception) / 730.0))) {
                    pf_cents due = pf_cents_round((double)(dist_total - x->called)
                                                  * carry_pay_rate) - carry_paid;
                    if (due > pend_gain)
                        due = pend_gain;
                    due = gen_round_to(due, 100);
                    if (due > 0) {
                        e = fev_add(&x->ev, dd, FE_ONE, 0, "carried_interest", due);
                        e->member = x->gp_at;
                        e->note = "普通合伙人业绩报酬 (carried interest)";
                        carry_paid += due;
                        pend_gain -= due;
                    }
                }
                if (pend_gain > 0)
                    fev_add(&x->ev, dd, FE_SPLIT, 0, "gain", pend_gain);
                if (pend_inc > 0)
                    fev_add(&x->ev, dd, FE_SPLIT, 0, "income", pend_inc);
                cash -= pend;
                pend_roc = pend_gain = pend_inc = pend = 0;
            }
        }
        if (need > cash - pend && x->call_day[m] != PF_DATE_NONE) {
            pf_cents call = gen_round_up(need - (cash - pend) + need / 50, call_unit);
            fev_add(&x->ev, x->call_day[m], FE_SPLIT, 1, "investment", call);
            cash += call;
            x->called += call;
        }
        cash -= need;
        cash += x->acc.roc[m] + x->acc.gain[m] + x->acc.income[m];
        pend_roc += x->acc.roc[m];
        pend_gain += x->acc.gain[m];
        pend_inc += x->acc.income[m];
    }
}

/* The fund's size (what the programme needs, with room for fees and reserves) and its
 * members' commitments, whole units each, everyone at least one. */
static void
fund_commitments(struct frun *x)
{
    struct gen *g = x->g;
    struct gen_fund *f = x->f;
    pf_cents basis = x->called > x->acc.committed ? x->called : x->acc.committed;
    pf_cents round = x->cny ? 10000000000 : 1000000000; /* 100 million / 10 million */
    pf_cents unit_commit = x->cny ? 100000000 : 10000000; /* 1 million / 100,000 */
    int64_t weights[MAX_MEMBERS];
    size_t i, j;

    x->size = gen_round_up(pf_cents_round((double)basis / 0.80), round);
    if (x->size < 3 * round)
        x->size = 3 * round;
    for (i = 0; i < x->nm; i++)
        weights[i] = x->mb[i].weight;
    pf_alloc_largest_remainder(x->size / unit_commit, weights, x->nm, x->parts);
    for (i = 0; i < x->nm; i++) {
        if (x->parts[i] == 0) { /* everyone holds at least one unit */
            size_t big = 0;
            for (j = 1; j < x->nm; j++)
                if (x->parts[j] > x->parts[big])
                    big = j;
            x->parts[big]--;
            x->parts[i] = 1;
        }
    }
    for (i = 0; i < x->nm; i++) {
        x->mb[i].commit = x->parts[i] * unit_commit;
        gen_row_begin(g);
        gen_col(g, g->partners[x->mb[i].partner].id);
        gen_col(g, f->id);
        gen_col_date(g, x->mb[i].late ? f->second_close : f->inception);
        gen_col_money(g, x->mb[i].commit);
        gen_row_end(g, GF_COMMITMENTS);
    }
}

/* The fund's terms (SPEC §10): 20 % carry over an 8 % compound hurdle with full
 * catch-up, 2 % on commitment in the investment period then 1 % (as the fees below are
 * called); some funds differ so every reading is exercised. */
static void
fund_terms(struct frun *x)
{
    struct gen *g = x->g;
    struct gen_fund *f = x->f;
    char ipe[16];

    if (x->gp_at < 0)
        return;
    gen_row_begin(g);
    gen_col(g, f->id);
    gen_col(g, g->partners[x->mb[x->gp_at].partner].id);
    gen_col(g, "0.2");
    gen_col(g, "0.08");
    gen_col(g, f->terms_variant == 1 ? "simple" : "compound");
    gen_col(g, f->terms_variant == 2 ? "0.5" : "1");
    gen_col(g, "0.02");
    gen_col(g, "commitment");
    gen_col(g, pf_date_format(f->invest_end, ipe, sizeof ipe));
    gen_col(g, "0.01");
    gen_col(g, "commitment");
    gen_col(g, "10");
    gen_col(g, NULL);
    gen_col(g, f->terms_variant == 3 ? "0.2" : NULL);
    gen_col(g, f->terms_variant == 3 ? "lps" : NULL);
    gen_row_end(g, GF_FUND_TERMS);
}

/* Management fees quarterly in advance (2 % in the investment period, 1 % after, on
 * the capital admitted), expenses each May. */
static void
fund_fees(struct frun *x)
{
    struct gen *g = x->g;
    struct gen_fund *f = x->f;
    int m0 = gen_month_of(g, f->inception), m;

    for (m = m0; m < g->nmonths; m++) {
        int cm = (g->ym0 + m) % 12 + 1;
        pf_date d = m == m0 ? gen_bizday_after(f->inception + 7) : x->call_day[m];
        double rate, part = 1.0;
        if (d == PF_DATE_NONE || d > g->as_of)
            continue;
        if (m == m0 || cm % 3 == 1) {
            if (m == m0)
                part = (double)(pf_date_quarter_end(f->inception) - f->inception) / 91.0;
            rate = d < f->invest_end ? 0.02 : 0.01;
            fev_add(&x->ev, d, FE_SPLIT, 1, "management_fee",
                    gen_round_to(pf_cents_round((double)committed_at(f, x->mb, x->nm, d) * rate
                                                / 4 * part), 100));
        }
        if (cm == 5 && m > m0)
            fev_add(&x->ev, d, FE_SPLIT, 1, "expenses",
                    gen_round_to(pf_cents_round((double)committed_at(f, x->mb, x->nm, d)
                                                * gen_range(x->r, 0.0005, 0.0015)), 100));
    }
}

/* Second close: late partners catch up, early ones are paid back. */
static void
fund_second_close(struct frun *x)
{
    struct gen_fund *f = x->f;
    pf_cents inv_before = 0, fee_before = 0, eq = 0;
    size_t nev = x->ev.n, i;

    if (f->second_close == PF_DATE_NONE)
        return;
    for (i = 0; i < nev; i++) {
        const struct fev *e = &x->ev.v[i];
        if (!e->contribution || e->date >= f->second_close)
            continue;
        if (strcmp(e->purpose, "investment") == 0)
            inv_before += e->amount;
        else
            fee_before += e->amount;
    }
    for (i = 0; i < x->nm; i++) {
        pf_cents a, b;
        struct fev *e;
        if (!x->mb[i].late)
            continue;
        a = pf_cents_round((double)inv_before * (double)x->mb[i].commit / (double)x->size);
        b = pf_cents_round((double)fee_before * (double)x->mb[i].commit / (double)x->size);
        if (a > 0) {
            e = fev_add(&x->ev, f->second_close, FE_ONE, 1, "investment", a);
            e->member = (int)i;
            e->note = "第二次交割补缴出资 (catch-up at second close)";
        }
        if (b > 0) {
            e = fev_add(&x->ev, f->second_close, FE_ONE, 1, "other", b);
            e->member = (int)i;
            e->note = "第二次交割管理费均等化 (fee equalisation)";
        }
        eq += a + b;
    }
    if (eq > 0) {
        struct fev *e = fev_add(&x->ev, f->second_close, FE_EARLY, 0, "return_of_capital", eq);
        e->recallable = 1;
        e->note = "第二次交割均等化返还，可再出资 (equalisation, recallable)";
    }
}

/* The partners' flows, in date order, with one investment keyed in error reversed
 * and re-entered in a fund that has corrections. */
static void
fund_partner_flows(struct frun *x)
{
    struct gen *g = x->g;
    struct gen_fund *f = x->f;
    int corrected = 0;
    size_t i, j;

    qsort(x->ev.v, x->ev.n, sizeof *x->ev.v, fev_cmp);
    for (i = 0; i < x->ev.n; i++) {
        const struct fev *e = &x->ev.v[i];
        int before_close;
        if (e->type == FE_ONE) {
            pflow_row(g, f, &x->mb[e->member], e, e->amount, NULL, e->note, NULL);
            continue;
        }
        before_close = f->second_close != PF_DATE_NONE && e->date < f->second_close;
        gen_split(e->amount, x->mb, x->nm, e->type == FE_SPLIT && !before_close, 1, x->parts);
        for (j = 0; j < x->nm; j++) {
            if (x->parts[j] <= 0)
                continue;
            if (f->corrections && !corrected && e->contribution
                && strcmp(e->purpose, "investment") == 0 && e->date >= f->inception + 730) {
                char wrong[24], note[96];
                corrected = 1;
                pflow_row(g, f, &x->mb[j], e, x->parts[j] * 10, NULL, NULL, wrong);
                snprintf(note, sizeof note, "冲销 %s, 金额多录一位 (amount keyed in error)", wrong);
                pflow_row(g, f, &x->mb[j], e, x->parts[j] * 10, wrong, note, NULL);
                pflow_row(g, f, &x->mb[j], e, x->parts[j], NULL, "更正后重新录入 (re-entered)",
                          NULL);
                continue;
            }
            pflow_row(g, f, &x->mb[j], e, x->parts[j], NULL, e->note, NULL);
        }
    }
}

static void
fund_run(struct gen *g, struct registry *reg, struct gen_fund *f, size_t fi, size_t k)
{
    struct frun *x = pf_xcalloc(1, sizeof *x);
    size_t i;

    x->g = g;
    x->f = f;
    x->r = pf_rng_new(gen_subseed(g->seed, 1000 + fi));
    x->cny = strcmp(f->currency, "CNY") == 0;
    x->gp_at = -1;
    x->nm = build_members(g, x->r, reg, f, k, x->mb);
    for (i = 0; i < x->nm; i++)
        if (strcmp(g->partners[x->mb[i].partner].kind, "gp") == 0)
            x->gp_at = (int)i;
    if (f->second_close == PF_DATE_NONE)
        for (i = 0; i < x->nm; i++)
            x->mb[i].late = 0;
    fund_projects(x);
    fund_cash(x);
    fund_commitments(x);
    fund_terms(x);
    fund_fees(x);
    fund_second_close(x);
    fund_partner_flows(x);

    free(x->ev.v);
    free(x->call_day);
    free(x->acc.inv);
    free(x->acc.roc);
    free(x->acc.gain);
    free(x->acc.income);
    pf_rng_free(x->r);
    free(x);
}

/* --- public --- */

void
gen_split(pf_cents total, const struct gen_member *m, size_t n, int include_late,
          int include_early, pf_cents *out)
{
    int64_t w[MAX_MEMBERS];
    pf_cents part[MAX_MEMBERS];
    size_t idx[MAX_MEMBERS], k = 0, i;

    for (i = 0; i < n && i < MAX_MEMBERS; i++) {
        out[i] = 0;
        if (m[i].late ? include_late : include_early) {
            idx[k] = i;
            w[k++] = m[i].commit;
        }
    }
    if (k == 0 || pf_alloc_largest_remainder(total, w, k, part) != PF_OK)
        return;
    for (i = 0; i < k; i++)
        out[idx[i]] = part[i];
}

void
gen_funds(struct gen *g)
{
    struct pf_rng *r = pf_rng_new(gen_subseed(g->seed, 5));
    struct registry reg;
    struct gen_fund *funds;
    size_t nreg = (size_t)6 * g->scale, nover = g->scale, nf = 1 + nreg + nover, i;
    size_t nprov = 0, provs[64];
    char num[16];

    memset(&reg, 0xff, sizeof reg); /* every slot -1 */
    for (i = 0; i < gen_nprovinces && nprov < 64; i++)
        if (pf_taxonomy_has(g->tax, PF_TAX_PROVINCE, gen_provinces[i].code))
            provs[nprov++] = i;
    if (nprov == 0)
        nreg = 0, nf = 1 + nover;
    funds = pf_xcalloc(nf, sizeof *funds);
    for (i = 0; i < nf; i++) {
        struct gen_fund *f = &funds[i];
        int months, base;
        double window;
        char *name, *manager;
        pf_date latest = g->as_of - 60;

        snprintf(f->id, sizeof f->id, "F%03zu", i + 1);
        f->corrections = i % 4 == 0;
        f->terms_variant = (int)(i % 5 <= 3 ? i % 5 : 0);
        f->overpays_carry = i == 4;
        f->currency = "CNY";
        f->phase = 1;
        f->prov = -1;
        if (i == 0) {
            f->type = GEN_FUND_MAIN;
            months = 0;
            base = 150 * (int)g->scale;
        } else if (i <= nreg) {
            size_t j = i - 1;
            f->type = GEN_FUND_REGIONAL;
            f->prov = (int)provs[j % nprov];
            f->phase = (unsigned)(j / nprov + 1);
            /* a province's later phases start later; all within the first 5 years */
            {
                int phases = (int)((nreg + nprov - 1) / nprov), slot = 60 / phases;
                if (slot < 1)
                    slot = 1;
                months = 3 + (int)(f->phase - 1) * slot + (int)gen_int(r, (unsigned long)slot);
            }
            base = 40;
        } else {
            size_t j = i - 1 - nreg;
            f->type = GEN_FUND_OVERSEAS;
            f->currency = "USD";
            f->phase = (unsigned)(j + 1);
            months = 12 + (int)((j * 17) % 48) + (int)gen_int(r, 6);
            base = 60;
        }
        if (months > g->nmonths - 19)
            months = g->nmonths - 19;
        f->inception = months == 0 ? gen_bizday_after(g->start + 20)
                                   : gen_day_in_month(g, r, months, 8, 20);
        if (f->inception == PF_DATE_NONE)
            f->inception = gen_bizday_after(g->start + 20);
        f->invest_end = gen_add_years(f->inception, 5.0);
        f->second_close = PF_DATE_NONE;
        if (i == 0 || gen_chance(r, 0.7)) {
            int cm = gen_month_of(g, f->inception) + 6 + (int)gen_int(r, 6);
            pf_date c = cm < g->nmonths ? gen_day_in_month(g, r, cm, 15, 25) : PF_DATE_NONE;
            if (c != PF_DATE_NONE && c <= g->as_of - 60)
                f->second_close = c;
        }
        window = (double)((f->invest_end < latest ? f->invest_end : latest) - f->inception)
                 / (5 * 365.25);
        if (window < 0.1)
            window = 0.1;
        if (window > 1)
            window = 1;
        f->nprojects = (size_t)pf_cents_round(base * window * gen_range(r, 0.85, 1.15));
        if (f->nprojects < 3)
            f->nprojects = 3;
        g->projects_planned += f->nprojects;

        if (f->type == GEN_FUND_MAIN) {
            name = pf_xstrdup("中国产业园区联盟产业发展基金（有限合伙）");
            manager = pf_xstrdup("联盟产业基金管理有限公司");
        } else if (f->type == GEN_FUND_REGIONAL) {
            const struct gen_province *pv = &gen_provinces[f->prov];
            if (f->phase > 1)
                name = pf_xasprintf("%s产业园区产业发展%s期基金（有限合伙）", pv->full_zh,
                                    gen_cn_number(f->phase, num, sizeof num));
            else
                name = pf_xasprintf("%s产业园区产业发展基金（有限合伙）", pv->full_zh);
            manager = pf_xasprintf("%s联盟股权投资基金管理有限公司", pv->short_zh);
        } else {
            if (f->phase > 1)
                name = pf_xasprintf("联盟海外产业园区投资基金%s期 L.P.",
                                    gen_cn_number(f->phase, num, sizeof num));
            else
                name = pf_xstrdup("联盟海外产业园区投资基金 L.P.");
            manager = pf_xstrdup("联盟海外投资管理（香港）有限公司");
        }
        gen_row_begin(g);
        gen_col(g, f->id);
        gen_col(g, name);
        gen_col(g, f->currency);
        gen_col_date(g, f->inception);
        {
            int y, mo, d;
            pf_date_to_ymd(f->inception, &y, &mo, &d);
            snprintf(num, sizeof num, "%d", y);
            gen_col(g, num);
        }
        gen_col(g, manager);
        gen_row_end(g, GF_FUNDS);
        free(name);
        free(manager);
    }
    for (i = 0; i < nf; i++)
        fund_run(g, &reg, &funds[i], i, i == 0 ? 0 : i <= nreg ? i - 1 : i - 1 - nreg);
    free(funds);
    pf_rng_free(r);
}
