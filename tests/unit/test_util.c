/* Unit tests for util: money, dates, UTF-8, SHA-256, file names. */
#include <stdlib.h>

#include "harness.h"
#include "parkfund/util.h"

static void
test_money(void)
{
    pf_cents c;
    const char *why = NULL;
    char buf[40];

    CHECK(pf_money_parse("1234.56", &c, &why) && c == 123456);
    CHECK(pf_money_parse("0.5", &c, &why) && c == 50);
    CHECK(pf_money_parse("7", &c, &why) && c == 700);
    CHECK(pf_money_parse("0", &c, &why) && c == 0);
    /* int64 max is 9223372036854775807 -> 92233720368547758.07 is the largest */
    CHECK(pf_money_parse("92233720368547758.07", &c, &why) && c == INT64_MAX);
    CHECK(!pf_money_parse("92233720368547758.08", &c, &why));
    CHECK_STR(why, "is out of range");
    CHECK(!pf_money_parse("1.234", &c, &why));
    CHECK_STR(why, "has more than 2 decimals");
    CHECK(!pf_money_parse("1,234.56", &c, &why));
    CHECK(!pf_money_parse("1e3", &c, &why));
    CHECK_STR(why, "must not use exponent notation");
    CHECK(!pf_money_parse("-5", &c, &why));
    CHECK(!pf_money_parse("-0", &c, &why));
    CHECK(!pf_money_parse("", &c, &why));
    CHECK(!pf_money_parse(".5", &c, &why));
    CHECK(!pf_money_parse("5.", &c, &why));
    CHECK(!pf_money_parse("\xef\xbc\x91", &c, &why)); /* full-width 1 */
    CHECK(!pf_money_parse(" 5", &c, &why));
    CHECK_STR(pf_money_format(-123456, buf, sizeof buf), "-1234.56");
    CHECK_STR(pf_money_format(5, buf, sizeof buf), "0.05");
    CHECK(pf_decimal_parse("7.12345678", 8, &c, &why) && c == 712345678);
    CHECK(!pf_cents_add(INT64_MAX, 1, &c));
    CHECK(pf_cents_add(1, 2, &c) && c == 3);
}

static void
test_dates(void)
{
    pf_date d;
    const char *why;
    char buf[16];
    int y, m, dd;

    CHECK(pf_date_parse("1970-01-01", &d, &why) && d == 0);
    CHECK(pf_date_parse("2000-03-01", &d, &why) && d == 11017); /* 30 years: 10957 + 31 + 29 */
    CHECK(pf_date_parse("2024-02-29", &d, &why));
    CHECK(!pf_date_parse("2024-02-30", &d, &why));
    CHECK(!pf_date_parse("1900-02-29", &d, &why)); /* 1900 is not a leap year */
    CHECK(!pf_date_parse("0000-00-00", &d, &why));
    CHECK(!pf_date_parse("26-01-01", &d, &why));
    CHECK(!pf_date_parse("2024-1-01", &d, &why));
    CHECK(!pf_date_parse("2023-13-01", &d, &why));
    CHECK(pf_date_parse("2000-02-29", &d, &why));
    /* round trip over 400 years covers every leap rule */
    for (d = pf_date_from_ymd(1900, 1, 1); d < pf_date_from_ymd(2300, 1, 1); d += 1) {
        pf_date_to_ymd(d, &y, &m, &dd);
        if (pf_date_from_ymd(y, m, dd) != d || !pf_date_valid_ymd(y, m, dd)) {
            CHECK(0);
            break;
        }
    }
    CHECK_STR(pf_date_format(pf_date_month_end(pf_date_from_ymd(2024, 2, 10)), buf, sizeof buf),
              "2024-02-29");
    CHECK_STR(pf_date_format(pf_date_add_months_end(pf_date_from_ymd(2024, 1, 31), 1), buf,
                             sizeof buf), "2024-02-29");
    CHECK_STR(pf_date_format(pf_date_add_months_end(pf_date_from_ymd(2024, 1, 31), -2), buf,
                             sizeof buf), "2023-11-30");
    CHECK_STR(pf_date_format(pf_date_quarter_end(pf_date_from_ymd(2024, 8, 3)), buf, sizeof buf),
              "2024-09-30");
    /* the digit-by-digit format against the printf one it replaced, every day of
     * years 0..9999, and beyond (printf again: five digits) */
    LOOP_BEGIN("date: format equals %04d-%02d-%02d");
    for (d = pf_date_from_ymd(0, 1, 1); d <= pf_date_from_ymd(10001, 12, 31); d += 1) {
        char want[32];
        pf_date_to_ymd(d, &y, &m, &dd);
        snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, dd);
        CHECK_STR(pf_date_format(d, buf, sizeof buf), want);
    }
    LOOP_END();
    CHECK_STR(pf_date_format(pf_date_from_ymd(10000, 1, 1), buf, sizeof buf), "10000-01-01");
    /* Excel: 2008-01-01 is serial 39448 (Excel XIRR documentation example) */
    CHECK_NEAR(pf_date_excel(pf_date_from_ymd(2008, 1, 1)), 39448, 0);
}

static void
test_utf8(void)
{
    size_t bad;
    const char *why;

    CHECK(pf_utf8_check("abc 中文", 10, &bad, &why));
    CHECK(!pf_utf8_check("a\xC0\x80", 3, &bad, &why) && bad == 1);
    CHECK(!pf_utf8_check("\xED\xA0\x80", 3, &bad, &why) && bad == 0); /* surrogate */
    CHECK(!pf_utf8_check("ab\xFF", 3, &bad, &why) && bad == 2);
    CHECK(!pf_utf8_check("a\0b", 3, &bad, &why) && bad == 1);
    CHECK(!pf_utf8_check("\xE4\xB8", 2, &bad, &why)); /* truncated */
    CHECK(!pf_utf8_check("\xF4\x90\x80\x80", 4, &bad, &why)); /* above U+10FFFF */
    CHECK_INT(pf_utf8_width("ab中文"), 6);
    CHECK_INT(pf_utf8_len("ab中文"), 4);
}

static void
test_sha_and_names(void)
{
    char hex[65];
    char *s;

    /* FIPS 180-2 example: SHA-256("abc") */
    pf_sha256_hex("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    s = pf_safe_filename("../../etc/passwd");
    CHECK_STR(s, "_._.._etc_passwd"); /* leading dot and slashes replaced */
    free(s);
    s = pf_safe_filename("..");
    CHECK_STR(s, "_.");
    free(s);
    s = pf_safe_filename("");
    CHECK_STR(s, "_");
    free(s);
    s = pf_safe_filename("LP-工行_01");
    CHECK_STR(s, "LP-工行_01");
    free(s);
}

int
main(void)
{
    test_money();
    test_dates();
    test_utf8();
    test_sha_and_names();
    return pf_t_done("util");
}
