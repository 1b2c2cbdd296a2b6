# the database itself refuses UPDATE and DELETE of facts (sqlite3 shell)
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
sqlite3 parkfund.db "UPDATE partner_flow SET amount = 1 WHERE flow_id = 'CN-C01-ICBC';"
echo "update: $?"
sqlite3 parkfund.db "DELETE FROM valuation;"
echo "delete: $?"
sqlite3 parkfund.db "DELETE FROM fx_rate; UPDATE commitment SET amount = 0; DELETE FROM benchmark;"
echo "more: $?"
sqlite3 parkfund.db "SELECT amount FROM partner_flow WHERE flow_id = 'CN-C01-ICBC'; SELECT count(*) FROM valuation;"
