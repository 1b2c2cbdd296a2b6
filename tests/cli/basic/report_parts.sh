# issue 12: the manager's workbook reads the run a part at a time (one fund's results of
# one dimension, or rows of one table), keeping the parts last used. Kept 32 (the
# default) or 1 (every other part evicts the one before: any pointer held across
# lookups would be read after it was freed, which the sanitizer build catches), the
# files are the same bytes as when the whole run is read at once. Read by parts, the
# data set holds only the as-of month's flows (its Activity sheet's): flows on the
# month's first and last days and on the day before it test the bounds.
mkdir data
cp "$SRC"/models/sample/*.csv data/
cat >>data/partner_flows.csv <<'CSV'
T-FIRST,F-CN,LP-ICBC,2024-06-01,contribution,management_fee,10000.00,,,the month's first day
T-LAST,F-CN,LP-SCGF,2024-06-30,contribution,expenses,20000.00,,,the month's last day
T-BEFORE,F-CN,LP-ICBC,2024-05-31,contribution,management_fee,30000.00,,,the day before the month
CSV
cat >>data/project_flows.csv <<'CSV'
TJ-FIRST,P-CN-01,2024-06-01,dividend,40000.00,CNY,,the month's first day
TJ-BEFORE,P-CN-01,2024-05-31,dividend,50000.00,CNY,,the day before the month
CSV
$PF init 2>/dev/null
$PF import data/*.csv > /dev/null || exit 1
$PF -q close --as-of 2024-06-30 > /dev/null
$PF -q report --out parts > /dev/null; echo "parts: exit $?"
PARKFUND_REPORT_PARTS=1 $PF -q report --out one > /dev/null; echo "one part: exit $?"
PARKFUND_REPORT_PARTS=all $PF -q report --out whole > /dev/null; echo "whole run: exit $?"
n=0
for f in whole/*.xlsx; do
    b=${f#whole/}
    cmp -s "$f" "parts/$b" || echo "DIFFERENT (parts): $b"
    cmp -s "$f" "one/$b" || echo "DIFFERENT (one part): $b"
    n=$((n + 1))
done
echo "$n files compared"
