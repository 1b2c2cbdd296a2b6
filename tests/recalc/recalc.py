"""Recalculate workbooks headless with Gnumeric (ssconvert --recalc) and
LibreOffice (a fresh profile that forces OOXML recalculation on load), and
compare every formula cell's recalculated value with the cached one."""
import os
import shutil
import subprocess

import xlsx

# money (number formats with #,##0.00) to 0.01; XIRR to 1e-6; other ratios 1e-9 relative
MONEY_TOL = 0.01
IRR_TOL = 1e-6
RATIO_REL = 1e-9

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def lo_profile(work):
    prof = os.path.join(work, "lo-profile")
    os.makedirs(os.path.join(prof, "user"), exist_ok=True)
    with open(os.path.join(prof, "user", "registrymodifications.xcu"), "w") as f:
        f.write(XCU)
    return prof


def soffice_convert(files, fmt, outdir, work, timeout=900):
    """Convert files with LibreOffice; returns {input: output path or None}.
    soffice exits 0 even when a file failed to load, so outputs are checked."""
    os.makedirs(outdir, exist_ok=True)
    prof = lo_profile(work)
    cmd = ["soffice", "-env:UserInstallation=file://" + prof, "--headless", "--norestore",
           "--convert-to", fmt, "--outdir", outdir] + list(files)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
                   check=False)
    ext = fmt.split(":")[0]
    out = {}
    for f in files:
        p = os.path.join(outdir, os.path.splitext(os.path.basename(f))[0] + "." + ext)
        out[f] = p if os.path.exists(p) and os.path.getsize(p) > 0 else None
    return out


def gnumeric_recalc(f, outdir, timeout=900):
    os.makedirs(outdir, exist_ok=True)
    out = os.path.join(outdir, os.path.basename(f))
    r = subprocess.run(["ssconvert", "--recalc", f, out], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=timeout, check=False)
    if r.returncode != 0 or not os.path.exists(out):
        return None
    return out


def tolerance_ok(formula, fmt, cached, got):
    if got is None:
        return False, "no number"
    if "XIRR" in formula.upper():
        return abs(got - cached) <= IRR_TOL, "irr"
    if "#,##0.00" in fmt:
        return abs(got - cached) <= MONEY_TOL, "money"
    scale = max(abs(cached), abs(got))
    return abs(got - cached) <= RATIO_REL * scale or abs(got - cached) <= 1e-12, "ratio"


def compare(orig_path, recalc_path):
    """[(sheet, ref, formula, cached, recalculated, kind)] for every mismatch, and the
    number of formula cells compared."""
    a = xlsx.cells(xlsx.parts(orig_path))
    b = xlsx.cells(xlsx.parts(recalc_path))
    bad = []
    n = 0
    names_b = list(b.keys())
    for i, (sheet, cells) in enumerate(a.items()):
        other = b.get(sheet)
        if other is None and i < len(names_b):
            other = b[names_b[i]]
        for ref, c in cells.items():
            if c["f"] is None:
                continue
            n += 1
            cached = xlsx.number(c["v"])
            oc = (other or {}).get(ref)
            got = xlsx.number(oc["v"]) if oc and oc["t"] not in ("s", "str", "inlineStr", "e") \
                else None
            ok, kind = tolerance_ok(c["f"], c["fmt"], cached if cached is not None else 0.0, got)
            if cached is None or not ok:
                bad.append((sheet, ref, c["f"], c["v"], oc["v"] if oc else None, kind))
    return bad, n


def have_tools():
    return shutil.which("ssconvert") is not None and shutil.which("soffice") is not None
