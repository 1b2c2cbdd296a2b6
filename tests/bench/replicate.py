#!/usr/bin/python3
"""Replicates the reference portfolio N times for the benchmarks (SPEC §9: "a reference
portfolio replicated to ~100k flows"; tests/bench/run.sh). Stdlib only, deterministic.

    replicate.py SRC_DIR N OUT_DIR

SRC_DIR is models/sample (2 funds, 5 partners, 5 projects, 40 flows). Copy k (1..N)
has every identifier suffixed with "-k" (k zero-padded to the width of N): fund_id,
partner_id, project_id, enterprise_id, flow_id and the `reverses` references, so each
copy is a separate portfolio of the same shape, with the same amounts and dates (the
figures of every copy equal the sample's). Names get " #k" so that no two funds,
partners, enterprises or projects share a name. Shared reference data is written once:
parks (enterprises of every copy sit in the sample's five parks), fx_rates, benchmarks.
Credit codes stay valid (GB 32100-2015 check character recomputed) and unique: the
organisation code (characters 9-17) of copy k ends in k.

Prints one line: "replicas=N funds=… partners=… projects=… flows=… rows=…".
"""
import csv
import os
import sys

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

SHARED = ("parks", "fx_rates", "benchmarks")
ID_COLS = ("fund_id", "partner_id", "project_id", "enterprise_id", "flow_id", "reverses")
NAME_KINDS = ("funds", "partners", "enterprises", "projects")
ORDER = ("parks", "enterprises", "funds", "partners", "projects", "commitments",
         "partner_flows", "project_flows", "valuations", "fx_rates", "benchmarks",
         "fund_terms")


def check_char(first17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code(code, k, width):
    """The code of copy k: the first 8 characters kept, the organisation code made of
    its own leading characters and k, the check character recomputed."""
    if not code:
        return code
    tail = "%0*d" % (width, k)
    org = (code[8:17][:9 - len(tail)] + tail)[:9]
    first17 = code[:8] + org
    return first17 + check_char(first17)


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: replicate.py SRC_DIR N OUT_DIR\n")
        return 2
    src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if n < 1:
        sys.stderr.write("replicate.py: N must be at least 1\n")
        return 2
    width = max(4, len(str(n)))
    os.makedirs(out, exist_ok=True)
    counts = {}
    for kind in ORDER:
        path = os.path.join(src, kind + ".csv")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        with open(os.path.join(out, kind + ".csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            if kind in SHARED:
                w.writerows(body)
                counts[kind] = len(body)
                continue
            id_idx = [i for i, h in enumerate(header) if h in ID_COLS or h == "gp_partner_id"
                      or h == "concession_to"]
            name_idx = header.index("name") if kind in NAME_KINDS else -1
            cc_idx = header.index("credit_code") if "credit_code" in header else -1
            for k in range(1, n + 1):
                suf = "-%0*d" % (width, k)
                for r in body:
                    r = list(r)
                    for i in id_idx:
                        if r[i]:
                            r[i] += suf
                    if name_idx >= 0:
                        r[name_idx] += " #%d" % k
                    if cc_idx >= 0:
                        r[cc_idx] = credit_code(r[cc_idx], k, len(str(n)))
                    w.writerow(r)
            counts[kind] = len(body) * n
    flows = counts.get("partner_flows", 0) + counts.get("project_flows", 0)
    print("replicas=%d funds=%d partners=%d projects=%d flows=%d rows=%d" % (
        n, counts.get("funds", 0), counts.get("partners", 0), counts.get("projects", 0),
        flows, sum(counts.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
