-- The case list finds, orders and pages cases by what it shows (docs/cases.md, "The case
-- list"). risk: the level of the case's latest risk assessment (safety_assessments, the last
-- recorded), kept on the case by safety_add() in the assessment's transaction; NULL when the
-- case was never assessed.
ALTER TABLE cases ADD COLUMN risk TEXT CHECK (risk IS NULL OR risk IN ('low', 'medium', 'high'));
UPDATE cases SET risk = (SELECT s.risk FROM safety_assessments s WHERE s.case_id = cases.id
                         ORDER BY s.id DESC LIMIT 1);
-- One index per scope (own cases, organisation, country, all), newest change first, holding
-- every column the list filters or orders by: a page's ids, its count and any order are read
-- from the index alone, never from the cases it skips. They replace migration 0040's.
CREATE INDEX cases_own_find ON cases(owner_id, updated_at, id, status, phase, risk, citizenship,
  created_at, trafficking_status);
CREATE INDEX cases_org_find ON cases(organisation_id, updated_at, id, status, phase, risk,
  owner_id, citizenship, created_at, trafficking_status);
CREATE INDEX cases_country_find ON cases(country, updated_at, id, status, phase, risk, owner_id,
  citizenship, created_at, trafficking_status);
CREATE INDEX cases_all_find ON cases(updated_at, id, status, phase, risk, owner_id, citizenship,
  created_at, trafficking_status);
DROP INDEX IF EXISTS cases_org_list;
DROP INDEX IF EXISTS cases_country_list;
DROP INDEX IF EXISTS cases_owner_list;
-- The filter each user last used on the case list, as its address's query (codes, numbers and
-- dates only, never a name): going back to the list finds it again.
CREATE TABLE case_list_filters (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  query TEXT NOT NULL,
  saved_at TEXT NOT NULL
) STRICT;
