#!/bin/sh
# The whole suite, for each build directory given (the plain build, then the
# sanitizer build): unit tests, CLI cases, the bad-input table, recovery and
# concurrency, spreadsheet recalculation and the demo check; first, once, the
# self-tests of the test machinery (tests/selftest/: this runner, the Makefile).
# Every suite prints a last line "N passed, N failed"; this prints each suite's
# counts, adds them up and ends with one such line (exit 1 on any failure).
#   sh tests/run_all.sh build [build/san]
# A suite fails when it fails a check, exits non-zero, prints no "N passed,
# N failed" line, or ran no checks (0 passed, 0 failed). The unit tests expected
# are tests/unit/test_*.c: each must be built as BUILD/tests/test_* (a missing
# one fails, it is not skipped).
# TESTS_QUICK=1 skips the slow suites (kill -9 loop, spreadsheet programs) in
# builds after the first: they test files and the database, not the code's memory.
set -u
[ $# -gt 0 ] || { echo "usage: sh tests/run_all.sh BUILD [BUILD...]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
total_pass=0
total_fail=0
log=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-tests.XXXXXX")
first=1

nsuites=0
nfailed_suites=0

record() {  # name, passed, failed, exit status, why (empty when ok), log
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
    nsuites=$((nsuites + 1))
    if [ -n "$5" ]; then
        nfailed_suites=$((nfailed_suites + 1))
        echo "FAIL  $1: $2 passed, $3 failed (exit $4): $5"
        if [ -n "$6" ]; then
            grep -E 'FAIL|ERROR|error|Sanitizer|runtime error' "$6" | head -n 40 | sed 's/^/      /'
            echo "      (full log: $6)"
        fi
    else
        echo "ok    $1: $2 passed, $3 failed"
    fi
}

run_suite() {  # name, command...
    name=$1
    shift
    out="$log/$(echo "$name" | tr '/ ' '__').log"
    "$@" >"$out" 2>&1
    status=$?
    line=$(grep -E '^[^ ]*:? ?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p')
    why=""
    if [ -z "$p" ] || [ -z "$f" ]; then
        p=0 f=1
        why="printed no 'N passed, N failed' line"
    elif [ "$((p + f))" -eq 0 ]; then
        f=1
        why="ran no checks"
    elif [ "$f" -ne 0 ]; then
        why="$f checks failed"
    fi
    if [ "$status" -ne 0 ] && [ -z "$why" ]; then
        f=1  # a crash or an early exit counts as a failure
        why="exited $status"
    fi
    record "$name" "$p" "$f" "$status" "$why" "$out"
}

missing() {  # name, what is missing: one failure
    record "$1" 0 1 - "$2" ""
}

# the test machinery's own tests, once
for s in tests/selftest/*.sh; do
    [ -f "$s" ] || continue
    run_suite "selftest $(basename "$s")" sh "$s"
done

for build in "$@"; do
    bin="$top/$build/parkfund"
    echo "== suite with $build"
    [ -x "$bin" ] || missing "$build parkfund" "not built: $bin"
    nunits=0
    for src in tests/unit/test_*.c; do
        [ -f "$src" ] || continue
        nunits=$((nunits + 1))
        t=$build/tests/$(basename "$src" .c)
        if [ -x "$t" ]; then
            run_suite "$build unit $(basename "$t")" "$t"
        else
            missing "$build unit $(basename "$t")" "not built: $t (from $src)"
        fi
    done
    [ "$nunits" -gt 0 ] || missing "$build unit" "no tests/unit/test_*.c found"
    run_suite "$build cli" sh tests/cli/run.sh "$bin"
    [ -f tests/cli/badinput.py ] && run_suite "$build bad input" /usr/bin/python3 tests/cli/badinput.py "$bin"
    for s in tests/recovery/*.sh; do
        [ -f "$s" ] || continue
        if [ "$first" = 1 ] || [ "${TESTS_QUICK:-1}" != 1 ]; then
            run_suite "$build recovery $(basename "$s")" sh "$s" "$bin"
        fi
    done
    for s in tests/e2e/*.sh; do
        [ -f "$s" ] || continue
        run_suite "$build e2e $(basename "$s")" sh "$s" "$bin"
    done
    if [ "$first" = 1 ] || [ "${TESTS_QUICK:-1}" != 1 ]; then
        for s in tests/recalc/*.sh; do
            [ -f "$s" ] || continue
            run_suite "$build recalc $(basename "$s")" sh "$s" "$bin"
        done
    fi
    first=0
done
echo "== $nsuites suites, $nfailed_suites failed"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
