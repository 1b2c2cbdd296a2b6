#!/bin/sh
# End-to-end check of the engine's figures on the sample data set against an
# independent oracle (tests/e2e/oracle.py, computed from SPEC section 5 alone).
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
"$bin" --db t.db close --as-of 2024-06-30 --benchmark csi300 >log 2>&1 || { cat log; fail "close"; }
"$bin" --db t.db export --run 1 --out run1.json >log 2>&1 || { cat log; fail "export"; }
/usr/bin/python3 "$here/oracle.py" "$repo/models/sample" run1.json
