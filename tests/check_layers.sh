#!/bin/sh
# One-way layers (STYLE.md (c)): a module includes only the headers of the
# modules below it, and each third-party header has one home.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
bad=0
allowed() {  # module -> headers it may include
    case $1 in
    util)   echo "util banned" ;;
    model)  echo "util model banned" ;;
    calc)   echo "util calc forecast waterfall banned" ;;
    store)  echo "util model store banned" ;;
    import) echo "util model store import banned" ;;
    engine) echo "util model calc forecast waterfall store engine banned" ;;
    report) echo "util model store report export banned" ;;
    gen)    echo "util model calc gen banned" ;;
    cli)    echo "util model calc forecast waterfall store import engine report export gen banned" ;;
    esac
}
for dir in src/*/; do
    m=$(basename "$dir")
    ok=$(allowed "$m")
    for h in $(grep -ho '#include "parkfund/[a-z_]*\.h"' "$dir"*.c "$dir"*.h 2>/dev/null | sed 's/.*parkfund\/\([a-z_]*\)\.h.*/\1/' | sort -u); do
        case " $ok " in
        *" $h "*) ;;
        *) echo "layer violation: src/$m includes parkfund/$h.h"; bad=1 ;;
        esac
    done
done
check_home() {  # header, folders allowed
    hdr=$1; shift
    for f in $(grep -l "#include <$hdr" src/*/*.c src/*/*.h 2>/dev/null); do
        d=$(basename "$(dirname "$f")")
        case " $* " in *" $d "*) ;; *) echo "'$hdr' included outside its home: $f"; bad=1 ;; esac
    done
}
check_home sqlite3.h store
check_home xlsxwriter report
check_home gsl/ calc
check_home cJSON.h model import report
[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
