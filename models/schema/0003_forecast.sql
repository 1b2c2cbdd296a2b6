-- parkfund schema: forecasts (SPEC §11). Written to be safe to apply more than once and
-- in any position among the migrations (every statement is IF NOT EXISTS): migrations
-- are applied by their rank in models/schema, so merging branches that each added one
-- must not break a database that already has this one.
--
-- A forecast belongs to the run it was computed from; a run can have several (other
-- options): forecast_id tells them apart, and the options are stored with it so
-- verify can recompute it exactly.
CREATE TABLE IF NOT EXISTS forecast (
    forecast_id INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES run(run_id),
    years       INTEGER NOT NULL CHECK (years > 0),
    paths       INTEGER NOT NULL CHECK (paths > 0),
    seed        INTEGER NOT NULL CHECK (seed >= 0),
    target_nav  INTEGER,                  -- cents CNY; NULL without pacing
    engine      TEXT NOT NULL,
    created_at  TEXT NOT NULL             -- UTC, ISO 8601
) STRICT;
CREATE INDEX IF NOT EXISTS forecast_by_run ON forecast(run_id);
-- The forecast's figures, in the shape of run_result (SPEC §6 export rows).
CREATE TABLE IF NOT EXISTS forecast_result (
    forecast_id INTEGER NOT NULL REFERENCES forecast(forecast_id),
    seq       INTEGER NOT NULL,
    dimension TEXT NOT NULL,
    fund      TEXT,                       -- NULL: portfolio-wide, in CNY
    key       TEXT NOT NULL,
    metric    TEXT NOT NULL,
    cents     INTEGER,
    value     REAL,
    reason    TEXT,
    PRIMARY KEY (forecast_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS forecast_note (
    forecast_id INTEGER NOT NULL REFERENCES forecast(forecast_id),
    seq     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    detail  TEXT NOT NULL,
    PRIMARY KEY (forecast_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS forecast_no_update BEFORE UPDATE ON forecast BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS forecast_no_delete BEFORE DELETE ON forecast BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS forecast_result_no_update BEFORE UPDATE ON forecast_result BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS forecast_result_no_delete BEFORE DELETE ON forecast_result BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS forecast_note_no_update BEFORE UPDATE ON forecast_note BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS forecast_note_no_delete BEFORE DELETE ON forecast_note BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
