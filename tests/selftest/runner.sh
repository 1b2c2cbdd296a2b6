#!/bin/sh
# Self-test of tests/run_all.sh: it must not pass on nothing. A copy of the
# runner is run in a scratch tree of fake suites (shell scripts standing in for
# unit binaries and the CLI suite) and must fail when a suite prints no
# "N passed, N failed" line, runs no checks, exits non-zero, or when a unit test
# of tests/unit/test_*.c was not built; and pass, with the right total and a
# count per suite, when all is well.
#   sh tests/selftest/runner.sh [RUNNER]     (default: tests/run_all.sh)
# Prints one line per failing case and "runner: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
runner=${1:-$here/../run_all.sh}
work=$(mktemp -d "${TMPDIR:-/tmp}/pfrunner.XXXXXX")
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

fake() {  # path, what it prints (may be empty), exit status
    printf '#!/bin/sh\n' >"$1"
    [ -z "$2" ] || printf 'echo "%s"\n' "$2" >>"$1"
    printf 'exit %s\n' "$3" >>"$1"
    chmod +x "$1"
}

# a tree that passes: two unit tests (3 + 4 checks) and the CLI suite (2)
setup() {
    t=$work/tree
    rm -rf "$t"
    mkdir -p "$t/tests/unit" "$t/tests/cli" "$t/b/tests"
    cp "$runner" "$t/tests/run_all.sh"
    : >"$t/tests/unit/harness.h"
    : >"$t/tests/unit/test_a.c"
    : >"$t/tests/unit/test_b.c"
    fake "$t/b/parkfund" "" 0
    fake "$t/b/tests/test_a" "a: 3 passed, 0 failed" 0
    fake "$t/b/tests/test_b" "b: 4 passed, 0 failed" 0
    fake "$t/tests/cli/run.sh" "cli: 2 passed, 0 failed" 0
}

run() {  # args...: runs the runner in the tree; sets status and out
    out=$(cd "$work" && env -u TESTS_QUICK TMPDIR="$work" sh "$t/tests/run_all.sh" "$@" 2>&1)
    status=$?
}

expect_fail() {  # case name, text the output must hold
    if [ "$status" -eq 0 ]; then
        bad "$1: the runner passed (exit 0); it must fail"
        echo "$out" | sed 's/^/    /'
    elif ! echo "$out" | tail -n 1 | grep -Eq '^[0-9]+ passed, [1-9][0-9]* failed$'; then
        bad "$1: the last line is not 'N passed, N failed' with N failed > 0: $(echo "$out" | tail -n 1)"
    elif ! echo "$out" | grep -q -- "$2"; then
        bad "$1: the output does not say '$2'"
        echo "$out" | sed 's/^/    /'
    else
        ok
    fi
}

# 1. all is well: exit 0, 9 passed, and each suite's count shown
setup
run b
if [ "$status" -ne 0 ]; then
    bad "all ok: the runner failed (exit $status)"
    echo "$out" | sed 's/^/    /'
elif [ "$(echo "$out" | tail -n 1)" != "9 passed, 0 failed" ]; then
    bad "all ok: last line '$(echo "$out" | tail -n 1)', expected '9 passed, 0 failed'"
elif ! echo "$out" | grep -q 'test_a: 3 passed' || ! echo "$out" | grep -q 'test_b: 4 passed' ||
     ! echo "$out" | grep -q 'cli: 2 passed'; then
    bad "all ok: the per-suite counts are not shown"
    echo "$out" | sed 's/^/    /'
else
    ok
fi

# 2. a unit test that prints nothing and exits 0
setup
fake "$t/b/tests/test_b" "" 0
run b
expect_fail "silent suite" "test_b"

# 3. a suite that ran no checks
setup
fake "$t/b/tests/test_b" "b: 0 passed, 0 failed" 0
run b
expect_fail "suite with 0 checks" "test_b"

# 4. a unit test of tests/unit/test_*.c that was not built
setup
rm "$t/b/tests/test_b"
run b
expect_fail "missing unit binary" "test_b"

# 5. a unit binary that is not executable
setup
chmod -x "$t/b/tests/test_b"
run b
expect_fail "unit binary not executable" "test_b"

# 6. a suite that prints its passes but crashes (exit 134)
setup
fake "$t/b/tests/test_b" "b: 4 passed, 0 failed" 134
run b
expect_fail "crash after the count" "test_b"

# 7. a suite with failed checks: they are counted
setup
fake "$t/b/tests/test_b" "b: 4 passed, 2 failed" 1
run b
expect_fail "failed checks" "test_b"
[ "$status" -ne 0 ] && [ "$(echo "$out" | tail -n 1)" != "9 passed, 2 failed" ] &&
    bad "failed checks: last line '$(echo "$out" | tail -n 1)', expected '9 passed, 2 failed'"

# 8. the CLI suite prints nothing
setup
fake "$t/tests/cli/run.sh" "" 0
run b
expect_fail "silent CLI suite" "cli"

# 9. a build directory that does not exist: nothing runs, nothing passes
setup
run nosuch
expect_fail "missing build directory" "not built"

# 10. no build directory at all
setup
run
if [ "$status" -eq 0 ]; then bad "no arguments: the runner passed on nothing"; else ok; fi

echo "runner: $pass passed, $fail failed"
rm -rf "$work"
[ "$fail" -eq 0 ]
