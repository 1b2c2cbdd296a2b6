-- parkfund schema, migration 5: a run's results and dated money rows stored packed
-- (issue 12).
-- Never edit once released. Triggers are written plainly (verify compares each with
-- the stored text).
--
-- A close stores about a thousand capital-account and NAV-history rows per fund, each
-- a row of run_row: most of a close's time went into storing them one by one. A run
-- of consecutive rows of one table and owner (fund, key), each with a date and an
-- amount in cents, is now one run_pack row, like a run_block: seq is the first row's,
-- and the rows take the seqs after it, in order. `rows` is
-- 'col:YYYY-MM-DD:cents;col:YYYY-MM-DD:cents;...' (col holds neither ':' nor ';').
-- Runs stored before this migration keep their rows in run_row and read as before.
CREATE TABLE IF NOT EXISTS run_pack (
    run_id  INTEGER NOT NULL REFERENCES run(run_id),
    seq     INTEGER NOT NULL,
    tbl     TEXT NOT NULL,
    fund    TEXT,
    key     TEXT NOT NULL,
    rows    TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER run_pack_no_update BEFORE UPDATE ON run_pack BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_pack_no_delete BEFORE DELETE ON run_pack BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_pack_guard BEFORE INSERT ON run_pack WHEN EXISTS (SELECT 1 FROM run_pack WHERE run_id = NEW.run_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'run_pack: a stored row is never replaced');
END;
-- Likewise a run of consecutive results of one dimension and fund is one
-- run_result_pack row: seq is the first result's, the n results take the seqs after
-- it. `results` is a BLOB of n records, each: a tag byte ('C' money, 'V' value,
-- 'R' no value), key NUL, metric NUL, then for 'C' the cents and for 'V' the IEEE 754
-- bits of the double, 8 bytes little-endian, for 'R' the reason NUL. Read them with
-- `parkfund export` or `parkfund show`.
CREATE TABLE IF NOT EXISTS run_result_pack (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    seq       INTEGER NOT NULL,
    dimension TEXT NOT NULL,
    fund      TEXT,
    n         INTEGER NOT NULL CHECK (n > 0),
    results   BLOB NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER run_result_pack_no_update BEFORE UPDATE ON run_result_pack BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_result_pack_no_delete BEFORE DELETE ON run_result_pack BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_result_pack_guard BEFORE INSERT ON run_result_pack WHEN EXISTS (SELECT 1 FROM run_result_pack WHERE run_id = NEW.run_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'run_result_pack: a stored row is never replaced');
END;
-- A partner's statement reads only its own funds' part of a run
-- (pf_store_get_run_funds): these make that a lookup by (run_id, fund) instead of a
-- scan of every fund's rows.
CREATE INDEX IF NOT EXISTS run_result_by_fund ON run_result(run_id, fund);
CREATE INDEX IF NOT EXISTS run_result_pack_by_fund ON run_result_pack(run_id, fund);
CREATE INDEX IF NOT EXISTS run_row_by_fund ON run_row(run_id, fund);
CREATE INDEX IF NOT EXISTS run_block_by_fund ON run_block(run_id, fund);
CREATE INDEX IF NOT EXISTS run_pack_by_fund ON run_pack(run_id, fund);
