#!/bin/sh
# CLI cases in zstd's layout: tests/cli/<group>/<case>.sh beside <case>.sh.exit
# (expected status) and, when present, <case>.sh.stdout.exact / .stderr.exact.
# Each case runs in its own scratch folder under a fixed environment (env -i,
# LC_ALL=C, no TZ, a pinned clock), with $PF the binary and $SRC the tree.
#   sh tests/cli/run.sh BIN [--update]
set -u
bin=$1
update=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
for c in "$top"/tests/cli/*/*.sh; do
    [ -f "$c" ] || continue
    name=${c#"$top"/tests/cli/}
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/pfcli.XXXXXX")
    (cd "$scratch" && env -i PATH=/usr/local/bin:/usr/bin:/bin PF="$bin" SRC="$top" \
        PARKFUND_NOW=2024-07-01T08:00:00Z LC_ALL=C HOME="$scratch" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
        sh "$c" >"$scratch/.stdout" 2>"$scratch/.stderr"; echo $? >"$scratch/.exit")
    # a seal chain head covers the file names as given, so it depends on where the tree
    # is checked out ($SRC/...): compare it as a 64-digit hash, not its value
    for s in stdout stderr; do
        sed 's/chain head [0-9a-f]\{64\}/chain head <64 hex digits>/' "$scratch/.$s" \
            >"$scratch/.$s.n" && mv "$scratch/.$s.n" "$scratch/.$s"
    done
    if [ "$update" = "--update" ]; then
        cp "$scratch/.exit" "$c.exit"
        cp "$scratch/.stdout" "$c.stdout.exact"
        cp "$scratch/.stderr" "$c.stderr.exact"
        [ -s "$c.stdout.exact" ] || rm -f "$c.stdout.exact"
        [ -s "$c.stderr.exact" ] || rm -f "$c.stderr.exact"
    fi
    ok=1
    want=$(cat "$c.exit" 2>/dev/null || echo 0)
    got=$(cat "$scratch/.exit")
    if [ "$want" != "$got" ]; then
        echo "FAIL $name: exit $got, expected $want"
        sed 's/^/    stderr: /' "$scratch/.stderr" | head -n 5
        ok=0
    fi
    for s in stdout stderr; do
        if [ -f "$c.$s.exact" ]; then
            if ! cmp -s "$c.$s.exact" "$scratch/.$s"; then
                echo "FAIL $name: $s differs"
                diff "$c.$s.exact" "$scratch/.$s" | head -n 10 | sed 's/^/    /'
                ok=0
            fi
        elif [ "$s" = stderr ] && grep -q 'Sanitizer\|runtime error' "$scratch/.stderr"; then
            echo "FAIL $name: sanitizer report"
            head -n 20 "$scratch/.stderr" | sed 's/^/    /'
            ok=0
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    rm -rf "$scratch"
done
echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
