"""Split a generated data set by fund into base/ (reference data, commitments, FX,
benchmarks) and two halves x/ and y/ (flows and valuations of alternate funds), so
recovery tests have three independent imports.  python3 split_by_fund.py GEN DST"""
import csv, os, sys
src, dst = sys.argv[1:3]
refs = ("parks", "enterprises", "funds", "partners", "projects",
        "commitments", "fx_rates", "benchmarks")
def rows(kind):
    with open(os.path.join(src, kind + ".csv"), newline="", encoding="utf-8") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]
funds = sorted(r[0] for r in rows("funds")[1])
side = {f: ("x" if i % 2 == 0 else "y") for i, f in enumerate(funds)}
h, prj = rows("projects")
pfund = {r[h.index("project_id")]: r[h.index("fund_id")] for r in prj}
for d in ("base", "x", "y"):
    os.makedirs(os.path.join(dst, d), exist_ok=True)
def write(d, kind, head, body):
    with open(os.path.join(dst, d, kind + ".csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(body)
for kind in refs:
    write("base", kind, *rows(kind))
for kind, key in (("partner_flows", "fund_id"), ("project_flows", "project_id"),
                  ("valuations", "project_id")):
    head, body = rows(kind)
    i = head.index(key)
    fund = (lambda r: r[i]) if key == "fund_id" else (lambda r: pfund[r[i]])
    for d in ("x", "y"):
        write(d, kind, head, [r for r in body if side[fund(r)] == d])
