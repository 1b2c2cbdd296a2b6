# INSERT OR REPLACE / REPLACE INTO deletes the row it replaces without firing the
# delete triggers: every table must refuse it from a plain sqlite3 shell, and the
# database must be unchanged afterwards (issue 11)
$PF init 2>/dev/null
$PF import $SRC/models/sample/*.csv > /dev/null
# every table needs a row: fund terms (with their GP) and a small forecast too
printf 'partner_id,name,kind,region\nGP-X,普通合伙人,gp,\n' > partners.csv
printf 'fund_id,gp_partner_id,carry,hurdle,fee_rate,fee_basis\nF-CN,GP-X,0.2,0.08,0.02,commitment\n' > fund_terms.csv
$PF import partners.csv fund_terms.csv > /dev/null
$PF close --as-of 2024-06-30 --benchmark csi300 > /dev/null
$PF forecast --paths 20 --years 1 > /dev/null 2>&1
before=$(sqlite3 parkfund.db .dump | sha256sum)
tables=$(sqlite3 parkfund.db "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
try() {  # label, sql
    if msg=$(sqlite3 parkfund.db "$2" 2>&1); then
        echo "$1: REPLACED"
    else
        echo "$1: refused (${msg#*, })"
    fi
}
for t in $tables; do
    n=$(sqlite3 parkfund.db "SELECT count(*) FROM $t")
    seed=""
    # a close packs all its results (run_result_pack), so run_result gets its row in
    # a transaction that is never committed (the shell stops at the refusal)
    [ "$n" -gt 0 ] || [ "$t" != run_result ] ||
        seed="BEGIN; INSERT INTO run_result VALUES (1, 0, 'fund', NULL, 'k', 'm', 1, NULL, NULL); "
    # and since migration 6 its dated amounts and flow blocks (run_rowpack): the text
    # packs of older runs likewise
    [ "$n" -gt 0 ] || [ "$t" != run_block ] ||
        seed="BEGIN; INSERT INTO run_block VALUES (1, 0, NULL, 'k', 'flow:2024-01-01:1'); "
    [ "$n" -gt 0 ] || [ "$t" != run_pack ] ||
        seed="BEGIN; INSERT INTO run_pack VALUES (1, 0, 'account', NULL, 'k', 'a:2024-01-01:1'); "
    [ "$n" -gt 0 ] || [ -n "$seed" ] || { echo "$t: EMPTY (the test needs a row)"; continue; }
    try "$t replace" "${seed}REPLACE INTO $t SELECT * FROM $t LIMIT 1"
    try "$t insert or replace" "${seed}INSERT OR REPLACE INTO $t SELECT * FROM $t"
done
# another unique key than the primary one: a second reversal of a reversed flow
try "partner_flow reverses" "INSERT OR REPLACE INTO partner_flow SELECT 'NEW-1', batch_id, fund_id, partner_id, date, kind, purpose, amount, recallable, reverses, note FROM partner_flow WHERE reverses IS NOT NULL LIMIT 1"
try "batch digest" "INSERT OR REPLACE INTO batch(digest, taxonomy_id, created_at) SELECT digest, taxonomy_id, created_at FROM batch LIMIT 1"
try "taxonomy version" "INSERT OR REPLACE INTO taxonomy(version, json) SELECT version, json FROM taxonomy LIMIT 1"
after=$(sqlite3 parkfund.db .dump | sha256sum)
[ "$before" = "$after" ] && echo "database unchanged" || echo "DATABASE CHANGED"
# the import's insert-first path still tells a stored row from a new one
mkdir new && cp $SRC/models/sample/partner_flows.csv new/
printf 'CN-X99-ICBC,F-CN,LP-ICBC,2024-06-28,contribution,investment,100.00,,,new\n' >> new/partner_flows.csv
$PF import new/partner_flows.csv
$PF verify | tail -n 1 | cut -c1-40
sqlite3 parkfund.db "PRAGMA recursive_triggers" | sed 's/^/recursive_triggers: /'
