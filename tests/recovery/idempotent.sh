#!/bin/sh
# SPEC §4: importing the same content again is a no-op that says so, and
# --dry-run writes nothing.
#
#   sh tests/recovery/idempotent.sh BIN
#
# For the sample data set and a generated one (gen --scale 1): import once,
# dump the database (`sqlite3 .dump`: every table, every row; the clock is
# pinned with PARKFUND_NOW), then import the same content again in many
# shapes: the same files, in reverse order, under other names in another
# folder, one kind at a time, rows and columns shuffled and split across two
# files, re-quoted, with CRLF, with a UTF-8 BOM, in GB18030 (--encoding), and
# as one JSON bundle. Each must exit 0, say that nothing was new, and leave the
# dump (and the database file) exactly as it was. --dry-run on new data must write nothing either.
# Prints one line per failing case and "idempotent: N passed, N failed".
set -u
PF=${1:?usage: idempotent.sh BIN}
case $PF in /*) ;; *) PF=$(pwd)/$PF ;; esac
export PARKFUND_NOW=2024-07-01T08:00:00Z LC_ALL=C
unset PARKFUND_DB PARKFUND_BUSY_TIMEOUT_MS
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pfidem.XXXXXX")
pass=0
fail=0
start=$(date +%s)

bad() {  # message: the current case fails
    echo "FAIL $case: $*"
    ok=0
}
end_case() {
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
dump() {  # db -> the logical content, on stdout
    sqlite3 "$1" .dump
}
filehash() {  # db -> SHA-256 of the file and any -wal/-shm beside it
    for f in "$1" "$1-wal" "$1-shm"; do
        if [ -f "$f" ]; then sha256sum <"$f"; else echo "no $f"; fi
    done | sha256sum
}

# variants SRC DST: the same rows in other shapes (see the header)
variants() {
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import csv, json, os, random, sys
src, dst = sys.argv[1:3]
kinds = sorted(f[:-4] for f in os.listdir(src) if f.endswith(".csv"))
def rows(kind):
    with open(os.path.join(src, kind + ".csv"), newline="", encoding="utf-8-sig") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]
def write(path, head, body, **kw):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    enc = kw.pop("encoding", "utf-8")
    with open(path, "w", newline="", encoding=enc) as f:
        w = csv.writer(f, **kw)
        w.writerow(head)
        w.writerows(body)
rng = random.Random(7)
bundle = {}
for k in kinds:
    head, body = rows(k)
    # other names: the kind after a prefix, in another folder
    write(os.path.join(dst, "renamed", "2024-06_" + k + ".csv"), head, body, lineterminator="\n")
    # shuffled rows and columns, split in two files
    order = list(range(len(head)))
    rng.shuffle(order)
    sh = [[r[i] for i in order] for r in body]
    rng.shuffle(sh)
    half = len(sh) // 2
    write(os.path.join(dst, "split", "a_" + k + ".csv"), [head[i] for i in order], sh[:half],
          lineterminator="\n")
    write(os.path.join(dst, "split", "b_" + k + ".csv"), [head[i] for i in order], sh[half:],
          lineterminator="\n")
    # every field quoted and CRLF; a BOM and CRLF; a BOM and every field quoted
    write(os.path.join(dst, "crlf", k + ".csv"), head, body, lineterminator="\r\n",
          quoting=csv.QUOTE_ALL)
    write(os.path.join(dst, "bom", k + ".csv"), head, body, lineterminator="\r\n",
          encoding="utf-8-sig")
    write(os.path.join(dst, "bomq", k + ".csv"), head, body, lineterminator="\n",
          quoting=csv.QUOTE_ALL, encoding="utf-8-sig")
    # GB18030, for --encoding gb18030 (enterprises.csv spans many read chunks)
    write(os.path.join(dst, "gb", k + ".csv"), head, body, lineterminator="\n",
          encoding="gb18030")
    # one JSON bundle: amounts stay decimal strings, empty fields are left out
    bundle[k] = [{h: v for h, v in zip(head, r) if v != ""} for r in body]
with open(os.path.join(dst, "bundle.json"), "w", encoding="utf-8") as f:
    json.dump(bundle, f, ensure_ascii=False, indent=1)
EOF
}

# again NAME 'ARGS': an import that must change nothing; ARGS are expanded
# (globs too) inside the data set's folder
again() {
    case=$1
    ok=1
    (cd "$dir" && eval "set -- $2" && "$PF" --db "$db" import "$@") >"$work/out" 2>"$work/err"
    status=$?
    [ "$status" -eq 0 ] || bad "exit $status: $(head -c 300 "$work/err")"
    if grep -q 'Sanitizer\|runtime error' "$work/err"; then
        bad "sanitizer report: $(head -c 300 "$work/err")"
    fi
    grep -q 'already imported\|nothing new' "$work/out" ||
        bad "did not say the content is there already: $(tail -n 1 "$work/out")"
    dump "$db" >"$work/after.sql"
    cmp -s "$work/before.sql" "$work/after.sql" ||
        bad "the database's content changed: $(diff "$work/before.sql" "$work/after.sql" | head -n 6 | tr '\n' ' ')"
    [ "$(filehash "$db")" = "$hash" ] || bad "the database file changed"
    end_case
}

suite() {  # label, folder of the data set
    label=$1
    dir=$2
    db=$work/$label.db
    mkdir -p "$work/$label"
    variants "$dir" "$work/$label"
    "$PF" --db "$db" init 2>/dev/null || { echo "FAIL $label: init"; fail=$((fail + 1)); return; }
    dump "$db" >"$work/empty.sql"

    case="$label: --dry-run into an empty database writes nothing"
    ok=1
    hash=$(filehash "$db")
    (cd "$dir" && "$PF" --db "$db" import --dry-run ./*.csv) >"$work/out" 2>"$work/err" ||
        bad "exit $?: $(head -c 300 "$work/err")"
    grep -q 'dry run' "$work/out" || bad "did not say it was a dry run: $(tail -n 1 "$work/out")"
    dump "$db" >"$work/after.sql"
    cmp -s "$work/empty.sql" "$work/after.sql" || bad "the database's content changed"
    [ "$(filehash "$db")" = "$hash" ] || bad "the database file changed"
    end_case

    case="$label: first import"
    ok=1
    (cd "$dir" && "$PF" --db "$db" import ./*.csv) >"$work/out" 2>"$work/err" ||
        bad "exit $?: $(head -c 300 "$work/err")"
    end_case
    dump "$db" >"$work/before.sql"
    hash=$(filehash "$db")
    cmp -s "$work/empty.sql" "$work/before.sql" && echo "FAIL $label: the first import wrote nothing"

    v=$work/$label
    again "$label: the same files again" './*.csv'
    again "$label: the same files in reverse order" '$(ls -r ./*.csv)'
    again "$label: the same files under other names" "$v/renamed/*.csv"
    for f in "$dir"/*.csv; do
        again "$label: $(basename "$f") alone" "$f"
    done
    again "$label: rows and columns shuffled, split in two files" "$v/split/*.csv"
    again "$label: every field quoted, CRLF" "$v/crlf/*.csv"
    again "$label: a UTF-8 BOM and CRLF" "$v/bom/*.csv"
    again "$label: a UTF-8 BOM, every field quoted" "$v/bomq/*.csv"
    again "$label: the same text in GB18030 with --encoding gb18030" "--encoding gb18030 $v/gb/*.csv"
    again "$label: one JSON bundle" "$v/bundle.json"
    again "$label: the JSON bundle and the CSV files together" "$v/bundle.json ./*.csv"

    case="$label: --dry-run of new data writes nothing"
    ok=1
    printf 'index_id,date,level\nidem-test,2024-07-31,100.5\n' >"$work/benchmarks.csv"
    "$PF" --db "$db" import --dry-run "$work/benchmarks.csv" >"$work/out" 2>"$work/err" ||
        bad "exit $?: $(head -c 300 "$work/err")"
    grep -q 'dry run: 1 rows valid, 1 would be new' "$work/out" ||
        bad "did not count the new row: $(tail -n 1 "$work/out")"
    dump "$db" >"$work/after.sql"
    cmp -s "$work/before.sql" "$work/after.sql" || bad "the database's content changed"
    [ "$(filehash "$db")" = "$hash" ] || bad "the database file changed"
    end_case

    case="$label: the new data for real, then again"
    ok=1
    "$PF" --db "$db" import "$work/benchmarks.csv" >"$work/out" 2>"$work/err" ||
        bad "exit $?: $(head -c 300 "$work/err")"
    n=$(sqlite3 "$db" "SELECT count(*) FROM benchmark WHERE index_id = 'idem-test'")
    [ "$n" = 1 ] || bad "$n rows of the new benchmark stored, expected 1"
    end_case
    dump "$db" >"$work/before.sql"
    hash=$(filehash "$db")
    again "$label: the new data again" "$work/benchmarks.csv"
}

suite sample "$top/models/sample"
if "$PF" gen --scale 1 --seed 7 "$work/gen" >/dev/null 2>"$work/err"; then
    suite gen "$work/gen"
else
    echo "FAIL gen: $(head -c 300 "$work/err")"
    fail=$((fail + 1))
fi
echo "idempotent: $(($(date +%s) - start)) s"
echo "idempotent: $pass passed, $fail failed"
if [ "$fail" -eq 0 ]; then rm -rf "$work"; else echo "(scratch kept in $work)"; fi
[ "$fail" -eq 0 ]
