#!/usr/bin/python3
"""One fund with many partners, for the benchmark of growth in partners per fund
(SPEC §9: every command linear in partners; tests/bench/run.sh). Stdlib only,
deterministic.

    widefund.py P OUT_DIR [SAMPLE_DIR]

Writes the CSVs of SPEC §4 for one CNY fund, F-WIDE (inception 2021-01-15), with P
limited partners:
  - commitments: 1 to 50 million yuan each; four partners in five commit at the first
    closing (2021-01-15), the rest at a second closing (2022-01-10);
  - partner flows, pro rata on commitment (so they grow with P): capital calls of 20 %,
    15 %, 15 %, 10 % and 10 % (purpose investment), an annual management fee of 1.5 %
    with each year's first call (purpose management_fee), a second-closing partner's
    catch-up of the calls it missed on its closing date, and three distributions
    (return of capital, recallable; gain; income); about 13 flows per partner;
  - eight projects in four of the sample's parks (enterprises with valid credit codes),
    each invested in one or two tranches from the called capital, with yearly
    valuations; one exited with proceeds, two paying dividends.
benchmarks.csv and fx_rates.csv are copied from SAMPLE_DIR (default models/sample,
beside this folder's parent's parent), parks.csv too.

Prints one line: "partners=P flows=… rows=…".
"""
import os
import random
import shutil
import sys

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

FUND = "F-WIDE"
FIRST_CLOSE, SECOND_CLOSE = "2021-01-15", "2022-01-10"
# (date, share of commitment) of the investment calls
CALLS = (("2021-02-01", 0.20), ("2021-09-01", 0.15), ("2022-03-01", 0.15),
         ("2023-03-01", 0.10), ("2024-03-01", 0.10))
FEE_RATE = 0.015
# (date, kind, purpose, share of commitment, recallable)
DISTS = (("2023-12-20", "distribution", "return_of_capital", 0.08, "yes"),
         ("2023-12-20", "distribution", "gain", 0.03, "no"),
         ("2024-06-28", "distribution", "income", 0.005, "no"))
KINDS = ("bank", "insurer", "guidance_fund", "soe", "park", "corporate", "individual")
PARKS = (("PK-CD", "91510100"), ("PK-GY", "91520115"), ("PK-FZ", "91350105"),
         ("PK-CD", "91510107"))
CHAINS = (("materials", "upstream", "circular_economy"), ("it", "midstream", "digital_economy"),
          ("biomed", "downstream", "health"), ("equipment", "downstream",
                                               "smart_manufacturing"))


def check_char(first17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def money(cents):
    return "%d.%02d" % (cents // 100, cents % 100)


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write("usage: widefund.py P OUT_DIR [SAMPLE_DIR]\n")
        return 2
    p, out = int(sys.argv[1]), sys.argv[2]
    sample = sys.argv[3] if len(sys.argv) == 4 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "sample")
    rng = random.Random(20240630 + p)
    os.makedirs(out, exist_ok=True)
    for name in ("parks", "benchmarks", "fx_rates"):
        shutil.copyfile(os.path.join(sample, name + ".csv"), os.path.join(out, name + ".csv"))
    rows = 0

    def write(name, header, lines):
        nonlocal rows
        with open(os.path.join(out, name + ".csv"), "w", encoding="utf-8") as f:
            f.write(header + "\n")
            f.write("".join(line + "\n" for line in lines))
        rows += len(lines)

    write("funds", "fund_id,name,currency,inception_date,vintage,manager",
          ["%s,园区联盟产业协同基金（有限合伙）,CNY,%s,2021,园区联盟私募基金管理有限公司"
           % (FUND, FIRST_CLOSE)])

    width = len(str(p))
    ids = ["LP-%0*d" % (width, i) for i in range(1, p + 1)]
    commit = {}
    late = set()
    partners, commitments, pflows = [], [], []
    for i, pid in enumerate(ids):
        partners.append("%s,有限合伙人 %d 号,%s,CN-SC" % (pid, i + 1, KINDS[i % len(KINDS)]))
        c = rng.randrange(1000, 50001) * 1000000  # cents: 10,000 to 500,000 yuan steps
        commit[pid] = c
        second = rng.random() < 0.2
        if second:
            late.add(pid)
        commitments.append("%s,%s,%s,%s" % (pid, FUND, SECOND_CLOSE if second else FIRST_CLOSE,
                                            money(c)))
    write("partners", "partner_id,name,kind,region", partners)
    write("commitments", "partner_id,fund_id,date,amount", commitments)

    for pid in ids:
        c = commit[pid]
        n = 0

        def flow(date, kind, purpose, cents, recallable, note):
            nonlocal n
            n += 1
            pflows.append("W-%s-%02d,%s,%s,%s,%s,%s,%s,%s,,%s" % (
                pid, n, FUND, pid, date, kind, purpose, money(cents), recallable, note))

        missed = 0.0
        fee_years = set()
        for date, share in CALLS:
            if pid in late and date < SECOND_CLOSE:
                missed += share
                continue
            if missed:
                flow(SECOND_CLOSE, "contribution", "investment", round(c * missed), "",
                     "后续募集补缴出资")
                missed = 0.0
            flow(date, "contribution", "investment", round(c * share), "", "出资")
            year = date[:4]
            if year not in fee_years:
                fee_years.add(year)
                flow(date, "contribution", "management_fee", round(c * FEE_RATE), "", "管理费")
        for date, kind, purpose, share, recallable in DISTS:
            flow(date, kind, purpose, round(c * share), recallable, "分配")

    total = sum(commit.values())
    enterprises, projects, jflows, vals = [], [], [], []
    k = 0
    for j in range(8):
        eid, prj = "E-W%02d" % (j + 1), "P-W%02d" % (j + 1)
        park, prefix = PARKS[j % len(PARKS)]
        first17 = prefix + "MA6W%05d" % (j + 1)
        chain, segment, theme = CHAINS[j % len(CHAINS)]
        enterprises.append("%s,园区企业 %d 号有限公司,%s,%s,%s,%s" % (
            eid, j + 1, park, first17 + check_char(first17), chain, segment))
        # the eight projects take 55 % of the commitments, in shares 4..11 of 60
        size = total * 0.55 * (j + 4) / 60
        cdate = "2021-%02d-01" % (3 + j)
        exit_ = "2023-12-15" if j == 2 else ""
        projects.append("%s,%s,%s,项目 %d,%s,%s,%s,equity,%s,CNY,%s,,%s," % (
            prj, FUND, eid, j + 1, chain, segment, theme, money(round(size)), cdate, exit_))
        tranches = ((cdate, 0.6), ("2022-%02d-15" % (4 + j), 0.4)) if j % 2 == 0 \
            else ((cdate, 1.0),)
        for date, share in tranches:
            k += 1
            jflows.append("JW-%03d,%s,%s,investment,%s,CNY,,投资" % (k, prj, date,
                                                                   money(round(size * share))))
        if j == 2:
            k += 1
            jflows.append("JW-%03d,%s,2023-12-15,proceeds,%s,CNY,,退出" % (
                k, prj, money(round(size * 1.4))))
        if j in (1, 5):
            for year in (2023, 2024):
                k += 1
                jflows.append("JW-%03d,%s,%d-06-28,dividend,%s,CNY,,分红" % (
                    k, prj, year, money(round(size * 0.02))))
        growth = 1.0
        for year in (2021, 2022, 2023, 2024):
            if j == 2 and year >= 2023:
                vals.append("%s,%d-12-31,0.00,CNY,other" % (prj, year))
                continue
            growth *= 1.0 + rng.uniform(-0.08, 0.22)
            vals.append("%s,%d-12-31,%s,CNY,dcf" % (prj, year, money(round(size * growth))))
    write("enterprises", "enterprise_id,name,park_id,credit_code,chain,segment", enterprises)
    write("projects", "project_id,fund_id,enterprise_id,name,chain,segment,theme,instrument,"
          "commitment_amount,currency,commitment_date,co_investment,exit_date,listed_date",
          projects)
    write("partner_flows", "flow_id,fund_id,partner_id,date,kind,purpose,amount,recallable,"
          "reverses,note", pflows)
    write("project_flows", "flow_id,project_id,date,kind,amount,currency,reverses,note", jflows)
    write("valuations", "project_id,date,value,currency,method", vals)
    print("partners=%d flows=%d rows=%d" % (p, len(pflows) + len(jflows), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
