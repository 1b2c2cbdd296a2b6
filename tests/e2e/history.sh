#!/bin/sh
# Restating history (issue 3): close at D; import a correction (a reversed and
# re-entered capital call) and a restatement (a valuation at D) dated before D;
# close at D again. The runs differ exactly as they should, verify passes for
# both, run 1's export is byte-for-byte what it was, and closes are
# deterministic (also with reverse_unordered_selects and another TZ).
#   sh tests/e2e/history.sh BIN
set -u
PF=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfhist.XXXXXX")
cd "$tmp" || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $*"; }
value() {  # run.json dimension fund key metric -> value
    /usr/bin/python3 -c '
import json, sys
import decimal
d = json.load(open(sys.argv[1]), parse_float=decimal.Decimal)
for r in d["results"]:
    if (r["dimension"], r["fund"], r["key"], r["metric"]) == tuple(sys.argv[2:6]):
        print(r["value"]); break
' "$@"
}
results_only() { /usr/bin/python3 -c '
import json, sys
print(json.dumps(json.load(open(sys.argv[1]))["results"], sort_keys=True))' "$1"; }

$PF --db t.db init 2>/dev/null || no "init"
$PF --db t.db import "$top"/models/sample/*.csv >/dev/null || no "import sample"
$PF --db t.db close --as-of 2024-06-30 --benchmark csi300 >/dev/null || no "close 1"
$PF --db t.db export --run 1 --out before.json 2>/dev/null || no "export 1"
$PF --db t.db import "$top"/tests/e2e/data/restate/*.csv >/dev/null || no "import restatement"
$PF --db t.db export --run 1 --out after.json 2>/dev/null || no "export 1 again"
if cmp -s before.json after.json; then ok; else no "run 1's export changed after a later import"; fi
$PF --db t.db close --as-of 2024-06-30 --benchmark csi300 >/dev/null || no "close 2"
$PF --db t.db export --run 2 --out run2.json 2>/dev/null || no "export 2"

# by hand: the restatement takes P-CN-01 at D from 20,000,000.00 to 19,000,000.00;
# the correction adds 100,000.00 to ICBC's second call, so F-CN's cash rises by it:
# NAV 36,300,000.00 - 1,000,000.00 + 100,000.00 = 35,400,000.00;
# paid-in 30,550,000.00 + 100,000.00 = 30,650,000.00; ICBC paid in 12,300,000.00.
check() {  # file dim fund key metric expected
    got=$(value "$1" "$2" "$3" "$4" "$5")
    if [ "$got" = "$6" ]; then ok; else no "$1 $2/$3/$4/$5: got '$got', want '$6'"; fi
}
check before.json fund F-CN F-CN nav 36300000.00
check run2.json fund F-CN F-CN nav 35400000.00
check before.json fund F-CN F-CN paid_in 30550000.00
check run2.json fund F-CN F-CN paid_in 30650000.00
check run2.json partner F-CN LP-ICBC paid_in 12300000.00
check before.json project F-CN P-CN-01 nav 20000000.00
check run2.json project F-CN P-CN-01 nav 19000000.00
check run2.json fund F-US F-US nav "$(value before.json fund F-US F-US nav)"

out=$($PF --db t.db verify 2>&1)
case $out in "verified 2 runs"*) ok ;; *) no "verify: $out" ;; esac
$PF --db t.db verify --run 1 >/dev/null 2>&1 && ok || no "verify --run 1"

# determinism: the same close again, with SQLite returning unordered rows
# backwards and a far-off time zone, gives the same results
PARKFUND_REVERSE_UNORDERED_SELECTS=1 TZ=Pacific/Kiritimati \
    $PF --db t.db close --as-of 2024-06-30 --benchmark csi300 >/dev/null || no "close 3"
$PF --db t.db export --run 3 --out run3.json 2>/dev/null || no "export 3"
results_only run2.json > r2
results_only run3.json > r3
if cmp -s r2 r3; then ok; else no "close is not deterministic (run 2 vs run 3)"; fi
TZ=America/St_Johns $PF --db t.db export --run 2 --out run2b.json 2>/dev/null
if cmp -s run2.json run2b.json; then ok; else no "export depends on TZ"; fi

# tampering with history is detected: verify compares the input digest
cp t.db tampered.db
sqlite3 tampered.db "DROP TRIGGER valuation_no_update; UPDATE valuation SET value = value + 1 WHERE project_id = 'P-CN-02';" 2>/dev/null
out=$($PF --db tampered.db verify --run 2 2>&1)
status=$?
if [ $status -eq 1 ] && echo "$out" | grep -q "input digest"; then ok; else no "verify missed tampering (exit $status)"; fi

cd / && rm -rf "$tmp"
echo "history: $pass passed, $fail failed"
[ $fail -eq 0 ]
