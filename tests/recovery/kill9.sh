#!/bin/sh
# SPEC §8: an import killed with SIGKILL at any instant leaves the database
# intact (PRAGMA integrity_check ok) holding the whole import or none of it.
#
#   sh tests/recovery/kill9.sh BIN        (ROUNDS=100 SEED=7 by default)
#
# A binary so slow that the rounds would take more than KILL9_BUDGET seconds
# (150; a sanitizer build) runs as many as fit, at least 10.
#
# A generated data set (gen --scale 2) is split by fund into BASE (reference
# records, commitments, FX rates, benchmarks), X and Y (the flows and
# valuations of odd and even funds). Rounds cycle through three imports, each
# from its own starting database: BASE+X into an empty one (one command), X
# into one holding BASE, Y into one holding BASE and X (two earlier batches).
# Each round copies the starting database, starts the import, kills it with
# SIGKILL after a random delay between 0 and 1.2x the time an uninterrupted
# import takes, half of them near its end (so kills land before, during and
# after the transaction and its commit), then
# checks integrity_check, foreign_key_check, and that the row count of every
# table equals either the starting database's or the uninterrupted import's.
# Every 10th round also reruns the import to completion on the killed
# database. Prints one line per failing round and "kill9: N passed, N failed".
#
# Mid-batch kills. The kill is delivered in two steps: SIGSTOP freezes the
# import, then, while it cannot change anything, /proc/locks tells whether it
# is inside its write transaction, then SIGKILL. In WAL mode SQLite holds an
# exclusive POSIX lock on byte 120 of the -shm file (WAL_WRITE_LOCK) from BEGIN
# IMMEDIATE to the end of COMMIT, and with it a shared read lock on a byte in
# 123..127 (the lock alone, without a read lock, is the WAL recovery a
# connection runs when it opens the database: not a transaction). The import
# writes the whole batch in that one transaction, so such a kill landed
# mid-batch. Some kills must land there (one more check: at least 1 over the
# rounds; when none did, up to KILL9_EXTRA (20) more rounds aim at the middle
# of the import until one does), and every round, these included, must leave
# all of the batch or none of it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
PF=${1:?usage: kill9.sh BIN}
case $PF in /*) ;; *) PF=$(pwd)/$PF ;; esac
ROUNDS=${ROUNDS:-100}
SEED=${SEED:-7}
export PARKFUND_NOW=2024-07-01T08:00:00Z LC_ALL=C
unset PARKFUND_DB PARKFUND_BUSY_TIMEOUT_MS
work=$(mktemp -d "${TMPDIR:-/tmp}/pfkill9.XXXXXX")
pass=0
fail=0
start=$(date +%s)

failed() {  # message
    echo "FAIL $*"
    fail=$((fail + 1))
}

bad() {  # message: this round fails
    echo "FAIL $*"
    ok=0
}

finish() {
    echo "kill9: $((r - 1)) rounds in $(($(date +%s) - start)) s: $absent whole batch absent," \
         "$present present ($late after the import had ended); $mid kills inside the" \
         "write transaction ($mid_absent left it absent, $mid_present present)"
    echo "kill9: $pass passed, $fail failed"
    if [ "$fail" -eq 0 ]; then rm -rf "$work"; else echo "(scratch kept in $work)"; fi
    [ "$fail" -eq 0 ]
    exit
}

# --- data: gen, then split by fund into base/, x/, y/ ---
if ! "$PF" gen --scale 2 --seed 7 "$work/gen" >/dev/null 2>"$work/gen.err"; then
    cat "$work/gen.err"
    failed "setup: gen failed"
    absent=0 present=0 late=0 mid=0 mid_absent=0 mid_present=0 r=1
    finish
fi
/usr/bin/python3 "$here/split_by_fund.py" "$work/gen" "$work"

# --- the three starting databases and each import's expected end state ---
sig() {  # db -> one line: every table's row count
    sqlite3 "$1" "$sigsql"
}
mkdb() {  # name, files to import...
    db=$work/$1.db
    shift
    "$PF" --db "$db" init 2>/dev/null || return 1
    [ $# -eq 0 ] || "$PF" --db "$db" import "$@" >/dev/null
}
mkdb empty || failed "setup: init"
sigsql=$(sqlite3 "$work/empty.db" "SELECT group_concat(q, ' || '' '' || ') FROM (SELECT
    '''' || name || '='' || (SELECT count(*) FROM \"' || name || '\")' AS q
    FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)")
sigsql="SELECT $sigsql"
mkdb base "$work"/base/*.csv || failed "setup: import base"
cp "$work/base.db" "$work/basex.db"
"$PF" --db "$work/basex.db" import "$work"/x/*.csv >/dev/null || failed "setup: import x"

# type 0: empty -> base+x (one command); 1: base -> x; 2: base, x -> y
from_db() { case $1 in 0) echo empty ;; 1) echo base ;; 2) echo basex ;; esac; }
files() {
    case $1 in
    0) echo "$work"/base/*.csv "$work"/x/*.csv ;;
    1) echo "$work"/x/*.csv ;;
    2) echo "$work"/y/*.csv ;;
    esac
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
for t in 0 1 2; do
    cp "$work/$(from_db $t).db" "$work/ref.db"
    t0=$(now_ms)
    # shellcheck disable=SC2046
    "$PF" --db "$work/ref.db" import $(files $t) >/dev/null || failed "setup: reference import $t"
    eval "ms_$t=$(($(now_ms) - t0))"
    eval "pre_$t=\$(sig \"\$work/\$(from_db $t).db\")"
    eval "post_$t=\$(sig \"\$work/ref.db\")"
    eval "[ \"\$pre_$t\" != \"\$post_$t\" ]" || failed "setup: import $t changed nothing"
done
rm -f "$work"/ref.db*
[ "$fail" -eq 0 ] || { absent=0 present=0 late=0 mid=0 mid_absent=0 mid_present=0 r=1; finish; }
echo "kill9: uninterrupted imports take $ms_0, $ms_1, $ms_2 ms"
# a slow binary (a sanitizer build) gets the rounds that fit the time budget
budget=${KILL9_BUDGET:-150}
per=$(((ms_0 + ms_1 + ms_2) * 3 / 10 + 300))
if [ "$budget" -gt 0 ] && [ $((ROUNDS * per)) -gt $((budget * 1000)) ]; then
    fit=$((budget * 1000 / per))
    [ "$fit" -ge 10 ] || fit=10
    echo "kill9: a slow binary: $fit rounds fit the ${budget} s budget, not $ROUNDS" \
         "(KILL9_BUDGET=0 runs them all)"
    ROUNDS=$fit
fi

# --- the rounds ---
state() {  # pid -> its state letter (R, S, D, T, Z...), empty when gone
    sed -n 's/^.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null
}
in_write_tx() {  # pid: does it hold the WAL write lock and a read lock (see above)?
    awk -v pid="$1" '
        $2 == "POSIX" && $5 == pid && $7 == 120 && $8 == 120 && $4 == "WRITE" { w = 1 }
        $2 == "POSIX" && $5 == pid && $7 >= 123 && $7 <= 127 { rd = 1 }
        END { exit !(w && rd) }' /proc/locks
}
if [ ! -r /proc/locks ]; then
    failed "setup: /proc/locks is not readable: cannot tell a mid-batch kill"
fi
absent=0
present=0
late=0
mid=0
mid_absent=0
mid_present=0
extra=${KILL9_EXTRA:-20}
r=1
while [ "$r" -le "$ROUNDS" ] || { [ "$mid" -eq 0 ] && [ "$r" -le $((ROUNDS + extra)) ]; }; do
    t=$((r % 3))
    eval "ms=\$ms_$t pre=\$pre_$t post=\$post_$t"
    db=$work/round.db
    rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
    cp "$work/$(from_db $t).db" "$db"
    # the delay: uniform in [0, 1.2 x the uninterrupted time]; every other
    # round in [0.6, 1.3] x it, around the commit; every 7th round 0; the
    # extra rounds (no kill inside the transaction yet) in [0.2, 0.7] x it
    delay=$(awk -v s="$SEED" -v r="$r" -v ms="$ms" -v extra=$((r > ROUNDS)) \
        'BEGIN { srand(s * 100003 + r); f = (r % 2) ? rand() * 1.2 : 0.6 + rand() * 0.7;
                 if (r % 7 == 0) f = 0; if (extra) f = 0.2 + rand() * 0.5;
                 printf "%.3f", f * ms / 1000 }')
    # shellcheck disable=SC2046
    "$PF" --db "$db" import $(files $t) >"$work/round.out" 2>"$work/round.err" &
    pid=$!
    sleep "$delay"
    inside=0
    if kill -STOP "$pid" 2>/dev/null; then
        # signals are asynchronous: wait (at most 10 s) until it is stopped or has ended
        n=0
        while st=$(state "$pid") && [ -n "$st" ] && [ "$st" != T ] && [ "$st" != t ] &&
              [ "$st" != Z ] && [ "$n" -lt 1000 ]; do
            sleep 0.01
            n=$((n + 1))
        done
        case $st in
        T | t) in_write_tx "$pid" && inside=1 ;;
        Z | "") late=$((late + 1)) ;;
        esac
        kill -9 "$pid" 2>/dev/null
    else
        late=$((late + 1))
    fi
    wait "$pid" 2>/dev/null
    status=$?
    ok=1
    ic=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
    if [ "$ic" != ok ]; then
        bad "round $r (type $t, kill after ${delay}s): integrity_check: $ic"
    fi
    fk=$(sqlite3 "$db" 'PRAGMA foreign_key_check' 2>&1)
    if [ -n "$fk" ]; then
        bad "round $r (type $t, kill after ${delay}s): foreign_key_check: $(echo "$fk" | head -n 3)"
    fi
    s=$(sig "$db" 2>&1)
    if [ "$s" = "$pre" ]; then
        absent=$((absent + 1))
        [ $inside = 0 ] || mid_absent=$((mid_absent + 1))
    elif [ "$s" = "$post" ]; then
        present=$((present + 1))
        [ $inside = 0 ] || mid_present=$((mid_present + 1))
    else
        bad "round $r (type $t, kill after ${delay}s, exit $status$([ $inside = 0 ] ||
               echo ', inside the write transaction')): partial batch: $s" \
               "(expected $pre or $post)"
    fi
    mid=$((mid + inside))
    if [ "$status" -ne 137 ] && [ "$status" -ne 0 ]; then
        bad "round $r: import exited $status: $(head -c 300 "$work/round.err")"
    fi
    if grep -q 'Sanitizer\|runtime error' "$work/round.err"; then
        bad "round $r: sanitizer report: $(head -c 300 "$work/round.err")"
    fi
    # every 10th round: the killed database takes the same import to the end
    if [ $ok = 1 ] && [ $((r % 10)) -eq 0 ]; then
        # shellcheck disable=SC2046
        if ! "$PF" --db "$db" import $(files $t) >/dev/null 2>"$work/round.err"; then
            bad "round $r: rerun after the kill failed: $(head -c 300 "$work/round.err")"
            elif [ "$(sig "$db")" != "$post" ] || [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" != ok ]; then
            bad "round $r: rerun after the kill did not reach the whole batch"
            fi
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    r=$((r + 1))
done
# the kills must not all have missed the transaction
if [ "$mid" -ge 1 ]; then
    pass=$((pass + 1))
else
    failed "no kill landed inside the import's write transaction in $((r - 1)) rounds"
fi
finish
