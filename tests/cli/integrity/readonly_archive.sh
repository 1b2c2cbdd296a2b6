# a closed month's database kept where nobody can write (a read-only archive folder,
# another user's copy) is still read by show, verify, export and report (issue 11).
# Root ignores permissions, so the readers run as 'nobody' when this runs as root.
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
$PF close --as-of 2024-06-30 > /dev/null
mkdir archive out
cp parkfund.db archive/2024-06.db
chmod 755 .
chmod 777 out
chmod a-w archive/2024-06.db archive
as=""
if [ "$(id -u)" = 0 ]; then
    as="setpriv --reuid=65534 --regid=65534 --clear-groups --"
fi
db=archive/2024-06.db
$as $PF --db $db show runs > /dev/null; echo "show: $?"
$as $PF --db $db show batches > /dev/null; echo "show batches: $?"
$as $PF --db $db verify; echo "verify: $?"
$as $PF --db $db export --run 1 > out/run1.json; echo "export: $?"
$as $PF --db $db export --run 1 --out out/run1b.json; echo "export --out: $?"
cmp -s out/run1.json out/run1b.json && echo "exports agree"
$as $PF --db $db report --out out --partner LP-ICBC; echo "report: $?"
ls out | sort
echo "archive: $(ls archive)"
$as $PF --db $db import $SRC/models/sample/parks.csv > /dev/null 2>&1; echo "import into the archive: $?"
chmod u+w archive archive/2024-06.db
