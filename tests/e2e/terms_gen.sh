#!/bin/sh
# The oracle's SPEC 10 code on data it was not written around (issue 10): the
# generator's scale-1 data set with terms added here to each of its funds — a GP of
# kind gp (no commitment), hurdle 8 % or 2 % (so that the funds with a concession
# have profit above it), compound or simple, catch-up 1, 0.5, 0.15 (no
# catch-up tier: 0.15 <= carry) or 0.8, fee bases commitment, invested and nav with
# and without an investment period (default and explicit _after rate and basis), a
# carry-exempt partner, a concession from guidance funds in every other fund (to the
# LPs, or to the GP, which then holds a commitment of its own and pays nothing in),
# and carry paid twice in three funds of four (1/3 and 1 % of the fund's
# distributions, at its median and last distribution dates: several funds end in
# clawback exposure). Closes at 2024-12-31 and 2024-08-20; every exported figure
# recomputed from the CSVs by tests/e2e/oracle.py.
#   sh tests/e2e/terms_gen.sh /path/to/parkfund
# Ends with "N passed, N failed"; exit status non-zero on any failure.
set -u
bin=${1:?usage: terms_gen.sh PARKFUND_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-tgen.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0
fail=0
no() { fail=$((fail + 1)); echo "FAIL $*"; }
"$bin" gen --scale 1 --seed 7 --as-of 2024-12-31 data >log 2>&1 || { cat log; no "gen"; }
/usr/bin/python3 - data <<'PY' || no "adding terms to the generated data"
import csv, os, sys
from decimal import Decimal
d = sys.argv[1]
rd = lambda k: list(csv.DictReader(open(os.path.join(d, k + ".csv"), encoding="utf-8")))
funds, comm, pf = rd("funds"), rd("commitments"), rd("partner_flows")
kinds = {r["partner_id"]: r["kind"] for r in rd("partners")}
with open(os.path.join(d, "partners.csv"), "a", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    for fd in funds:
        w.writerow(["GP-" + fd["fund_id"], "GP of " + fd["fund_id"], "gp", ""])
variants = [("compound", "1", "commitment", ""), ("simple", "0.5", "invested", "nav"),
            ("compound", "0.15", "nav", ""), ("compound", "0.8", "commitment", "invested")]
terms, carry, gpc = [], [], []
for i, fd in enumerate(funds):
    fid = fd["fund_id"]
    lps = sorted(set(c["partner_id"] for c in comm if c["fund_id"] == fid))
    hb, cu, fb, fba = variants[i % 4]
    gf = [p for p in lps if kinds[p] == "guidance_fund"]
    others = [p for p in lps if kinds[p] != "guidance_fund"]
    conc = "0.1" if gf and i % 2 == 0 else ""
    to = "gp" if i % 4 == 0 else "lps"  # to the GP, who then has a commitment
    y = int(fd["inception_date"][:4])
    terms.append([fid, "GP-" + fid, "0.2", "0.08" if i % 2 else "0.02", hb, cu, "0.02", fb,
                  "%d-12-31" % (y + 4) if i % 3 != 2 else "",
                  "0.015" if i % 3 == 0 else "", fba if i % 3 == 1 else "", "10",
                  others[-1] if len(others) > 2 else "", conc, to if conc else ""])
    if to == "gp":
        gpc.append(["GP-" + fid, fid, fd["inception_date"], "1000000.00"])
    ds = [r for r in pf if r["fund_id"] == fid and r["kind"] == "distribution"]
    if ds and i % 4 != 3:
        total = sum(Decimal(r["amount"]) for r in ds)
        dates = sorted(r["date"] for r in ds)
        for fl, date, amt in (("K1-", dates[len(dates) // 2], total / 300),
                              ("K2-", dates[-1], total / 100)):
            carry.append([fl + fid, fid, "GP-" + fid, date, "distribution", "carried_interest",
                          str(amt.quantize(Decimal("0.01"))), "no", "", "carry"])
with open(os.path.join(d, "fund_terms.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow("fund_id,gp_partner_id,carry,hurdle,hurdle_basis,catch_up,fee_rate,fee_basis,"
               "investment_period_end,fee_rate_after,fee_basis_after,term_years,carry_exempt,"
               "concession,concession_to".split(","))
    w.writerows(terms)
with open(os.path.join(d, "commitments.csv"), "a", encoding="utf-8", newline="") as f:
    assert list(comm[0].keys()) == ["partner_id", "fund_id", "date", "amount"]
    csv.writer(f).writerows(gpc)
hdr = list(pf[0].keys())
assert hdr[:10] == ["flow_id", "fund_id", "partner_id", "date", "kind", "purpose", "amount",
                    "recallable", "reverses", "note"], hdr
with open(os.path.join(d, "partner_flows.csv"), "a", encoding="utf-8", newline="") as f:
    csv.writer(f).writerows(carry)
PY
"$bin" --db t.db init >log 2>&1 || { cat log; no "init"; }
"$bin" --db t.db import data/*.csv >log 2>&1 || { cat log; no "import"; }
. "$here/oracle_closes.inc"
oracle_closes data 2024-12-31 2024-08-20
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
