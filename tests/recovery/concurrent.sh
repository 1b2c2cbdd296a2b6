#!/bin/sh
# SPEC §8: two processes at once: the second waits (busy timeout) or fails
# with exit 75, never corrupts; never a partial batch.
#
#   sh tests/recovery/concurrent.sh BIN
#
# A generated data set (gen --scale 2) is split by fund into BASE (reference
# records, commitments, FX rates, benchmarks), X and Y (the flows and
# valuations of odd and even funds), so X and Y import in either order. Each
# case starts from a copy of a database holding BASE (or BASE and X) and
# checks every process's exit status, PRAGMA integrity_check, and that the row
# count of every input table matches exactly the batches whose import exited
# 0 (a busy one, exit 75, must leave none of its rows); stored runs are whole
# and `verify` reproduces them.
# Prints one line per failing case and "concurrent: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
PF=${1:?usage: concurrent.sh BIN}
case $PF in /*) ;; *) PF=$(pwd)/$PF ;; esac
export PARKFUND_NOW=2024-07-01T08:00:00Z LC_ALL=C
unset PARKFUND_DB PARKFUND_BUSY_TIMEOUT_MS
work=$(mktemp -d "${TMPDIR:-/tmp}/pfconc.XXXXXX")
pass=0
fail=0
busy_seen=0
start=$(date +%s)
db=$work/case.db

bad() {  # message: the current case fails
    echo "FAIL $case: $*"
    ok=0
}

finish() {
    echo "concurrent: $(($(date +%s) - start)) s; the racing imports with a 1 ms timeout" \
         "hit exit 75 $busy_seen times"
    echo "concurrent: $pass passed, $fail failed"
    if [ "$fail" -eq 0 ]; then rm -rf "$work"; else echo "(scratch kept in $work)"; fi
    [ "$fail" -eq 0 ]
    exit
}

# --- data: gen, then split by fund into base/, x/, y/ ---
if ! "$PF" gen --scale 2 --seed 7 "$work/gen" >/dev/null 2>"$work/gen.err"; then
    cat "$work/gen.err"
    echo "FAIL setup: gen failed"
    fail=1
    finish
fi
/usr/bin/python3 "$here/split_by_fund.py" "$work/gen" "$work"
X="$work/x/partner_flows.csv $work/x/project_flows.csv $work/x/valuations.csv"
Y="$work/y/partner_flows.csv $work/y/project_flows.csv $work/y/valuations.csv"

# sig DB: the row count of every input table (not the run tables), one line
"$PF" --db "$work/base.db" init 2>/dev/null || { echo "FAIL setup: init"; fail=1; finish; }
sigsql="SELECT $(sqlite3 "$work/base.db" "SELECT group_concat(q, ' || '' '' || ') FROM (SELECT
    '''' || name || '='' || (SELECT count(*) FROM \"' || name || '\")' AS q
    FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
    AND name NOT LIKE 'run%' AND name NOT IN ('batch', 'batch_file') ORDER BY name)")"
sig() { sqlite3 "$1" "$sigsql"; }
"$PF" --db "$work/base.db" import "$work"/base/*.csv >/dev/null || { echo "FAIL setup: import base"; fail=1; finish; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
cp "$work/base.db" "$work/basex.db"
t0=$(now_ms)
# shellcheck disable=SC2086
"$PF" --db "$work/basex.db" import $X >/dev/null || { echo "FAIL setup: import x"; fail=1; finish; }
ms_import=$(($(now_ms) - t0))
cp "$work/basex.db" "$work/closed.db"
t0=$(now_ms)
"$PF" --db "$work/closed.db" close --as-of 2024-06-30 >/dev/null || { echo "FAIL setup: close"; fail=1; finish; }
ms_close=$(($(now_ms) - t0))
rm -f "$work"/closed.db*
# Waiting writers must get the lock within the default busy timeout (5 s) for
# "the second waits" to be demanded; with a slow binary (a sanitizer build)
# exit 75 is accepted there too, as long as the batches match the exits.
strict_import=0
strict_close=0
[ $((3 * ms_import)) -lt 2500 ] && strict_import=1
[ "$ms_close" -lt 2500 ] && strict_close=1
echo "concurrent: an import of x takes $ms_import ms, a close $ms_close ms" \
     "(strict: imports $strict_import, closes $strict_close)"
cp "$work/basex.db" "$work/basexy.db"
# shellcheck disable=SC2086
"$PF" --db "$work/basexy.db" import $Y >/dev/null || { echo "FAIL setup: import y"; fail=1; finish; }
cp "$work/base.db" "$work/basey.db"
# shellcheck disable=SC2086
"$PF" --db "$work/basey.db" import $Y >/dev/null || { echo "FAIL setup: import y alone"; fail=1; finish; }
sig_base=$(sig "$work/base.db")
sig_x=$(sig "$work/basex.db")
sig_y=$(sig "$work/basey.db")
sig_xy=$(sig "$work/basexy.db")
if [ "$sig_base" = "$sig_x" ] || [ "$sig_x" = "$sig_y" ] || [ "$sig_x" = "$sig_xy" ]; then
    echo "FAIL setup: the data sets do not tell the batches apart"
    fail=1
    finish
fi

begin() {  # case name, starting database
    case=$1
    ok=1
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$work/$2.db" "$db"
    n=0
}
launch() {  # env assignment or -, command words...: start one process in the background
    n=$((n + 1))
    e=$1
    shift
    if [ "$e" = - ]; then
        "$PF" --db "$db" "$@" >"$work/p$n.out" 2>"$work/p$n.err" &
    else
        env "$e" "$PF" --db "$db" "$@" >"$work/p$n.out" 2>"$work/p$n.err" &
    fi
    eval "pid$n=\$!"
}
collect() {  # wait for every launched process: rc1, rc2, ...
    i=1
    while [ "$i" -le "$n" ]; do
        eval "wait \$pid$i"
        eval "rc$i=$?"
        if grep -q 'Sanitizer\|runtime error' "$work/p$i.err"; then
            bad "process $i: sanitizer report: $(head -c 300 "$work/p$i.err")"
        fi
        eval "r=\$rc$i"
        if [ "$r" -ne 0 ] && [ "$r" -ne 75 ]; then
            bad "process $i exited $r (expected 0 or 75): $(head -c 300 "$work/p$i.err")"
        fi
        if [ "$r" -eq 75 ] && ! grep -q busy "$work/p$i.err"; then
            bad "process $i exited 75 without saying the database is busy: $(head -c 200 "$work/p$i.err")"
        fi
        i=$((i + 1))
    done
}
expect_rc() {  # process number, status
    eval "r=\$rc$1"
    [ "$r" -eq "$2" ] || bad "process $1 exited $r, expected $2: $(head -c 300 "$work/p$1.err")"
}
check_db() {  # expected signature name (base, x, y, xy), expected number of runs
    ic=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
    [ "$ic" = ok ] || bad "integrity_check: $ic"
    eval "want=\$sig_$1"
    got=$(sig "$db")
    [ "$got" = "$want" ] || bad "rows do not match batches {$1}: $got (expected $want)"
    runs=$(sqlite3 "$db" 'SELECT count(*) FROM run')
    [ "$runs" -eq "$2" ] || bad "$runs runs stored, expected $2"
    # a stored run is whole: as many results as its close reported
    i=1
    while [ "$i" -le "$n" ]; do
        line=$(grep -o '^run [0-9]*: .* [0-9]* results' "$work/p$i.out" 2>/dev/null)
        if [ -n "$line" ]; then
            id=$(echo "$line" | sed 's/^run \([0-9]*\):.*/\1/')
            cnt=$(echo "$line" | sed 's/.* \([0-9]*\) results$/\1/')
            # results are stored one by one or packed (run_result_pack, n apiece)
            have=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM run_result WHERE run_id = $id) + (SELECT coalesce(sum(n), 0) FROM run_result_pack WHERE run_id = $id)")
            [ "$have" = "$cnt" ] || bad "run $id has $have results, its close reported $cnt"
        fi
        i=$((i + 1))
    done
    if [ "$2" -gt 0 ]; then
        "$PF" --db "$db" verify >"$work/verify.out" 2>&1 || bad "verify: $(head -c 300 "$work/verify.out")"
    fi
}
end_case() {
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
# state_of RC_X RC_Y: the batches that must be present after racing x and y
state_of() {
    if [ "$1" -eq 0 ] && [ "$2" -eq 0 ]; then echo xy
    elif [ "$1" -eq 0 ]; then echo x
    elif [ "$2" -eq 0 ]; then echo y
    else echo base
    fi
}
hold_lock() {  # a sqlite3 shell takes the write lock and holds it until release_lock
    rm -f "$work/fifo"
    mkfifo "$work/fifo"
    sqlite3 "$db" <"$work/fifo" >/dev/null 2>&1 &
    holder=$!
    exec 3>"$work/fifo"
    # a timeout, so that a probe below holding the lock for an instant cannot make it fail
    echo '.timeout 20000' >&3
    echo 'BEGIN IMMEDIATE;' >&3
    i=0
    while [ $i -lt 200 ]; do  # until a writer with no timeout is refused
        if ! sqlite3 "$db" 'PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    bad "the sqlite3 shell never took the write lock"
}
release_lock() {
    echo 'COMMIT;' >&3
    exec 3>&-
    wait "$holder"
}
expect_ok_or_busy() {  # strict flag, process numbers...: 0 when strict
    st=$1
    shift
    if [ "$st" = 1 ]; then
        for i in "$@"; do expect_rc "$i" 0; done
    fi
}

# 1. A writer holds the lock: with a 1 ms busy timeout the import exits 75 and
#    writes nothing; a close (whose compute needs no lock) does the same.
begin "held lock, import with a 1 ms timeout exits 75" base
hold_lock
# shellcheck disable=SC2086
launch PARKFUND_BUSY_TIMEOUT_MS=1 import $X
collect
expect_rc 1 75
release_lock
check_db base 0
end_case

begin "held lock, close with a 1 ms timeout exits 75" basex
hold_lock
launch PARKFUND_BUSY_TIMEOUT_MS=1 close --as-of 2024-06-30
collect
expect_rc 1 75
release_lock
check_db x 0
end_case

# 2. With the default timeout the import waits for the lock and succeeds.
begin "held lock, import with the default timeout waits" base
hold_lock
t0=$(now_ms)
# shellcheck disable=SC2086
launch - import $X
sleep 1
release_lock
collect
waited=$(($(now_ms) - t0))
expect_rc 1 0
[ "$waited" -ge 900 ] || bad "the import took $waited ms: it cannot have waited for the lock"
check_db x 0
end_case

# 3. Two imports of different data at the same moment, default timeout: both succeed.
for r in 1 2 3; do
    begin "race x and y, default timeout, round $r" base
    # shellcheck disable=SC2086
    launch - import $X
    # shellcheck disable=SC2086
    launch - import $Y
    collect
    expect_ok_or_busy $strict_import 1 2
    check_db "$(state_of "$rc1" "$rc2")" 0
    end_case
done

# 4. The same with a 1 ms timeout: each exits 0 or 75, its batch whole or absent.
for r in 1 2 3 4 5 6 7 8 9 10; do
    begin "race x and y, 1 ms timeout, round $r" base
    # shellcheck disable=SC2086
    launch PARKFUND_BUSY_TIMEOUT_MS=1 import $X
    # shellcheck disable=SC2086
    launch PARKFUND_BUSY_TIMEOUT_MS=1 import $Y
    collect
    [ "$rc1" -eq 75 ] && busy_seen=$((busy_seen + 1))
    [ "$rc2" -eq 75 ] && busy_seen=$((busy_seen + 1))
    check_db "$(state_of "$rc1" "$rc2")" 0
    end_case
done

# 5. The same files twice at once: one batch, the other says it is already there.
begin "race x and x, default timeout" base
# shellcheck disable=SC2086
launch - import $X
# shellcheck disable=SC2086
launch - import $X
collect
expect_ok_or_busy $strict_import 1 2
if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]; then
    grep -q 'already imported' "$work/p1.out" "$work/p2.out" ||
        bad "neither import said 'already imported'"
fi
if [ "$rc1" -eq 0 ] || [ "$rc2" -eq 0 ]; then check_db x 0; else check_db base 0; fi
[ "$strict_import" = 0 ] || [ "$rc1" -eq 0 ] || [ "$rc2" -eq 0 ] || bad "neither import succeeded"
b=$(sqlite3 "$db" 'SELECT count(*) FROM batch')
[ "$b" -eq 2 ] || bad "$b batches, expected 2 (base and x)"
end_case

# 6. Four imports at once (x, y, x, y), default timeout.
begin "four imports at once, default timeout" base
# shellcheck disable=SC2086
launch - import $X
# shellcheck disable=SC2086
launch - import $Y
# shellcheck disable=SC2086
launch - import $X
# shellcheck disable=SC2086
launch - import $Y
collect
expect_ok_or_busy $strict_import 1 2 3 4
gx=1
gy=1
{ [ "$rc1" -eq 0 ] || [ "$rc3" -eq 0 ]; } && gx=0
{ [ "$rc2" -eq 0 ] || [ "$rc4" -eq 0 ]; } && gy=0
st=$(state_of $gx $gy)
check_db "$st" 0
b=$(sqlite3 "$db" 'SELECT count(*) FROM batch')
want=$((1 + (1 - gx) + (1 - gy)))
[ "$b" -eq "$want" ] || bad "$b batches, expected $want"
end_case

# 7. An import during a close, and two closes at once.
begin "import y during a close, default timeout" basex
launch - close --as-of 2024-06-30
# shellcheck disable=SC2086
launch - import $Y
collect
expect_ok_or_busy $((strict_import * strict_close)) 1 2
check_db "$(if [ "$rc2" -eq 0 ]; then echo xy; else echo x; fi)" "$(if [ "$rc1" -eq 0 ]; then echo 1; else echo 0; fi)"
end_case

begin "import y during a close, 1 ms timeout" basex
launch PARKFUND_BUSY_TIMEOUT_MS=1 close --as-of 2024-06-30
# shellcheck disable=SC2086
launch PARKFUND_BUSY_TIMEOUT_MS=1 import $Y
collect
check_db "$(if [ "$rc2" -eq 0 ]; then echo xy; else echo x; fi)" "$(if [ "$rc1" -eq 0 ]; then echo 1; else echo 0; fi)"
end_case

begin "two closes at once, default timeout" basex
launch - close --as-of 2024-06-30
launch - close --as-of 2023-12-31
collect
expect_ok_or_busy $strict_close 1 2
check_db x $(((rc1 == 0) + (rc2 == 0)))
end_case

finish
