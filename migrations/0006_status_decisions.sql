-- Victim status decisions, with their history. The deciding organisation type is HTCDS
-- vic_TraffickingStatusDecisionMakingOrg. Which types may confirm a victim is configuration
-- per country (status_confirmers); the row for 'ZZ' is the default for countries without
-- their own rows.
CREATE TABLE decision_org_types (code TEXT PRIMARY KEY) STRICT;
INSERT INTO decision_org_types(code) VALUES
  ('Police'), ('NGO'), ('CourtOrProsecution'), ('NonPoliceGovernmentalOrganization'), ('Other');

CREATE TABLE status_confirmers (
  country TEXT NOT NULL REFERENCES countries(code),
  org_type TEXT NOT NULL REFERENCES decision_org_types(code),
  PRIMARY KEY (country, org_type)
) STRICT;
INSERT INTO status_confirmers(country, org_type) VALUES
  ('PT', 'Police'),
  ('ZZ', 'Police'), ('ZZ', 'CourtOrProsecution'), ('ZZ', 'NonPoliceGovernmentalOrganization');

CREATE TABLE status_decisions (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  status TEXT NOT NULL
    CHECK (status IN ('presumed', 'pending', 'confirmed', 'not_confirmed', 'not_considered')),
  decided_on TEXT NOT NULL,
  decision_org_type TEXT NOT NULL REFERENCES decision_org_types(code),
  reasons_enc BLOB,
  decided_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX status_decisions_case ON status_decisions(case_id, id);
