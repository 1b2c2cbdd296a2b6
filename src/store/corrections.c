/*
 * corrections: the partner flows that a correction took out of every figure — each
 * reversed flow and the flow that reverses it — as known at a batch, with their notes.
 * The data set drops these pairs (load.c); statements still show them, marked, so a
 * partner sees what was corrected and why.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "parkfund/banned.h"

static char *
col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return pf_xstrdup(t ? (const char *)t : "");
}

pf_status
pf_store_load_corrections(struct pf_store *st, int64_t batch, struct pf_corrections *out,
                          struct pf_err *err)
{
    /* both members of every pair whose reversing flow is known at the batch */
    /* both members of every corrected pair (flag 1), and the notes of the others (0) */
    static const char sql[] =
        "SELECT f.flow_id, f.fund_id, f.partner_id, f.date, f.kind, f.purpose, f.amount, "
        "coalesce(f.reverses, ''), coalesce(f.note, ''), coalesce(r.flow_id, ''), "
        "(f.reverses IS NOT NULL OR r.flow_id IS NOT NULL) "
        "FROM partner_flow f LEFT JOIN partner_flow r ON r.reverses = f.flow_id "
        "AND r.batch_id <= ?1 WHERE f.batch_id <= ?1 AND (f.reverses IS NOT NULL OR "
        "r.flow_id IS NOT NULL OR coalesce(f.note, '') <> '') "
        "ORDER BY f.fund_id, f.partner_id, f.date, f.flow_id";
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    pf_status rc;
    int s;

    memset(out, 0, sizeof *out);
    if ((rc = store_prepare(st, sql, &q, err)) != PF_OK)
        return rc;
    sqlite3_bind_int64(q, 1, batch);
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        struct pf_correction *c;
        if (sqlite3_column_int(q, 10) == 0) { /* a note of a flow that counts */
            out->notes = pf_xreallocarray(out->notes, out->nnotes + 1, sizeof *out->notes);
            out->notes[out->nnotes].flow_id = col_dup(q, 0);
            out->notes[out->nnotes].note = col_dup(q, 8);
            out->nnotes++;
            continue;
        }
        char *d = col_dup(q, 3);
        const char *why;
        PF_GROW(out->v, out->n + 1, cap);
        c = &out->v[out->n++];
        memset(c, 0, sizeof *c);
        c->flow_id = col_dup(q, 0);
        c->fund_id = col_dup(q, 1);
        c->partner_id = col_dup(q, 2);
        if (!pf_date_parse(d, &c->date, &why))
            c->date = PF_DATE_NONE;
        free(d);
        c->kind = col_dup(q, 4);
        c->purpose = col_dup(q, 5);
        c->amount = sqlite3_column_int64(q, 6);
        c->reverses = col_dup(q, 7);
        c->note = col_dup(q, 8);
        c->reversed_by = col_dup(q, 9);
    }
    sqlite3_finalize(q);
    if (s != SQLITE_DONE) {
        pf_corrections_release(out);
        return pf_err_set(err, PF_EIO, "", "cannot read the corrected flows: %s",
                          sqlite3_errmsg(st->db));
    }
    return PF_OK;
}

void
pf_corrections_release(struct pf_corrections *c)
{
    size_t i;
    if (!c)
        return;
    for (i = 0; i < c->n; i++) {
        free(c->v[i].flow_id);
        free(c->v[i].fund_id);
        free(c->v[i].partner_id);
        free(c->v[i].kind);
        free(c->v[i].purpose);
        free(c->v[i].reverses);
        free(c->v[i].note);
        free(c->v[i].reversed_by);
    }
    free(c->v);
    for (i = 0; i < c->nnotes; i++) {
        free(c->notes[i].flow_id);
        free(c->notes[i].note);
    }
    free(c->notes);
    memset(c, 0, sizeof *c);
}
