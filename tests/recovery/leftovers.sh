#!/bin/sh
# Leftovers (issue 11): report and export write beside their target and rename; a
# process killed before its rename leaves ".NAME.tmp.PID", which the next report or
# export into that folder removes (never one whose process still runs). A full disk
# (here a file-size limit) gives parkfund's message, not libxlsxwriter's "[ERROR]" lines.
#   sh tests/recovery/leftovers.sh BIN
set -u
PF=${1:?usage: leftovers.sh BIN}
case $PF in /*) ;; *) PF=$(pwd)/$PF ;; esac
export PARKFUND_NOW=2024-07-01T08:00:00Z LC_ALL=C
unset PARKFUND_DB
work=$(mktemp -d "${TMPDIR:-/tmp}/pfleft.XXXXXX")
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL $*"; fail=$((fail + 1)); }
cd "$work" || exit 2
$PF -q demo --out d > /dev/null 2>&1 || { echo "FAIL demo"; echo "leftovers: 0 passed, 1 failed"; exit 1; }
db=d/demo.db

# a pid that has surely exited
dead=$(sh -c 'echo $$')
# kill -9 a report the moment one of its temporary files appears (several rounds:
# the rename may still win the race). The whole process group: the files are written
# by forked workers (report --jobs), which a kill of the parent alone leaves running to
# finish and rename their file. The watch is a tight loop in Python: a shell loop
# forking ls saw the short window in about one round of ten.
killer() {
    /usr/bin/python3 - "$@" <<'PY'
import os, signal, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
out = sys.argv[sys.argv.index("--out") + 1]
while p.poll() is None:
    try:
        names = os.listdir(out)
    except FileNotFoundError:
        continue
    if any(".tmp." in n for n in names):
        os.killpg(p.pid, signal.SIGKILL)
        break
p.wait()
PY
}
left=0
for round in 1 2 3 4 5 6; do
    killer $PF -q --db $db report --out o
    n=$(ls -a o 2>/dev/null | grep -c '\.tmp\.' )
    left=$((left + n))
    delay=$round
    # the next run sweeps what the killed one left
    $PF -q --db $db report --out o > /dev/null 2>&1 || no "report after kill round $delay"
    n=$(ls -a o | grep -c '\.tmp' )
    [ "$n" = 0 ] && ok || no "report left $n temporary files after kill round $delay"
done
[ $left -gt 0 ] && ok || no "no kill landed while a workbook was being written (test too fast?)"

# export: a dead writer's leftover goes, a live writer's stays
mkdir e
: > "e/.run.json.tmp.$dead"
: > "e/.run.json.tmp.$$"
: > "e/.other.tmp"
$PF --db $db export --out e/run.json > /dev/null 2>&1 || no "export"
[ ! -e "e/.run.json.tmp.$dead" ] && ok || no "export kept a dead writer's leftover"
[ -e "e/.run.json.tmp.$$" ] && ok || no "export removed a live writer's file"
[ -e "e/.other.tmp" ] && ok || no "export removed a file it does not own"
[ -s e/run.json ] && ok || no "export wrote nothing"

# a full disk (a file-size limit: 512-byte blocks in sh): parkfund's message, exit 74
mkdir full
out=$(sh -c "trap '' XFSZ; ulimit -f 200; $PF --db $db report --out full" 2>&1)
status=$?
[ $status -eq 74 ] && ok || no "report on a full disk: exit $status, expected 74"
echo "$out" | grep -q '^\[ERROR\]\|\[ERROR\]' && no "library error lines reached the user: $out" || ok
echo "$out" | grep -q "^parkfund: cannot write 'full/portfolio-.*': File too large" && ok \
    || no "report on a full disk: message '$out'"
n=$(ls -a full | grep -c '\.tmp')
[ "$n" = 0 ] && ok || no "report on a full disk left $n temporary files"

cd / && rm -rf "$work"
echo "leftovers: $pass passed, $fail failed"
[ $fail -eq 0 ]
