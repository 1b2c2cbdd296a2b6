/*
 * emit: the only way figures reach a run. Money arrives as a 128-bit sum and is
 * range-checked here, once, where it is stored: a figure beyond 64-bit cents is
 * PF_EDATA naming it (and nothing is stored, as the close then fails whole).
 * Checks and warnings become the run's notes; a failed check is an error value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "parkfund/banned.h"

static pf_status
out_of_range(struct eng *e, const char *what, const char *dim, const char *fund,
             const char *key, const char *metric, pf_wide v)
{
    char buf[48];
    return pf_err_set(e->err, PF_EDATA, "", "%s '%s' of %s '%s' %s%s%s= %s is out of range: "
                      "sums beyond 64-bit cents (about 9.2e16 in currency units) cannot be "
                      "stored", what, metric, dim, key, fund ? "in fund '" : "in the portfolio",
                      fund ? fund : " (CNY)", fund ? "' " : " ",
                      pf_wide_format(v, buf, sizeof buf));
}

pf_status
put_money(struct eng *e, const char *dim, const char *fund, const char *key,
          const char *metric, pf_wide v)
{
    pf_cents c;
    if (!pf_wide_fits(v, &c))
        return out_of_range(e, "figure", dim, fund, key, metric, v);
    pf_run_money(e->run, dim, fund, key, metric, c);
    return PF_OK;
}

pf_status
put_row_money(struct eng *e, const char *tbl, const char *fund, const char *key,
              const char *col, pf_date d, pf_wide v)
{
    pf_cents c;
    char day[16], what[64];
    if (!pf_wide_fits(v, &c)) {
        snprintf(what, sizeof what, "figure on %s", pf_date_format(d, day, sizeof day));
        return out_of_range(e, what, tbl, fund, key, col, v);
    }
    pf_run_row_money(e->run, tbl, fund, key, col, d, c);
    return PF_OK;
}

void
put_metric(struct eng *e, const char *dim, const char *fund, const char *key,
           const char *metric, struct pf_metric m)
{
    if (m.reason)
        pf_run_empty(e->run, dim, fund, key, metric, m.reason);
    else
        pf_run_value(e->run, dim, fund, key, metric, m.value);
}

void
warn(struct eng *e, const char *name, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pf_run_note_add(e->run, false, name, 0, msg);
}

pf_status
check(struct eng *e, bool ok, const char *name, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pf_run_note_add(e->run, true, name, ok ? 1 : 0, msg);
    if (ok)
        return PF_OK;
    return pf_err_set(e->err, PF_EINTERNAL, "", "reconciliation failed: %s: %s (a bug: nothing "
                      "was stored)", name, msg);
}

/*
 * Store a finished block as rows and solve its XIRR (Excel's convention, guess
 * 0.1) from exactly those netted cents, so the workbook's XIRR over the same
 * cells lands on the same root.
 */
pf_status
irr_block(struct eng *e, struct block *b, const char *fund, const char *block_key,
          const char *dim, const char *key, const char *metric, pf_wide nav)
{
    return irr_block_rate(e, b, fund, block_key, dim, key, metric, nav, NULL);
}

pf_status
irr_block_rate(struct eng *e, struct block *b, const char *fund, const char *block_key,
               const char *dim, const char *key, const char *metric, pf_wide nav,
               struct pf_metric *irr)
{
    struct pf_xirr_result x;
    double *a = NULL;
    pf_date *d = NULL;
    size_t i, n;
    pf_status rc = PF_OK;

    block_finish(b);
    for (i = 0; i < b->n; i++)
        TRY(put_row_money(e, "block", fund, block_key, "flow", b->d[i], b->a[i]));
    TRY(put_row_money(e, "block", fund, block_key, "nav", e->D, nav));
    n = b->n + 1;
    a = pf_xmalloc(n * sizeof *a);
    d = pf_xmalloc(n * sizeof *d);
    for (i = 0; i < b->n; i++) {
        a[i] = (double)b->a[i] / 100.0;
        d[i] = b->d[i];
    }
    a[b->n] = (double)nav / 100.0;
    d[b->n] = e->D;
    if ((rc = pf_xirr(d, a, n, 0.1, &x)) != PF_OK) {
        pf_err_set(e->err, rc, "", "irr of '%s' failed", block_key);
        goto cleanup;
    }
    put_metric(e, dim, fund, key, metric, x.m);
    if (irr)
        *irr = x.m;
    if (x.nroots > 1) {
        char list[300];
        size_t used = 0;
        for (i = 0; i < x.nroots && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%.6f", i ? ", " : "",
                                     x.roots[i]);
        warn(e, "several_irr_roots", "%s %s of '%s'%s%s: the flows have %zu rates (%s); "
             "reported %.6f, the root Excel reaches from 0.1", dim, metric, key,
             fund ? " in fund " : "", fund ? fund : "", x.nroots, list, x.m.value);
    }
cleanup:
    free(a);
    free(d);
    return rc;
}

int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
