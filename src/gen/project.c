/*
 * project: one project's life. A plan (draw tranches, coupons, dividends,
 * sales, listing, write-off) is laid out as dated events, then walked in date
 * order with the cost still held, so that quarterly valuations, proceeds and
 * income all follow one value path: at cost at first, a J-curve dip, then a
 * rise (or fall) towards the project's target multiple. Rows are written as
 * soon as the project is done; the fund's monthly totals (in its currency)
 * are returned through the accumulator for the capital-call model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"
#include "parkfund/banned.h"

enum pev_kind { EV_DRAW, EV_FEE, EV_COUPON, EV_DIVIDEND, EV_SALE, EV_WRITEOFF, EV_VALUE };

struct gen_pev {
    pf_date date;
    int kind;
    pf_cents amount; /* draw amount, fee amount */
    double x;        /* sale: fraction of the cost held; write-off: recovery price */
};

enum { JK_INVESTMENT, JK_PROCEEDS, JK_DIVIDEND, JK_INTEREST, JK_FEE_INCOME };
static const char *const jkind[] = { "investment", "proceeds", "dividend", "interest", "fee_income" };

struct pflow {
    pf_date date;
    int kind;
    pf_cents amount;
    pf_cents basis; /* proceeds: the cost they realise */
};
struct pval {
    pf_date date;
    pf_cents value;
    const char *method;
};

struct gen_pscratch {
    struct gen_pev *ev; size_t nev, cev;
    struct pflow *fl; size_t nfl, cfl;
    struct pval *va; size_t nva, cva;
};

enum instr { IN_EQUITY, IN_DEBT, IN_CONVERTIBLE, IN_PPP, IN_FUND };
static const char *const instr_code[] = { "equity", "debt", "convertible", "ppp", "fund" };

/* The value model of one project. */
struct plan {
    enum instr in;
    pf_date t0;          /* first draw */
    double target;       /* multiple reached at horizon */
    double dip;          /* J-curve trough below cost */
    double horizon;      /* years from t0 */
    double growth;       /* ppp: yearly value growth */
    double coupon;       /* yearly interest on cost held */
    double div_yield;    /* yearly dividend on cost held */
    pf_date coupon_end;  /* no coupons on or after */
    pf_date listed;      /* PF_DATE_NONE if never */
    pf_date dflt;        /* debt default date, PF_DATE_NONE if none */
    double recovery;     /* debt: value multiple after default */
};

/* --- internal --- */

static void
ev_add(struct gen_pscratch *s, pf_date d, int kind, pf_cents amount, double x)
{
    PF_GROW(s->ev, s->nev + 1, s->cev);
    s->ev[s->nev].date = d;
    s->ev[s->nev].kind = kind;
    s->ev[s->nev].amount = amount;
    s->ev[s->nev].x = x;
    s->nev++;
}

static int
ev_cmp(const void *a, const void *b)
{
    const struct gen_pev *x = a, *y = b;

    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    /* same day, same kind: keep a total order for qsort's sake */
    if (x->amount != y->amount)
        return x->amount < y->amount ? -1 : 1;
    return x->x < y->x ? -1 : x->x > y->x ? 1 : 0;
}

static double
years(pf_date from, pf_date to)
{
    return (double)(to - from) / 365.25;
}

/* The value of one unit of cost held, tau years after the first draw. */
static double
multiple(const struct plan *p, pf_date d)
{
    double tau = years(p->t0, d), lo, x;

    switch (p->in) {
    case IN_DEBT:
        return p->dflt != PF_DATE_NONE && d >= p->dflt ? p->recovery : 1.0;
    case IN_PPP:
        return tau < 0.75 ? 1.0 : 1.0 + p->growth * (tau - 0.75);
    default:
        break;
    }
    if (tau < 0.75)
        return 1.0;
    if (tau < 1.5)
        return 1.0 - p->dip * (tau - 0.75) / 0.75;
    lo = 1.0 - p->dip;
    x = (tau - 1.5) / (p->horizon - 1.5);
    if (x > 1.3)
        x = 1.3;
    return lo * pow(p->target / lo, x);
}

static void
flow_add(struct gen_pscratch *s, pf_date d, int kind, pf_cents amount, pf_cents basis)
{
    if (amount <= 0)
        return;
    PF_GROW(s->fl, s->nfl + 1, s->cfl);
    s->fl[s->nfl].date = d;
    s->fl[s->nfl].kind = kind;
    s->fl[s->nfl].amount = amount;
    s->fl[s->nfl].basis = basis;
    s->nfl++;
}

static void
val_add(struct gen_pscratch *s, pf_date d, pf_cents v, const char *method)
{
    PF_GROW(s->va, s->nva + 1, s->cva);
    s->va[s->nva].date = d;
    s->va[s->nva].value = v;
    s->va[s->nva].method = method;
    s->nva++;
}

/* Split drawn total into n tranches from t0, spaced gap_lo..gap_hi years, none on
 * or after `before`. Tranches are whole units of 10,000 except the last. */
static void
plan_draws(struct gen *g, struct pf_rng *r, struct gen_pscratch *s, pf_date t0, pf_cents total,
           int n, double gap_lo, double gap_hi, pf_date before, const double *frac)
{
    pf_cents left = total, unit = 1000000; /* 10,000.00 */
    pf_date d = t0;
    int i;

    for (i = 0; i < n && left > 0; i++) {
        pf_cents a;
        if (i > 0)
            d = gen_flow_day(gen_add_years(d, gen_range(r, gap_lo, gap_hi)));
        if (d > g->as_of || (i > 0 && before != PF_DATE_NONE && d >= before))
            break;
        a = i == n - 1 ? left : gen_round_to(pf_cents_round((double)total * frac[i]), unit);
        if (a > left)
            a = left;
        ev_add(s, d, EV_DRAW, a, 0);
        left -= a;
    }
}

/* Quarterly coupons (paid the month after each quarter end) from t0 until end. */
static void
plan_coupons(struct gen *g, struct gen_pscratch *s, pf_date t0, pf_date end)
{
    pf_date q = pf_date_quarter_end(t0);

    for (;;) {
        pf_date pay = gen_flow_day(q + 20);
        if (pay > g->as_of || (end != PF_DATE_NONE && pay >= end))
            break;
        ev_add(s, pay, EV_COUPON, 0, 0);
        q = pf_date_quarter_end(q + 1);
    }
}

/* Yearly dividends in July from `from` until end. */
static void
plan_dividends(struct gen *g, struct gen_pscratch *s, pf_date from, pf_date end)
{
    int y, m, d;

    pf_date_to_ymd(from, &y, &m, &d);
    if (m > 7)
        y++;
    for (;; y++) {
        pf_date pay = gen_flow_day(pf_date_from_ymd(y, 7, 15));
        if (pay < from)
            continue;
        if (pay > g->as_of || (end != PF_DATE_NONE && pay >= end))
            break;
        ev_add(s, pay, EV_DIVIDEND, 0, 0);
    }
}

static const char *
pick_theme(struct gen *g, struct pf_rng *r, const struct gen_fund *f, enum instr in,
           const char *chain)
{
    const struct gen_chain_words *cw = gen_chain_words_find(chain);
    const char *cand[6];
    size_t n = 0, i, nt;

    if (!gen_chance(r, 0.65))
        return NULL;
    if (in == IN_PPP) {
        cand[n++] = "ppp";
        cand[n++] = "urbanization";
    } else if (f->type == GEN_FUND_OVERSEAS && gen_chance(r, 0.5)) {
        cand[n++] = "belt_and_road";
    } else if (cw) {
        for (i = 0; i < 4 && cw->themes[i]; i++)
            cand[n++] = cw->themes[i];
    }
    if (n) {
        const char *t = cand[gen_int(r, (unsigned long)n)];
        if (pf_taxonomy_has(g->tax, PF_TAX_THEME, t))
            return t;
    }
    nt = pf_taxonomy_count(g->tax, PF_TAX_THEME);
    return nt ? pf_taxonomy_code(g->tax, PF_TAX_THEME, (size_t)gen_int(r, (unsigned long)nt))
              : NULL;
}

static int
pick_enterprise(struct gen *g, struct pf_rng *r, const struct gen_fund *f, size_t ordinal)
{
    size_t combos = g->nchains * g->nsegments;
    const int *pool = g->ents_domestic;
    size_t n = g->nents_domestic, tries;

    if (f->type == GEN_FUND_OVERSEAS && g->nents_overseas) {
        pool = g->ents_overseas;
        n = g->nents_overseas;
    } else if (f->type == GEN_FUND_MAIN && g->nents_overseas && gen_chance(r, 0.05)) {
        pool = g->ents_overseas;
        n = g->nents_overseas;
    } else if (f->type == GEN_FUND_REGIONAL && gen_chance(r, 0.7)) {
        /* 返投: most of a regional fund goes to its own province (Guangdong with
         * Hong Kong and Macao) */
        size_t a = g->prov_start[f->prov], b = g->prov_start[f->prov + 1];
        if (strcmp(gen_provinces[f->prov].code, "CN-GD") == 0 && g->nents_gba
            && gen_chance(r, 0.15)) {
            pool = g->ents_gba;
            n = g->nents_gba;
        } else if (b > a) {
            pool = g->ents_by_prov + a;
            n = b - a;
        }
    }
    if (n == 0) { /* no domestic enterprise at all: any */
        return (int)gen_int(r, (unsigned long)g->nents);
    }
    /* the main fund's first projects cover every chain x segment */
    if (f->type == GEN_FUND_MAIN && ordinal < combos && pool == g->ents_domestic) {
        size_t want_c = ordinal % g->nchains, want_s = (ordinal / g->nchains) % g->nsegments;
        for (tries = 0; tries < 2000; tries++) {
            int e = pool[gen_int(r, (unsigned long)n)];
            if ((size_t)g->ents[e].chain == want_c && (size_t)g->ents[e].segment == want_s)
                return e;
        }
    }
    return pool[gen_int(r, (unsigned long)n)];
}

static enum instr
pick_instrument(struct pf_rng *r, const struct gen_fund *f)
{
    /* weights: equity, debt, convertible, ppp, fund */
    static const int w[3][5] = { { 55, 15, 10, 10, 10 }, { 60, 15, 10, 10, 5 },
                                 { 60, 25, 5, 10, 0 } };
    const int *wi = w[f->type];
    int u = (int)gen_int(r, 100), i, acc = 0;

    for (i = 0; i < 5; i++) {
        acc += wi[i];
        if (u < acc)
            return (enum instr)i;
    }
    return IN_EQUITY;
}

/* Walk the events in date order and produce flows and valuations. Returns the
 * exit date (PF_DATE_NONE if still held at as_of). */
static pf_date
walk(struct gen *g, struct pf_rng *r, struct gen_pscratch *s, const struct plan *p)
{
    pf_cents held = 0, invested = 0;
    pf_date last_coupon = p->t0, last_draw = PF_DATE_NONE, exit = PF_DATE_NONE;
    double z = 0;
    size_t i;

    qsort(s->ev, s->nev, sizeof *s->ev, ev_cmp);
    for (i = 0; i < s->nev; i++) {
        const struct gen_pev *e = &s->ev[i];
        int listed = p->listed != PF_DATE_NONE && e->date >= p->listed;
        double m;

        if (e->date > g->as_of)
            break;
        switch (e->kind) {
        case EV_DRAW:
            if (held == 0 && invested == 0)
                last_coupon = e->date;
            held += e->amount;
            invested += e->amount;
            last_draw = e->date;
            flow_add(s, e->date, JK_INVESTMENT, e->amount, 0);
            break;
        case EV_FEE:
            flow_add(s, e->date, JK_FEE_INCOME, e->amount, 0);
            break;
        case EV_COUPON:
            if (held > 0 && (p->coupon_end == PF_DATE_NONE || e->date < p->coupon_end)
                && (p->dflt == PF_DATE_NONE || e->date < p->dflt))
                flow_add(s, e->date, JK_INTEREST,
                         pf_cents_round((double)held * p->coupon * (double)(e->date - last_coupon)
                                        / 365.0),
                         0);
            last_coupon = e->date;
            break;
        case EV_DIVIDEND:
            if (held > 0)
                flow_add(s, e->date, JK_DIVIDEND,
                         pf_cents_round((double)held * p->div_yield
                                        * exp(pf_rng_gaussian(r, 0.15))),
                         0);
            break;
        case EV_SALE: {
            pf_cents basis;
            double price;
            if (held <= 0)
                break;
            basis = e->x >= 1.0 ? held : pf_cents_round((double)held * e->x);
            m = multiple(p, e->date);
            if (p->in == IN_DEBT)
                price = p->dflt != PF_DATE_NONE && e->date >= p->dflt
                            ? m * gen_range(r, 0.9, 1.1) : 1.0;
            else if (listed)
                price = m * exp(z + pf_rng_gaussian(r, 0.05));
            else
                price = m * exp(z + 0.03 + pf_rng_gaussian(r, 0.05));
            flow_add(s, e->date, JK_PROCEEDS, pf_cents_round((double)basis * price), basis);
            held -= basis;
            if (e->x >= 1.0) {
                val_add(s, e->date, 0, "transaction");
                return e->date;
            }
            break;
        }
        case EV_WRITEOFF:
            if (e->x > 0 && held > 0) {
                flow_add(s, e->date, JK_PROCEEDS, pf_cents_round((double)held * e->x), held);
                exit = e->date;
            }
            val_add(s, e->date, 0, "other");
            return exit;
        case EV_VALUE: {
            const char *method;
            double v;
            if (held <= 0)
                break;
            m = multiple(p, e->date);
            if (years(p->t0, e->date) < 0.75 || p->in == IN_DEBT) {
                method = p->in == IN_DEBT && p->dflt != PF_DATE_NONE && e->date >= p->dflt
                             ? "dcf" : "cost";
                v = (double)held * m;
            } else {
                z = 0.5 * z + pf_rng_gaussian(r, listed ? 0.15 : 0.06);
                v = (double)held * m * exp(z);
                if (listed)
                    method = "market";
                else if (p->in == IN_PPP)
                    method = "dcf";
                else if (p->in == IN_FUND)
                    method = "other";
                else if (last_draw != PF_DATE_NONE && e->date - last_draw < 92
                         && last_draw != p->t0)
                    method = "transaction";
                else
                    method = "dcf";
            }
            /* values to the thousand */
            val_add(s, e->date, gen_round_to(pf_cents_round(v), 100000), method);
            break;
        }
        default:
            break;
        }
    }
    return exit;
}

static void
write_flow(struct gen *g, const char *pid, pf_date d, int kind, pf_cents amount,
           const char *currency, const char *reverses, const char *note, char *id_out)
{
    char id[24];

    snprintf(id, sizeof id, "JF%08zu", ++g->next_jflow);
    if (id_out)
        snprintf(id_out, 24, "%s", id);
    gen_row_begin(g);
    gen_col(g, id);
    gen_col(g, pid);
    gen_col_date(g, d);
    gen_col(g, jkind[kind]);
    gen_col_money(g, amount);
    gen_col(g, currency);
    gen_col(g, reverses);
    gen_col(g, note);
    gen_row_end(g, GF_PROJECT_FLOWS);
}

/* --- public --- */

/* The project's currency: local for Hong Kong, Macao and (often) overseas parks. */
static const char *
project_currency(struct gen *g, struct pf_rng *r, const struct gen_fund *f,
                 const struct gen_park *park)
{
    const char *currency = f->currency, *local;

    if (park->named < 0)
        return currency;
    local = gen_named_parks[park->named].currency;
    if (!gen_fx_has(g, local))
        local = "USD";
    if (!park->overseas)
        currency = gen_chance(r, 0.8) ? local : f->currency;
    else if (strcmp(f->currency, "CNY") == 0)
        currency = "USD";
    else
        currency = gen_chance(r, 0.45) ? local : f->currency;
    if (!gen_fx_has(g, currency))
        currency = f->currency;
    return currency;
}

/* The commitment: lognormal around the fund's typical ticket (in fund currency),
 * converted and rounded, in the project's currency. */
static pf_cents
project_commitment(struct gen *g, struct pf_rng *r, const struct gen_fund *f, enum instr in,
                   const char *currency, pf_date commit_date)
{
    double base = f->type == GEN_FUND_MAIN ? 60e6 : f->type == GEN_FUND_REGIONAL ? 30e6 : 8e6;
    double amount_f;

    if (in == IN_PPP || in == IN_FUND)
        base *= 1.5;
    else if (in == IN_DEBT)
        base *= 0.8;
    amount_f = pf_rng_lognormal(r, log(base), 0.7);
    if (amount_f < base * 0.1)
        amount_f = base * 0.1;
    if (amount_f > base * 8)
        amount_f = base * 8;
    return gen_round_to(gen_convert(g, pf_cents_round(amount_f * 100), f->currency, currency,
                                    commit_date), 1000000);
}

/* An equity or convertible's plan: draws, a write-off or a listing and sales, coupons,
 * dividends, a fee. */
static void
plan_equity(struct gen *g, struct pf_rng *r, struct gen_pscratch *s, struct plan *p,
            const struct gen_fund *f, pf_cents commit)
{
    double u = gen_u(r), h;
    static const double fr1[] = { 1.0 }, fr3[] = { 0.5, 0.3, 0.2 };
    double fr2[2];
    int ntr = gen_chance(r, 0.6) ? 1 : gen_chance(r, 0.75) ? 2 : 3, writeoff = 0;
    pf_date stop, tw = PF_DATE_NONE, te = PF_DATE_NONE, last_draw, ps;
    pf_cents drawn = gen_chance(r, 0.75) ? commit
                                         : gen_round_to(pf_cents_round((double)commit
                                                        * gen_range(r, 0.6, 0.95)), 1000000);
    size_t i;

    p->dip = gen_range(r, 0.05, 0.25);
    h = gen_range(r, 3.0, 7.5);
    p->horizon = h;
    if (u < 0.10) {
        writeoff = 1;
        p->target = 0.15;
        tw = gen_flow_day(gen_add_years(p->t0, gen_range(r, 1.5, 5.0)));
        p->horizon = years(p->t0, tw) > 2.0 ? years(p->t0, tw) : 2.0;
    } else if (u < 0.30) {
        p->target = gen_range(r, 0.3, 0.9);
    } else if (u < 0.82) {
        p->target = pf_rng_lognormal(r, log(1.8), 0.35);
    } else {
        p->target = pf_rng_lognormal(r, log(3.5), 0.45);
    }
    if (!writeoff)
        te = gen_flow_day(gen_add_years(p->t0, h));
    stop = writeoff ? tw : te;
    fr2[0] = gen_range(r, 0.5, 0.8);
    fr2[1] = 1.0 - fr2[0];
    plan_draws(g, r, s, p->t0, drawn, ntr, 0.5, 1.5,
               gen_add_years(stop, -0.75), ntr == 1 ? fr1 : ntr == 2 ? fr2 : fr3);
    if (p->in == IN_CONVERTIBLE) {
        p->coupon = gen_range(r, 0.04, 0.06);
        p->coupon_end = gen_add_years(p->t0, 2.0);
        plan_coupons(g, s, p->t0, stop);
    }
    if (f->type == GEN_FUND_MAIN && gen_chance(r, 0.15))
        ev_add(s, p->t0, EV_FEE, pf_cents_round((double)commit * gen_range(r, 0.005, 0.01)), 0);
    if (writeoff) {
        ev_add(s, tw, EV_WRITEOFF, 0, gen_chance(r, 0.4) ? gen_range(r, 0.05, 0.2) : 0);
        return;
    }
    last_draw = p->t0;
    for (i = 0; i < s->nev; i++)
        if (s->ev[i].kind == EV_DRAW && s->ev[i].date > last_draw)
            last_draw = s->ev[i].date;
    if (p->target >= 1.8 && h >= 3.5 && gen_chance(r, 0.45)) {
        p->listed = gen_flow_day(gen_add_years(p->t0, gen_range(r, 1.5, h - 1.0)));
        if (p->listed <= last_draw)
            p->listed = gen_flow_day(last_draw + 40);
    }
    if (p->listed != PF_DATE_NONE && te - p->listed > 200) {
        ev_add(s, gen_flow_day(p->listed + (te - p->listed) * 2 / 5), EV_SALE, 0, 0.3);
        ev_add(s, gen_flow_day(p->listed + (te - p->listed) * 7 / 10), EV_SALE, 0, 0.5);
    } else if (gen_chance(r, 0.35)) {
        ps = gen_flow_day(gen_add_years(te, -gen_range(r, 0.5, 1.5)));
        if (ps > last_draw + 60)
            ev_add(s, ps, EV_SALE, 0, gen_range(r, 0.3, 0.5));
    }
    ev_add(s, te, EV_SALE, 0, 1.0);
    if (p->target >= 1.2 && gen_chance(r, 0.3)) {
        p->div_yield = gen_range(r, 0.015, 0.04);
        plan_dividends(g, s, gen_add_years(p->t0, 2.5), te);
    }
}

/* A loan's plan: one draw, coupons, perhaps a default with a recovery or a part repaid
 * halfway, the rest at maturity. */
static void
plan_debt(struct gen *g, struct pf_rng *r, struct gen_pscratch *s, struct plan *p,
          pf_cents commit)
{
    double h = gen_range(r, 3.0, 5.0);
    pf_date end, te;
    static const double one[] = { 1.0 };

    p->coupon = gen_range(r, 0.05, 0.09);
    te = gen_flow_day(gen_add_years(p->t0, h));
    plan_draws(g, r, s, p->t0, commit, 1, 0, 0, PF_DATE_NONE, one);
    if (gen_chance(r, 0.4))
        ev_add(s, p->t0, EV_FEE, gen_round_to(commit / 100, 100), 0);
    end = te;
    if (gen_chance(r, 0.10)) {
        p->dflt = gen_flow_day(gen_add_years(p->t0, gen_range(r, 1.0, h - 0.5)));
        p->recovery = gen_range(r, 0.3, 0.7);
        end = gen_flow_day(gen_add_years(p->dflt, gen_range(r, 0.75, 1.5)));
        te = end;
    } else if (gen_chance(r, 0.3)) {
        ev_add(s, gen_flow_day(gen_add_years(p->t0, h / 2)), EV_SALE, 0, 0.5);
    }
    plan_coupons(g, s, p->t0, end);
    ev_add(s, te, EV_SALE, 0, 1.0);
}

/* A PPP project's plan: draws over its build, dividends, rarely a sale. */
static void
plan_ppp(struct gen *g, struct pf_rng *r, struct gen_pscratch *s, struct plan *p,
         pf_cents commit)
{
    int n = 3 + (int)gen_int(r, 4), k;
    double fr[6];
    pf_cents drawn = gen_round_to(pf_cents_round((double)commit * gen_range(r, 0.85, 1.0)),
                                  1000000);
    pf_date te = PF_DATE_NONE;

    for (k = 0; k < n; k++)
        fr[k] = 1.0 / n;
    p->growth = gen_range(r, 0.0, 0.04);
    p->div_yield = gen_range(r, 0.05, 0.08);
    plan_draws(g, r, s, p->t0, drawn, n, 0.25, 0.6, PF_DATE_NONE, fr);
    if (gen_chance(r, 0.15))
        te = gen_flow_day(gen_add_years(p->t0, gen_range(r, 7.0, 9.5)));
    plan_dividends(g, s, gen_add_years(p->t0, 2.5), te);
    if (te != PF_DATE_NONE)
        ev_add(s, te, EV_SALE, 0, 1.0);
}

/* A sub-fund's plan: draws over its investment period, yearly partial sales from year
 * four, the rest at its end. */
static void
plan_fund(struct gen *g, struct pf_rng *r, struct gen_pscratch *s, struct plan *p,
          pf_cents commit)
{
    int n = 6 + (int)gen_int(r, 5), k;
    double fr[10], h = gen_range(r, 7.0, 10.0);
    pf_cents drawn = gen_round_to(pf_cents_round((double)commit * gen_range(r, 0.8, 1.0)),
                                  1000000);
    pf_date te;

    for (k = 0; k < n; k++)
        fr[k] = 1.0 / n;
    p->target = pf_rng_lognormal(r, log(1.6), 0.3);
    p->dip = gen_range(r, 0.10, 0.25);
    p->horizon = h;
    plan_draws(g, r, s, p->t0, drawn, n, 0.3, 0.6, PF_DATE_NONE, fr);
    for (k = 4; k < (int)h; k++)
        ev_add(s, gen_flow_day(gen_add_years(p->t0, k + gen_range(r, 0, 0.5))), EV_SALE, 0,
               gen_range(r, 0.1, 0.25));
    te = gen_flow_day(gen_add_years(p->t0, h));
    ev_add(s, te, EV_SALE, 0, 1.0);
}

/* The project's name, by instrument (an equity's also names its round). */
static char *
project_name(struct pf_rng *r, const struct gen_ent *e, const struct gen_park *park,
             const char *chain_zh, enum instr in)
{
    static const char *const rounds[] = { "天使轮", "A轮", "B轮", "C轮", "Pre-IPO轮", "战略" };

    switch (in) {
    case IN_EQUITY:
        return pf_xasprintf("%s%s%s%s股权投资", e->trade1, e->trade2, e->word,
                            rounds[gen_int(r, 6)]);
    case IN_CONVERTIBLE:
        return pf_xasprintf("%s%s%s可转债投资", e->trade1, e->trade2, e->word);
    case IN_DEBT:
        return pf_xasprintf("%s%s%s项目贷款", e->trade1, e->trade2, e->word);
    case IN_PPP:
        return pf_xasprintf("%s配套基础设施PPP项目", park->name);
    default:
        return pf_xasprintf("%s%s%s产业子基金", e->trade1, e->trade2, chain_zh ? chain_zh : "");
    }
}

/* The project's flows, with one keyed-in-error investment reversed and re-entered,
 * added to the fund's monthly accumulators (in fund currency); then its valuations. */
static void
write_project_flows(struct gen *g, const struct gen_fund *f, const char *pid,
                    const char *currency, size_t ordinal, const struct gen_pscratch *s,
                    struct gen_fund_acc *acc)
{
    size_t i;

    for (i = 0; i < s->nfl; i++) {
        const struct pflow *fl = &s->fl[i];
        int m = gen_month_of(g, fl->date);
        if (f->corrections && ordinal == 2 && i == 0 && fl->kind == JK_INVESTMENT) {
            char wrong[24], note[96];
            write_flow(g, pid, fl->date, fl->kind, fl->amount * 10, currency, NULL, NULL, wrong);
            snprintf(note, sizeof note, "冲销 %s, 金额多录一位 (amount keyed in error)", wrong);
            write_flow(g, pid, fl->date, fl->kind, fl->amount * 10, currency, wrong, note, NULL);
            write_flow(g, pid, fl->date, fl->kind, fl->amount, currency, NULL, "更正后重新录入",
                       NULL);
        } else {
            write_flow(g, pid, fl->date, fl->kind, fl->amount, currency, NULL, NULL, NULL);
        }
        if (m < 0 || m >= g->nmonths)
            continue;
        if (fl->kind == JK_INVESTMENT) {
            acc->inv[m] += gen_convert(g, fl->amount, currency, f->currency, fl->date);
        } else if (fl->kind == JK_PROCEEDS) {
            pf_cents all = gen_convert(g, fl->amount, currency, f->currency, fl->date);
            pf_cents roc = gen_convert(g, fl->amount < fl->basis ? fl->amount : fl->basis,
                                       currency, f->currency, fl->date);
            acc->roc[m] += roc;
            acc->gain[m] += all - roc;
        } else {
            acc->income[m] += gen_convert(g, fl->amount, currency, f->currency, fl->date);
        }
    }
    for (i = 0; i < s->nva; i++) {
        gen_row_begin(g);
        gen_col(g, pid);
        gen_col_date(g, s->va[i].date);
        gen_col_money(g, s->va[i].value);
        gen_col(g, currency);
        gen_col(g, s->va[i].method);
        gen_row_end(g, GF_VALUATIONS);
    }
}

void
gen_project(struct gen *g, struct pf_rng *r, const struct gen_fund *f, pf_date commit_date,
            size_t ordinal, struct gen_fund_acc *acc)
{
    struct gen_pscratch *s;
    struct plan p;
    const struct gen_ent *e;
    const struct gen_park *park;
    const char *currency, *theme, *chain;
    char pid[24], eid[24], *name;
    pf_cents commit, coinv = 0;
    pf_date exit, listed_out = PF_DATE_NONE, q;
    int ent;

    if (!g->ps)
        g->ps = pf_xcalloc(1, sizeof *g->ps);
    s = g->ps;
    s->nev = s->nfl = s->nva = 0;
    memset(&p, 0, sizeof p);
    p.listed = p.dflt = p.coupon_end = PF_DATE_NONE;

    snprintf(pid, sizeof pid, "P%06zu", ++g->next_project);
    ent = pick_enterprise(g, r, f, ordinal);
    e = &g->ents[ent];
    park = &g->parks[e->park];
    snprintf(eid, sizeof eid, "E%06d", ent + 1);
    chain = g->chains[e->chain];
    p.in = pick_instrument(r, f);
    currency = project_currency(g, r, f, park);
    commit = project_commitment(g, r, f, p.in, currency, commit_date);
    acc->committed += gen_convert(g, commit, currency, f->currency, commit_date);
    if (gen_chance(r, 0.4))
        coinv = gen_round_to(pf_cents_round((double)commit * gen_range(r, 0.5, 3.0)), 1000000);
    theme = pick_theme(g, r, f, p.in, chain);

    /* the plan */
    p.t0 = gen_flow_day(commit_date + 10 + (pf_date)gen_int(r, 36));
    switch (p.in) {
    case IN_EQUITY:
    case IN_CONVERTIBLE:
        plan_equity(g, r, s, &p, f, commit);
        break;
    case IN_DEBT:
        plan_debt(g, r, s, &p, commit);
        break;
    case IN_PPP:
        plan_ppp(g, r, s, &p, commit);
        break;
    case IN_FUND:
        plan_fund(g, r, s, &p, commit);
        break;
    }
    /* quarter-end valuations from the first draw on */
    for (q = pf_date_quarter_end(p.t0); q <= g->as_of; q = pf_date_quarter_end(q + 1))
        ev_add(s, q, EV_VALUE, 0, 0);
    /* a write-off without recovery is valued at zero but not exited */
    exit = walk(g, r, s, &p);
    if (p.listed != PF_DATE_NONE && p.listed <= g->as_of)
        listed_out = p.listed;
    if (listed_out != PF_DATE_NONE && exit != PF_DATE_NONE && listed_out > exit)
        listed_out = PF_DATE_NONE;

    /* the project row */
    name = project_name(r, e, park, pf_taxonomy_name(g->tax, PF_TAX_CHAIN, chain, "zh"), p.in);
    gen_row_begin(g);
    gen_col(g, pid);
    gen_col(g, f->id);
    gen_col(g, eid);
    gen_col(g, name);
    gen_col(g, chain);
    gen_col(g, g->segments[e->segment]);
    gen_col(g, theme);
    gen_col(g, instr_code[p.in]);
    gen_col_money(g, commit);
    gen_col(g, currency);
    gen_col_date(g, commit_date);
    if (coinv)
        gen_col_money(g, coinv);
    else
        gen_col(g, NULL);
    gen_col_date(g, exit);
    gen_col_date(g, listed_out);
    gen_row_end(g, GF_PROJECTS);
    free(name);
    write_project_flows(g, f, pid, currency, ordinal, s, acc);
    gen_progress_step(g);
}

void
gen_project_scratch_free(struct gen *g)
{
    if (!g->ps)
        return;
    free(g->ps->ev);
    free(g->ps->fl);
    free(g->ps->va);
    free(g->ps);
    g->ps = NULL;
}
