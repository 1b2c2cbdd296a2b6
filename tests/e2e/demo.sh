#!/bin/sh
# The newcomer's first command (issue 5): `parkfund demo` builds the alliance's
# portfolio, closes it and writes every report. Checks: the files exist, every
# partner holding a commitment has its statement, verify passes on the demo
# database, and the summary names the workbook.
#   sh tests/e2e/demo.sh BIN
set -u
PF=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfdemo.XXXXXX")
cd "$tmp" || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $*"; }

PARKFUND_NOW=2026-11-28T09:00:00Z $PF demo --out out > demo.txt 2> demo.err
status=$?
[ $status -eq 0 ] && ok || { no "demo exited $status"; cat demo.err; }
grep -q "manager's workbook: out/portfolio-2026-10-31.xlsx" demo.txt && ok || no "summary does not name the workbook"
[ -s out/portfolio-2026-10-31.xlsx ] && ok || no "no manager workbook"
[ -s out/demo.db ] && ok || no "no demo database"
# every partner with a commitment in the run has a statement
partners=$(sqlite3 out/demo.db "SELECT DISTINCT partner_id FROM commitment WHERE date <= '2026-10-31' ORDER BY 1")
n=0
missing=0
for p in $partners; do
    n=$((n + 1))
    [ -s "out/statement-$p-2026-10-31.xlsx" ] || { missing=$((missing + 1)); echo "  no statement for $p"; }
done
[ $n -ge 40 ] && ok || no "only $n partners in the demo (expected 40+)"
[ $missing -eq 0 ] && ok || no "$missing partners without a statement"
out=$($PF --db out/demo.db verify 2>&1)
case $out in "verified 1 run"*) ok ;; *) no "verify on the demo database: $out" ;; esac
# a fund manager's quick look works on the demo database
$PF --db out/demo.db show funds > funds.txt 2>&1 && ok || no "show funds failed"
[ "$(grep -c '^F0' funds.txt)" -ge 3 ] && ok || no "show funds lists fewer than 3 funds"
grep -q 'Sanitizer\|runtime error' demo.err && no "sanitizer report in demo" || ok

cd / && rm -rf "$tmp"
echo "demo: $pass passed, $fail failed"
[ $fail -eq 0 ]
