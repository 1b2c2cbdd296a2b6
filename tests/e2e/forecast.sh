#!/bin/sh
# Forecast end to end (issue 13, SPEC §11) on models/sample: forecast a run,
# export it (dimension forecast, key <quarter>|<series>|<pct>, per fund and for
# the portfolio), the same seed gives a byte-identical export in another
# database, another seed moves the bands, verify recomputes forecasts and
# catches a tampered figure (exit 1), pacing reaches its target, partners'
# expected calls add up to the fund's, usage errors exit 2 and a missing run 66.
#   sh tests/e2e/forecast.sh BIN
set -u
PF=$1
case $PF in /*) ;; *) PF=$(pwd)/$PF ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pffc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $*"; }
export PARKFUND_NOW=2024-07-05T09:00:00Z

setup() {  # db
    $PF --db "$1" init >/dev/null 2>&1 || no "init $1"
    $PF --db "$1" import "$top"/models/sample/*.csv >/dev/null || no "import $1"
    $PF --db "$1" close --as-of 2024-06-30 --benchmark csi300 >/dev/null || no "close $1"
}
setup a.db
setup b.db

out=$($PF -q --db a.db forecast --paths 2000 --seed 7 2>err) || no "forecast a: $(cat err)"
case $out in "forecast 1 of run 1: 10 years, 2000 paths, seed 7"*) ok ;; *) no "summary: $out" ;; esac
$PF -q --db b.db forecast --paths 2000 --seed 7 >/dev/null 2>&1 || no "forecast b"
$PF --db a.db export --run 1 --out a.json 2>/dev/null || no "export a"
$PF --db b.db export --run 1 --out b.json 2>/dev/null || no "export b"
if cmp -s a.json b.json; then ok; else no "same seed, two databases: exports differ"; fi

# the export's forecast rows: shape, ordering of percentiles, partners, fund rows
/usr/bin/python3 - a.json <<'EOF' || no "forecast rows in the export"
import json, sys, decimal, collections
d = json.load(open(sys.argv[1]), parse_float=decimal.Decimal)
rows = [r for r in d["results"] if r["dimension"].startswith("forecast")]
bad = []
fc = [r for r in rows if r["dimension"] == "forecast"]
funds = sorted({r["fund"] for r in fc if r["fund"] is not None})
if funds != ["F-CN", "F-US"]: bad.append("funds %s" % funds)
keys = {(r["fund"], r["key"]) for r in fc}
for f in funds + [None]:
    for k in ("2024Q3|calls|p50", "2034Q2|nav|p95", "2025Q1|net_cash_flow|p5",
              "2026Q4|distributions|p75"):
        if (f, k) not in keys: bad.append("missing %s %s" % (f, k))
if len(fc) != 3 * 40 * 4 * 5: bad.append("%d forecast rows" % len(fc))
val = {(r["fund"], r["key"]): r["value"] for r in fc}
for (f, k), v in val.items():
    q, s, p = k.split("|")
    if p == "p5":
        seq = [val[(f, "%s|%s|%s" % (q, s, x))] for x in ("p5", "p25", "p50", "p75", "p95")]
        if seq != sorted(seq): bad.append("bands out of order %s %s" % (f, k))
    if s == "nav" and v < 0: bad.append("negative nav %s %s" % (f, k))
    if s == "calls" and v < 0: bad.append("negative calls %s %s" % (f, k))
# sum of a fund's P50 calls over the horizon <= its unfunded at the run
unf = {r["fund"]: r["value"] for r in d["results"] if r["dimension"] == "fund"
       and r["fund"] == r["key"] and r["metric"] == "unfunded"}
for f in funds:
    tot = sum(v for (ff, k), v in val.items() if ff == f and k.endswith("|calls|p50"))
    if tot > unf[f] + decimal.Decimal("1"): bad.append("calls %s > unfunded %s" % (tot, unf[f]))
# partners: P50 calls in the next quarter add up to the fund's (shares of the unfunded)
pc = collections.defaultdict(decimal.Decimal)
for r in rows:
    if r["dimension"] == "forecast_partner" and r["key"].endswith("|2024Q3|calls|p50"):
        pc[r["fund"]] += r["value"]
for f in funds:
    want = val[(f, "2024Q3|calls|p50")]
    if abs(pc[f] - want) > decimal.Decimal("0.05"):
        bad.append("partners' calls %s %s vs fund %s" % (f, pc[f], want))
opt = {r["metric"]: r["value"] for r in rows if r["dimension"] == "forecast_options"}
if opt.get("forecast_id") != 1 or opt.get("seed") != 7 or opt.get("paths") != 2000:
    bad.append("options %s" % opt)
fit = [r for r in rows if r["dimension"] == "forecast_fit" and r["metric"] == "fitted"]
if len(fit) != 2: bad.append("fit rows %d" % len(fit))
for b in bad[:20]: print(b)
sys.exit(1 if bad else 0)
EOF
[ $? -eq 0 ] && ok

# another seed moves the bands (a new forecast: export shows the newest)
$PF -q --db b.db forecast --paths 2000 --seed 8 >/dev/null 2>&1 || no "forecast seed 8"
$PF --db b.db export --run 1 --out b8.json 2>/dev/null || no "export b8"
n=$(/usr/bin/python3 - a.json b8.json <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
va = {(r["fund"], r["key"]): r["value"] for r in a["results"] if r["dimension"] == "forecast"}
vb = {(r["fund"], r["key"]): r["value"] for r in b["results"] if r["dimension"] == "forecast"}
print(sum(1 for k in va if "|nav|" in k[1] and va[k] != vb.get(k)))
EOF
)
if [ "${n:-0}" -gt 300 ]; then ok; else no "seed 8 changed only $n nav bands"; fi

# pacing: the P50 NAV with the new commitments reaches and holds the target
$PF -q --db a.db forecast --paths 1000 --years 6 --target-nav 300000000 >/dev/null 2>&1 ||
    no "forecast with a target"
$PF --db a.db export --run 1 --out p.json 2>/dev/null || no "export p"
/usr/bin/python3 - p.json <<'EOF' || no "pacing"
import json, sys, decimal
d = json.load(open(sys.argv[1]), parse_float=decimal.Decimal)
p = {}
for r in d["results"]:
    if r["dimension"] == "forecast_pacing":
        p.setdefault(r["key"], {})[r["metric"]] = r["value"]
bad = []
if len(p) != 6: bad.append("%d pacing years" % len(p))
X = decimal.Decimal(300000000)
for k, m in sorted(p.items()):
    if m["nav_p50"] < X - 1: bad.append("%s below target: %s" % (k, m))
    if m["new_commitments"] < 0: bad.append("%s negative commitment" % k)
    if m["new_commitments"] > 0 and abs(m["nav_p50"] - X) > 1: bad.append("%s overshoots %s" % (k, m))
if sum(m["new_commitments"] for m in p.values()) <= 0: bad.append("no new commitments")
# independently: a new fund on the defaults (G 13 %, B 2.5, L 10, Y 0, calls 25 %,
# 33 1/3 %, 50 % a year, quarterly equivalents) holds n(k) NAV per unit committed k
# quarters after committing; year y's P50 = existing + sum_j K_j n(4 (y - j + 1))
def unit_curve(nq):
    g = 1.13 ** 0.25 - 1
    u, v, out = 1.0, 0.0, []
    for t in range(nq):
        a0, a1 = t / 4, (t + 1) / 4
        rc = [0.25, 1 / 3, 0.5][min(int(a0 + 1e-9), 2)]
        rcq = 1 - (1 - rc) ** 0.25
        rd = min(1.0, (a1 / 10) ** 2.5)
        rdq = 1 if rd >= 1 else 1 - (1 - rd) ** 0.25
        c = rcq * u; grown = v * (1 + g); d = rdq * grown
        u -= c; v = grown + c - d
        out.append(v)
    return out
n = unit_curve(24)
ks = sorted(p)
for y, k in enumerate(ks, 1):
    want = float(p[k]["nav_p50_existing"]) + sum(
        float(p[ks[j - 1]]["new_commitments"]) * n[4 * (y - j + 1) - 1] for j in range(1, y + 1))
    if abs(want - float(p[k]["nav_p50"])) > 1e-6 * float(X) + 1:
        bad.append("%s: nav_p50 %s, recomputed %.2f" % (k, p[k]["nav_p50"], want))
for b in bad: print(b)
sys.exit(1 if bad else 0)
EOF
[ $? -eq 0 ] && ok

# one path: every band is that path, and the portfolio is the funds' CNY sum at
# the as-of rate (USD 7.1268 on 2024-06-28, models/sample/fx_rates.csv)
$PF -q --db b.db forecast --paths 1 --years 2 >/dev/null 2>&1 || no "forecast one path"
$PF --db b.db export --run 1 --out one.json 2>/dev/null || no "export one"
/usr/bin/python3 - one.json <<'EOF' || no "portfolio in CNY"
import json, sys, decimal
d = json.load(open(sys.argv[1]), parse_float=decimal.Decimal)
v = {(r["fund"], r["key"]): r["value"] for r in d["results"] if r["dimension"] == "forecast"}
bad = []
for (f, k), x in v.items():
    if f is not None: continue
    want = v[("F-CN", k)] + v[("F-US", k)] * decimal.Decimal("7.1268")
    if abs(x - want) > decimal.Decimal("0.09"): bad.append("%s: %s vs %s" % (k, x, want))
    q, s, p = k.split("|")
    if x != v[(None, "%s|%s|p50" % (q, s))]: bad.append("one path, bands differ: %s" % k)
if len(v) != 3 * 8 * 4 * 5: bad.append("%d rows" % len(v))
# partners across funds, in CNY: with one path, the sum of their per-fund rows at the rate
pr = {(r["fund"], r["key"]): r["value"] for r in d["results"] if r["dimension"] == "forecast_partner"}
for (f, k), x in pr.items():
    if f is not None: continue
    p, rest = k.split("|", 1)
    want = sum(pr.get((ff, k), 0) * (decimal.Decimal("7.1268") if ff == "F-US" else 1)
               for ff in ("F-CN", "F-US"))
    if abs(x - want) > decimal.Decimal("0.09"): bad.append("partner %s: %s vs %s" % (k, x, want))
if not any(f is None and k.startswith("LP-ICBC|") for (f, k) in pr): bad.append("no LP-ICBC total")
for b in bad[:10]: print(b)
sys.exit(1 if bad else 0)
EOF
[ $? -eq 0 ] && ok

# show
$PF --db a.db show forecasts | grep -q '^2 ' && ok || no "show forecasts"
$PF --db a.db show forecast | grep -q 'pacing to a P50 NAV' && ok || no "show forecast"

# verify recomputes every forecast, and catches a changed figure
$PF --db a.db verify >out 2>&1 && ok || { no "verify"; cat out; }
cp a.db t.db
sqlite3 t.db "DROP TRIGGER forecast_result_no_update;
  UPDATE forecast_result SET cents = cents + 1 WHERE forecast_id = 1 AND key = '2025Q1|nav|p50' AND fund IS NULL;" ||
    no "tamper"
$PF --db t.db verify >out 2>&1
st=$?
[ $st -eq 1 ] && ok || no "verify of a tampered forecast: exit $st"
grep -q "forecast 1: forecast/(portfolio)/2025Q1|nav|p50/amount" out && ok || { no "diff names the figure"; cat out; }

# usage and missing input
$PF --db a.db forecast --years 0 >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "--years 0 exit"
$PF --db a.db forecast --seed -1 >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "--seed -1 exit"
$PF --db a.db forecast --target-nav abc >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "--target-nav abc"
$PF --db a.db forecast --run 99 >/dev/null 2>&1; [ $? -eq 66 ] && ok || no "--run 99 exit"
$PF forecast --help | grep -q 'forecast id' && ok || no "--help mentions forecast ids"

echo "forecast: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
