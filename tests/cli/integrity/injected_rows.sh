# rows slipped in with the sqlite3 shell: under the next batch's id (the next import
# would adopt them), into a sealed batch, or edited in place with the triggers dropped.
# The import refuses to adopt them and verify names them (exit 1) (issue 11)
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
$PF close --as-of 2024-06-30 > /dev/null
cp parkfund.db clean.db
printf 'project_id,date,value,currency,method\nP-CN-02,2024-07-31,100.00,CNY,cost\n' > valuations.csv
inject="INSERT INTO valuation VALUES ('P-CN-01', '2000-01-31', 2, 1, 'CNY', 'cost')"

echo "-- under the next batch id: the trigger refuses it"
sqlite3 parkfund.db "$inject" 2>&1; echo "sqlite3: $?"
echo "-- the trigger dropped: the import refuses to adopt the row"
sqlite3 parkfund.db "DROP TRIGGER valuation_guard; $inject"
$PF import valuations.csv; echo "import: $?"
$PF verify; echo "verify: $?"

echo "-- into the newest batch, already sealed (the triggers allow it)"
cp clean.db parkfund.db
sqlite3 parkfund.db "INSERT INTO valuation VALUES ('P-CN-01', '2000-01-31', 1, 1, 'CNY', 'cost')"
$PF verify > v.out; echo "verify: $?"
head -n 3 v.out

echo "-- a flow's note edited (no figure changes, so no run differs)"
cp clean.db parkfund.db
sqlite3 parkfund.db "DROP TRIGGER partner_flow_no_update; UPDATE partner_flow SET note = 'edited' WHERE flow_id = 'CN-C01-ICBC'"
$PF verify; echo "verify: $?"

echo "-- a file's hash and the batch time edited"
cp clean.db parkfund.db
sqlite3 parkfund.db "DROP TRIGGER batch_file_no_update; UPDATE batch_file SET sha256 = 'x' WHERE seq = 1"
$PF verify; echo "verify: $?"
cp clean.db parkfund.db
sqlite3 parkfund.db "DROP TRIGGER batch_no_update; UPDATE batch SET created_at = '2020-01-01T00:00:00Z'"
$PF verify; echo "verify: $?"

echo "-- a row deleted"
cp clean.db parkfund.db
sqlite3 parkfund.db "DROP TRIGGER fx_rate_no_delete; DELETE FROM fx_rate WHERE date = '2024-06-28'"
$PF verify > /dev/null; echo "verify: $?"

echo "-- untouched"
cp clean.db parkfund.db
$PF import valuations.csv; echo "import: $?"
$PF verify; echo "verify: $?"
