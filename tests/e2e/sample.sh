#!/bin/sh
# End-to-end check of the engine's figures on the sample data set against an
# independent oracle (tests/e2e/oracle.py, computed from SPEC section 5 alone):
# the close at 2024-06-30 (the hand-worked one), and closes at dates that move
# the periods about: 2021-03-10 (days after the first investment), 2022-02-15
# (before F-US's inception, after LP-CDHT's late close), 2022-07-01 (the day after
# a quarter end) and 2023-12-20 (D on a distribution date).
#   sh tests/e2e/sample.sh /path/to/parkfund
# Ends with "N passed, N failed"; exit status non-zero on any failure.
bin=${1:?usage: sample.sh PARKFUND_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-e2e.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fail() { echo "FAIL $*"; echo "0 passed, 1 failed"; exit 1; }
"$bin" --db t.db init >log 2>&1 || { cat log; fail "init"; }
"$bin" --db t.db import "$repo"/models/sample/*.csv >log 2>&1 || { cat log; fail "import"; }
pass=0
failed=0
run=0
for d in 2024-06-30 2021-03-10 2022-02-15 2022-07-01 2023-12-20; do
    run=$((run + 1))
    "$bin" --db t.db close --as-of $d --benchmark csi300 >log 2>&1 || { cat log; fail "close as of $d"; }
    "$bin" --db t.db export --run $run --out run$run.json >log 2>&1 || { cat log; fail "export run $run"; }
    /usr/bin/python3 "$here/oracle.py" --as-of $d --benchmark csi300 "$repo/models/sample" run$run.json >oracle.txt 2>&1
    status=$?
    sed "s/^/[as of $d] /" oracle.txt
    line=$(tail -n 1 oracle.txt)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    [ -n "$p" ] || { p=0; f=1; echo "FAIL oracle as of $d ended without a count (exit $status)"; }
    [ "$status" -eq 0 ] || [ "$f" -ne 0 ] || { f=1; echo "FAIL oracle as of $d exited $status"; }
    pass=$((pass + p))
    failed=$((failed + f))
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
