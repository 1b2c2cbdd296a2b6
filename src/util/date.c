/*
 * date: civil calendar arithmetic on day numbers (days since 1970-01-01,
 * proleptic Gregorian). No time zone is ever involved, so a close gives the
 * same result under any TZ.
 */
#include <stdio.h>
#include <string.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
pf_days_in_month(int y, int m)
{
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool
pf_date_valid_ymd(int y, int m, int d)
{
    return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= pf_days_in_month(y, m);
}

/* Day count from the era-based civil calendar formula (years as 400-year eras). */
pf_date
pf_date_from_ymd(int y, int m, int d)
{
    int era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (pf_date)(era * 146097 + doe - 719468);
}

void
pf_date_to_ymd(pf_date day, int *y, int *m, int *d)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int dd = doy - (153 * mp + 2) / 5 + 1;
    int mm = mp < 10 ? mp + 3 : mp - 9;

    *y = yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

bool
pf_date_parse(const char *s, pf_date *out, const char **why)
{
    int y, m, d, i;

    *out = PF_DATE_NONE;
    if (!s || !*s) {
        *why = "is empty";
        return false;
    }
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        *why = "must be a date YYYY-MM-DD";
        return false;
    }
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9') {
            *why = "must be a date YYYY-MM-DD";
            return false;
        }
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900) {
        *why = "is before 1900";
        return false;
    }
    if (!pf_date_valid_ymd(y, m, d)) {
        *why = "is not a calendar date";
        return false;
    }
    *out = pf_date_from_ymd(y, m, d);
    return true;
}

char *
pf_date_format(pf_date day, char *buf, size_t n)
{
    int y, m, d;

    if (day == PF_DATE_NONE) {
        snprintf(buf, n, "%s", "");
        return buf;
    }
    pf_date_to_ymd(day, &y, &m, &d);
    /* digit by digit: a close formats a date for every stored row (millions), and
     * snprintf was a tenth of its time */
    if (n >= 11 && y >= 0 && y <= 9999) {
        buf[0] = (char)('0' + y / 1000);
        buf[1] = (char)('0' + y / 100 % 10);
        buf[2] = (char)('0' + y / 10 % 10);
        buf[3] = (char)('0' + y % 10);
        buf[4] = '-';
        buf[5] = (char)('0' + m / 10);
        buf[6] = (char)('0' + m % 10);
        buf[7] = '-';
        buf[8] = (char)('0' + d / 10);
        buf[9] = (char)('0' + d % 10);
        buf[10] = '\0';
        return buf;
    }
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
    return buf;
}

pf_date
pf_date_month_end(pf_date day)
{
    int y, m, d;
    pf_date_to_ymd(day, &y, &m, &d);
    return pf_date_from_ymd(y, m, pf_days_in_month(y, m));
}

pf_date
pf_date_add_months_end(pf_date month_end, int k)
{
    int y, m, d, idx;
    pf_date_to_ymd(month_end, &y, &m, &d);
    idx = y * 12 + (m - 1) + k;
    y = idx / 12;
    m = idx % 12 + 1;
    return pf_date_from_ymd(y, m, pf_days_in_month(y, m));
}

pf_date
pf_date_quarter_end(pf_date day)
{
    int y, m, d;
    pf_date_to_ymd(day, &y, &m, &d);
    m = ((m - 1) / 3) * 3 + 3;
    return pf_date_from_ymd(y, m, pf_days_in_month(y, m));
}

pf_date
pf_date_year_start(pf_date day)
{
    int y, m, d;
    pf_date_to_ymd(day, &y, &m, &d);
    return pf_date_from_ymd(y, 1, 1);
}

double
pf_date_excel(pf_date day)
{
    return (double)day + 25569.0;
}
