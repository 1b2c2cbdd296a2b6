#!/bin/sh
# The oracle's own test (issue 8): break the engine's export in small ways and
# check that tests/e2e/oracle.py notices each one. On the sample data set and the
# accounts data set: a partner's account line off by one cent, two partners'
# account rows swapped, a fund's J-curve paid-in off by a cent, a chain's NAV
# history row dropped, a chain return off by 1e-7 relative, an extra chain-return
# quarter, a period key misspelt, a partner's interest changed, a late closer's
# beginning NAV moved to another partner (the sums still agree). Each mutation
# must raise the oracle's failure count above the unmutated export's.
#   sh tests/e2e/oracle_mutations.sh /path/to/parkfund
# Ends with "N passed, N failed"; exit status non-zero on any failure.
set -u
bin=${1:?usage: oracle_mutations.sh PARKFUND_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-mut.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $*"; }

export_of() {  # name data_dir as_of
    "$bin" --db $1.db init >/dev/null 2>&1 &&
    "$bin" --db $1.db import "$2"/*.csv >/dev/null 2>&1 &&
    "$bin" --db $1.db close --as-of $3 --benchmark csi300 >/dev/null 2>&1 &&
    "$bin" --db $1.db export --run 1 --out $1.json >/dev/null 2>&1
}
failures() {  # data_dir as_of json -> the oracle's failure count
    /usr/bin/python3 "$here/oracle.py" --as-of $2 --benchmark csi300 "$1" "$3" |
        sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p'
}

mutate() {  # in.json out.json mutation
    /usr/bin/python3 - "$@" <<'PY'
import json, sys
from decimal import Decimal
src, dst, what = sys.argv[1:4]
doc = json.load(open(src), parse_float=Decimal)
rows = doc["results"]
def find(dim, fund, key, metric):
    for r in rows:
        if (r["dimension"], r["fund"], r["key"], r["metric"]) == (dim, fund, key, metric):
            return r
    raise SystemExit("mutation %s: no row %s/%s/%s/%s" % (what, dim, fund, key, metric))
args = what.split(":")
m = args[0]
if m == "cent":            # cent:dim:fund:key:metric  value + 0.01
    r = find(*[None if a == "null" else a for a in args[1:5]])
    r["value"] = Decimal(r["value"]) + Decimal("0.01")
elif m == "swap":          # swap:fund:period:a:b  partners a and b trade account rows
    fund, per, a, b = args[1:5]
    for r in rows:
        if r["dimension"] == "account" and r["fund"] == fund and r["key"].startswith(per + "|"):
            if r["metric"] == a:
                r["metric"] = b
            elif r["metric"] == b:
                r["metric"] = a
elif m == "move":          # move:fund:key:a:b:amount  amount from partner a's line to b's
    fund, key, a, b, amt = args[1:6]
    find("account", fund, key, a)["value"] -= Decimal(amt)
    find("account", fund, key, b)["value"] += Decimal(amt)
elif m == "drop":          # drop:dim:fund:key:metric
    r = find(*[None if a == "null" else a for a in args[1:5]])
    rows.remove(r)
elif m == "rel":           # rel:dim:fund:key:metric:factor
    r = find(*[None if a == "null" else a for a in args[1:5]])
    r["value"] = Decimal(r["value"]) * Decimal(args[5])
elif m == "extra":         # extra chain_return quarter before the first one
    r = [r for r in rows if r["dimension"] == "chain_return"][0]
    q, ch = r["key"].split("|")
    rows.append(dict(r, key="1999Q1|" + ch))
elif m == "rename":        # rename:old:new  an account period renamed in every key
    for r in rows:
        if r["dimension"] == "account" and r["key"].startswith(args[1] + "|"):
            r["key"] = args[2] + r["key"][len(args[1]):]
elif m != "none":
    raise SystemExit("unknown mutation " + what)
# Decimals stay exact: written as they were read
text = json.dumps(doc, ensure_ascii=False, default=lambda o: "@@%s@@" % o)
open(dst, "w").write(text.replace('"@@', "").replace('@@"', ""))
PY
}

check() {  # data_dir as_of json baseline mutation
    if mutate "$3" m.json "$5"; then
        n=$(failures "$1" "$2" m.json)
        if [ -n "$n" ] && [ "$n" -gt "$4" ]; then
            ok
            echo "caught $5: $((n - $4)) more failures"
        else
            no "mutation $5 not caught ($n failures, unmutated $4)"
        fi
    else
        no "mutation $5 could not be applied"
    fi
}

sample=$repo/models/sample
acc=$here/data/accounts
export_of s "$sample" 2024-06-30 || no "sample close"
export_of a "$acc" 2024-05-15 || no "accounts close"
mutate s.json s0.json none && bs=$(failures "$sample" 2024-06-30 s0.json)
mutate a.json a0.json none && ba=$(failures "$acc" 2024-05-15 a0.json)
# the rewritten export itself must not change the verdict
[ "$bs" = "$(failures "$sample" 2024-06-30 s.json)" ] && ok || no "rewriting the sample export changed the oracle's verdict"
[ "$ba" = "$(failures "$acc" 2024-05-15 a.json)" ] && ok || no "rewriting the accounts export changed the oracle's verdict"

for m in \
    "cent:account:F-CN:month|ending_nav:LP-PICC" \
    "cent:account:F-CN:itd|change_in_value:*" \
    "swap:F-CN:ytd:LP-ICBC:LP-SCGF" \
    "cent:nav_history:F-US:2023-05-31|*:paid_in" \
    "drop:nav_history:null:2022-10-31|it:nav" \
    "rel:chain_return:null:2023Q4|materials:return:1.0000001" \
    "extra" \
    "rename:qtd:QTD" \
    "move:F-CN:itd|investment_income:LP-CDHT:LP-ICBC:0.01"; do
    check "$sample" 2024-06-30 s.json "$bs" "$m"
done
for m in \
    "swap:F-AC:itd:LP-C:LP-D" \
    "move:F-AC:ytd|beginning_nav:LP-D:LP-A:0.01" \
    "cent:account:F-AC:month|unfunded_adjustment:LP-C" \
    "rel:account:F-AC:month|interest:LP-A:1.000001" \
    "cent:nav_history:null:2024-05-15|logistics:nav" \
    "cent:account:F-AU:itd|contrib_expenses:LP-E"; do
    check "$acc" 2024-05-15 a.json "$ba" "$m"
done
echo "oracle_mutations: $pass passed, $fail failed"
[ $fail -eq 0 ]
