# issue 12: a part of the run that cannot be read while the manager's workbook is
# written (its packed NAV history made malformed behind the triggers' back) fails the
# report with the part named and the data error's status, and leaves no file: not a
# workbook with the fund's rows missing. The same whether the run is read a part at a
# time or whole.
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
$PF -q close --as-of 2024-06-30 > /dev/null
sqlite3 parkfund.db "DROP TRIGGER run_rowpack_no_update; UPDATE run_rowpack SET rows = x'05'
    WHERE seq = (SELECT min(seq) FROM run_rowpack WHERE tbl = 'nav_history' AND fund = 'F-CN')"
# one worker: the manager's workbook is the first file, so none is written after it
# (with more workers, a statement already started when it failed is finished)
$PF -q report --jobs 1 --out parts; echo "parts: exit $?"
ls -A parts | wc -l | sed 's/^/files left: /'
PARKFUND_REPORT_PARTS=all $PF -q report --jobs 1 --out whole; echo "whole run: exit $?"
ls -A whole | wc -l | sed 's/^/files left: /'
$PF -q report --out two >/dev/null 2>&1; echo "two workers: exit $?"
ls -A two | grep -c -v '^statement-' | sed 's/^/files left but statements: /'
exit 0
