/* status: the status table and its exit codes (SPEC §6), kept in step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

static const char *const messages[] = {
    "ok",
    "usage error",
    "bad input data",
    "missing input",
    "input/output error",
    "database busy",
    "verification mismatch",
    "internal error",
};
_Static_assert(sizeof messages / sizeof *messages == PF_STATUS_COUNT,
               "pf_status and messages[] out of step");

static const int exit_codes[] = { 0, 2, 65, 66, 74, 75, 1, 70 };
_Static_assert(sizeof exit_codes / sizeof *exit_codes == PF_STATUS_COUNT,
               "pf_status and exit_codes[] out of step");

const char *
pf_strerror(pf_status st)
{
    if ((unsigned)st >= PF_STATUS_COUNT)
        return "unknown status";
    return messages[st];
}

int
pf_exit_code(pf_status st)
{
    if ((unsigned)st >= PF_STATUS_COUNT)
        return 70;
    return exit_codes[st];
}

pf_status
pf_err_setv(struct pf_err *e, pf_status st, const char *where, const char *fmt, va_list ap)
{
    if (!e || e->status != PF_OK)
        return e ? e->status : st;
    e->status = st;
    snprintf(e->where, sizeof e->where, "%s", where ? where : "");
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return st;
}

pf_status
pf_err_set(struct pf_err *e, pf_status st, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pf_err_setv(e, st, where, fmt, ap);
    va_end(ap);
    return e ? e->status : st;
}

void
pf_err_clear(struct pf_err *e)
{
    memset(e, 0, sizeof *e);
}
