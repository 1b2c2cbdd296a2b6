-- parkfund schema, migration 7: indexes for reading one partner's statement
-- (issue 12).
-- Never edit once released.
--
-- A partner's statement reads its own flows and the projects of the funds it is in.
-- Without these indexes each was a scan of the whole table (0.6 s a statement at
-- generator scale 100, whatever the partner's size); the whole report now writes its
-- statements from such reads, so a scan each would cost the portfolio's size per
-- statement. (Commitments are found by their primary key, which starts with the
-- partner.) Indexes only: no row changes, and a database opened read-only before
-- this migration reads the same rows, by scans.
CREATE INDEX IF NOT EXISTS partner_flow_by_partner ON partner_flow(partner_id);
CREATE INDEX IF NOT EXISTS project_by_fund ON project(fund_id);
