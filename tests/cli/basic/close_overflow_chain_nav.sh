# issue 8 point 1, as reported: two USD projects valued 1e16 USD at one quarter end and
# 0 at D (each amount within the import limits). In USD every figure fits; the
# portfolio's month-end chain NAV in CNY (2e16 USD x ~7.1 = 1.4e19 cents) does not.
# It used to wrap to -4.28e18 silently; now exit 65 naming the figure, nothing stored.
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
printf 'project_id,fund_id,enterprise_id,name,chain,segment,theme,instrument,commitment_amount,currency,commitment_date,co_investment,exit_date,listed_date\nP-X1,F-US,E-04,x,logistics,midstream,,equity,1.00,USD,2022-04-01,,,\nP-X2,F-US,E-04,y,logistics,midstream,,equity,1.00,USD,2022-04-01,,,\n' > projects.csv
printf 'project_id,date,value,currency,method\nP-X1,2023-12-31,10000000000000000.00,USD,other\nP-X2,2023-12-31,10000000000000000.00,USD,other\nP-X1,2024-06-30,0.00,USD,other\nP-X2,2024-06-30,0.00,USD,other\n' > valuations.csv
$PF import projects.csv valuations.csv > /dev/null
$PF close --as-of 2024-06-30
echo "close exit: $?"
sqlite3 parkfund.db "SELECT count(*) FROM run"
