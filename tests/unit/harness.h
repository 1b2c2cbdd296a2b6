/*
 * harness: a tiny unit-test harness. Each tests/unit/test_*.c is one program;
 * CHECK* record a failure with file and line and carry on; pf_t_done() prints
 * "N passed, N failed" (read by tests/run_all.sh) and returns the exit status.
 */
#ifndef PARKFUND_TEST_HARNESS_H
#define PARKFUND_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int pf_t_passed, pf_t_failed;

static inline int
pf_t_check(int ok, const char *what, const char *file, int line)
{
    if (ok)
        pf_t_passed++;
    else {
        pf_t_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

#define CHECK(c) pf_t_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_NEAR(got, want, tol)                                                        \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        if (!pf_t_check(fabs(g_ - w_) <= (tol), #got " ~ " #want, __FILE__, __LINE__))    \
            fprintf(stderr, "     got %.12g want %.12g\n", g_, w_);                       \
    } while (0)
#define CHECK_STR(got, want)                                                              \
    do {                                                                                  \
        const char *g_ = (got), *w_ = (want);                                             \
        if (!pf_t_check(g_ && w_ && strcmp(g_, w_) == 0, #got " == " #want, __FILE__,     \
                        __LINE__))                                                        \
            fprintf(stderr, "     got '%s' want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)
#define CHECK_INT(got, want)                                                              \
    do {                                                                                  \
        long long g_ = (long long)(got), w_ = (long long)(want);                          \
        if (!pf_t_check(g_ == w_, #got " == " #want, __FILE__, __LINE__))                 \
            fprintf(stderr, "     got %lld want %lld\n", g_, w_);                         \
    } while (0)

static inline int
pf_t_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, pf_t_passed, pf_t_failed);
    return pf_t_failed ? 1 : 0;
}

#endif
