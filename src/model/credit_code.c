/*
 * credit_code: the 统一社会信用代码 check of GB 32100-2015. Pure functions over
 * a fixed alphabet; no allocation, safe to call per input row.
 */
#include <string.h>

#include "parkfund/model.h"
#include "parkfund/banned.h"

/* --- internal --- */

/* The 31 code characters in value order: digits, then capitals without I, O, S, V, Z. */
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Weight of position i (0-based) is 3^i mod 31, as tabulated in the standard. */
static const int weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };

/* Value 0..30 of a code character, or -1. */
static int
char_value(char c)
{
    const char *p;

    if (c == '\0')
        return -1;
    p = strchr(alphabet, c);
    return p ? (int)(p - alphabet) : -1;
}

/* --- public --- */

char
pf_credit_code_check_char(const char *first17)
{
    int sum = 0, i, v;

    if (!first17)
        return 0;
    for (i = 0; i < 17; i++) {
        if ((v = char_value(first17[i])) < 0)
            return 0;
        sum += v * weights[i];
    }
    /* C18 = 31 - (sum mod 31), and a result of 31 is written as '0' */
    return alphabet[(31 - sum % 31) % 31];
}

bool
pf_credit_code_valid(const char *code, const char **why)
{
    const char *unused;
    size_t i, n;

    if (!why)
        why = &unused;
    *why = NULL;
    if (!code || !code[0]) {
        *why = "must not be empty";
        return false;
    }
    n = strlen(code);
    if (n != 18) {
        *why = "must be 18 characters";
        return false;
    }
    for (i = 0; i < n; i++) {
        if (char_value(code[i]) >= 0)
            continue;
        if (code[i] >= 'a' && code[i] <= 'z')
            *why = "must use capital letters";
        else if (code[i] == 'I' || code[i] == 'O' || code[i] == 'S' || code[i] == 'V' ||
                 code[i] == 'Z')
            *why = "must not contain I, O, S, V or Z";
        else
            *why = "must contain only digits and capital letters";
        return false;
    }
    if (pf_credit_code_check_char(code) != code[17]) {
        *why = "check digit is wrong";
        return false;
    }
    return true;
}
