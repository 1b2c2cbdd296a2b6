# issue 8 point 1: each fund's figures fit, but the portfolio's exposure to one chain in
# CNY (9e16 CNY + 2e15 USD x ~7.1) does not: exit 65 naming the group, nothing stored.
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
printf 'project_id,fund_id,enterprise_id,name,chain,segment,theme,instrument,commitment_amount,currency,commitment_date,co_investment,exit_date,listed_date\nP-X1,F-CN,E-01,x,logistics,midstream,,equity,1.00,CNY,2022-04-01,,,\nP-X2,F-US,E-04,y,logistics,midstream,,equity,1.00,USD,2022-04-01,,,\n' > projects.csv
printf 'project_id,date,value,currency,method\nP-X1,2024-06-30,90000000000000000.00,CNY,other\nP-X2,2024-06-30,2000000000000000.00,USD,other\n' > valuations.csv
$PF import projects.csv valuations.csv > /dev/null
$PF close --as-of 2024-06-30
echo "close exit: $?"
sqlite3 parkfund.db "SELECT count(*) FROM run"
