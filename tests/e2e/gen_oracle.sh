#!/bin/sh
# The independent oracle (tests/e2e/oracle.py) on the generator's scale-1 data
# (issue 8): every exported figure of the close, with the capital accounts, the
# NAV history and the chain returns, recomputed from the generated CSVs. Two
# closes: at the generator's as-of date (a year end) and mid-quarter (2024-08-20,
# so flows, commitments and projects dated after D must drop out and the month,
# QTD and YTD periods all differ).
#   sh tests/e2e/gen_oracle.sh /path/to/parkfund
# Ends with "N passed, N failed"; exit status non-zero on any failure.
set -u
bin=${1:?usage: gen_oracle.sh PARKFUND_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-genor.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0
fail=0
no() { fail=$((fail + 1)); echo "FAIL $*"; }
"$bin" gen --scale 1 --seed 7 --as-of 2024-12-31 data >log 2>&1 || { cat log; no "gen"; }
"$bin" --db t.db init >log 2>&1 || { cat log; no "init"; }
"$bin" --db t.db import data/*.csv >log 2>&1 || { cat log; no "import"; }
run=0
for d in 2024-12-31 2024-08-20; do
    run=$((run + 1))
    if "$bin" --db t.db close --as-of $d --benchmark csi300 >log 2>&1 &&
       "$bin" --db t.db export --run $run --out run$run.json >log 2>&1; then
        /usr/bin/python3 "$here/oracle.py" --as-of $d --benchmark csi300 data run$run.json >oracle$run.txt 2>&1
        status=$?
        sed "s/^/[as of $d] /" oracle$run.txt
        line=$(tail -n 1 oracle$run.txt)
        p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
        f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
        if [ -z "$p" ]; then no "oracle as of $d ended without a count (exit $status)"; continue; fi
        pass=$((pass + p))
        fail=$((fail + f))
        [ "$status" -eq 0 ] || [ "$f" -ne 0 ] || no "oracle as of $d exited $status"
    else
        cat log
        no "close/export as of $d"
    fi
done
echo "gen_oracle: $pass passed, $fail failed"
[ $fail -eq 0 ]
