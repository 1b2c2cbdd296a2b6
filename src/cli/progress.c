/* progress: the bar on stderr for long work, only when stderr is a terminal (SPEC §6). */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "parkfund/banned.h"

void
pf_progress_start(struct pf_progress *p, struct pf_ctx *ctx, const char *label)
{
    p->label = label;
    p->on = !ctx->quiet && isatty(STDERR_FILENO);
    p->last = -1;
}

void
pf_progress_update(void *arg, size_t done, size_t total)
{
    struct pf_progress *p = arg;
    int pct, i, filled;
    char bar[41];

    if (!p || !p->on || total == 0)
        return;
    pct = (int)(done >= total ? 100 : done * 100 / total);
    if (pct == p->last)
        return;
    p->last = pct;
    filled = pct * 40 / 100;
    for (i = 0; i < 40; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\r%-10s [%s] %3d%%", p->label, bar, pct);
    fflush(stderr);
}

void
pf_progress_end(struct pf_progress *p)
{
    if (p->on && p->last >= 0) {
        fprintf(stderr, "\r%-60s\r", "");
        fflush(stderr);
    }
}
