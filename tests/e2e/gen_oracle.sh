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
. "$here/oracle_closes.inc"
oracle_closes data 2024-12-31 2024-08-20
echo "gen_oracle: $pass passed, $fail failed"
[ $fail -eq 0 ]
