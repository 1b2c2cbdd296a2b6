#!/usr/bin/python3
"""Writes N synthetic project flows (default 1,000,000) as a project_flows.csv for the
import benchmark (tests/bench/run.sh). Deterministic, stdlib only.

The rows reference the sample portfolio's CNY projects (models/sample: P-CN-01,
P-CN-02, P-CN-03), so the file imports into a database that holds the sample.
Flow ids are unique and sort in file order; dates lie in 2021-2023; amounts have
two decimals.
    bigflows.py OUT_CSV [N]
"""
import datetime
import random
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write("usage: bigflows.py OUT_CSV [N]\n")
        return 2
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 1000000
    rng = random.Random(20240630)
    projects = ("P-CN-01", "P-CN-02", "P-CN-03")
    kinds = ("investment", "dividend", "interest", "fee_income")
    day0 = datetime.date(2021, 1, 1).toordinal()
    span = datetime.date(2023, 12, 31).toordinal() - day0 + 1
    dates = [datetime.date.fromordinal(day0 + i).isoformat() for i in range(span)]
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("flow_id,project_id,date,kind,amount,currency,reverses,note\n")
        buf = []
        for i in range(n):
            cents = rng.randrange(100, 500000000)
            buf.append("BF%08d,%s,%s,%s,%d.%02d,CNY,,\n" % (
                i, projects[rng.randrange(3)], dates[rng.randrange(span)],
                kinds[rng.randrange(4)], cents // 100, cents % 100))
            if len(buf) >= 50000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    return 0


if __name__ == "__main__":
    sys.exit(main())
