-- parkfund schema, migration 6: a run's dated amounts packed in binary (issue 12).
-- Never edit once released. Triggers are written plainly (verify compares each with
-- the stored text).
--
-- Migration 5 packed a run of consecutive dated amounts of one table and owner as
-- text, 'col:YYYY-MM-DD:cents;...' (run_pack; the XIRR flow blocks in run_block):
-- some 26 bytes an amount, two thirds of what a close adds to the database (177 MB a
-- close at generator scale 100, 2.6 million block flows among them). run_rowpack
-- holds the same in binary, about 8 bytes an amount: tbl 'block' for an XIRR flow
-- block, any other table for what run_pack held. seq is the first amount's; the n
-- amounts take the seqs after it, in order. `rows` is a BLOB: the number k of
-- distinct column names, the k names each ending in a NUL byte, then n records of
-- three numbers: the column's index (< k), the date as days after the previous
-- record's date (the first record's: days after 1970-01-01), the amount in cents.
-- Each number is a varint (7 bits a byte, low bits first, the high bit set on all
-- but the last byte); the date and the cents are zigzag-coded first (v >= 0 as 2v,
-- v < 0 as -2v - 1). Read them with `parkfund export` or `parkfund show`.
-- Runs stored before this migration keep their text packs and read as before.
CREATE TABLE IF NOT EXISTS run_rowpack (
    run_id  INTEGER NOT NULL REFERENCES run(run_id),
    seq     INTEGER NOT NULL,
    tbl     TEXT NOT NULL,
    fund    TEXT,
    key     TEXT NOT NULL,
    n       INTEGER NOT NULL CHECK (n > 0),
    rows    BLOB NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER run_rowpack_no_update BEFORE UPDATE ON run_rowpack BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_rowpack_no_delete BEFORE DELETE ON run_rowpack BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_rowpack_guard BEFORE INSERT ON run_rowpack WHEN EXISTS (SELECT 1 FROM run_rowpack WHERE run_id = NEW.run_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'run_rowpack: a stored row is never replaced');
END;
-- a statement reads its partner's funds only (pf_store_get_run_funds)
CREATE INDEX IF NOT EXISTS run_rowpack_by_fund ON run_rowpack(run_id, fund);
