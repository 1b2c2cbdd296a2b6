-- parkfund schema, migration 4: a fund's economics (SPEC §4 fund_terms, §10).
-- A reference record: a changed row is a new version from its batch on. Rates are
-- fractions x 1e8 (0.08 -> 8000000), as imported.
CREATE TABLE fund_terms (
    fund_id TEXT NOT NULL, batch_id INTEGER NOT NULL REFERENCES batch(batch_id),
    gp_partner_id TEXT NOT NULL,
    carry INTEGER NOT NULL CHECK (carry >= 0 AND carry < 100000000),
    hurdle INTEGER NOT NULL CHECK (hurdle >= 0 AND hurdle < 100000000),
    hurdle_basis TEXT,
    catch_up INTEGER CHECK (catch_up >= 0 AND catch_up <= 100000000),
    fee_rate INTEGER NOT NULL CHECK (fee_rate >= 0 AND fee_rate <= 100000000),
    fee_basis TEXT NOT NULL,
    investment_period_end TEXT,
    fee_rate_after INTEGER CHECK (fee_rate_after >= 0 AND fee_rate_after <= 100000000),
    fee_basis_after TEXT,
    term_years INTEGER,
    carry_exempt TEXT,
    concession INTEGER CHECK (concession >= 0 AND concession <= 100000000),
    concession_to TEXT,
    PRIMARY KEY (fund_id, batch_id)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER fund_terms_no_update BEFORE UPDATE ON fund_terms BEGIN SELECT RAISE(ABORT, 'fund terms versions are append-only'); END;
CREATE TRIGGER fund_terms_no_delete BEFORE DELETE ON fund_terms BEGIN SELECT RAISE(ABORT, 'fund terms versions are append-only'); END;
CREATE TRIGGER fund_terms_guard BEFORE INSERT ON fund_terms
WHEN EXISTS (SELECT 1 FROM fund_terms WHERE fund_id = NEW.fund_id AND batch_id = NEW.batch_id) OR
     NEW.batch_id IS NOT (SELECT max(batch_id) FROM batch) BEGIN
    SELECT RAISE(ABORT, 'fund_terms: a stored row is never replaced') WHERE EXISTS (SELECT 1 FROM fund_terms WHERE fund_id = NEW.fund_id AND batch_id = NEW.batch_id);
    SELECT RAISE(ABORT, 'fund_terms: rows belong to the newest batch');
END;
