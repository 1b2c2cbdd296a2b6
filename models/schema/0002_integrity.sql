-- parkfund schema, migration 2: integrity (issue 11). Never edit once released.
--
-- 1. The file says it is parkfund's: PRAGMA application_id (0x50466E64, "PFnd").
--    A database made before this migration (application_id 0, a parkfund schema) is
--    stamped when this migration runs, at its first open for writing.
PRAGMA application_id = 1346793060;

-- 2. Seals. Every batch records, per kind of row it brought, how many rows and a
--    digest of exactly those rows (every column but batch_id: the sum modulo 2^256
--    of each row's SHA-256, so the order of insertion does not matter); and one
--    row of kind '(batch)' whose digest chains the previous batch's '(batch)'
--    digest, the batch row itself (digest, taxonomy, time), the taxonomy text, the
--    batch's batch_file rows and its per-kind seals. `verify` recomputes them all.
CREATE TABLE batch_seal (
    batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    kind     TEXT NOT NULL,            -- an input kind (parks ...), or '(batch)'
    rows     INTEGER NOT NULL,
    digest   TEXT NOT NULL,            -- hex
    PRIMARY KEY (batch_id, kind)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER batch_seal_no_update BEFORE UPDATE ON batch_seal BEGIN SELECT RAISE(ABORT, 'batch seals are append-only'); END;
CREATE TRIGGER batch_seal_no_delete BEFORE DELETE ON batch_seal BEGIN SELECT RAISE(ABORT, 'batch seals are append-only'); END;

-- 3. INSERT OR REPLACE / REPLACE INTO delete the row they replace without firing the
--    delete triggers: so every table refuses an insert whose key (or other unique
--    key) is stored already, from any SQLite client. The import's "insert first,
--    look up on a conflict" path recognises this message ('never replaced').
-- 4. Input rows belong to the newest batch: rows slipped in under a future batch id
--    (which the next import would adopt) or under an older batch are refused. (Rows
--    added to the newest batch after its seal are found by `verify`; a check here
--    would cost every import row another lookup.) One trigger per table, with the
--    test in WHEN: a trigger program costs per row, a WHEN clause little.
CREATE TRIGGER taxonomy_guard BEFORE INSERT ON taxonomy WHEN EXISTS (SELECT 1 FROM taxonomy WHERE taxonomy_id = NEW.taxonomy_id OR version = NEW.version) BEGIN
    SELECT RAISE(ABORT, 'taxonomy: a stored row is never replaced');
END;
CREATE TRIGGER batch_guard BEFORE INSERT ON batch WHEN EXISTS (SELECT 1 FROM batch WHERE batch_id = NEW.batch_id OR digest = NEW.digest) BEGIN
    SELECT RAISE(ABORT, 'batch: a stored row is never replaced');
END;
CREATE TRIGGER batch_file_guard BEFORE INSERT ON batch_file
WHEN EXISTS (SELECT 1 FROM batch_file WHERE batch_id = NEW.batch_id AND seq = NEW.seq) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'batch_file: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM batch_file WHERE batch_id = NEW.batch_id AND seq = NEW.seq);
    SELECT RAISE(ABORT, 'batch_file: rows belong to the newest batch');
END;
CREATE TRIGGER park_guard BEFORE INSERT ON park
WHEN EXISTS (SELECT 1 FROM park WHERE park_id = NEW.park_id AND batch_id = NEW.batch_id) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'park: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM park WHERE park_id = NEW.park_id AND batch_id = NEW.batch_id);
    SELECT RAISE(ABORT, 'park: rows belong to the newest batch');
END;
CREATE TRIGGER enterprise_guard BEFORE INSERT ON enterprise
WHEN EXISTS (SELECT 1 FROM enterprise WHERE enterprise_id = NEW.enterprise_id AND batch_id = NEW.batch_id) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'enterprise: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM enterprise WHERE enterprise_id = NEW.enterprise_id AND batch_id = NEW.batch_id);
    SELECT RAISE(ABORT, 'enterprise: rows belong to the newest batch');
END;
CREATE TRIGGER fund_guard BEFORE INSERT ON fund
WHEN EXISTS (SELECT 1 FROM fund WHERE fund_id = NEW.fund_id AND batch_id = NEW.batch_id) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'fund: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM fund WHERE fund_id = NEW.fund_id AND batch_id = NEW.batch_id);
    SELECT RAISE(ABORT, 'fund: rows belong to the newest batch');
END;
CREATE TRIGGER partner_guard BEFORE INSERT ON partner
WHEN EXISTS (SELECT 1 FROM partner WHERE partner_id = NEW.partner_id AND batch_id = NEW.batch_id) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'partner: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM partner WHERE partner_id = NEW.partner_id AND batch_id = NEW.batch_id);
    SELECT RAISE(ABORT, 'partner: rows belong to the newest batch');
END;
CREATE TRIGGER project_guard BEFORE INSERT ON project
WHEN EXISTS (SELECT 1 FROM project WHERE project_id = NEW.project_id AND batch_id = NEW.batch_id) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'project: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM project WHERE project_id = NEW.project_id AND batch_id = NEW.batch_id);
    SELECT RAISE(ABORT, 'project: rows belong to the newest batch');
END;
CREATE TRIGGER commitment_guard BEFORE INSERT ON commitment
WHEN EXISTS (SELECT 1 FROM commitment WHERE partner_id = NEW.partner_id AND fund_id = NEW.fund_id AND date = NEW.date) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'commitment: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM commitment WHERE partner_id = NEW.partner_id AND fund_id = NEW.fund_id AND date = NEW.date);
    SELECT RAISE(ABORT, 'commitment: rows belong to the newest batch');
END;
CREATE TRIGGER partner_flow_guard BEFORE INSERT ON partner_flow
WHEN EXISTS (SELECT 1 FROM partner_flow WHERE flow_id = NEW.flow_id) OR (NEW.reverses IS NOT NULL AND EXISTS (SELECT 1 FROM partner_flow WHERE reverses = NEW.reverses)) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'partner_flow: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM partner_flow WHERE flow_id = NEW.flow_id) OR (NEW.reverses IS NOT NULL AND EXISTS (SELECT 1 FROM partner_flow WHERE reverses = NEW.reverses));
    SELECT RAISE(ABORT, 'partner_flow: rows belong to the newest batch');
END;
CREATE TRIGGER project_flow_guard BEFORE INSERT ON project_flow
WHEN EXISTS (SELECT 1 FROM project_flow WHERE flow_id = NEW.flow_id) OR (NEW.reverses IS NOT NULL AND EXISTS (SELECT 1 FROM project_flow WHERE reverses = NEW.reverses)) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'project_flow: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM project_flow WHERE flow_id = NEW.flow_id) OR (NEW.reverses IS NOT NULL AND EXISTS (SELECT 1 FROM project_flow WHERE reverses = NEW.reverses));
    SELECT RAISE(ABORT, 'project_flow: rows belong to the newest batch');
END;
CREATE TRIGGER valuation_guard BEFORE INSERT ON valuation
WHEN EXISTS (SELECT 1 FROM valuation WHERE project_id = NEW.project_id AND date = NEW.date AND batch_id = NEW.batch_id) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'valuation: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM valuation WHERE project_id = NEW.project_id AND date = NEW.date AND batch_id = NEW.batch_id);
    SELECT RAISE(ABORT, 'valuation: rows belong to the newest batch');
END;
CREATE TRIGGER fx_rate_guard BEFORE INSERT ON fx_rate
WHEN EXISTS (SELECT 1 FROM fx_rate WHERE currency = NEW.currency AND date = NEW.date) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'fx_rate: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM fx_rate WHERE currency = NEW.currency AND date = NEW.date);
    SELECT RAISE(ABORT, 'fx_rate: rows belong to the newest batch');
END;
CREATE TRIGGER benchmark_guard BEFORE INSERT ON benchmark
WHEN EXISTS (SELECT 1 FROM benchmark WHERE index_id = NEW.index_id AND date = NEW.date) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'benchmark: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM benchmark WHERE index_id = NEW.index_id AND date = NEW.date);
    SELECT RAISE(ABORT, 'benchmark: rows belong to the newest batch');
END;
CREATE TRIGGER batch_seal_guard BEFORE INSERT ON batch_seal WHEN EXISTS (SELECT 1 FROM batch_seal WHERE batch_id = NEW.batch_id AND kind = NEW.kind) BEGIN
    SELECT RAISE(ABORT, 'batch_seal: a stored row is never replaced');
END;
CREATE TRIGGER run_guard BEFORE INSERT ON run WHEN EXISTS (SELECT 1 FROM run WHERE run_id = NEW.run_id) BEGIN
    SELECT RAISE(ABORT, 'run: a stored row is never replaced');
END;
CREATE TRIGGER run_result_guard BEFORE INSERT ON run_result WHEN EXISTS (SELECT 1 FROM run_result WHERE run_id = NEW.run_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'run_result: a stored row is never replaced');
END;
CREATE TRIGGER run_row_guard BEFORE INSERT ON run_row WHEN EXISTS (SELECT 1 FROM run_row WHERE run_id = NEW.run_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'run_row: a stored row is never replaced');
END;
CREATE TRIGGER run_block_guard BEFORE INSERT ON run_block WHEN EXISTS (SELECT 1 FROM run_block WHERE run_id = NEW.run_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'run_block: a stored row is never replaced');
END;
CREATE TRIGGER run_note_guard BEFORE INSERT ON run_note WHEN EXISTS (SELECT 1 FROM run_note WHERE run_id = NEW.run_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'run_note: a stored row is never replaced');
END;
