-- parkfund schema, migration 3: forecasts (SPEC §11). Never edit once released.
-- Triggers are written plainly (verify compares each with the stored text).
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
CREATE TRIGGER forecast_no_update BEFORE UPDATE ON forecast BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER forecast_no_delete BEFORE DELETE ON forecast BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER forecast_result_no_update BEFORE UPDATE ON forecast_result BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER forecast_result_no_delete BEFORE DELETE ON forecast_result BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER forecast_note_no_update BEFORE UPDATE ON forecast_note BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER forecast_note_no_delete BEFORE DELETE ON forecast_note BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
CREATE TRIGGER forecast_guard BEFORE INSERT ON forecast WHEN EXISTS (SELECT 1 FROM forecast WHERE forecast_id = NEW.forecast_id) BEGIN
    SELECT RAISE(ABORT, 'forecast: a stored row is never replaced');
END;
CREATE TRIGGER forecast_result_guard BEFORE INSERT ON forecast_result WHEN EXISTS (SELECT 1 FROM forecast_result WHERE forecast_id = NEW.forecast_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'forecast_result: a stored row is never replaced');
END;
CREATE TRIGGER forecast_note_guard BEFORE INSERT ON forecast_note WHEN EXISTS (SELECT 1 FROM forecast_note WHERE forecast_id = NEW.forecast_id AND seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'forecast_note: a stored row is never replaced');
END;
