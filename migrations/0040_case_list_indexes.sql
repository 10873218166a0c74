-- A filtered case list (status, phase) walks its scope's index newest first and checks the
-- filters on each entry: with the filters in the index it no longer reads every skipped case
-- row from the table (a page 3 of one status and phase in an organisation of 13,000 cases:
-- about 13 ms to 1 ms). id is named so ties on updated_at keep the list's order.
CREATE INDEX IF NOT EXISTS cases_org_list ON cases(organisation_id, updated_at, id, status, phase);
CREATE INDEX IF NOT EXISTS cases_country_list ON cases(country, updated_at, id, status, phase);
CREATE INDEX IF NOT EXISTS cases_owner_list ON cases(owner_id, updated_at, id, status, phase);
DROP INDEX IF EXISTS cases_org_updated;
DROP INDEX IF EXISTS cases_country_updated;
DROP INDEX IF EXISTS cases_owner_updated;
