#!/bin/sh
# Spreadsheet-program checks of the workbooks (see check.py): recalculation by
# Gnumeric and LibreOffice, partner isolation, byte-identical re-renders, safe
# file names and text, PNG renders. Takes the parkfund binary (or its build
# folder); ends with "N passed, N failed".
#   sh tests/recalc/run.sh build/parkfund
# PARKFUND_RECALC_SCALE sets the generated data set's scale (default 1; 0 skips it);
# PARKFUND_RECALC_KEEP names a folder that keeps the PNG renders for a person to view.
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: sh tests/recalc/run.sh BIN}
scale=${PARKFUND_RECALC_SCALE:-1}
set -- "$bin"
if [ "$scale" = 0 ]; then
    set -- "$@" --quick
else
    set -- "$@" --scale "$scale"
fi
[ -n "${PARKFUND_RECALC_KEEP:-}" ] && set -- "$@" --keep "$PARKFUND_RECALC_KEEP"
exec /usr/bin/python3 "$here/check.py" "$@"
