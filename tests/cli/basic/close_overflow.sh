# amounts that fit one by one but overflow once converted to CNY and summed: exit 65,
# nothing stored (found by the bad-input suite's author; the sums were unchecked)
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
printf 'project_id,fund_id,enterprise_id,name,chain,segment,theme,instrument,commitment_amount,currency,commitment_date,co_investment,exit_date,listed_date\nP-X1,F-US,E-04,x,logistics,midstream,,equity,10000000000000000.00,USD,2022-04-01,,,\nP-X2,F-US,E-04,y,logistics,midstream,,equity,10000000000000000.00,USD,2022-04-01,,,\n' > projects.csv
$PF import projects.csv > /dev/null
$PF close --as-of 2024-06-30
echo "close exit: $?"
sqlite3 parkfund.db "SELECT count(*) FROM run"
