#!/bin/sh
# make fuzz: build the importer fuzzer with clang (libFuzzer + ASan + UBSan) and run it
# for FUZZ_SECONDS (default 60) from a corpus seeded with the sample files.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=build/fuzz
mkdir -p "$out/corpus"
# the library itself must carry coverage instrumentation, or libFuzzer is blind
make -s BUILD=build/fuzz-lib CC=clang SANITIZE=fuzzer-no-link,address,undefined \
    build/fuzz-lib/libparkfund.a
# shellcheck disable=SC2046
clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
    $(pkg-config --cflags sqlite3 gsl libcjson xlsxwriter nettle) \
    -DPF_SRCDIR="\"$top\"" -D_POSIX_C_SOURCE=200809L tests/fuzz/fuzz_import.c \
    build/fuzz-lib/libparkfund.a $(pkg-config --libs sqlite3 gsl libcjson xlsxwriter nettle) \
    -lcsv -lm -o "$out/fuzz_import"
i=0
for k in parks enterprises funds partners projects commitments partner_flows project_flows \
         valuations fx_rates benchmarks; do
    { printf "\\$(printf '%03o' $i)"; cat "models/sample/$k.csv"; } > "$out/corpus/$k"
    i=$((i + 1))
done
"$out/fuzz_import" -max_total_time="${FUZZ_SECONDS:-60}" -max_len=4096 "$out/corpus"
