#!/bin/sh
# parkfund benchmarks: the ratios of SPEC §9, measured side by side in one run.
#   sh tests/bench/run.sh BUILD_DIR        (make bench)
# A benchmark is not a test: nothing here asserts a time. It prints a report, one
# section per SPEC §9 item, with the absolute numbers and the ratios, and says for
# each target whether this run met it. Exit status 0 unless the benchmark itself
# could not run (no binary, a command that must work failed).
#
# Environment:
#   BENCH_QUICK=1   skip scale 100 (the whole run then takes about a minute)
#   BENCH_DIR=DIR   work there (default: a fresh directory under $TMPDIR, removed
#                   at the end unless BENCH_KEEP=1)
#   BENCH_ROWS=N    rows of the import benchmark (default 1000000)
#   BENCH_CLOSE_SCALE=N   scale of the close comparison (default 10)
#   BENCH_REPORT_TIMEOUT=S  stop a whole report after S s of wall time (default 240;
#                   a report at scale 100 writes some 1,300 statements)
#
# Times are wall-clock seconds from /usr/bin/time (-f %e), with CPU seconds (user +
# system) beside them, since other work on the machine stretches wall time but not
# CPU time; memory is peak resident set size (%M). Needs: sqlite3 (the shell),
# /usr/bin/python3, /usr/bin/time; pandas + SciPy for §9.2's comparison (skipped,
# and said so, when they are missing: apt-get install python3-pandas python3-scipy).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bench="$top/tests/bench"
build=${1:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
PF="$build/parkfund"
PY=/usr/bin/python3
AS_OF=2025-06-30
SEED=20240630
ROWS=${BENCH_ROWS:-1000000}
CSCALE=${BENCH_CLOSE_SCALE:-10}
RTO=${BENCH_REPORT_TIMEOUT:-240}
if [ "${BENCH_QUICK:-0}" = 1 ]; then SCALES="1 10"; else SCALES="1 10 100"; fi
case " $SCALES " in *" $CSCALE "*) ;; *) SCALES="$SCALES $CSCALE" ;; esac

die() { echo "bench: $*" >&2; exit 2; }
[ -x "$PF" ] || die "no binary at $PF (make first)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
command -v sqlite3 >/dev/null 2>&1 || die "the sqlite3 shell is missing (apt-get install sqlite3)"
[ -x "$PY" ] || die "$PY is missing"

if [ -n "${BENCH_DIR:-}" ]; then
    W=$BENCH_DIR
    mkdir -p "$W" || die "cannot create $W"
else
    W=$(mktemp -d "${TMPDIR:-/tmp}/parkfund-bench.XXXXXX") || die "mktemp failed"
fi
cleanup() { [ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ] || rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers
# timed NAME CMD...: runs CMD (stdout, stderr to $W/NAME.out, .err); sets RC,
# T (wall s), C (user+sys s), M (peak RSS, KB).
timed() {
    _n=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$W/$_n.time" "$@" >"$W/$_n.out" 2>"$W/$_n.err"
    RC=$?
    set -- $(tail -n 1 "$W/$_n.time")
    T=$1
    C=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
    M=$4
}
# div A B [FMT]: A / B (each a number or an awk expression), or "n/a" when B is 0
div() { awk "BEGIN { b = ($2); if (b == 0) print \"n/a\"; else printf \"${3:-%.2f}\", ($1) / b }"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
# verdict OK_CONDITION_AWK_EXPR: "met" / "MISSED"
verdict() {
    case $1 in *n/a*) echo "n/a"; return ;; esac
    awk "BEGIN { exit !($1) }" && echo "met" || echo "MISSED"
}
firsterr() { head -n 3 "$1" | sed 's/^/      | /'; }
line() { printf '%s\n' "------------------------------------------------------------------------------"; }

# ---- machine
line
echo "parkfund benchmarks (SPEC §9) — $(date -u '+%Y-%m-%d %H:%M UTC')"
line
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
echo "machine:   $(nproc) CPUs, ${cpu:-unknown CPU}, $mem RAM, $(uname -sr)"
echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start; other work stretches wall times"
echo "binary:    $PF ($("$PF" --version 2>&1 | head -n 1))"
echo "sqlite3:   $(sqlite3 --version | cut -d' ' -f1)    python: $($PY -c 'import sys; print(sys.version.split()[0])')"
echo "mode:      scales $SCALES$([ "${BENCH_QUICK:-0}" = 1 ] && echo ' (BENCH_QUICK=1: scale 100 skipped)'); work dir $W"
echo

# =============================================================================
# §9.1 import vs sqlite3 .import
# =============================================================================
line
echo "§9.1  import throughput vs the sqlite3 shell's .import   (target: ratio >= 0.50)"
line
big="$W/big/project_flows.csv"
mkdir -p "$W/big"
"$PY" "$bench/bigflows.py" "$big" "$ROWS" || die "bigflows.py failed"
csv_mb=$(du -m "$big" | cut -f1)
echo "data:      $ROWS project flows (P-CN-01..03, CNY, 2021-2023), ${csv_mb} MB CSV"

db="$W/import.db"
rm -f "$db" "$db-wal" "$db-shm"
"$PF" --db "$db" init >/dev/null 2>&1 || die "parkfund init failed"
"$PF" --db "$db" import "$top"/models/sample/*.csv >/dev/null 2>"$W/sample.err" ||
    { firsterr "$W/sample.err"; die "importing models/sample failed"; }
timed pf_import "$PF" --db "$db" import "$big"
[ "$RC" = 0 ] || { firsterr "$W/pf_import.err"; die "parkfund import of $ROWS rows failed (exit $RC)"; }
pf_t=$T pf_c=$C pf_m=$M

# The shell, into a table of the same columns, in WAL mode with synchronous=FULL
# (parkfund's settings; synchronous is per connection, so it is set in the same
# invocation as .import, which runs as one transaction). Two tables: the plain
# one (TEXT PRIMARY KEY on flow_id: a rowid table plus its key index) and the
# like-for-like one (WITHOUT ROWID, as parkfund's project_flow: one B-tree).
cols="flow_id TEXT PRIMARY KEY, project_id TEXT NOT NULL, date TEXT NOT NULL, kind TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, reverses TEXT, note TEXT"
for v in rowid norowid; do
    sdb="$W/shell-$v.db"
    rm -f "$sdb" "$sdb-wal" "$sdb-shm"
    if [ $v = rowid ]; then ddl="CREATE TABLE t($cols)"; else ddl="CREATE TABLE t($cols) WITHOUT ROWID"; fi
    sqlite3 "$sdb" "PRAGMA journal_mode=WAL" "$ddl" >/dev/null || die "sqlite3 setup failed"
    timed sh_$v sqlite3 "$sdb" "PRAGMA synchronous=FULL" ".import --csv --skip 1 $big t"
    [ "$RC" = 0 ] || { firsterr "$W/sh_$v.err"; die "sqlite3 .import failed"; }
    n=$(sqlite3 "$sdb" "SELECT count(*) FROM t")
    [ "$n" = "$ROWS" ] || die "sqlite3 .import loaded $n rows, not $ROWS"
    eval "sh_${v}_t=\$T sh_${v}_c=\$C sh_${v}_m=\$M"
done

pf_rps=$(div "$ROWS" "$pf_t" %.0f)
r_rowid=$(div "$sh_rowid_t" "$pf_t")
r_norowid=$(div "$sh_norowid_t" "$pf_t")
r_rowid_c=$(div "$sh_rowid_c" "$pf_c")
r_norowid_c=$(div "$sh_norowid_c" "$pf_c")
printf '  %-46s %8s %8s %12s %10s\n' "" "wall s" "cpu s" "rows/s" "peak RSS"
printf '  %-46s %8s %8s %12s %10s\n' "parkfund import (validated, one batch)" "$pf_t" "$pf_c" "$pf_rps" "$(mb "$pf_m")"
printf '  %-46s %8s %8s %12s %10s\n' "sqlite3 .import, TEXT PRIMARY KEY table" "$sh_rowid_t" "$sh_rowid_c" "$(div "$ROWS" "$sh_rowid_t" %.0f)" "$(mb "$sh_rowid_m")"
printf '  %-46s %8s %8s %12s %10s\n' "sqlite3 .import, WITHOUT ROWID (like-for-like)" "$sh_norowid_t" "$sh_norowid_c" "$(div "$ROWS" "$sh_norowid_t" %.0f)" "$(mb "$sh_norowid_m")"
echo "  ratio parkfund/shell rows per second (wall; cpu in brackets):"
echo "    vs TEXT PRIMARY KEY table:  $r_rowid  ($r_rowid_c)  -> $(verdict "$r_rowid >= 0.5")"
echo "    vs WITHOUT ROWID table:     $r_norowid  ($r_norowid_c)  -> $(verdict "$r_norowid >= 0.5")"
echo "  parkfund peak memory: $(mb "$pf_m") for $ROWS rows (streams the file)"
echo

# =============================================================================
# data sets for §9.2-9.4: gen + import + close at each scale
# =============================================================================
echo "preparing: gen + import + close --as-of $AS_OF --benchmark csi300 at scales $SCALES ..."
for s in $SCALES; do
    g="$W/gen$s"
    d="$W/s$s.db"
    rm -rf "$g" "$d" "$d-wal" "$d-shm"
    timed gen$s "$PF" gen --scale "$s" --seed "$SEED" --as-of "$AS_OF" "$g"
    [ "$RC" = 0 ] || { firsterr "$W/gen$s.err"; die "gen --scale $s failed"; }
    eval "gen${s}_t=\$T gen${s}_m=\$M"
    "$PF" --db "$d" init >/dev/null 2>&1 || die "init failed"
    timed imp$s "$PF" --db "$d" import "$g"/*.csv
    [ "$RC" = 0 ] || { firsterr "$W/imp$s.err"; die "import at scale $s failed (exit $RC)"; }
    eval "imp${s}_t=\$T imp${s}_c=\$C imp${s}_m=\$M"
    timed close$s "$PF" --db "$d" close --as-of "$AS_OF" --benchmark csi300
    [ "$RC" = 0 ] || { firsterr "$W/close$s.err"; die "close at scale $s failed (exit $RC)"; }
    eval "close${s}_t=\$T close${s}_c=\$C close${s}_m=\$M"
    rows=$(($(cat "$g"/*.csv | wc -l) - 11))
    flows=$(sqlite3 "$d" "SELECT (SELECT count(*) FROM partner_flow) + (SELECT count(*) FROM project_flow)")
    results=$(sqlite3 "$d" "SELECT count(*) FROM run_result WHERE run_id = (SELECT max(run_id) FROM run)")
    eval "rows$s=\$rows flows$s=\$flows results$s=\$results"
    echo "  scale $s: $rows input rows, $flows flows; close $T s, $results results"
done
echo

# =============================================================================
# §9.2 close vs pandas + SciPy, and vs one SQL aggregate scan
# =============================================================================
s=$CSCALE
d="$W/s$s.db"
eval "c_t=\$close${s}_t c_c=\$close${s}_c c_m=\$close${s}_m c_flows=\$flows${s} c_rows=\$rows${s} c_res=\$results${s}"
line
echo "§9.2  close at scale $s ($c_flows flows, $c_rows input rows)   (targets: pandas/close >= 20, close/scan <= 3)"
line
# The scan: one GROUP BY over each flow table, by a fresh sqlite3 process (as the
# close is one process); run 5 times in one timing, for /usr/bin/time's resolution.
q="SELECT project_id, kind, sum(amount) FROM project_flow GROUP BY 1, 2; SELECT fund_id, partner_id, kind, sum(amount) FROM partner_flow GROUP BY 1, 2, 3;"
sqlite3 "$d" "$q" >/dev/null || die "the aggregate scan failed"
timed scan sh -c 'for i in 1 2 3 4 5; do sqlite3 "$1" "$2" >/dev/null || exit 1; done' scan "$d" "$q"
scan_t=$(div "$T" 5 %.3f) scan_c=$(div "$C" 5 %.3f) scan_m=$M
echo "  parkfund close                 $c_t s wall, $c_c s cpu, peak $(mb "$c_m"), $c_res results stored"
echo "  SQL aggregate scan (sqlite3)   $scan_t s wall, $scan_c s cpu (mean of 5), peak $(mb "$scan_m")"
r_scan=$(div "$c_t" "$scan_t" %.1f)
echo "  close/scan: $r_scan (cpu $(div "$c_c" "$scan_c" %.1f))  -> $(verdict "$r_scan <= 3")"

if "$PY" -c 'import pandas, scipy' 2>/dev/null; then
    pv=$("$PY" -c 'import pandas, scipy; print("pandas", pandas.__version__, "SciPy", scipy.__version__)')
    timed pandas "$PY" "$bench/pandas_close.py" "$W/gen$s" "$AS_OF" "$W/pandas_results.csv"
    if [ "$RC" = 0 ]; then
        detail=$(tail -n 1 "$W/pandas.out")
        r_pd=$(div "$T" "$c_t" %.1f)
        comp=$(echo "$detail" | sed -n 's/.*compute_s=\([0-9.]*\).*/\1/p')
        imp=$(echo "$detail" | sed -n 's/.*import_s=\([0-9.]*\).*/\1/p')
        load=$(echo "$detail" | sed -n 's/.*load_s=\([0-9.]*\).*/\1/p')
        pres=$(echo "$detail" | sed -n 's/.*results=\([0-9]*\).*/\1/p')
        echo "  pandas + SciPy ($pv)"
        echo "                                 $T s wall, $C s cpu, peak $(mb "$M"), $pres results"
        echo "                                 (of which: module import $imp s, CSV load $load s, compute $comp s)"
        echo "  pandas/close: $r_pd (cpu $(div "$C" "$c_c" %.1f); pandas load+compute only: $(div "$load + $comp" "$c_t" %.1f))  -> $(verdict "$r_pd >= 20")"
        echo "  (the pandas script computes a subset of the close's metrics: fund, partner,"
        echo "   project and chain figures with XIRR by brentq; no PME, risk, other dimensions)"
    else
        echo "  pandas + SciPy: the script failed (exit $RC):"
        firsterr "$W/pandas.err"
    fi
else
    echo "  pandas + SciPy: NOT INSTALLED, comparison skipped"
    echo "    (as root: apt-get install -y python3-pandas python3-scipy)"
fi
echo

# =============================================================================
# §9.3 report memory
# =============================================================================
line
echo "§9.3  report: peak memory as the data grows   (target: flat, constant-memory mode)"
line
# Two measurements per scale: the whole report (the manager's workbook and one
# statement per partner), stopped after $RTO s of wall time (its peak memory so far
# is then a lower bound), and one partner's statement alone (--partner), which
# still loads the whole run.
rep_ok=1
echo "  whole report: portfolio workbook + one statement per partner (stopped after ${RTO} s);"
echo "  one statement: report --partner ID (first partner id)"
printf '  %-5s %8s %9s | %-26s %8s %7s %10s | %7s %7s %10s\n' scale flows results "whole report: files" "wall s" "cpu s" "peak RSS" "1 stmt s" "cpu s" "peak RSS"
for s in $SCALES; do
    out="$W/report$s"
    rm -rf "$out" "$out-one"
    timed report$s timeout "$RTO" "$PF" -q --db "$W/s$s.db" report --out "$out"
    if [ "$RC" != 0 ] && [ "$RC" != 124 ]; then
        echo "  report at scale $s failed (exit $RC); section skipped:"
        firsterr "$W/report$s.err"
        rep_ok=0
        break
    fi
    stopped=0
    [ "$RC" = 124 ] && stopped=1
    eval "rep${s}_t=\$T rep${s}_m=\$M rep${s}_stopped=\$stopped"
    files=$(find "$out" -name '*.xlsx' -type f 2>/dev/null | wc -l)
    want=$(sqlite3 "$W/s$s.db" "SELECT 1 + count(DISTINCT partner_id) FROM commitment")
    size=$(du -sm "$out" 2>/dev/null | cut -f1)
    if [ $stopped = 1 ]; then note="$files/$want STOPPED"; else note="$files/$want (${size} MB)"; fi
    rT=$T rC=$C rM=$M
    p1=$(sqlite3 "$W/s$s.db" "SELECT min(partner_id) FROM commitment")
    timed report1p$s "$PF" -q --db "$W/s$s.db" report --out "$out-one" --partner "$p1"
    if [ "$RC" = 0 ]; then
        oT=$T oC=$C oM=$(mb "$M")
        eval "one${s}_m=\$M"
    else
        oT="exit $RC" oC="-" oM="-"
        eval "one${s}_m=0"
    fi
    eval "fl=\$flows$s res=\$results$s"
    printf '  %-5s %8s %9s | %-26s %8s %7s %10s | %7s %7s %10s\n' "$s" "$fl" "$res" "$note" "$rT" "$rC" "$(mb "$rM")" "$oT" "$oC" "$oM"
    rm -rf "$out" "$out-one"
done
if [ $rep_ok = 1 ]; then
    for s in $SCALES; do
        [ "$s" = 1 ] && continue
        eval "m=\$rep${s}_m o=\$one${s}_m f=\$flows$s st=\$rep${s}_stopped"
        r=$(div "$m" "$rep1_m")
        r1=$(div "$o" "$one1_m")
        lb=""
        [ "$st" = 1 ] && lb=" (at least: stopped)"
        echo "  peak RSS scale $s / scale 1 (flows ×$(div "$f" "$flows1" %.0f)): whole report $r$lb, one statement $r1  -> $(verdict "$r <= 2 && $r1 <= 2") (flat = within 2×)"
    done
fi
echo

# =============================================================================
# §11 forecast: 10,000 paths x 40 quarters (issue 13)
# =============================================================================
line
echo "§11   forecast: 10,000 paths × 40 quarters at scale $CSCALE   (goal: seconds)"
line
d="$W/s$CSCALE.db"
timed forecast "$PF" -q --db "$d" forecast --paths 10000 --years 10
[ "$RC" = 0 ] || { firsterr "$W/forecast.err"; die "forecast at scale $CSCALE failed (exit $RC)"; }
nfunds=$(sed -n 's/.*; \([0-9]*\) funds.*/\1/p' "$W/forecast.out")
echo "  parkfund forecast              $T s wall, $C s cpu, peak $(mb "$M"), $nfunds funds"
echo "  (load the run and its data, calibrate each fund, 10,000 correlated paths on 2 threads,"
echo "   percentiles per fund, quarter and series, store; the same bits as on 1 thread)"
timed forecast1k "$PF" -q --db "$d" forecast --paths 1000 --years 10
echo "  with 1,000 paths               $T s wall, $C s cpu (the fixed part: load, fit, store)"
echo

# =============================================================================
# §9.4 growth
# =============================================================================
line
echo "§9.4  growth: gen + import + close, scale 1 -> 10 -> 100   (target: close linear in flows)"
line
printf '  %-5s %9s %9s | %7s | %8s %10s | %8s %8s %10s %9s %9s\n' scale rows flows "gen s" "import s" "import RSS" "close s" "cpu s" "close RSS" "us/flow" "cpu us/fl"
for s in $SCALES; do
    eval "r=\$rows$s f=\$flows$s gt=\$gen${s}_t it=\$imp${s}_t im=\$imp${s}_m ct=\$close${s}_t cc=\$close${s}_c cm=\$close${s}_m"
    printf '  %-5s %9s %9s | %7s | %8s %10s | %8s %8s %10s %9s %9s\n' "$s" "$r" "$f" "$gt" "$it" "$(mb "$im")" "$ct" "$cc" "$(mb "$cm")" "$(div "$ct * 1000000" "$f" %.1f)" "$(div "$cc * 1000000" "$f" %.1f)"
done
prev=""
for s in $SCALES; do
    if [ -n "$prev" ]; then
        eval "t1=\$close${prev}_t t2=\$close${s}_t f1=\$flows$prev f2=\$flows$s"
        echo "  scale $prev -> $s: flows ×$(div "$f2" "$f1" %.1f), close time ×$(div "$t2" "$t1" %.1f); marginal $(div "($t2 - $t1) * 1000000" "$f2 - $f1" %.1f) us per added flow"
    fi
    prev=$s
done
first=$(echo "$SCALES" | cut -d' ' -f1)
last=$(echo "$SCALES" | tr ' ' '\n' | sort -n | tail -n 1)
eval "t1=\$close${first}_t f1=\$flows$first t2=\$close${last}_t f2=\$flows$last c1=\$close${first}_c c2=\$close${last}_c"
g=$(div "$t2 / $f2" "$t1 / $f1")
gc=$(div "$c2 / $f2" "$c1 / $f1")
echo "  us/flow at scale $last / at scale $first: $g (cpu $gc)  -> $(verdict "$g <= 1.5") (roughly flat = within 1.5×)"
echo
line
echo "done; work files in $W$([ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ] || echo ' (removed)')"
