#!/bin/sh
# The whole suite, for each build directory given (the plain build, then the
# sanitizer build): unit tests, CLI cases, the bad-input table, recovery and
# concurrency, spreadsheet recalculation and the demo check. Every suite prints
# a last line "N passed, N failed"; this adds them up and ends with one such line.
#   sh tests/run_all.sh build [build/san]
# TESTS_QUICK=1 skips the slow suites (kill -9 loop, spreadsheet programs) in
# builds after the first: they test files and the database, not the code's memory.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
total_pass=0
total_fail=0
log=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-tests.XXXXXX")
first=1

run_suite() {  # name, command...
    name=$1
    shift
    out="$log/$(echo "$name" | tr '/ ' '__').log"
    "$@" >"$out" 2>&1
    status=$?
    line=$(grep -E '^[^ ]*:? ?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p')
    [ -n "$p" ] || p=0
    [ -n "$f" ] || f=0
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1  # a crash or an early exit counts as a failure
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL  $name: $p passed, $f failed (exit $status)"
        grep -E 'FAIL|ERROR|error|Sanitizer|runtime error' "$out" | head -n 40 | sed 's/^/      /'
        echo "      (full log: $out)"
    else
        echo "ok    $name: $p passed"
    fi
}

for build in "$@"; do
    bin="$top/$build/parkfund"
    echo "== suite with $build"
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        run_suite "$build unit $(basename "$t")" "$t"
    done
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
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
