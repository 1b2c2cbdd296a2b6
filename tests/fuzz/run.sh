#!/bin/sh
# make fuzz: build the two importer fuzzers with clang (libFuzzer + ASan + UBSan) and run
# each for FUZZ_SECONDS (default 60): fuzz_csv over the CSV reader (seeds: the sample
# files, the first byte picking the kind) and fuzz_json over the JSON bundle reader
# (seeds: tests/fuzz/seeds/json). Scratch files go to a folder removed at the end.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=build/fuzz
secs=${FUZZ_SECONDS:-60}
mkdir -p "$out/corpus-csv" "$out/corpus-json"
# the library itself must carry coverage instrumentation, or libFuzzer is blind
make -s BUILD=build/fuzz-lib CC=clang SANITIZE=fuzzer-no-link,address,undefined \
    build/fuzz-lib/libparkfund.a
for t in csv json; do
    def=""
    [ $t = json ] && def="-DFUZZ_JSON"
    clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude $def \
        $(pkg-config --cflags sqlite3 gsl libcjson xlsxwriter nettle) \
        -DPF_SRCDIR="\"$top\"" -D_POSIX_C_SOURCE=200809L tests/fuzz/fuzz_import.c \
        build/fuzz-lib/libparkfund.a $(pkg-config --libs sqlite3 gsl libcjson xlsxwriter nettle) \
        -lcsv -lm -o "$out/fuzz_$t"
done
i=0
for k in parks enterprises funds partners projects commitments partner_flows project_flows \
         valuations fx_rates benchmarks; do
    { printf "\\$(printf '%03o' $i)"; cat "models/sample/$k.csv"; } > "$out/corpus-csv/$k"
    i=$((i + 1))
done
cp tests/fuzz/seeds/json/*.json "$out/corpus-json/"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pffuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
status=0
for t in csv json; do
    echo "fuzz_$t: $secs s" >&2
    TMPDIR=$scratch "$out/fuzz_$t" -max_total_time="$secs" -max_len=4096 \
        -artifact_prefix="$out/crash-$t-" "$out/corpus-$t" || status=1
done
left=$(ls -A "$scratch" | wc -l)
[ "$left" -eq 0 ] || { echo "fuzz: the harness left $left files in its scratch folder" >&2; status=1; }
exit $status
