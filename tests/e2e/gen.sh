#!/bin/sh
# The data generator (issue 5): byte-identical for the same seed, different for
# another; imports without errors at scales 1 and 10; and looks like a real
# portfolio once closed: a spread of IRRs and TVPIs across funds and chains,
# every chain present, no NaN anywhere in the export.
#   sh tests/e2e/gen.sh BIN
set -u
PF=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfgen.XXXXXX")
cd "$tmp" || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $*"; }

$PF gen --scale 1 --seed 11 --as-of 2025-12-31 a >/dev/null || no "gen a"
$PF gen --scale 1 --seed 11 --as-of 2025-12-31 b >/dev/null || no "gen b"
$PF gen --scale 1 --seed 12 --as-of 2025-12-31 c >/dev/null || no "gen c"
[ "$(cd a && sha256sum *.csv)" = "$(cd b && sha256sum *.csv)" ] && ok || no "same seed, different bytes"
[ "$(cd a && sha256sum *.csv)" != "$(cd c && sha256sum *.csv)" ] && ok || no "another seed, same bytes"
[ "$(cd a && sha256sum project_flows.csv)" != "$(cd c && sha256sum project_flows.csv)" ] && ok || no "another seed, same flows"

for scale in 1 10; do
    $PF gen --scale $scale --seed 5 --as-of 2025-12-31 d$scale >/dev/null || no "gen scale $scale"
    $PF --db s$scale.db init 2>/dev/null
    if $PF --db s$scale.db import d$scale/*.csv > imp$scale.txt 2>&1; then ok; else no "scale $scale import: $(head -3 imp$scale.txt)"; fi
    if $PF --db s$scale.db close --as-of 2025-12-31 --benchmark csi300 > close$scale.txt 2>&1; then ok; else no "scale $scale close: $(tail -3 close$scale.txt)"; fi
    $PF --db s$scale.db export --out run$scale.json 2>/dev/null || no "scale $scale export"
    /usr/bin/python3 - run$scale.json $scale <<'PY' && ok || no "scale $scale does not look like a real portfolio"
import json, math, statistics, sys
text = open(sys.argv[1]).read()
if "NaN" in text or "Infinity" in text:
    sys.exit("NaN or Infinity in the export")
rows = json.loads(text)["results"]
def values(dim, metric, portfolio=False):
    return [r["value"] for r in rows if r["dimension"] == dim and r["metric"] == metric
            and r["value"] is not None and ((r["fund"] is None) == portfolio)
            and (dim != "fund" or r["fund"] == r["key"] or portfolio)]
irr = values("fund", "net_irr")
tvpi = values("fund", "tvpi")
chain_irr = values("chain", "gross_irr", True)
chain_nav = {r["key"]: r["value"] for r in rows if r["dimension"] == "chain" and r["fund"] is None and r["metric"] == "nav"}
problems = []
if len(irr) < 3: problems.append("fewer than 3 funds with a net IRR")
elif statistics.pstdev(irr) < 0.005: problems.append("no spread of fund IRRs: %r" % irr)
if len(tvpi) >= 3 and statistics.pstdev(tvpi) < 0.02: problems.append("no spread of TVPIs")
if any(not (-0.5 < x < 1.0) for x in irr): problems.append("implausible fund IRRs %r" % irr)
if any(not (0.3 < x < 4.0) for x in tvpi): problems.append("implausible TVPIs %r" % tvpi)
chains = {"energy", "materials", "biomed", "logistics", "equipment", "it", "finance", "agriculture"}
if set(chain_nav) != chains: problems.append("chains present: %s" % sorted(chain_nav))
if any(v is None or v <= 0 for v in chain_nav.values()): problems.append("an empty chain: %r" % chain_nav)
if len(chain_irr) < 8 or statistics.pstdev(chain_irr) < 0.005: problems.append("no spread of chain IRRs")
for p in problems: print(p)
sys.exit(1 if problems else 0)
PY
done

cd / && rm -rf "$tmp"
echo "gen: $pass passed, $fail failed"
[ $fail -eq 0 ]
