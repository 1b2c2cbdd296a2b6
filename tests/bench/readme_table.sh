#!/bin/sh
# The README's performance table from a saved `make bench` run:
#   make bench | tee bench.log; sh tests/bench/readme_table.sh bench.log
# Reads the run's SUMMARY block (one line per target: item | measured | target |
# verdict) and its machine line, and prints them as markdown; nothing is measured here.
set -u
[ $# -le 1 ] || { echo "usage: readme_table.sh [BENCH_LOG]" >&2; exit 2; }
awk '
    /^parkfund benchmarks/ { sub(/^.* — /, ""); when = $0 }
    /^machine:/ { sub(/^machine: */, ""); machine = $0 }
    /^mode:/ { sub(/^mode: */, ""); sub(/; work dir .*/, ""); mode = $0 }
    /^report:/ { sub(/^report: */, ""); rep = $0 }
    /^SUMMARY:/ { insum = 1; next }
    insum && /^-----/ { if (started) insum = 0; else started = 1; next }
    insum && / \| / {
        sub(/^  /, "")
        n = split($0, f, / \| /)
        v = f[4]
        if (v == "MISSED") v = "**missed**"
        rows[++nrows] = sprintf("| %s | %s | %s | %s |", f[1], f[2], f[3], v)
    }
    END {
        if (!nrows) { print "readme_table.sh: no SUMMARY block in the input" > "/dev/stderr"; exit 1 }
        printf "Measured %s with `make bench` on %s; %s; report: %s.\n\n", when, machine, mode, rep
        print "| target (issue 12, SPEC §9) | measured | target | |"
        print "|---|---|---|---|"
        for (i = 1; i <= nrows; i++) print rows[i]
    }
' "${1:--}"
