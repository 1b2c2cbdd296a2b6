# issue 8 point 1: a project's NAV rolled forward (9e16 CNY valued, then 9e16 CNY more
# invested) leaves 64-bit cents in its own currency: exit 65, nothing stored.
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
printf 'project_id,fund_id,enterprise_id,name,chain,segment,theme,instrument,commitment_amount,currency,commitment_date,co_investment,exit_date,listed_date\nP-X1,F-CN,E-01,x,logistics,midstream,,equity,1.00,CNY,2022-04-01,,,\n' > projects.csv
printf 'project_id,date,value,currency,method\nP-X1,2024-03-31,90000000000000000.00,CNY,other\n' > valuations.csv
printf 'flow_id,project_id,date,kind,amount,currency,reverses,note\nJ-X1,P-X1,2024-04-01,investment,90000000000000000.00,CNY,,\n' > project_flows.csv
$PF import projects.csv valuations.csv project_flows.csv > /dev/null
$PF close --as-of 2024-06-30
echo "close exit: $?"
sqlite3 parkfund.db "SELECT count(*) FROM run"
