# only init creates the schema, and only in a new or empty file; every other command
# refuses a database that is not parkfund's (exit 66); a failed init leaves no file;
# a database from before PRAGMA application_id still opens and is stamped on a write
sqlite3 other.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
for c in "show runs" "verify" "export" "close --as-of 2024-06-30" "report --out o" "init"; do
    $PF --db other.db $c; echo "$c: $?"
done
$PF --db other.db import $SRC/models/sample/parks.csv; echo "import: $?"
echo "other.db tables: $(sqlite3 other.db .tables)"
echo "not a database at all" > text.db
$PF --db text.db show runs; echo "text show: $?"
$PF --db text.db init; echo "text init: $?"
: > empty.db
$PF --db empty.db show runs; echo "empty show: $?"
$PF --db empty.db import $SRC/models/sample/parks.csv; echo "empty import: $?"
echo "empty.db size: $(wc -c < empty.db)"
$PF --db empty.db init; echo "empty init: $?"
sqlite3 empty.db "PRAGMA application_id; PRAGMA user_version"
echo "-- a failed init leaves no file behind"
(trap '' XFSZ; ulimit -f 8; $PF --db big.db init 2>/dev/null; echo "init on a full disk: $?")
ls big.db* 2>/dev/null || echo "no big.db"
echo "-- a database made before application_id (schema version 1)"
$PF --db legacy.db init 2>/dev/null
$PF --db legacy.db import $SRC/models/sample/*.csv > /dev/null
$PF --db legacy.db close --as-of 2024-06-30 > /dev/null
# the run as a parkfund before migration 5 stored it: its dated amounts one by one in
# run_row and its flow blocks as run_block text (expanded here from migration 6's
# binary packs by this script, independently of parkfund's reader, from the format
# 0006_run_rowpack.sql documents)
/usr/bin/python3 - legacy.db <<'PY'
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def varint(b, p):
    v = shift = 0
    while True:
        c = b[p]; p += 1
        v |= (c & 0x7f) << shift; shift += 7
        if not c & 0x80:
            return v, p
unzig = lambda u: (u >> 1) if u % 2 == 0 else -(u >> 1) - 1
epoch = datetime.date(1970, 1, 1)
rows, blocks = [], []
for run_id, seq, tbl, fund, key, n, blob in db.execute(
        "SELECT run_id, seq, tbl, fund, key, n, rows FROM run_rowpack ORDER BY run_id, seq"):
    k, p = varint(blob, 0)
    names = []
    for i in range(k):
        z = blob.index(b"\0", p); names.append(blob[p:z].decode()); p = z + 1
    day, items = 0, []
    for i in range(n):
        c, p = varint(blob, p); d, p = varint(blob, p); v, p = varint(blob, p)
        day += unzig(d)
        items.append((names[c], (epoch + datetime.timedelta(days=day)).isoformat(), unzig(v)))
    assert p == len(blob)
    if tbl == "block":
        blocks.append((run_id, seq, fund, key, ";".join("%s:%s:%d" % it for it in items)))
    else:
        rows += [(run_id, seq + i, tbl, fund, key, c, d, v, None) for i, (c, d, v) in enumerate(items)]
db.executemany("INSERT INTO run_row VALUES (?,?,?,?,?,?,?,?,?)", rows)
db.executemany("INSERT INTO run_block VALUES (?,?,?,?,?)", blocks)
db.execute("DROP TABLE run_rowpack")
db.execute("DROP TABLE run_pack")
db.commit()
PY
echo "legacy rows unpacked: $(sqlite3 legacy.db 'SELECT count(*) FROM run_row')"
# and its results (records: tag, key NUL, metric NUL, 8 bytes LE or a reason NUL)
/usr/bin/python3 - legacy.db <<'PY'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
out = []
for run_id, seq, dim, fund, n, blob in db.execute("SELECT run_id, seq, dimension, fund, n, results FROM run_result_pack"):
    p = 0
    for k in range(n):
        tag = chr(blob[p]); p += 1
        z = blob.index(b"\0", p); key = blob[p:z].decode(); p = z + 1
        z = blob.index(b"\0", p); metric = blob[p:z].decode(); p = z + 1
        cents = value = reason = None
        if tag == "C":
            cents = struct.unpack_from("<q", blob, p)[0]; p += 8
        elif tag == "V":
            value = struct.unpack_from("<d", blob, p)[0]; p += 8
        else:
            z = blob.index(b"\0", p); reason = blob[p:z].decode(); p = z + 1
        out.append((run_id, seq + k, dim, fund, key, metric, cents, value, reason))
    assert p == len(blob)
db.executemany("INSERT INTO run_result VALUES (?,?,?,?,?,?,?,?,?)", out)
db.execute("DROP TABLE run_result_pack")
db.commit()
PY
echo "legacy results unpacked: $(sqlite3 legacy.db 'SELECT count(*) FROM run_result')"
sqlite3 legacy.db "DROP TABLE batch_seal; DROP TABLE forecast_note; DROP TABLE forecast_result; DROP TABLE forecast; DROP TABLE fund_terms; PRAGMA application_id = 0; PRAGMA user_version = 1;"
for t in $(sqlite3 legacy.db "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%_guard'"); do
    sqlite3 legacy.db "DROP TRIGGER $t"
done
$PF --db legacy.db show batches > /dev/null; echo "legacy show: $?"
$PF --db legacy.db verify; echo "legacy verify: $?"
sqlite3 legacy.db "PRAGMA application_id; PRAGMA user_version"
printf 'project_id,date,value,currency,method\nP-CN-02,2024-07-31,100.00,CNY,cost\n' > valuations.csv
$PF --db legacy.db import valuations.csv; echo "legacy import: $?"
sqlite3 legacy.db "PRAGMA application_id; PRAGMA user_version; SELECT batch_id, kind, rows FROM batch_seal WHERE kind IN ('(batch)', 'valuations') ORDER BY 1, 2"
$PF --db legacy.db verify; echo "legacy verify: $?"
