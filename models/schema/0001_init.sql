-- parkfund schema, migration 1. Never edit a released migration: add a new file.
-- Money is INTEGER minor units (fen/cents); FX rates and index levels are INTEGER
-- scaled by 1e8; dates are TEXT 'YYYY-MM-DD'. Every row knows the batch that
-- brought it, so a close can be recomputed "as known at batch B".

-- The taxonomy in force when a batch was imported (canonical JSON), so later edits
-- to models/taxonomy/*.json never change how history is read.
CREATE TABLE taxonomy (
    taxonomy_id INTEGER PRIMARY KEY,
    version     TEXT NOT NULL UNIQUE,      -- SHA-256 of json
    json        TEXT NOT NULL
) STRICT;

CREATE TABLE batch (
    batch_id    INTEGER PRIMARY KEY,
    digest      TEXT NOT NULL UNIQUE,      -- SHA-256 over the files' kinds and content
    taxonomy_id INTEGER NOT NULL REFERENCES taxonomy(taxonomy_id),
    created_at  TEXT NOT NULL              -- UTC, ISO 8601
) STRICT;

-- One row per file of the command (seq 1..n) and a total (seq 0): rows read, rows new
-- (a row identical to a stored one is read but not new).
CREATE TABLE batch_file (
    batch_id    INTEGER NOT NULL REFERENCES batch(batch_id),
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rows_read   INTEGER NOT NULL,
    rows_new    INTEGER NOT NULL,
    PRIMARY KEY (batch_id, seq)
) STRICT;

-- Reference records: a changed record is a new version (batch_id); the version
-- in force at batch B is the one with the largest batch_id <= B.
CREATE TABLE park (
    park_id TEXT NOT NULL, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    name TEXT NOT NULL, name_en TEXT, region TEXT NOT NULL, overseas_centre TEXT, level TEXT,
    PRIMARY KEY (park_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE enterprise (
    enterprise_id TEXT NOT NULL, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    name TEXT NOT NULL, park_id TEXT NOT NULL, credit_code TEXT, chain TEXT, segment TEXT,
    PRIMARY KEY (enterprise_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE fund (
    fund_id TEXT NOT NULL, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    name TEXT NOT NULL, currency TEXT NOT NULL, inception_date TEXT NOT NULL,
    vintage INTEGER, manager TEXT,
    PRIMARY KEY (fund_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE partner (
    partner_id TEXT NOT NULL, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    name TEXT NOT NULL, kind TEXT NOT NULL, region TEXT,
    PRIMARY KEY (partner_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE project (
    project_id TEXT NOT NULL, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    fund_id TEXT NOT NULL, enterprise_id TEXT NOT NULL, name TEXT NOT NULL,
    chain TEXT NOT NULL, segment TEXT NOT NULL, theme TEXT, instrument TEXT NOT NULL,
    commitment_amount INTEGER NOT NULL CHECK (commitment_amount >= 0),
    currency TEXT NOT NULL, commitment_date TEXT NOT NULL,
    co_investment INTEGER CHECK (co_investment >= 0), exit_date TEXT, listed_date TEXT,
    PRIMARY KEY (project_id, batch_id)
) STRICT, WITHOUT ROWID;

-- Facts: append-only. A flow is cancelled by a later flow that `reverses` it.
-- Tables keyed by text are WITHOUT ROWID (the key is the table: one B-tree to
-- write per row, not two); flows carry no secondary index on (owner, date),
-- which would halve import speed, because a close reads them all and sorts once.
-- CHECKs list values with OR, not IN (...): SQLite builds an ephemeral index for an
-- IN list on every execution of the INSERT, which cost a third of import time.
CREATE TABLE commitment (
    partner_id TEXT NOT NULL, fund_id TEXT NOT NULL, date TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (partner_id, fund_id, date)
) STRICT, WITHOUT ROWID;
CREATE TABLE partner_flow (
    flow_id TEXT PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    fund_id TEXT NOT NULL, partner_id TEXT NOT NULL, date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'contribution' OR kind = 'distribution'),
    purpose TEXT NOT NULL, amount INTEGER NOT NULL CHECK (amount >= 0),
    recallable TEXT, reverses TEXT REFERENCES partner_flow(flow_id), note TEXT
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX partner_flow_reversed ON partner_flow(reverses) WHERE reverses IS NOT NULL;
CREATE TABLE project_flow (
    flow_id TEXT PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    project_id TEXT NOT NULL, date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'investment' OR kind = 'proceeds' OR kind = 'dividend' OR
                              kind = 'interest' OR kind = 'fee_income'),
    amount INTEGER NOT NULL CHECK (amount >= 0), currency TEXT NOT NULL,
    reverses TEXT REFERENCES project_flow(flow_id), note TEXT
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX project_flow_reversed ON project_flow(reverses) WHERE reverses IS NOT NULL;
-- A later batch's valuation for the same project and date supersedes (restates) it.
CREATE TABLE valuation (
    project_id TEXT NOT NULL, date TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    value INTEGER NOT NULL CHECK (value >= 0), currency TEXT NOT NULL, method TEXT,
    PRIMARY KEY (project_id, date, batch_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE fx_rate (
    date TEXT NOT NULL, currency TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    rate INTEGER NOT NULL CHECK (rate > 0),
    PRIMARY KEY (currency, date)
) STRICT, WITHOUT ROWID;
CREATE TABLE benchmark (
    index_id TEXT NOT NULL, date TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    level INTEGER NOT NULL CHECK (level > 0),
    PRIMARY KEY (index_id, date)
) STRICT, WITHOUT ROWID;

-- Runs: one close, its inputs' digest and every result (value or reason).
CREATE TABLE run (
    run_id      INTEGER PRIMARY KEY,
    as_of       TEXT NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES batch(batch_id),
    engine      TEXT NOT NULL,
    taxonomy    TEXT NOT NULL,            -- taxonomy version (SHA-256)
    benchmark   TEXT,                     -- index id, NULL without PME
    digest      TEXT NOT NULL,            -- SHA-256 of exactly the inputs read
    created_at  TEXT NOT NULL,            -- UTC, ISO 8601
    input_rows  TEXT NOT NULL             -- JSON object: rows read per kind
) STRICT;
CREATE TABLE run_result (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    seq       INTEGER NOT NULL,
    dimension TEXT NOT NULL,
    fund      TEXT,                       -- NULL: portfolio-wide, in CNY
    key       TEXT NOT NULL,
    metric    TEXT NOT NULL,
    cents     INTEGER,                    -- money, exact
    value     REAL,                       -- ratios, rates, counts
    reason    TEXT,                       -- why there is no value
    PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
-- Tabular results the reports render (roll-forwards, NAV history, XIRR flow blocks).
CREATE TABLE run_row (
    run_id  INTEGER NOT NULL REFERENCES run(run_id),
    seq     INTEGER NOT NULL,
    tbl     TEXT NOT NULL,                -- e.g. 'account', 'nav_history', 'block'
    fund    TEXT,
    key     TEXT NOT NULL,
    col     TEXT NOT NULL,
    date    TEXT,
    cents   INTEGER,
    value   REAL,
    PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
-- The date-netted cash flows behind each XIRR ('block' rows of a run), one row per
-- block: flows = 'col:YYYY-MM-DD:cents' entries joined by ';'. Stored whole because a
-- close has millions of them; seq orders them among the run's rows.
CREATE TABLE run_block (
    run_id  INTEGER NOT NULL REFERENCES run(run_id),
    seq     INTEGER NOT NULL,
    fund    TEXT,
    key     TEXT NOT NULL,
    flows   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE run_note (
    run_id  INTEGER NOT NULL REFERENCES run(run_id),
    seq     INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind = 'check' OR kind = 'warning'),
    name    TEXT NOT NULL,
    ok      INTEGER,
    detail  TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;

-- Nothing is ever updated or deleted in place.
CREATE TRIGGER taxonomy_no_update BEFORE UPDATE ON taxonomy BEGIN SELECT RAISE(ABORT, 'taxonomy is append-only'); END;
CREATE TRIGGER taxonomy_no_delete BEFORE DELETE ON taxonomy BEGIN SELECT RAISE(ABORT, 'taxonomy is append-only'); END;
CREATE TRIGGER batch_no_update BEFORE UPDATE ON batch BEGIN SELECT RAISE(ABORT, 'batch is append-only'); END;
CREATE TRIGGER batch_no_delete BEFORE DELETE ON batch BEGIN SELECT RAISE(ABORT, 'batch is append-only'); END;
CREATE TRIGGER batch_file_no_update BEFORE UPDATE ON batch_file BEGIN SELECT RAISE(ABORT, 'batch_file is append-only'); END;
CREATE TRIGGER batch_file_no_delete BEFORE DELETE ON batch_file BEGIN SELECT RAISE(ABORT, 'batch_file is append-only'); END;
CREATE TRIGGER park_no_update BEFORE UPDATE ON park BEGIN SELECT RAISE(ABORT, 'park versions are append-only'); END;
CREATE TRIGGER park_no_delete BEFORE DELETE ON park BEGIN SELECT RAISE(ABORT, 'park versions are append-only'); END;
CREATE TRIGGER enterprise_no_update BEFORE UPDATE ON enterprise BEGIN SELECT RAISE(ABORT, 'enterprise versions are append-only'); END;
CREATE TRIGGER enterprise_no_delete BEFORE DELETE ON enterprise BEGIN SELECT RAISE(ABORT, 'enterprise versions are append-only'); END;
CREATE TRIGGER fund_no_update BEFORE UPDATE ON fund BEGIN SELECT RAISE(ABORT, 'fund versions are append-only'); END;
CREATE TRIGGER fund_no_delete BEFORE DELETE ON fund BEGIN SELECT RAISE(ABORT, 'fund versions are append-only'); END;
CREATE TRIGGER partner_no_update BEFORE UPDATE ON partner BEGIN SELECT RAISE(ABORT, 'partner versions are append-only'); END;
CREATE TRIGGER partner_no_delete BEFORE DELETE ON partner BEGIN SELECT RAISE(ABORT, 'partner versions are append-only'); END;
CREATE TRIGGER project_no_update BEFORE UPDATE ON project BEGIN SELECT RAISE(ABORT, 'project versions are append-only'); END;
CREATE TRIGGER project_no_delete BEFORE DELETE ON project BEGIN SELECT RAISE(ABORT, 'project versions are append-only'); END;
CREATE TRIGGER commitment_no_update BEFORE UPDATE ON commitment BEGIN SELECT RAISE(ABORT, 'commitments are append-only facts'); END;
CREATE TRIGGER commitment_no_delete BEFORE DELETE ON commitment BEGIN SELECT RAISE(ABORT, 'commitments are append-only facts'); END;
CREATE TRIGGER partner_flow_no_update BEFORE UPDATE ON partner_flow BEGIN SELECT RAISE(ABORT, 'flows are append-only facts: correct with a reversing flow'); END;
CREATE TRIGGER partner_flow_no_delete BEFORE DELETE ON partner_flow BEGIN SELECT RAISE(ABORT, 'flows are append-only facts: correct with a reversing flow'); END;
CREATE TRIGGER project_flow_no_update BEFORE UPDATE ON project_flow BEGIN SELECT RAISE(ABORT, 'flows are append-only facts: correct with a reversing flow'); END;
CREATE TRIGGER project_flow_no_delete BEFORE DELETE ON project_flow BEGIN SELECT RAISE(ABORT, 'flows are append-only facts: correct with a reversing flow'); END;
CREATE TRIGGER valuation_no_update BEFORE UPDATE ON valuation BEGIN SELECT RAISE(ABORT, 'valuations are append-only facts: restate in a later batch'); END;
CREATE TRIGGER valuation_no_delete BEFORE DELETE ON valuation BEGIN SELECT RAISE(ABORT, 'valuations are append-only facts: restate in a later batch'); END;
CREATE TRIGGER fx_rate_no_update BEFORE UPDATE ON fx_rate BEGIN SELECT RAISE(ABORT, 'fx rates are append-only facts'); END;
CREATE TRIGGER fx_rate_no_delete BEFORE DELETE ON fx_rate BEGIN SELECT RAISE(ABORT, 'fx rates are append-only facts'); END;
CREATE TRIGGER benchmark_no_update BEFORE UPDATE ON benchmark BEGIN SELECT RAISE(ABORT, 'benchmark levels are append-only facts'); END;
CREATE TRIGGER benchmark_no_delete BEFORE DELETE ON benchmark BEGIN SELECT RAISE(ABORT, 'benchmark levels are append-only facts'); END;
CREATE TRIGGER run_no_update BEFORE UPDATE ON run BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_no_delete BEFORE DELETE ON run BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_result_no_update BEFORE UPDATE ON run_result BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_result_no_delete BEFORE DELETE ON run_result BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_row_no_update BEFORE UPDATE ON run_row BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_row_no_delete BEFORE DELETE ON run_row BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_block_no_update BEFORE UPDATE ON run_block BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_block_no_delete BEFORE DELETE ON run_block BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_note_no_update BEFORE UPDATE ON run_note BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER run_note_no_delete BEFORE DELETE ON run_note BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
