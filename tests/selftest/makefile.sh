#!/bin/sh
# Self-test of the Makefile's package handling and flags. A build package is
# made to look missing (a pkg-config in front of the real one that denies
# sqlite3), the user looks like root (an `id` that says 0) and apt-get is a
# fake that only records its calls. Then:
#   - make, make install, make units must fail naming the exact apt-get line,
#     without calling apt-get or compiling anything; their dry runs (make -n)
#     must not hold an apt-get install either;
#   - make deps must call apt-get (so the fakes do reach the Makefile), and as
#     a plain user only print the line;
#   - -Werror is on by default and WERROR= clears it; CFLAGS, CPPFLAGS and
#     LDFLAGS on the command line add to the warning set, -std=c11 and the
#     include paths instead of losing them; SANITIZE adds to CFLAGS; the csv.h
#     check is a compile check (it follows CPPFLAGS), no include path is
#     hard-coded; one object really compiles with CFLAGS=-O0 and WERROR=.
#   sh tests/selftest/makefile.sh [MAKEFILE]      (default: the tree's Makefile)
# Prints one line per failing case and "makefile: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
mf=${1:-$top/Makefile}
case $mf in /*) ;; *) mf=$(pwd)/$mf ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/pfmake.XXXXXX")
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# a hermetic make: nothing from an enclosing make or the caller's flags
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES CFLAGS CPPFLAGS LDFLAGS WERROR SANITIZE BUILD V
real_pc=$(command -v pkg-config || echo /usr/bin/pkg-config)
mkdir -p "$work/bin" "$work/user"
cat >"$work/bin/pkg-config" <<EOS
#!/bin/sh
case " \$* " in *" --exists "*sqlite3*) exit 1 ;; esac
exec "$real_pc" "\$@"
EOS
cat >"$work/bin/apt-get" <<EOS
#!/bin/sh
echo "apt-get \$*" >>"$work/apt.log"
exit 0
EOS
cat >"$work/bin/id" <<'EOS'
#!/bin/sh
[ "$1" = -u ] && { echo 0; exit 0; }
exec /usr/bin/id "$@"
EOS
cat >"$work/user/id" <<'EOS'
#!/bin/sh
[ "$1" = -u ] && { echo 1000; exit 0; }
exec /usr/bin/id "$@"
EOS
chmod +x "$work/bin/"* "$work/user/id"

mk() {  # args...: make in the tree with the fakes first on PATH; sets status, out
    out=$(cd "$top" && PATH="$work/bin:$PATH" make --no-print-directory -f "$mf" \
          BUILD="$work/build" "$@" 2>&1)
    status=$?
}
mk_real() {  # args...: make with the real tools (nothing missing)
    out=$(cd "$top" && make --no-print-directory -f "$mf" BUILD="$work/real" "$@" 2>&1)
    status=$?
}

# 1. building as root with a package missing: fail with the line, install nothing
for goal in all install units; do
    rm -f "$work/apt.log"
    mk "$goal" DESTDIR="$work/dest"
    if [ -s "$work/apt.log" ]; then
        bad "make $goal as root ran apt-get: $(cat "$work/apt.log")"
    elif [ "$status" -eq 0 ]; then
        bad "make $goal with libsqlite3-dev missing succeeded"
    elif ! echo "$out" | grep -q '^  apt-get install.* libsqlite3-dev'; then
        bad "make $goal did not print the apt-get install line: $out"
    elif [ -d "$work/build/obj" ] || [ -d "$work/dest" ]; then
        bad "make $goal compiled or installed something before failing"
    else
        ok
    fi
done

# 2. the dry runs hold no apt-get install either
for goal in all install; do
    mk -n "$goal" DESTDIR="$work/dest"
    if echo "$out" | grep -q 'apt-get update\|apt-get install -y'; then
        bad "make -n $goal would run apt-get: $(echo "$out" | grep 'apt-get' | head -n 2)"
    else
        ok
    fi
done

# 3. make deps installs as root (the fakes work), and only prints as a user
rm -f "$work/apt.log"
mk deps
if [ "$status" -ne 0 ] || ! grep -q 'apt-get install .*libsqlite3-dev' "$work/apt.log" 2>/dev/null; then
    bad "make deps as root did not call apt-get install libsqlite3-dev (exit $status): $out"
else
    ok
fi
rm -f "$work/apt.log"
out=$(cd "$top" && PATH="$work/user:$work/bin:$PATH" make --no-print-directory -f "$mf" \
      BUILD="$work/build" deps 2>&1)
status=$?
if [ -s "$work/apt.log" ] || [ "$status" -eq 0 ] ||
   ! echo "$out" | grep -q '^  apt-get install.* libsqlite3-dev'; then
    bad "make deps as a user: exit $status, apt-get log '$(cat "$work/apt.log" 2>/dev/null)': $out"
else
    ok
fi

# 4. flags, read off the dry run's compile and link lines
cc_line() { echo "$out" | grep -E ' -c src/util/[a-z_]+\.c ' | head -n 1; }
link_line() { echo "$out" | grep -E " -o $work/real/parkfund " | head -n 1; }
has() {  # case, line, words...: every word in the line
    c=$1 line=$2
    shift 2
    for w in "$@"; do
        case " $line " in
        *" $w "*) ;;
        *) bad "$c: '$w' missing from: $line"; return ;;
        esac
    done
    ok
}
mk_real -n
has "default flags" "$(cc_line)" -O2 -std=c11 -Wall -Werror -Iinclude
mk_real -n WERROR=
if cc_line | grep -q -- -Werror; then bad "WERROR= left -Werror in: $(cc_line)"; else ok; fi
mk_real -n CFLAGS=-O0
has "CFLAGS=-O0" "$(cc_line)" -O0 -std=c11 -Wall -Wextra -Werror -Iinclude
mk_real -n CPPFLAGS=-DPF_SELFTEST
has "CPPFLAGS=-DPF_SELFTEST" "$(cc_line)" -DPF_SELFTEST -Iinclude -D_POSIX_C_SOURCE=200809L
mk_real -n SANITIZE=address CFLAGS="-O3 -DKEEP" LDFLAGS=-Wl,--as-needed
has "SANITIZE with CFLAGS" "$(cc_line)" -O3 -DKEEP -fsanitize=address -Wall -Iinclude
has "SANITIZE with LDFLAGS" "$(link_line)" -Wl,--as-needed -fsanitize=address
if [ -z "$(cc_line)" ] || [ -z "$(link_line)" ]; then
    bad "no compile or link line found in make -n"
fi

# 5. no hard-coded include path; the csv.h check follows CPPFLAGS
if grep -n '/usr/include' "$mf"; then bad "the Makefile hard-codes /usr/include"; else ok; fi
mk_real check-deps CPPFLAGS=-nostdinc
if [ "$status" -eq 0 ] || ! echo "$out" | grep -q 'apt-get install.*libcsv-dev'; then
    bad "check-deps with CPPFLAGS=-nostdinc did not miss csv.h (exit $status): $out"
else
    ok
fi

# 6. a real compile with the packager's flags
obj=$work/real/obj/src/util/status.o
mk_real "$obj" CFLAGS="-O0 -g" CPPFLAGS=-DPF_SELFTEST WERROR=
if [ "$status" -ne 0 ] || [ ! -s "$obj" ]; then
    bad "compiling one object with CFLAGS='-O0 -g' WERROR= failed: $out"
else
    ok
fi

echo "makefile: $pass passed, $fail failed"
if [ "$fail" -eq 0 ]; then rm -rf "$work"; else echo "(scratch kept in $work)"; fi
[ "$fail" -eq 0 ]
