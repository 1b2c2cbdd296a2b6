#!/usr/bin/python3
"""Workbooks as spreadsheet programs and people see them (SPEC §7).

    /usr/bin/python3 tests/recalc/check.py BIN [--keep DIR] [--scale N] [--quick]

BIN is the parkfund binary (or a build folder holding it). For each data set
(the hand-written sample; a hostile copy of it whose partner is named
=HYPERLINK(...) with an id holding '/../'; a generated alliance at --scale,
default 1; --quick skips that one) it closes a run, renders every report and
checks:
  - every XML part of every file parses;
  - every formula holds only SUM/XIRR/SUMPRODUCT, cell references, numbers and
    the workbook's own sheet names (so no input text reaches a formula);
  - Gnumeric (ssconvert --recalc) and LibreOffice (a fresh profile forcing
    recalculation on load) recompute every formula cell to its cached value:
    money to 0.01, ratios 1e-9 relative, IRRs 1e-6; and a copy with a wrong
    cached value is caught by both (the recalculation really happens);
  - each partner's file holds no other partner's id or name in any part;
  - rendering the same run twice gives byte-identical files;
  - file names stay inside the output folder; the hostile name stays a string;
  - a page of each workbook renders to PNG with CJK fonts embedded (the PNGs
    are kept with --keep for a person to look at).
Prints one line per check and ends with "N passed, N failed"."""
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import readers  # noqa: E402
import recalc  # noqa: E402
import xlsx  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
AS_OF = "2024-06-30"
passed = 0
failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok    " + what, flush=True)
    else:
        failed += 1
        print("FAIL  " + what + (": " + detail if detail else ""), flush=True)
    return ok


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return r.returncode, r.stdout, r.stderr


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- data sets

def hostile_copy(src, dst):
    """The sample with a partner id holding '/../' and names that attack formulas,
    XML and the footer's '&' codes."""
    os.makedirs(dst, exist_ok=True)
    for f in glob.glob(os.path.join(src, "*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        for r in rows:
            for i, v in enumerate(r):
                if v == "LP-PICC":
                    r[i] = "LP/../PICC"
        if f.endswith("partners.csv"):
            for r in rows:
                if r[0] == "LP/../PICC":
                    r[1] = '=HYPERLINK("http://x","y")'
                if r[0] == "LP-SDIC":
                    r[1] = 'SDIC & <Partners> "Fund" &P'
        with open(os.path.join(dst, os.path.basename(f)), "w", newline="") as fh:
            csv.writer(fh).writerows(rows)


def make_db(binp, work, name, csv_dir, benchmark="csi300"):
    db = os.path.join(work, name + ".db")
    rc, _, err = run([binp, "--db", db, "init"])
    if rc:
        return None, "init: " + err
    rc, _, err = run([binp, "--db", db, "import"] + sorted(glob.glob(os.path.join(csv_dir,
                                                                                  "*.csv"))))
    if rc:
        return None, "import: " + err
    rc, _, err = run([binp, "--db", db, "close", "--as-of", AS_OF, "--benchmark", benchmark])
    if rc:
        return None, "close: " + err
    # a forecast with pacing, so the workbooks carry its sheets (issue 13): they must
    # parse, stay isolated per partner and re-render byte-identically like the rest
    rc, _, err = run([binp, "--db", db, "-q", "forecast", "--paths", "300", "--years", "3",
                      "--target-nav", "100000000"])
    if rc:
        return None, "forecast: " + err
    return db, ""


def render(binp, db, out, *extra):
    rc, outp, err = run([binp, "--db", db, "-q", "report", "--out", out] + list(extra))
    return rc, [l for l in outp.splitlines() if l], err


# ---------------------------------------------------------------- checks

def check_parts(files, label):
    bad = []
    for f in files:
        try:
            for n, b in xlsx.parts(f).items():
                if n.endswith(".xml") or n.endswith(".rels"):
                    ET.fromstring(b)
        except (ET.ParseError, zipfile.BadZipFile) as e:
            bad.append("%s: %s" % (os.path.basename(f), e))
    check(not bad, "%s: every XML part of %d files parses" % (label, len(files)),
          "; ".join(bad[:3]))


def check_formulas(files, label):
    bad = []
    n = 0
    for f in files:
        book = xlsx.cells(xlsx.parts(f))
        names = set(book.keys())
        for sheet, cells in book.items():
            for ref, c in cells.items():
                if c["f"] is None:
                    continue
                n += 1
                p = xlsx.formula_problem(c["f"], names)
                if p:
                    bad.append("%s %s!%s %r: %s" % (os.path.basename(f), sheet, ref, c["f"], p))
    check(not bad and n > 0, "%s: %d formulas hold only functions, references and numbers"
          % (label, n), "; ".join(bad[:3]))


XIRR_RANGE = re.compile(r"XIRR\('((?:[^']|'')+)'!\$D\$(\d+):\$D\$(\d+),'(?:[^']|'')+'!"
                        r"\$C\$(\d+):\$C\$(\d+),")


def check_xirr_blocks(files, label):
    """Excel's XIRR wants the first date to be the earliest: every block is in date order,
    its amounts and dates side by side, and it ends with the NAV on the as-of date."""
    bad = []
    n = 0
    for f in files:
        book = xlsx.cells(xlsx.parts(f))
        for sheet, cells in book.items():
            for ref, c in cells.items():
                m = XIRR_RANGE.match(c["f"] or "")
                if not m:
                    continue
                n += 1
                flows = book.get(xlsx.unescape_sheet(m.group(1)), {})
                a, z = int(m.group(2)), int(m.group(3))
                if (a, z) != (int(m.group(4)), int(m.group(5))):
                    bad.append("%s!%s: ranges differ" % (sheet, ref))
                    continue
                dates = [xlsx.number(flows.get("C%d" % r, {}).get("v")) for r in range(a, z + 1)]
                if None in dates or dates != sorted(dates):
                    bad.append("%s!%s: dates not ascending" % (sheet, ref))
    check(not bad, "%s: %d XIRR blocks are in date order" % (label, n), "; ".join(bad[:3]))


def check_recalc(files, work, label):
    lo = recalc.soffice_convert(files, "xlsx", os.path.join(work, "lo-" + label), work)
    for f in files:
        base = os.path.basename(f)
        g = recalc.gnumeric_recalc(f, os.path.join(work, "gn-" + label))
        for prog, out in (("Gnumeric", g), ("LibreOffice", lo.get(f))):
            if not check(out is not None, "%s: %s recalculated %s" % (label, prog, base),
                         "no output file"):
                continue
            bad, n = recalc.compare(f, out)
            check(not bad and n > 0, "%s: %s reproduces all %d formulas of %s"
                  % (label, prog, n, base),
                  "; ".join("%s!%s %s cached %s got %s (%s)" % b for b in bad[:4]))


def corrupt_copy(src, dst):
    """A copy whose first XIRR and first SUM carry wrong cached values."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                s = data.decode("utf-8")
                s = re.sub(r"(<f>XIRR\([^<]*</f><v>)[^<]*", r"\g<1>0.5", s, count=1)
                s = re.sub(r"(<f>SUM\([^<]*</f><v>)[^<]*", r"\g<1>123456789", s, count=1)
                data = s.encode("utf-8")
            zout.writestr(item, data)


def check_control(portfolio, work):
    bad = os.path.join(work, "control", "control.xlsx")
    os.makedirs(os.path.dirname(bad), exist_ok=True)
    corrupt_copy(portfolio, bad)
    lo = recalc.soffice_convert([bad], "xlsx", os.path.join(work, "lo-control"), work)
    g = recalc.gnumeric_recalc(bad, os.path.join(work, "gn-control"))
    for prog, out in (("Gnumeric", g), ("LibreOffice", lo.get(bad))):
        found = recalc.compare(bad, out)[0] if out else []
        kinds = {b[5] for b in found}
        check(out is not None and "irr" in kinds and "money" in kinds,
              "control: %s catches a wrong cached XIRR and SUM" % prog,
              "found %r" % sorted(kinds))


def part_texts(path):
    return "\n".join(xlsx.texts(xlsx.parts(path)).values())


def occurs(text, needle, word):
    if not needle:
        return False
    for form in {needle, escape(needle), escape(needle, {'"': "&quot;"})}:
        if word:
            if re.search(r"(?<![A-Za-z0-9_\-/.])" + re.escape(form) + r"(?![A-Za-z0-9_\-/.])",
                         text):
                return True
        elif form in text:
            return True
    return False


def check_isolation(statements, partners, funds, label):
    """statements: {partner id: path}. No other partner's id or name in any part."""
    for pid, path in sorted(statements.items()):
        text = part_texts(path)
        own = [p for p in partners if p["partner_id"] == pid]
        # the own name and fund texts may contain another name as a substring: blank them
        for p in own:
            for form in {p["name"], escape(p["name"]), escape(p["name"], {'"': "&quot;"})}:
                text = text.replace(form, " ")
        for f in funds:
            for k in ("name", "manager"):
                if f.get(k):
                    text = text.replace(escape(f[k]), " ").replace(f[k], " ")
        leaks = []
        for p in partners:
            if p["partner_id"] == pid:
                continue
            if occurs(text, p["partner_id"], True):
                leaks.append("id " + p["partner_id"])
            if occurs(text, p["name"], False):
                leaks.append("name " + p["name"])
        check(not leaks, "%s: statement of %s names no other partner" % (label, pid),
              ", ".join(leaks[:5]))


def export_results(binp, db):
    """The run's export as a list of result dicts (results and stored rows)."""
    import json
    rc, out, err = run([binp, "--db", db, "export"])
    if rc:
        return []
    return json.loads(out)["results"]


def money_forms(v):
    """A money figure as a partner could find it: cents, the decimal the workbook
    stores, and with thousands separators."""
    cents = int(round(float(v) * 100))
    if abs(cents) < 100000:  # small figures occur by chance
        return set()
    units, frac = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    forms = {str(cents), "%s%d.%02d" % (sign, units, frac), "%s{:,}.%02d".format(units)
             % (sign, frac)}
    if frac == 0 and units % 10000:  # round figures occur by chance too
        forms.add("%s%d" % (sign, units))
    elif frac % 10 == 0:
        forms.add("%s%d.%d" % (sign, units, frac // 10))
    return forms


def check_foreign_funds(statements, funds, results, label):
    """Issue 9: a statement holds nothing about a fund its partner is not in (no id,
    name, NAV, paid-in or cash in any form) and no portfolio-wide counts."""
    own = {}
    figures = {}
    for r in results:
        if r["dimension"] == "partner" and r["metric"] == "commitment":
            own.setdefault(r["key"], set()).add(r["fund"])
        if (r["dimension"] == "fund" and r["fund"] and r["key"] == r["fund"]
                and r["metric"] in ("nav", "paid_in", "cash") and r["value"] is not None):
            figures.setdefault(r["fund"], []).append((r["metric"], r["value"]))
    for pid, path in sorted(statements.items()):
        text = part_texts(path)
        leaks = []
        for f in funds:
            fid = f["fund_id"]
            if fid in own.get(pid, set()):
                continue
            if occurs(text, fid, True):
                leaks.append("id " + fid)
            if occurs(text, f["name"], False):
                leaks.append("name of " + fid)
            for metric, v in figures.get(fid, []):
                for form in money_forms(v):
                    if re.search(r"(?<![0-9.,])" + re.escape(form) + r"(?![0-9])", text):
                        leaks.append("%s %s of %s" % (metric, form, fid))
        for word in ("Input rows", "输入数据行数", "Stored results", "存储的结果数"):
            if word in text:
                leaks.append("portfolio-wide count '%s'" % word)
        check(not leaks, "%s: statement of %s holds nothing about another fund or the "
              "portfolio" % (label, pid), ", ".join(sorted(set(leaks))[:6]))


def check_identical(a_files, b_files, label):
    same = len(a_files) == len(b_files) and len(a_files) > 0
    diff = []
    for a, b in zip(sorted(a_files), sorted(b_files)):
        if os.path.basename(a) != os.path.basename(b):
            same = False
            diff.append("%s vs %s" % (a, b))
            continue
        with open(a, "rb") as fa, open(b, "rb") as fb:
            if fa.read() != fb.read():
                same = False
                diff.append(os.path.basename(a))
    check(same, "%s: a second render of the run is byte-identical (%d files)"
          % (label, len(a_files)), ", ".join(diff[:3]))


# the first pages only: a generated workbook's flow blocks print to thousands of pages
PDF_PAGES = 'pdf:calc_pdf_Export:{"PageRange":{"type":"string","value":"1-12"}}'


def check_png(files, work, keep, label):
    pdfdir = os.path.join(work, "pdf-" + label)
    pdfs = recalc.soffice_convert(files, PDF_PAGES, pdfdir, work)
    for f in files:
        pdf = pdfs.get(f)
        base = os.path.splitext(os.path.basename(f))[0]
        if not check(pdf is not None, "%s: %s renders to PDF" % (label, base)):
            continue
        rc, fonts, _ = run(["pdffonts", pdf])
        check(rc == 0 and "CJK" in fonts, "%s: %s embeds a CJK font for Chinese text"
              % (label, base), fonts[-300:])
        prefix = os.path.join(keep or pdfdir, label + "-" + base)
        rc, _, err = run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", pdf, prefix])
        pngs = glob.glob(prefix + "*.png")
        check(rc == 0 and pngs and os.path.getsize(pngs[0]) > 10000,
              "%s: page 1 of %s is a PNG with content (%s)"
              % (label, base, pngs[0] if pngs else "none"), err)


# ---------------------------------------------------------------- main

def one_dataset(binp, work, keep, label, csv_dir, per_partner):
    db, why = make_db(binp, work, label, csv_dir)
    if not check(db is not None, "%s: init, import, close" % label, why):
        return
    out = os.path.join(work, label, "out")
    rc, files, err = render(binp, db, out)
    if not check(rc == 0 and files, "%s: report wrote %d files" % (label, len(files)), err):
        return
    # nothing outside the folder: every path printed is <out>/<name>, and the parent
    # holds only the folder
    inside = all(os.path.dirname(os.path.abspath(p)) == os.path.abspath(out) for p in files)
    listed = sorted(os.listdir(out)) == sorted(os.path.basename(p) for p in files)
    check(inside and listed and os.listdir(os.path.dirname(out)) == ["out"],
          "%s: every file is in the output folder and nothing else was written" % label)
    rc, files2, err = render(binp, db, os.path.join(work, label, "again"))
    check_identical(files, files2, label)
    check_parts(files, label)
    check_formulas(files, label)

    partners = read_csv(os.path.join(csv_dir, "partners.csv"))
    funds = read_csv(os.path.join(csv_dir, "funds.csv"))
    statements = {}
    if per_partner:
        for p in partners:
            rc, one, err = render(binp, db, os.path.join(work, label, "one"), "--partner",
                                  p["partner_id"])
            if rc == 0 and len(one) == 1:
                statements[p["partner_id"]] = one[0]
            elif rc != 66:  # a partner without a commitment has no statement
                check(False, "%s: --partner %s" % (label, p["partner_id"]), err)
    else:
        for p in partners:
            f = os.path.join(out, "statement-%s-%s.xlsx" % (p["partner_id"], AS_OF))
            if os.path.exists(f):
                statements[p["partner_id"]] = f
    check(len(statements) > 0, "%s: %d partner statements found" % (label, len(statements)))
    check_isolation(statements, partners, funds, label)
    results = export_results(binp, db)
    check_foreign_funds(statements, funds, results, label)
    for pid, path in sorted(statements.items())[:8 if label == "gen" else None]:
        readers.check_statement(check, path, pid, results, label)
    portfolio_files = [f for f in files if os.path.basename(f).startswith("portfolio-")]
    if portfolio_files:
        readers.check_manager(check, portfolio_files[0], len(funds), label)
        readers.check_labels(check, portfolio_files[0], "csi300", label)
        readers.check_manager_more(check, portfolio_files[0], label)
        readers.check_manager_sheets(check, portfolio_files[0], results, label)
        readers.check_charts(check, portfolio_files[0], [f["fund_id"] for f in funds], label)
        readers.check_taxonomy_order(check, portfolio_files + sorted(statements.values())[:3],
                                     label)
        readers.check_no_truncation(check, portfolio_files + sorted(statements.values())[:6],
                                    label)
    if label == "sample":
        rc, zh_files, err = render(binp, db, os.path.join(work, label, "zh"), "--lang", "zh")
        readers.check_chinese(check, zh_files, label)
        rc, wan, err = render(binp, db, os.path.join(work, label, "wan"), "--unit", "wan",
                              "--partner", "LP-ICBC")
        if check(rc == 0 and len(wan) == 1, "%s: report --unit wan" % label, err):
            readers.check_unit(check, wan[0], label)
            check_recalc(wan, work, label + "-wan")
    if label != "gen":
        readers.check_flow_refs(check, statements,
                                read_csv(os.path.join(csv_dir, "partner_flows.csv")), label)
    if label == "sample":
        readers.check_corrections(check, statements["LP-PICC"], "CN-C02-PICC-X",
                                  "CN-C02-PICC-R", label)
        readers.check_links_real(check, statements["LP-ICBC"], work, label)

    portfolio = [f for f in files if os.path.basename(f).startswith("portfolio-")]
    if label == "hostile" and portfolio:
        book = xlsx.cells(xlsx.parts(portfolio[0]))
        as_text = any(c["v"] == '=HYPERLINK("http://x","y")' and c["f"] is None
                      and c["t"] in ("inlineStr", "s", "str")
                      for cells in book.values() for c in cells.values())
        check(as_text, "hostile: the partner named =HYPERLINK(...) is a text cell")
        check(any("LP_.._PICC-" in os.path.basename(f) for f in files),
              "hostile: the id with '/../' became a safe file name")
    check_xirr_blocks(files, label)
    # a generated set's statements share one shape: the portfolio and a few are enough
    check_recalc(files if label != "gen" else portfolio + sorted(statements.values())[:5],
                 work, label)
    if label == "sample" and portfolio:
        check_control(portfolio[0], work)
    sample_statement = sorted(f for f in files if "statement-" in os.path.basename(f))[:1]
    check_png(portfolio + sample_statement, work, keep, label)


def main(argv):
    args = argv[1:]
    keep = None
    scale = "1"
    quick = False
    if "--keep" in args:
        i = args.index("--keep")
        keep = os.path.abspath(args[i + 1])
        del args[i:i + 2]
        os.makedirs(keep, exist_ok=True)
    if "--scale" in args:
        i = args.index("--scale")
        scale = args[i + 1]
        del args[i:i + 2]
    if "--quick" in args:
        quick = True
        args.remove("--quick")
    if len(args) != 1:
        print(__doc__)
        return 2
    binp = os.path.abspath(args[0])
    if os.path.isdir(binp):
        binp = os.path.join(binp, "parkfund")
    if not check(os.access(binp, os.X_OK), "binary %s" % binp):
        print("%d passed, %d failed" % (passed, failed))
        return 1
    if not check(recalc.have_tools(), "ssconvert and soffice are installed"):
        print("%d passed, %d failed" % (passed, failed))
        return 1
    work = tempfile.mkdtemp(prefix="parkfund-recalc.")
    try:
        sample = os.path.join(TOP, "models", "sample")
        one_dataset(binp, work, keep, "sample", sample, True)
        hostile = os.path.join(work, "hostile-csv")
        hostile_copy(sample, hostile)
        one_dataset(binp, work, keep, "hostile", hostile, True)
        if not quick:
            gen = os.path.join(work, "gen-csv")
            rc, _, err = run([binp, "gen", "--scale", scale, "--seed", "7", "--as-of", AS_OF,
                              gen])
            if check(rc == 0, "gen: --scale %s data set" % scale, err):
                one_dataset(binp, work, keep, "gen", gen, False)
    finally:
        if failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("work folder kept: " + work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
