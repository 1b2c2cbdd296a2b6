"""Issue 9: statements and the manager's workbook as their readers need them.
Structural checks on the XML (standard library only) and one recalculation of a
statement whose flow amount was altered (the capital account and IRR really link
to the flow list). Each check function takes check(ok, what, detail)."""
import os
import re
import zipfile

import recalc
import xlsx


def sheet_like(book, *words):
    for name in book:
        if any(w in name for w in words):
            return name, book[name]
    return None, {}


def rc(ref):
    m = re.match(r"([A-Z]+)(\d+)$", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def col_letter(col):
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def find_text(cells, pred):
    return [ref for ref, c in cells.items() if c["v"] is not None and c["f"] is None
            and c["t"] in ("s", "inlineStr", "str") and pred(c["v"])]


def partner_figures(results, pid):
    out = {}
    for r in results:
        if r["dimension"] == "partner" and r["key"] == pid:
            out.setdefault(r["fund"], {})[r["metric"]] = r["value"]
    return out


def check_statement(check, path, pid, results, label):
    book = xlsx.cells(xlsx.parts(path))
    figs = partner_figures(results, pid)
    base = "%s: statement of %s" % (label, pid)
    # 2. look-through: a cash row, a total tied to the partner's NAV, project NAV named
    name, lt = sheet_like(book, "Look-through", "穿透")
    cash = find_text(lt, lambda v: v == "cash")
    header = " ".join(c["v"] for c in lt.values() if c["v"] and c["t"] != "n")
    navs = sorted(float(v["nav"]) for v in figs.values() if v.get("nav") is not None)
    tied = []
    for ref, c in lt.items():
        if c["f"] and ("Capital account" in c["f"] or "资本账户" in c["f"]):
            tied.append(round(float(c["v"]), 2))
    check(len(cash) == len(figs) and "project NAV" in header and
          sorted(tied) == [round(n, 2) for n in navs],
          base + ": look-through has a cash row per fund, names project NAV and ties to the "
          "partner's NAV", "cash rows %d, NAV links %r vs %r" % (len(cash), tied, navs))
    # 3. currency: a currency column and CNY totals
    fname, fl = sheet_like(book, "Flows", "出资与分配")
    heads = [c["v"] for c in fl.values() if c["v"] in ("Currency", "币种", "币种 / Currency")]
    cny = find_text(fl, lambda v: "CNY at the as-of rate" in v or "按截止日汇率" in v)
    check(bool(heads) and bool(cny), base + ": flows have a currency column and a CNY total")
    # 4. links: capital account over the flow list, performance over the capital account
    aname, acc = sheet_like(book, "Capital account", "资本账户")
    pname, perf = sheet_like(book, "Performance", "业绩")
    acc_links = sum(1 for c in acc.values() if c["f"] and fname and fname in c["f"])
    perf_links = sum(1 for c in perf.values() if c["f"] and aname and aname in c["f"])
    iname, irr = sheet_like(book, "IRR flows", "收益率现金流")
    irr_links = sum(1 for c in irr.values() if c["f"] and fname and fname in c["f"])
    nav_links = sum(1 for c in irr.values() if c["f"] and aname and aname in c["f"]
                    and "SUMPRODUCT" not in c["f"])
    check(acc_links > 0 and perf_links >= 5 * len(figs) and irr_links > 0 and
          nav_links == len(figs),
          base + ": capital account, performance and IRR flows link to the flow list",
          "account %d, performance %d, irr %d, nav %d" % (acc_links, perf_links, irr_links,
                                                          nav_links))
    foot = find_text(acc, lambda v: "stored values" in v or "存储的数值" in v)
    check(bool(foot), base + ": a footnote names the cells that are values")
    # 6. percentage interest with at least 4 decimals wherever it is shown
    interests = [float(v["interest"]) for v in figs.values() if v.get("interest") is not None]
    fmts = [c["fmt"] for c in list(perf.values()) + list(acc.values()) + list(lt.values())
            if c["f"] is None and c["t"] == "n" and c["v"] is not None
            and any(abs(float(c["v"]) - i) < 1e-12 for i in interests)]
    check(fmts and all("0.0000%" in f for f in fmts),
          base + ": percentage interest shown with 4 decimals", repr(sorted(set(fmts))))


def flow_ref(flow_id):
    import hashlib
    return "R-" + hashlib.sha256(flow_id.encode("utf-8")).hexdigest()[:10]


def check_flow_refs(check, statements, flows, label):
    """A statement shows its flows by reference (a digest), not by the manager's running
    ids, whose gaps would count the other partners called with it."""
    for pid, path in sorted(statements.items()):
        text = "\n".join(xlsx.texts(xlsx.parts(path)).values())
        own = [f["flow_id"] for f in flows if f["partner_id"] == pid]
        raw = [i for i in own if re.search(r"(?<![A-Za-z0-9_-])%s(?![A-Za-z0-9_-])"
                                           % re.escape(i), text)]
        refs = [i for i in own if flow_ref(i) in text]
        check(own and not raw and len(refs) == len(own),
              "%s: statement of %s shows its flows by reference, not by running id"
              % (label, pid), "raw %r, refs %d of %d" % (raw[:3], len(refs), len(own)))


def check_corrections(check, path, reversed_id, reversing_id, label):
    reversed_id, reversing_id = flow_ref(reversed_id), flow_ref(reversing_id)
    book = xlsx.cells(xlsx.parts(path))
    fname, fl = sheet_like(book, "Flows", "出资与分配")
    rows = {}
    for ref, c in fl.items():
        r, col = rc(ref)
        rows.setdefault(r, {})[col] = c
    hdr = [r for r, cs in rows.items() if any(c["v"] in ("Flow id", "流水号", "流水号 / Flow id")
                                              for c in cs.values())]
    ok = False
    detail = "no header"
    if hdr:
        hcols = {c["v"]: col for col, c in rows[hdr[0]].items()}
        amount = [col for v, col in hcols.items() if "Amount" in v or "金额（基金币种）" in v][0]
        found = {}
        for r, cs in rows.items():
            for col, c in cs.items():
                if c["v"] in (reversed_id, reversing_id):
                    found[c["v"]] = cs
        marks = [" ".join(str(c["v"]) for c in cs.values()) for cs in found.values()]
        ok = (len(found) == 2 and all(amount not in cs for cs in found.values()) and
              any("reverses" in m or "冲销 " in m for m in marks) and
              any("reversed" in m or "已被冲销" in m for m in marks))
        detail = repr(marks)[:300]
    check(ok, "%s: a reversed flow and its reversal are listed, marked and not counted"
          % label, detail)


def altered_copy(src, dst, sheet_part, ref, new_value):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == sheet_part:
                s = data.decode("utf-8")
                s, n = re.subn(r'(<c r="%s"[^>]*><v>)[^<]*' % ref, r"\g<1>%s" % new_value, s,
                               count=1)
                assert n == 1, "cell %s not found" % ref
                data = s.encode("utf-8")
            zout.writestr(item, data)


def check_links_real(check, path, work, label):
    """Alter the first contribution's amount in the flow list: LibreOffice's recalculation
    must move the paid-in on Performance and the net IRR."""
    parts = xlsx.parts(path)
    book = xlsx.cells(parts)
    fname, fl = sheet_like(book, "Flows", "出资与分配")
    part = dict(xlsx.sheet_paths(parts))[fname]
    target = None
    for ref in sorted(fl, key=rc):
        c = fl[ref]
        if c["v"] in ("出资 / Contribution", "Contribution", "出资"):
            r, col = rc(ref)
            amt = "%s%d" % (col_letter(col + 2), r)
            if amt in fl and fl[amt]["v"]:
                target = (amt, float(fl[amt]["v"]))
                break
    if not check(target is not None, "%s: a contribution to alter" % label):
        return
    dst = os.path.join(work, "altered-" + os.path.basename(path))
    altered_copy(path, dst, part, target[0], target[1] + 1000000)
    out = recalc.soffice_convert([dst], "xlsx", os.path.join(work, "lo-altered"), work)[dst]
    if not check(out is not None, "%s: the altered statement recalculates" % label):
        return
    pname, before = sheet_like(book, "Performance", "业绩")
    after = xlsx.cells(xlsx.parts(out))
    after_p = after.get(pname) or list(after.values())[1]
    head = {c["v"]: rc(ref)[1] for ref, c in before.items() if c["v"] and rc(ref)[0] == 5}
    pcol = [col for v, col in head.items() if "Paid-in" in v or v == "实缴"]
    icol = [col for v, col in head.items() if "Net IRR" in v or v == "净内部收益率"]
    moved = []
    for cols in (pcol, icol):
        for col in cols:
            ref = "%s6" % col_letter(col)
            b = xlsx.number(before[ref]["v"])
            a = xlsx.number(after_p.get(ref, {}).get("v"))
            moved.append((ref, b, a))
    ok = (len(moved) == 2 and moved[0][2] is not None and
          abs(moved[0][2] - moved[0][1] - 1000000) < 0.01 and moved[1][2] is not None and
          abs(moved[1][2] - moved[1][1]) > 1e-9)
    check(ok, "%s: an altered flow amount moves the recalculated paid-in and net IRR" % label,
          repr(moved))


def check_manager(check, path, nfunds, label):
    parts = xlsx.parts(path)
    book = xlsx.cells(parts)
    sname, summ = sheet_like(book, "Summary", "概览")
    pname, partners = sheet_like(book, "Partners", "合伙人")
    # 12. the portfolio's own figures on the Summary
    port = find_text(summ, lambda v: "All funds (CNY)" in v or "全部基金（人民币）" in v)
    prow = rc(port[0])[0] if port else None
    figures = [c for ref, c in summ.items() if prow and rc(ref)[0] == prow and c["t"] == "n"
               and c["v"] is not None]
    check(bool(port) and len(figures) >= 8,
          "%s: Summary has the whole portfolio's row in CNY" % label)
    # 4. Summary paid-in and distributions are formulas over the Partners subtotals
    links = [c["f"] for c in summ.values() if c["f"] and pname and pname in c["f"]]
    check(len(links) == 2 * nfunds, "%s: Summary paid-in and distributions link to the "
          "Partners sheet's subtotals" % label, "%d links" % len(links))
    # 12. per-fund subtotals on Partners
    totals = find_text(partners, lambda v: v in ("Total", "合计", "合计 / Total"))
    check(len(totals) == nfunds, "%s: Partners has a subtotal per fund" % label,
          "%d subtotals" % len(totals))
    # 11. written-off projects counted
    written = find_text(book.get(sheet_like(book, "Policy", "政策")[0], {}),
                        lambda v: "Written off" in v or "已核销" in v)
    check(bool(written), "%s: Policy counts written-off projects" % label)
    # 7. print areas: summary sheets have one, Flows and Audit print their heads only
    wb = parts["xl/workbook.xml"].decode("utf-8")
    areas = dict(re.findall(r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)">'
                            r"([^<]*)<", wb))
    names = [n for n, _ in xlsx.sheet_paths(parts)]
    fl = [i for i, n in enumerate(names) if "Flows" in n or "现金流" in n]
    small = all(str(i) in areas and re.search(r"\$(\d+)$", areas[str(i)]) and
                int(re.search(r"\$(\d+)$", areas[str(i)]).group(1)) < 10 for i in fl)
    check("0" in areas and bool(fl) and small,
          "%s: print areas on the summary sheets; the flow blocks are not printed by default"
          % label, repr(areas)[:300])


ENGLISH = re.compile(r"\b(nothing|flows do not|cents|None|Total|fund '|no rate|paid in)\b")


def check_chinese(check, files, label):
    """9. every text in Chinese under --lang zh: no engine reason, 'cents' or 'None' left
    in English (codes and ids are not words and may stay)."""
    bad = []
    for f in files:
        for sheet, cells in xlsx.cells(xlsx.parts(f)).items():
            for ref, c in cells.items():
                if c["f"] is None and c["t"] in ("s", "inlineStr", "str") and c["v"]:
                    m = ENGLISH.search(c["v"])
                    if m:
                        bad.append("%s %s!%s: %s" % (os.path.basename(f), sheet, ref,
                                                     c["v"][:60]))
    check(not bad and files, "%s: --lang zh leaves no English reason, unit or 'None' (%d files)"
          % (label, len(files)), "; ".join(bad[:4]))


def check_labels(check, path, benchmark, label):
    """9. the benchmark named beside every PME; LN-PME, PME+ and mPME marked as IRRs;
    distinct unfunded labels; the currency of each gross IRR."""
    book = xlsx.cells(xlsx.parts(path))
    heads = [c["v"] for cells in book.values() for c in cells.values()
             if c["v"] and c["t"] != "n" and any(k in c["v"] for k in
                                                 ("PME", "Direct Alpha", "Gross IRR"))]
    pme = [h for h in heads if "PME" in h or "Direct Alpha" in h]
    irr_marked = all("IRR" in h for h in heads if any(k in h for k in ("LN-PME", "PME+",
                                                                        "mPME")))
    gross = [h for h in heads if "Gross IRR" in h]
    unf = set(c["v"] for cells in book.values() for c in cells.values()
              if c["v"] and c["t"] != "n" and "nfunded" in c["v"] and len(c["v"]) < 80)
    check(pme and all(benchmark in h for h in pme) and irr_marked and
          all("CNY" in h or "fund currency" in h for h in gross) and
          any("Project unfunded" in u for u in unf) and any("artner" in u for u in unf),
          "%s: PME titles name the benchmark, LN-PME/PME+/mPME are IRRs, gross IRRs name "
          "their currency, partner and project unfunded are told apart" % label,
          repr(sorted(set(pme + gross)))[:300] + repr(sorted(unf))[:200])


def text_width(s):
    return sum(2.0 if ord(ch) >= 0x2E80 else 1.0 for ch in s)


def check_no_truncation(check, files, label):
    """10. no text cut off by a filled neighbour and no number too wide for its column
    (widths from the longest value, or wrapped)."""
    import xml.etree.ElementTree as ET
    bad = []
    for f in files:
        parts = xlsx.parts(f)
        st = ET.fromstring(parts["xl/styles.xml"])
        wraps = set()
        for i, xf in enumerate(st.find("m:cellXfs", xlsx.NS)):
            al = xf.find("m:alignment", xlsx.NS)
            if al is not None and al.get("wrapText") == "1":
                wraps.add(i)
        book = xlsx.cells(parts)
        for name, part in xlsx.sheet_paths(parts):
            root = ET.fromstring(parts[part])
            widths = {}
            cols = root.find("m:cols", xlsx.NS)
            for c in (cols if cols is not None else []):
                for k in range(int(c.get("min")), int(c.get("max")) + 1):
                    widths[k] = float(c.get("width"))
            styles = {c.get("r"): int(c.get("s", "0")) for c in root.iter(xlsx.M + "c")}
            cells = book[name]
            for ref, c in cells.items():
                r, col = rc(ref)
                if r <= 3 or c["v"] in (None, "") or styles.get(ref) in wraps:
                    continue
                w = widths.get(col, 8.43)
                if c["t"] == "n" and "#,##0" in c["fmt"]:
                    v = abs(float(c["v"]))
                    need = len("{:,.2f}".format(v)) if ".00" in c["fmt"] else len(
                        "{:,.0f}".format(v))
                    if need > w:
                        bad.append("%s %s!%s number %s in width %.0f" % (
                            os.path.basename(f), name, ref, c["v"], w))
                elif c["t"] in ("s", "inlineStr", "str") and c["f"] is None:
                    right = cells.get("%s%d" % (col_letter(col + 1), r))
                    if right and right["v"] not in (None, "") and text_width(c["v"]) > w + 1:
                        bad.append("%s %s!%s '%s' in width %.0f" % (
                            os.path.basename(f), name, ref, c["v"][:40], w))
    check(not bad, "%s: no text or number is cut off (%d files)" % (label, len(files)),
          "; ".join(bad[:5]) + (" (+%d)" % (len(bad) - 5) if len(bad) > 5 else ""))


def check_manager_more(check, path, label):
    """12. exposure totals carry MOIC, gross IRR and 100 % shares; valuation date, method
    and age per project with stale ones flagged; a disclaimer in the Summary."""
    book = xlsx.cells(xlsx.parts(path))
    cname, chains = sheet_like(book, "Chains", "产业链")
    totals = [rc(ref)[0] for ref, c in chains.items()
              if c["v"] in ("Total", "合计", "合计 / Total") and c["t"] != "n"]
    row = {}
    if totals:
        for ref, c in chains.items():
            if rc(ref)[0] == totals[0]:
                row[rc(ref)[1]] = c
    kinds = " ".join(c["f"] or "" for c in row.values())
    shares = [float(c["v"]) for c in row.values() if c["f"] and c["f"].startswith("SUM(")
              and c["v"] and abs(float(c["v"]) - 1) < 1e-9]
    check("XIRR" in kinds and "/" in kinds and len(shares) == 2,
          "%s: exposure totals carry MOIC, gross IRR and 100 %% shares" % label, kinds[:200])
    iname, inv = sheet_like(book, "Investments", "投资明细")
    heads = " ".join(c["v"] for c in inv.values() if c["v"] and c["t"] != "n")
    check(("Valued on" in heads or "最近估值日" in heads) and
          ("Valuation flag" in heads or "估值提示" in heads),
          "%s: investments show valuation date, method, age and a stale flag" % label)
    sname, summ = sheet_like(book, "Summary", "概览")
    check(bool(find_text(summ, lambda v: "Disclaimer" in v or "声明" in v)),
          "%s: the Summary carries the disclaimer" % label)


def check_manager_sheets(check, path, results, label):
    """Readers' extras: each fund's NAV roll-forward (its ending NAV the stored fund NAV)
    and the month's activity."""
    book = xlsx.cells(xlsx.parts(path))
    rname, rf = sheet_like(book, "roll-forward", "净值变动")
    # a fund with terms ends at its NAV net of accrued carry (SPEC 10: nav_net)
    own = {(r["fund"], r["metric"]): r["value"] for r in results
           if r["dimension"] == "fund" and r["fund"] and r["key"] == r["fund"]
           and r["metric"] in ("nav", "nav_net") and r["value"] is not None}
    navs = sorted(round(float(own.get((f, "nav_net"), v)), 2) for (f, m), v in own.items()
                  if m == "nav")
    ends = []
    for ref, c in rf.items():
        if c["f"] and c["f"].startswith("SUM(") and rc(ref)[1] == 5:
            ends.append(round(float(c["v"]), 2))
    check(bool(rname) and all(n in ends for n in navs),
          "%s: the NAV roll-forward ends at each fund's NAV (since inception)" % label,
          "%r vs %r" % (ends[:6], navs[:6]))
    aname, act = sheet_like(book, "Activity", "本月交易")
    check(bool(aname), "%s: the month's activity sheet" % label)


def check_unit(check, path, label):
    """--unit wan: money cells keep the full amount and show it in 万 by their format; the
    sheets say so."""
    book = xlsx.cells(xlsx.parts(path))
    money = [c for cells in book.values() for c in cells.values()
             if c["t"] == "n" and c["v"] is not None and '"."0,' in c["fmt"]]
    plain = [c for cells in book.values() for c in cells.values()
             if c["t"] == "n" and "#,##0.00" in c["fmt"]]
    said = any("10,000" in (c["v"] or "") or "万元" in (c["v"] or "")
               for cells in book.values() for c in cells.values() if c["t"] != "n")
    check(money and not plain and said, "%s: --unit wan shows money in 万 (cells keep the "
          "full amounts)" % label, "%d scaled, %d plain" % (len(money), len(plain)))


def check_charts(check, path, fund_ids, label):
    """8. J-curves name their fund; the region chart is the top 10 and other; value axes
    carry a title with the unit; no chart compares cost with NAV."""
    parts = xlsx.parts(path)
    charts = {n: b.decode("utf-8") for n, b in parts.items()
              if n.startswith("xl/charts/chart") and n.endswith(".xml")}
    titles = []
    for n, x in charts.items():
        m = re.search(r"<c:title>.*?</c:title>", x, re.S)
        titles.append("".join(re.findall(r"<a:t>([^<]*)</a:t>", m.group(0))) if m else "")
    jc = [t for t in titles if "J-curve" in t or "J 曲线" in t]
    check(jc and all(any(f in t for f in fund_ids) for t in jc),
          "%s: every J-curve chart names its fund" % label, repr(jc[:3]))
    top = [t for t in titles if "top 10" in t or "前 10" in t]
    check(bool(top), "%s: the region chart shows the top 10 and other" % label, repr(titles))
    axes_ok = all(re.search(r"<c:valAx>.*?<c:title>", x, re.S) for x in charts.values()
                  if "<c:valAx>" in x)
    check(axes_ok, "%s: every value axis has a title with its unit" % label)
    cost_nav = [t for t in titles if ("Cost" in t or "成本" in t) and ("NAV" in t or "净值" in t)]
    check(not cost_nav, "%s: no chart compares cost with NAV" % label, repr(cost_nav))


TAXONOMY_CHAINS = ["energy", "materials", "biomed", "logistics", "equipment", "it", "finance",
                   "agriculture"]
SEGMENTS = ["upstream", "midstream", "downstream"]


def check_taxonomy_order(check, files, label):
    """8. chains and segments in the taxonomy's order on every sheet."""
    bad = []
    for f in files:
        for sheet, cells in xlsx.cells(xlsx.parts(f)).items():
            if "Flows" in sheet or "现金流" in sheet:
                continue
            col_a = [(rc(ref)[0], c["v"]) for ref, c in cells.items()
                     if rc(ref)[1] == 1 and c["t"] != "n" and c["f"] is None]
            col_a.sort()
            for order in (TAXONOMY_CHAINS, SEGMENTS):
                # a table's codes stand on consecutive rows: each such run must follow
                # the taxonomy
                run, last = [], None
                for r, v in col_a + [(None, None)]:
                    if v in order and (last is None or r == last + 1):
                        run.append(v)
                        last = r
                        continue
                    if len(run) > 1 and run != sorted(run, key=order.index):
                        bad.append("%s %s: %r" % (os.path.basename(f), sheet, run))
                    run, last = ([v], r) if v in order else ([], None)
    check(not bad, "%s: chains and segments in taxonomy order" % label, "; ".join(bad[:3]))
