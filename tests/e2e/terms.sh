#!/bin/sh
# End-to-end check of fund economics (SPEC 10, issue 10) on a data set built for it
# (tests/e2e/data/terms: the sample plus a GP of kind gp per fund and fund_terms):
#   F-CN: compound 8 % hurdle, 20 % carry, full catch-up, 2 % fee on commitment then
#         1.5 % on invested after 2023-12-31, a 10 % concession from the guidance fund
#         LP-SCGF to the other LPs, LP-CDHT carry-exempt, GP-CN with a 1,000,000
#         commitment paying its calls, carry of 100,000 paid on 2024-06-28;
#   F-US: simple 8 % hurdle, catch-up 0.5, GP-US with no commitment, paid carry of
#         1,000,000 on 2024-03-31, more than it is entitled to (clawback exposure);
#   F-CB: a third small fund whose carry, paid on an early exit, is undone by a later
#         call and a write-down (the whole-life clawback test).
# The independent oracle (tests/e2e/oracle.py, written from SPEC 10's text; the
# waterfalls worked by hand in its header) recomputes every exported figure. Closes:
# 2024-06-30 (the hand-worked one), 2024-03-31 (D on F-US's carry date), 2023-12-20
# (F-US and F-CN before any carry; D on a distribution date) and 2022-07-01.
# Then the oracle's own test: the 2024-06-30 export broken in small ways (a waterfall
# tier, a partner's NAV net, a carry line of a capital account, ... each by a cent or
# a swap), each of which must raise the oracle's failure count.
#   sh tests/e2e/terms.sh /path/to/parkfund
# Ends with "N passed, N failed"; exit status non-zero on any failure.
set -u
bin=${1:?usage: terms.sh PARKFUND_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data/terms
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-terms.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0
fail=0
no() { fail=$((fail + 1)); echo "FAIL $*"; }
"$bin" --db t.db init >log 2>&1 || { cat log; echo "FAIL init"; echo "0 passed, 1 failed"; exit 1; }
"$bin" --db t.db import "$data"/*.csv >log 2>&1 || { cat log; echo "FAIL import"; echo "0 passed, 1 failed"; exit 1; }

oracle() {  # as_of json -> prints the oracle's lines; sets p and f
    /usr/bin/python3 "$here/oracle.py" --as-of $1 --benchmark csi300 "$data" $2 >oracle.txt 2>&1
    status=$?
    line=$(tail -n 1 oracle.txt)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$p" ]; then p=0; f=1; echo "oracle as of $1 ended without a count (exit $status)"; fi
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "oracle as of $1 exited $status"; fi
}

run=0
for d in 2024-06-30 2024-03-31 2023-12-20 2022-07-01; do
    run=$((run + 1))
    if "$bin" --db t.db close --as-of $d --benchmark csi300 >log 2>&1 &&
       "$bin" --db t.db export --run $run --out run$run.json >log 2>&1; then
        oracle $d run$run.json
        sed "s/^/[as of $d] /" oracle.txt
        pass=$((pass + p))
        fail=$((fail + f))
    else
        cat log
        no "close/export as of $d"
    fi
done

# ---- mutations of the 2024-06-30 export: each must make the oracle fail
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
a = what.split(":")
m = a[0]
if m == "cent":        # cent:dim:fund:key:metric  value + 0.01
    r = find(*a[1:5]); r["value"] = Decimal(r["value"]) + Decimal("0.01")
elif m == "move":      # move:dim:fund:key:metric:key2  a cent from key to key2 (sums agree)
    r = find(*a[1:5]); r["value"] = Decimal(r["value"]) - Decimal("0.01")
    r = find(a[1], a[2], a[5], a[4]); r["value"] = Decimal(r["value"]) + Decimal("0.01")
elif m == "add":       # add:dim:fund:key:metric:amount  (value + amount)
    r = find(*a[1:5]); r["value"] = Decimal(r["value"]) + Decimal(a[5])
elif m == "rate":      # rate:dim:fund:key:metric  value + 2e-6
    r = find(*a[1:5]); r["value"] = Decimal(r["value"]) + Decimal("2e-6")
elif m == "movem":     # movem:dim:fund:key:metric:metric2  a cent from one metric to another
    r = find(*a[1:5]); r["value"] = Decimal(r["value"]) - Decimal("0.01")
    r = find(a[1], a[2], a[3], a[5]); r["value"] = Decimal(r["value"]) + Decimal("0.01")
elif m == "swap":      # swap:dim:fund:key1:key2:metric  two rows trade values
    r1 = find(a[1], a[2], a[3], a[5]); r2 = find(a[1], a[2], a[4], a[5])
    r1["value"], r2["value"] = r2["value"], r1["value"]
elif m == "drop":      # drop:dim:fund:key:metric
    rows.remove(find(*a[1:5]))
elif m == "extra":     # extra:dim:fund:key:metric  a row the oracle does not expect
    rows.append({"dimension": a[1], "fund": a[2], "key": a[3], "metric": a[4],
                 "value": Decimal("1.00"), "reason": None})
else:
    raise SystemExit("unknown mutation " + what)
text = json.dumps(doc, ensure_ascii=False, default=lambda o: "@@%s@@" % o)
open(dst, "w", encoding="utf-8").write(text.replace('"@@', "").replace('@@"', ""))
PY
}
if [ -s run1.json ]; then
    for mu in \
        "cent:waterfall:F-CN:preferred_return:hypothetical" \
        "add:waterfall:F-US:catch_up_lp:total:0.02" \
        "cent:waterfall:F-US:split_gp:hypothetical" \
        "move:waterfall:F-US:split_lp:hypothetical:split_gp" \
        "swap:waterfall:F-US:catch_up_gp:split_gp:hypothetical" \
        "drop:waterfall:F-US:split_lp:distributed" \
        "extra:fees:F-CN:2025:accrued" \
        "cent:fees:F-CN:2024:accrued" \
        "cent:fund:F-CN:F-CN:fees_accrued" \
        "cent:partner:F-CN:LP-ICBC:nav" \
        "move:partner:F-CN:LP-ICBC:nav:LP-PICC" \
        "move:partner:F-US:LP-ICBC:carry_accrued:LP-SDIC" \
        "cent:fund:F-US:F-US:carry_accrued" \
        "cent:fund:F-US:F-US:clawback" \
        "cent:fund:F-CN:F-CN:carry_entitled" \
        "cent:fund:F-CN:F-CN:nav_net" \
        "cent:partner:F-CN:LP-SCGF:concession_given" \
        "add:partner:F-CN:GP-CN:distributions:100000" \
        "cent:account:F-US:ytd|accrued_carry_beginning:LP-ICBC" \
        "cent:account:F-CN:month|carried_interest:*" \
        "movem:account:F-CN:itd|accrued_carry_ending:LP-ICBC:LP-PICC" \
        "cent:account:F-CN:qtd|ending_nav_gross:LP-SCGF" \
        "rate:fund:F-US:F-US:net_irr_before_carry" \
        "rate:partner:F-CN:LP-SCGF:net_irr" \
        "cent:nav_history:F-US:2024-03-31|*:distributions" \
        "cent:fund:F-CB:F-CB:carry_entitled" \
        "move:partner:F-CB:LP-CBK:nav:LP-PICC" \
        "cent:account:F-CB:itd|incentive_allocation_change:LP-CBK" \
        ; do
        if mutate run1.json mut.json "$mu" >log 2>&1; then
            oracle 2024-06-30 mut.json
            if [ "$f" -gt 0 ]; then
                pass=$((pass + 1))
                echo "mutation $mu: caught ($f failed), e.g. $(grep -m1 '^FAIL' oracle.txt)"
            else
                no "mutation $mu: the oracle did not notice"
            fi
        else
            cat log
            no "mutation $mu could not be applied"
        fi
    done
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
