/*
 * harness: a tiny unit-test harness. Each tests/unit/test_*.c is one program;
 * CHECK* record a failure with file and line and carry on; pf_t_done() prints
 * "N passed, N failed" (read by tests/run_all.sh) and returns the exit status.
 *
 * The count is of distinct assertions. A property loop that runs the same
 * CHECKs thousands of times is one assertion: wrap it in
 *
 *     LOOP_BEGIN("alloc: exact sum, each part its floor or one more");
 *     for (...) { ... CHECK(...); ... }
 *     LOOP_END();
 *
 * Inside, every CHECK still runs and the first PF_T_LOOP_SHOW failures are
 * printed with file and line; LOOP_END() then records one pass when at least
 * one check ran and none failed, else one failure ("K of N checks failed", or
 * "ran no checks"), and prints the loop's size on stdout. Loops may nest: only
 * the outermost one is counted.
 */
#ifndef PARKFUND_TEST_HARNESS_H
#define PARKFUND_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PF_T_LOOP_SHOW 10

static int pf_t_passed, pf_t_failed;
static struct {
    int depth;          /* > 0 inside LOOP_BEGIN ... LOOP_END */
    long checks, failed;
    const char *what, *file;
    int line;
} pf_t_loop;

/* May a failed check print its got/want line? Not past a loop's first few failures. */
static inline int
pf_t_show(void)
{
    return pf_t_loop.depth == 0 || pf_t_loop.failed <= PF_T_LOOP_SHOW;
}

static inline int
pf_t_check(int ok, const char *what, const char *file, int line)
{
    if (pf_t_loop.depth > 0) {
        pf_t_loop.checks++;
        if (!ok && ++pf_t_loop.failed <= PF_T_LOOP_SHOW)
            fprintf(stderr, "FAIL %s:%d: %s (in loop '%s')\n", file, line, what,
                    pf_t_loop.what);
        return ok;
    }
    if (ok)
        pf_t_passed++;
    else {
        pf_t_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

static inline void
pf_t_loop_begin(const char *what, const char *file, int line)
{
    if (pf_t_loop.depth++ > 0)
        return;
    pf_t_loop.checks = pf_t_loop.failed = 0;
    pf_t_loop.what = what;
    pf_t_loop.file = file;
    pf_t_loop.line = line;
}

static inline void
pf_t_loop_end(void)
{
    if (pf_t_loop.depth <= 0) {
        pf_t_failed++;
        fprintf(stderr, "FAIL LOOP_END() without LOOP_BEGIN()\n");
        return;
    }
    if (--pf_t_loop.depth > 0)
        return;
    if (pf_t_loop.checks > 0 && pf_t_loop.failed == 0) {
        pf_t_passed++;
        printf("loop '%s': %ld checks, all passed (counted as 1)\n", pf_t_loop.what,
               pf_t_loop.checks);
        return;
    }
    pf_t_failed++;
    if (pf_t_loop.checks == 0)
        fprintf(stderr, "FAIL %s:%d: loop '%s' ran no checks\n", pf_t_loop.file,
                pf_t_loop.line, pf_t_loop.what);
    else
        fprintf(stderr, "FAIL %s:%d: loop '%s': %ld of %ld checks failed\n", pf_t_loop.file,
                pf_t_loop.line, pf_t_loop.what, pf_t_loop.failed, pf_t_loop.checks);
}

#define LOOP_BEGIN(what) pf_t_loop_begin((what), __FILE__, __LINE__)
#define LOOP_END() pf_t_loop_end()

#define CHECK(c) pf_t_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_NEAR(got, want, tol)                                                        \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        if (!pf_t_check(fabs(g_ - w_) <= (tol), #got " ~ " #want, __FILE__, __LINE__) && pf_t_show())    \
            fprintf(stderr, "     got %.12g want %.12g\n", g_, w_);                       \
    } while (0)
#define CHECK_STR(got, want)                                                              \
    do {                                                                                  \
        const char *g_ = (got), *w_ = (want);                                             \
        if (!pf_t_check(g_ && w_ && strcmp(g_, w_) == 0, #got " == " #want, __FILE__,     \
                        __LINE__) && pf_t_show())                                                        \
            fprintf(stderr, "     got '%s' want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)
#define CHECK_INT(got, want)                                                              \
    do {                                                                                  \
        long long g_ = (long long)(got), w_ = (long long)(want);                          \
        if (!pf_t_check(g_ == w_, #got " == " #want, __FILE__, __LINE__) && pf_t_show())                 \
            fprintf(stderr, "     got %lld want %lld\n", g_, w_);                         \
    } while (0)

static inline int
pf_t_done(const char *name)
{
    if (pf_t_loop.depth > 0) {
        pf_t_failed++;
        fprintf(stderr, "FAIL loop '%s' has no LOOP_END()\n", pf_t_loop.what);
    }
    if (pf_t_passed + pf_t_failed == 0) {
        pf_t_failed++;
        fprintf(stderr, "FAIL %s: no checks ran\n", name);
    }
    printf("%s: %d passed, %d failed\n", name, pf_t_passed, pf_t_failed);
    return pf_t_failed ? 1 : 0;
}

#endif
