"""Read .xlsx parts with the standard library only: sheets, cells (formula,
cached value, number format), shared strings, and every XML part."""
import re
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
M = "{%s}" % NS["m"]

BUILTIN_FMTS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%",
                10: "0.00%", 14: "m/d/yyyy"}


def parts(path):
    """name -> bytes for every part of the zip."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_paths(zparts):
    """[(sheet name, part name)] in workbook order."""
    wb = ET.fromstring(zparts["xl/workbook.xml"])
    rels = ET.fromstring(zparts["xl/_rels/workbook.xml.rels"])
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = []
    for s in wb.find("m:sheets", NS):
        rid = s.get("{%s}id" % NS["r"])
        t = target[rid].lstrip("/")
        if not t.startswith("xl/"):
            t = "xl/" + t
        out.append((s.get("name"), t))
    return out


def numfmts(zparts):
    """style index -> number format code."""
    if "xl/styles.xml" not in zparts:
        return {}
    st = ET.fromstring(zparts["xl/styles.xml"])
    codes = dict(BUILTIN_FMTS)
    nf = st.find("m:numFmts", NS)
    if nf is not None:
        for f in nf:
            codes[int(f.get("numFmtId"))] = f.get("formatCode")
    out = {}
    xfs = st.find("m:cellXfs", NS)
    for i, xf in enumerate(xfs if xfs is not None else []):
        out[i] = codes.get(int(xf.get("numFmtId", "0")), "General")
    return out


def shared_strings(zparts):
    if "xl/sharedStrings.xml" not in zparts:
        return []
    sst = ET.fromstring(zparts["xl/sharedStrings.xml"])
    return ["".join(t.text or "" for t in si.iter(M + "t")) for si in sst]


def cells(zparts):
    """{sheet name: {ref: dict(f=formula or None, v=value, t=type, fmt=code)}}"""
    fmts = numfmts(zparts)
    sst = shared_strings(zparts)
    book = {}
    for name, part in sheet_paths(zparts):
        root = ET.fromstring(zparts[part])
        sheet = {}
        for c in root.iter(M + "c"):
            f = c.find("m:f", NS)
            v = c.find("m:v", NS)
            t = c.get("t", "n")
            val = v.text if v is not None else None
            if t == "s" and val is not None:
                val = sst[int(val)]
            elif t == "inlineStr":
                is_ = c.find("m:is", NS)
                val = "".join(x.text or "" for x in is_.iter(M + "t")) if is_ is not None else ""
            sheet[c.get("r")] = {"f": f.text if f is not None else None, "v": val, "t": t,
                                 "fmt": fmts.get(int(c.get("s", "0")), "General")}
        book[name] = sheet
    return book


def texts(zparts):
    """Every XML part decoded, for searches."""
    return {n: b.decode("utf-8", "replace") for n, b in zparts.items()
            if n.endswith(".xml") or n.endswith(".rels")}


def number(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def unescape_sheet(name):
    return name.replace("''", "'")


# Formulas we write: functions, cell references (optionally 'Sheet'!), numbers, operators.
FORMULA_TOKEN = re.compile(r"""\s*(?:
      (?P<sheet>'(?:[^']|'')+'!)
    | (?P<func>[A-Z][A-Z0-9.]*)\(
    | (?P<ref>\$?[A-Z]{1,3}\$?[0-9]+)
    | (?P<num>[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
    | (?P<op><=|>=|<>|[-+*/^(),:=<>])
)""", re.X)
ALLOWED_FUNCS = {"SUM", "XIRR", "SUMPRODUCT", "ROUND", "MAX"}


def formula_problem(f, sheet_names):
    """None if f holds only allowed tokens; else what was found."""
    pos = 0
    while pos < len(f):
        m = FORMULA_TOKEN.match(f, pos)
        if not m or m.end() == pos:
            return "unexpected text at %r" % f[pos:pos + 20]
        if m.group("sheet"):
            name = unescape_sheet(m.group("sheet")[1:-2])
            if name not in sheet_names:
                return "unknown sheet %r" % name
        if m.group("func") and m.group("func") not in ALLOWED_FUNCS:
            return "function %s" % m.group("func")
        pos = m.end()
    return None
