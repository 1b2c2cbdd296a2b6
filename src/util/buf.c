/* buf: a growable NUL-terminated byte string. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

static void
buf_reserve(struct pf_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need > b->cap) {
        size_t nc = b->cap ? b->cap : 64;
        while (nc < need)
            nc *= 2;
        b->s = pf_xrealloc(b->s, nc);
        b->cap = nc;
    }
}

void
pf_buf_add(struct pf_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void
pf_buf_adds(struct pf_buf *b, const char *s)
{
    pf_buf_add(b, s, strlen(s));
}

void
pf_buf_addc(struct pf_buf *b, char c)
{
    pf_buf_add(b, &c, 1);
}

void
pf_buf_addf(struct pf_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
pf_buf_reset(struct pf_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

char *
pf_buf_detach(struct pf_buf *b)
{
    char *s = b->s ? b->s : pf_xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void
pf_buf_release(struct pf_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

const char *
pf_buf_str(const struct pf_buf *b)
{
    return b->s ? b->s : "";
}
