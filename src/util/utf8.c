/*
 * utf8: validation and display width. SQLite, cJSON and libxlsxwriter do not
 * check UTF-8, and an invalid byte that reaches the xlsx XML corrupts the file,
 * so every input byte passes pf_utf8_check first.
 */
#include <string.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

bool
pf_utf8_check(const char *str, size_t n, size_t *bad, const char **why)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        unsigned need, cp, min;
        size_t k;

        if (c == 0) {
            *bad = i;
            *why = "contains a NUL byte";
            return false;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1; cp = c & 0x1F; min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2; cp = c & 0x0F; min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3; cp = c & 0x07; min = 0x10000;
        } else {
            *bad = i;
            *why = "is not valid UTF-8";
            return false;
        }
        for (k = 1; k <= need; k++) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80) {
                *bad = i;
                *why = "is not valid UTF-8";
                return false;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            *bad = i;
            *why = "is not valid UTF-8";
            return false;
        }
        i += need + 1;
    }
    return true;
}

static unsigned
next_cp(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    unsigned c = *p++;
    unsigned cp;
    int need;

    if (c < 0x80) {
        *pp = p;
        return c;
    }
    need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    cp = c & (0x3Fu >> need);
    while (need-- > 0 && (*p & 0xC0) == 0x80)
        cp = (cp << 6) | (*p++ & 0x3F);
    *pp = p;
    return cp;
}

static int
cp_width(unsigned cp)
{
    if (cp == 0)
        return 0;
    if ((cp >= 0x300 && cp <= 0x36F) || cp == 0x200B || (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
        (cp >= 0x3041 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
        (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
        (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
        (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

size_t
pf_utf8_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;
    while (*p)
        w += (size_t)cp_width(next_cp(&p));
    return w;
}

size_t
pf_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}
