#!/bin/sh
# End-to-end check of the capital accounts, NAV history and chain returns (issue 8)
# on a data set built for them (tests/e2e/data/accounts): commitment shares unlike
# paid-in shares, management-fee and expense contributions, a late closer with a
# catch-up call (LP-D) and another inside the month (LP-G: not a partner at the
# period's start), a commitment top-up inside the quarter, a partner whose paid-in
# passes its commitment (LP-C: the unfunded floor), a reversal inside the month,
# flows, a commitment, a project and a fund dated after D, a fund with commitments
# and nothing paid in, a USD fund investing in EUR with EUR income, and D in
# mid-month (2024-05-15). The independent oracle (tests/e2e/oracle.py) recomputes
# every exported figure from the CSVs (hand-worked lines in its header).
#   sh tests/e2e/accounts.sh /path/to/parkfund
# Ends with "N passed, N failed"; exit status non-zero on any failure.
bin=${1:?usage: accounts.sh PARKFUND_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-acc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fail() { echo "FAIL $*"; echo "0 passed, 1 failed"; exit 1; }
"$bin" --db t.db init >log 2>&1 || { cat log; fail "init"; }
"$bin" --db t.db import "$here"/data/accounts/*.csv >log 2>&1 || { cat log; fail "import"; }
"$bin" --db t.db close --as-of 2024-05-15 --benchmark csi300 >log 2>&1 || { cat log; fail "close"; }
"$bin" --db t.db export --run 1 --out run1.json >log 2>&1 || { cat log; fail "export"; }
/usr/bin/python3 "$here/oracle.py" --as-of 2024-05-15 --benchmark csi300 "$here/data/accounts" run1.json
