/*
 * money: exact decimal strings <-> scaled int64. Amounts never pass through
 * floating point on their way into storage (SPEC §4).
 */
#include <stdio.h>
#include <string.h>
#include <math.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

bool
pf_decimal_parse(const char *s, int max_decimals, int64_t *out, const char **why)
{
    int64_t v = 0;
    int ndig = 0, ndec = 0;
    bool dot = false;
    const char *p;

    *out = 0;
    if (!s || !*s) {
        *why = "is empty";
        return false;
    }
    for (p = s; *p; p++) {
        char c = *p;
        if (c == '.') {
            if (dot) {
                *why = "has more than one decimal point";
                return false;
            }
            if (ndig == 0) {
                *why = "must have a digit before the decimal point";
                return false;
            }
            dot = true;
            continue;
        }
        if (c < '0' || c > '9') {
            if (c == '-' || c == '+')
                *why = "must not have a sign (the kind gives the direction)";
            else if (c == ',' || c == ' ' || c == '_' || c == '\'')
                *why = "must not contain thousands separators";
            else if (c == 'e' || c == 'E')
                *why = "must not use exponent notation";
            else
                *why = "is not a decimal number";
            return false;
        }
        if (dot) {
            if (++ndec > max_decimals) {
                *why = max_decimals == 2 ? "has more than 2 decimals"
                                         : "has too many decimals";
                return false;
            }
        } else {
            ndig++;
        }
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) {
            *why = "is out of range";
            return false;
        }
    }
    if (dot && ndec == 0) {
        *why = "must have a digit after the decimal point";
        return false;
    }
    for (; ndec < max_decimals; ndec++) {
        if (__builtin_mul_overflow(v, 10, &v)) {
            *why = "is out of range";
            return false;
        }
    }
    *out = v;
    return true;
}

bool
pf_money_parse(const char *s, pf_cents *out, const char **why)
{
    return pf_decimal_parse(s, 2, out, why);
}

char *
pf_decimal_format(int64_t v, int decimals, char *buf, size_t n)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t scale = 1;
    int i;

    if (decimals < 0 || decimals > 18)
        decimals = 0;
    for (i = 0; i < decimals; i++)
        scale *= 10;
    if (decimals > 0)
        snprintf(buf, n, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(u / scale),
                 decimals & 31, (unsigned long long)(u % scale));
    else
        snprintf(buf, n, "%s%llu", v < 0 ? "-" : "", (unsigned long long)u);
    return buf;
}

char *
pf_money_format(pf_cents v, char *buf, size_t n)
{
    return pf_decimal_format(v, 2, buf, n);
}

bool
pf_cents_add(pf_cents a, pf_cents b, pf_cents *out)
{
    return !__builtin_add_overflow(a, b, out);
}

bool
pf_cents_sub(pf_cents a, pf_cents b, pf_cents *out)
{
    return !__builtin_sub_overflow(a, b, out);
}

pf_cents
pf_cents_round(double v)
{
    if (!(v == v))
        return 0;
    if (v >= 9.2e18)
        return INT64_MAX;
    if (v <= -9.2e18)
        return INT64_MIN;
    return (pf_cents)llround(v);
}

bool
pf_wide_fits(pf_wide v, pf_cents *out)
{
    if (v > (pf_wide)INT64_MAX || v < (pf_wide)INT64_MIN)
        return false;
    *out = (pf_cents)v;
    return true;
}

pf_wide
pf_wide_div_round(pf_wide num, pf_wide den)
{
    pf_wide q, r;
    bool neg = (num < 0) != (den < 0);

    if (num < 0)
        num = -num;
    if (den < 0)
        den = -den;
    q = num / den;
    r = num % den;
    if (2 * r >= den) /* a tie goes away from zero */
        q++;
    return neg ? -q : q;
}

__extension__ typedef unsigned __int128 pf_uwide;

char *
pf_wide_format(pf_wide v, char *buf, size_t n)
{
    char tmp[48];
    size_t i = sizeof tmp;
    pf_uwide u;
    bool neg = v < 0;
    int digits = 0;

    u = neg ? (pf_uwide)0 - (pf_uwide)v : (pf_uwide)v;
    tmp[--i] = '\0';
    do {
        if (digits == 2)
            tmp[--i] = '.';
        tmp[--i] = (char)('0' + (int)(u % 10));
        u /= 10;
        digits++;
    } while (u > 0 || digits < 3);
    if (neg)
        tmp[--i] = '-';
    snprintf(buf, n, "%s", tmp + i);
    return buf;
}
