#!/usr/bin/python3
"""Table-driven bad-input suite for `parkfund import` (SPEC §4, §6, §8).

Each case of tests/cli/badinput.tsv writes one or more input files into a
fresh scratch folder beside a copy of a baseline database (init + the sample
data set, models/sample/*.csv), runs the import there, and checks:
  - the exit status (65 bad data, 2 usage, 66 missing input, 0 ok);
  - the first line of stderr: "FILE:LINE: field 'x': message" with the
    expected FILE:LINE and field, or "FILE:LINE: message" when the case
    expects no field, or "parkfund: message" when it expects no position;
  - an optional substring of that message;
  - the database (the file and any -wal/-shm beside it, SHA-256) is
    unchanged, or for a case that must succeed, changed as expected;
  - an optional SQL check on the database afterwards;
  - no sanitizer report on stderr.
Standard library only. Prints one line per failing case and a final
"N passed, N failed" line; exits 1 when any case fails.

    /usr/bin/python3 tests/cli/badinput.py BIN [-k SUBSTRING] [-v] [--keep]

Table format (tab-separated; '#' starts a comment line; a row whose name is
'+' adds one more file to the case above it):
  name  file  content  args  exit  where  field  message  db  sql
- file: the file name written in the scratch folder; its kind comes from the
  name (partner_flows.csv, 2024-06_fx_rates.csv, bundle.json ...).
- content: escapes \\n \\r \\t \\\\ \\0 and \\xNN (a raw byte), and {{TEXT*N}}
  for TEXT repeated N times (TEXT may hold escapes). Other characters are
  written as UTF-8, or as GB18030 when the content starts with "@gb18030:".
  "@sample:NAME" is the sample file NAME unchanged.
- args: the import's arguments; '-' means every file of the case in order.
  Inside args, {1}, {2}, ... name the case's files.
- exit: the expected exit status.
- where: the expected FILE:LINE, or '-' when the message has no position.
- field: the field name expected in "field 'x':", or '-' for none.
- message: a substring the message must contain, or '-'.
- db: 'same' (hash unchanged) or 'changed'; '-' means same unless exit is 0.
- sql: optional "SELECT ...=expected" checked after the run, or '-'.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(TOP, "tests", "cli", "badinput.tsv")
SAMPLE = os.path.join(TOP, "models", "sample")
SANITIZER = re.compile(r"Sanitizer|runtime error:|LeakSanitizer")
REPEAT = re.compile(r"\{\{(.*?)\*(\d+)\}\}", re.S)


def decode(text, encoding="utf-8"):
    """Table text to bytes: escapes, raw bytes and {{TEXT*N}} repeats."""
    if text.startswith("@sample:"):
        with open(os.path.join(SAMPLE, text[len("@sample:"):]), "rb") as f:
            return f.read()
    if text.startswith("@gb18030:"):
        text = text[len("@gb18030:"):]
        encoding = "gb18030"
    out = bytearray()
    pos = 0
    for m in REPEAT.finditer(text):
        out += unescape(text[pos:m.start()], encoding)
        out += unescape(m.group(1), encoding) * int(m.group(2))
        pos = m.end()
    out += unescape(text[pos:], encoding)
    return bytes(out)


def unescape(s, encoding):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", "0": b"\0"}[n]
            i += 2
            continue
        out += c.encode(encoding)
        i += 1
    return bytes(out)


def load_table(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "+":
                if not cases or len(cols) < 3:
                    raise SystemExit("%s:%d: '+' row needs a case above and file, content"
                                     % (path, lineno))
                cases[-1]["files"].append((cols[1], cols[2]))
                continue
            if len(cols) < 9:
                raise SystemExit("%s:%d: expected at least 9 tab-separated columns, got %d"
                                 % (path, lineno, len(cols)))
            cols += ["-"] * (10 - len(cols))
            name, fname, content, args, ex, where, field, msg, db, sql = cols[:10]
            cases.append({
                "name": name, "line": lineno, "files": [(fname, content)],
                "args": args, "exit": int(ex), "where": where, "field": field,
                "msg": msg, "db": db, "sql": sql,
            })
    names = [c["name"] for c in cases]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise SystemExit("%s: duplicate case names: %s" % (path, ", ".join(dups)))
    return cases


def db_hash(dbpath):
    """SHA-256 over the database file and any -wal/-shm beside it."""
    h = hashlib.sha256()
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = dbpath + suffix
        h.update(suffix.encode() + b"\0")
        if os.path.exists(p):
            with open(p, "rb") as f:
                h.update(b"present\0" + f.read())
        else:
            h.update(b"absent\0")
    return h.hexdigest()


def env_for(scratch):
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LC_ALL": "C",
        "HOME": scratch,
        "PARKFUND_NOW": "2024-07-01T08:00:00Z",
    }
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def run(bin_, args, cwd, env, timeout=120):
    p = subprocess.run([bin_] + args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def sql_check(dbpath, spec):
    import sqlite3
    q, _, want = spec.rpartition("=")
    con = sqlite3.connect("file:%s?mode=ro" % dbpath, uri=True)
    try:
        rows = con.execute(q).fetchall()
    finally:
        con.close()
    got = "|".join("" if v is None else str(v) for r in rows for v in r)
    return got == want, got


def check_case(bin_, case, base_db, work, env, verbose):
    """Returns a list of problems (empty: the case passes)."""
    d = os.path.join(work, case["name"])
    os.makedirs(d)
    db = os.path.join(d, "t.db")
    shutil.copyfile(base_db, db)
    before = db_hash(db)
    paths = []
    for fname, content in case["files"]:
        p = os.path.join(d, fname)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if content == "@dir":
            os.makedirs(p, exist_ok=True)
        elif content != "@none":
            with open(p, "wb") as f:
                f.write(decode(content))
        paths.append(fname)
    if case["args"] == "-":
        args = list(paths)
    else:
        args = case["args"].split(" ")
        args = [re.sub(r"\{(\d+)\}", lambda m: paths[int(m.group(1)) - 1], a) for a in args]
    code, out, err = run(bin_, ["--db", "t.db", "import"] + args, d, env)
    problems = []
    first = err.splitlines()[0] if err else ""
    if code != case["exit"]:
        problems.append("exit %d, expected %d" % (code, case["exit"]))
    if SANITIZER.search(err):
        problems.append("sanitizer report on stderr")
    where, field = case["where"], case["field"]
    if case["exit"] == 0:
        if err.strip():
            problems.append("unexpected stderr")
    elif where != "-":
        if field != "-":
            pat = re.escape(where) + r": field '" + re.escape(field) + r"': "
        else:
            pat = re.escape(where) + r": (?!field ')"
        if not re.match(pat, first):
            want = "%s: field '%s': ..." % (where, field) if field != "-" else where + ": ..."
            problems.append("stderr %r, expected %r" % (first[:160], want))
    else:
        if not first.startswith("parkfund: "):
            problems.append("stderr %r, expected 'parkfund: ...' (no position)" % first[:160])
    if case["msg"] != "-" and case["msg"] not in err:
        problems.append("message lacks %r: %r" % (case["msg"], first[:160]))
    after = db_hash(db)
    want_db = case["db"] if case["db"] != "-" else ("changed" if case["exit"] == 0 else "same")
    if want_db == "same" and after != before:
        problems.append("database changed")
    if want_db == "changed" and after == before:
        problems.append("database unchanged, expected a new batch")
    if case["sql"] != "-":
        ok, got = sql_check(db, case["sql"])
        if not ok:
            problems.append("sql %r gave %r" % (case["sql"], got))
    if verbose:
        print("  %-40s exit %d  %s" % (case["name"], code, first[:150]))
    if problems and verbose:
        print("    stderr: " + err[:400].replace("\n", "\n    stderr: "))
    if not problems:
        shutil.rmtree(d, ignore_errors=True)
    return problems


def main(argv):
    if len(argv) < 2:
        print("usage: badinput.py BIN [-k SUBSTRING] [-v] [--keep]", file=sys.stderr)
        return 2
    bin_ = os.path.abspath(argv[1])
    pattern, verbose, keep = None, False, False
    i = 2
    while i < len(argv):
        if argv[i] == "-k":
            pattern = argv[i + 1]
            i += 1
        elif argv[i] == "-v":
            verbose = True
        elif argv[i] == "--keep":
            keep = True
        i += 1
    cases = load_table(TABLE)
    if pattern:
        cases = [c for c in cases if pattern in c["name"]]
    work = tempfile.mkdtemp(prefix="pfbad.")
    env = env_for(work)
    start = time.time()
    base = os.path.join(work, "base")
    os.makedirs(base)
    samples = sorted(os.path.join(SAMPLE, f) for f in os.listdir(SAMPLE) if f.endswith(".csv"))
    for args in (["--db", "t.db", "init"], ["--db", "t.db", "import"] + samples):
        code, out, err = run(bin_, args, base, env)
        if code != 0 or SANITIZER.search(err):
            print("FAIL setup: %s exited %d: %s" % (" ".join(args[2:3]), code, err[:400]))
            print("0 passed, 1 failed")
            return 1
    for suffix in ("-wal", "-shm"):
        # a clean exit checkpoints and removes them; the hash covers them anyway
        if os.path.exists(os.path.join(base, "t.db" + suffix)) and verbose:
            print("note: t.db%s left after a clean exit" % suffix)
    base_db = os.path.join(base, "t.db")
    passed = failed = 0
    for case in cases:
        try:
            problems = check_case(bin_, case, base_db, work, env, verbose)
        except subprocess.TimeoutExpired:
            problems = ["timed out"]
        if problems:
            failed += 1
            print("FAIL %s (badinput.tsv:%d): %s" % (case["name"], case["line"],
                                                     "; ".join(problems)))
        else:
            passed += 1
    if failed == 0 and not keep:
        shutil.rmtree(work, ignore_errors=True)
    elif failed:
        print("(scratch folders of failing cases kept under %s)" % work)
    if verbose:
        print("%.1f s" % (time.time() - start))
    print("badinput: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
