/*
 * Unit tests for the harness itself (harness.h): a loop of checks counts as one
 * assertion, passed or failed; a loop that ran no checks fails; failures inside
 * a loop are not lost. The failures provoked here are taken back off the count
 * once checked, so this suite passes only if the harness counts as documented.
 */
#include "harness.h"

int
main(void)
{
    int p0, f0, i, ok = 1;

    /* a passing loop of 1000 checks: one pass */
    p0 = pf_t_passed, f0 = pf_t_failed;
    LOOP_BEGIN("1000 passing checks");
    for (i = 0; i < 1000; i++)
        CHECK(i >= 0);
    LOOP_END();
    ok &= pf_t_passed == p0 + 1 && pf_t_failed == f0;

    /* nested loops count once, for the outermost */
    p0 = pf_t_passed, f0 = pf_t_failed;
    LOOP_BEGIN("outer");
    for (i = 0; i < 10; i++) {
        int j;
        LOOP_BEGIN("inner");
        for (j = 0; j < 10; j++)
            CHECK(j < 10);
        LOOP_END();
    }
    LOOP_END();
    ok &= pf_t_passed == p0 + 1 && pf_t_failed == f0;

    /* a loop with 3 failing checks of 1000: one failure, no pass */
    fprintf(stderr, "(the next loop failures are provoked on purpose)\n");
    p0 = pf_t_passed, f0 = pf_t_failed;
    LOOP_BEGIN("3 failing of 1000");
    for (i = 0; i < 1000; i++)
        CHECK(i < 997);
    LOOP_END();
    ok &= pf_t_passed == p0 && pf_t_failed == f0 + 1 && pf_t_loop.failed == 3 &&
          pf_t_loop.checks == 1000;
    pf_t_failed = f0;

    /* a loop that ran no checks is a failure */
    p0 = pf_t_passed, f0 = pf_t_failed;
    LOOP_BEGIN("empty");
    for (i = 0; i < 0; i++)
        CHECK(1);
    LOOP_END();
    ok &= pf_t_passed == p0 && pf_t_failed == f0 + 1;
    pf_t_failed = f0;

    /* outside a loop each check counts */
    p0 = pf_t_passed;
    CHECK(1);
    CHECK_INT(2, 2);
    ok &= pf_t_passed == p0 + 2;

    CHECK(ok);
    return pf_t_done("harness");
}
