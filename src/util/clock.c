/*
 * clock: UTC time stamps without the C library's time-zone machinery (banned),
 * so nothing depends on TZ. PARKFUND_NOW pins the clock for reproducible output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parkfund/util.h"
#include "parkfund/banned.h"

char *
pf_epoch_iso(int64_t epoch, char *buf, size_t n)
{
    int64_t days = epoch >= 0 ? epoch / 86400 : -((-epoch + 86399) / 86400);
    int64_t secs = epoch - days * 86400;
    int y, m, d;

    pf_date_to_ymd((pf_date)days, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
    return buf;
}

bool
pf_iso_epoch(const char *iso, int64_t *epoch)
{
    char date[11];
    pf_date day;
    const char *why;
    int hh, mm, ss;
    char z;

    if (strlen(iso) != 20 || iso[10] != 'T')
        return false;
    memcpy(date, iso, 10);
    date[10] = '\0';
    if (!pf_date_parse(date, &day, &why))
        return false;
    if (sscanf(iso + 11, "%2d:%2d:%2d%c", &hh, &mm, &ss, &z) != 4 || z != 'Z' || hh > 23 ||
        mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0)
        return false;
    *epoch = (int64_t)day * 86400 + hh * 3600 + mm * 60 + ss;
    return true;
}

static bool
parse_now(const char *s, int64_t *t)
{
    const char *p = s;
    char *end;
    long long v;

    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++)
        ;
    if (*p != '\0')
        return pf_iso_epoch(s, t);
    if (p - s > 18)
        return false;
    v = strtoll(s, &end, 10);
    *t = (int64_t)v;
    return true;
}

bool
pf_now_env_valid(const char **value)
{
    const char *fixed = getenv("PARKFUND_NOW");
    int64_t t;

    *value = fixed;
    return !fixed || !*fixed || parse_now(fixed, &t);
}

char *
pf_now_iso(char *buf, size_t n, int64_t *epoch)
{
    const char *fixed = getenv("PARKFUND_NOW");
    int64_t t = (int64_t)time(NULL), e;

    if (fixed && *fixed && parse_now(fixed, &e))
        t = e;
    if (epoch)
        *epoch = t;
    return pf_epoch_iso(t, buf, n);
}

static double
seconds_of(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
pf_wall_seconds(void)
{
    return seconds_of(CLOCK_MONOTONIC);
}

double
pf_cpu_seconds(void)
{
    return seconds_of(CLOCK_PROCESS_CPUTIME_ID);
}
