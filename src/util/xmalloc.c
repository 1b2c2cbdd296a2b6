/*
 * xmalloc: allocation that never returns NULL. Running out of memory prints one
 * line and exits 70; an open write transaction rolls back, so no data is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

static void
oom(void)
{
    fputs("parkfund: out of memory\n", stderr);
    exit(70);
}

void *
pf_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *
pf_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *
pf_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

void *
pf_xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        oom();
    return pf_xrealloc(p, n * size);
}

char *
pf_xstrdup(const char *s)
{
    return pf_xstrndup(s, strlen(s));
}

char *
pf_xstrndup(const char *s, size_t n)
{
    char *p = pf_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
pf_xasprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    p = pf_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
