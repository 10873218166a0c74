-- The rest of the case file, each a list of entries kept by one engine (src/cases/sections.h):
-- immediate needs, residence status and permits, compensation claims, the reintegration plan
-- and its monitoring visits, trafficking events (HTCDS hte_*), notes; and, under the
-- criminal-proceedings permission only, proceedings, hearings and perpetrators (HTCDS per_*).
-- Every table has the same frame: id, case, version (raised by every change: an edit based on
-- another version is refused), author, times. Codes are checked by the engine against its
-- descriptors; words that can identify are *_enc, encrypted under (table, column, id).
CREATE TABLE case_needs (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  need TEXT NOT NULL,
  urgency TEXT NOT NULL,
  identified_on TEXT NOT NULL,
  met_on TEXT NOT NULL DEFAULT '',
  note_enc BLOB
) STRICT;
CREATE INDEX case_needs_case ON case_needs(case_id, id);

CREATE TABLE residence_permits (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  status TEXT NOT NULL,
  document_number_enc BLOB,
  issued_on TEXT NOT NULL DEFAULT '',
  expires_on TEXT NOT NULL DEFAULT '',
  renewal_requested_on TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX residence_permits_case ON residence_permits(case_id, id);
CREATE INDEX residence_permits_expiry ON residence_permits(expires_on) WHERE expires_on <> '';

CREATE TABLE compensation_claims (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  route TEXT NOT NULL,
  state TEXT NOT NULL,
  filing_deadline TEXT NOT NULL DEFAULT '',
  filed_on TEXT NOT NULL DEFAULT '',
  amount_claimed INTEGER,
  amount_awarded INTEGER,
  currency TEXT NOT NULL DEFAULT '',
  note_enc BLOB
) STRICT;
CREATE INDEX compensation_claims_case ON compensation_claims(case_id, id);
CREATE INDEX compensation_claims_deadline ON compensation_claims(filing_deadline)
  WHERE state = 'planned';

CREATE TABLE reintegration_plans (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  country TEXT NOT NULL REFERENCES countries(code),
  started_on TEXT NOT NULL,
  partner TEXT NOT NULL DEFAULT '',
  goals_enc BLOB
) STRICT;
CREATE INDEX reintegration_plans_case ON reintegration_plans(case_id, id);

CREATE TABLE reintegration_visits (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  visited_on TEXT NOT NULL,
  economic INTEGER NOT NULL CHECK (economic BETWEEN 1 AND 5),
  social INTEGER NOT NULL CHECK (social BETWEEN 1 AND 5),
  psychosocial INTEGER NOT NULL CHECK (psychosocial BETWEEN 1 AND 5),
  note_enc BLOB
) STRICT;
CREATE INDEX reintegration_visits_case ON reintegration_visits(case_id, id);

CREATE TABLE trafficking_events (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  type TEXT NOT NULL,
  country TEXT NOT NULL REFERENCES countries(code),
  city_enc BLOB,
  event_on TEXT NOT NULL DEFAULT '',
  description_enc BLOB
) STRICT;
CREATE INDEX trafficking_events_case ON trafficking_events(case_id, id);

CREATE TABLE case_notes (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  topic TEXT NOT NULL DEFAULT '',
  note_enc BLOB
) STRICT;
CREATE INDEX case_notes_case ON case_notes(case_id, id);

CREATE TABLE proceedings (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  kind TEXT NOT NULL,
  person_role TEXT NOT NULL,
  authority TEXT NOT NULL,
  reference_enc BLOB,
  prosecutor_enc BLOB,
  opened_on TEXT NOT NULL,
  protection TEXT NOT NULL DEFAULT '',
  charges TEXT NOT NULL DEFAULT '',
  verdict TEXT NOT NULL DEFAULT '',
  sentence TEXT NOT NULL DEFAULT '',
  non_punishment INTEGER NOT NULL DEFAULT 0 CHECK (non_punishment IN (0, 1))
) STRICT;
CREATE INDEX proceedings_case ON proceedings(case_id, id);

CREATE TABLE hearings (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  held_on TEXT NOT NULL,
  court TEXT NOT NULL,
  attended INTEGER NOT NULL DEFAULT 0 CHECK (attended IN (0, 1)),
  outcome_enc BLOB
) STRICT;
CREATE INDEX hearings_case ON hearings(case_id, id);

CREATE TABLE perpetrators (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  role TEXT NOT NULL,
  name_enc BLOB,
  gender TEXT NOT NULL DEFAULT '',
  citizenship TEXT NOT NULL DEFAULT '',
  relationship TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL
) STRICT;
CREATE INDEX perpetrators_case ON perpetrators(case_id, id);

-- A national police unit investigates cases across its country: it reads and writes
-- proceedings (never the social file) in the whole country.
UPDATE role_permissions SET scope = 'country'
WHERE role_id = 5 AND permission IN ('case.proceedings.read', 'case.proceedings.write');

-- The country of exploitation reaches the observatory: the latest exploitation event of a
-- case. A change of events touches the case (without raising its version), which derives the
-- case's record again through obs_case_updated.
DROP VIEW obs_case_records;
CREATE VIEW obs_case_records AS
SELECT id AS case_id, organisation_id AS provider_id,
  CAST('case:' || id AS BLOB) AS row_key,
  CAST(substr(created_at, 1, 4) AS INTEGER) AS year,
  CASE gender WHEN 'Feminine' THEN 'female' WHEN 'Masculine' THEN 'male'
    WHEN 'NonSpecifiedUnknown' THEN NULL ELSE 'transgender_nonconforming' END AS gender,
  CASE WHEN age IS NULL THEN NULL WHEN age <= 8 THEN '0--8' WHEN age <= 17 THEN '9--17'
    WHEN age <= 20 THEN '18--20' WHEN age <= 23 THEN '21--23' WHEN age <= 26 THEN '24--26'
    WHEN age <= 29 THEN '27--29' WHEN age <= 38 THEN '30--38' WHEN age <= 47 THEN '39--47'
    ELSE '48+' END AS age_band,
  CASE WHEN age IS NULL THEN NULL WHEN age < 18 THEN 'minor' ELSE 'adult' END AS majority,
  nullif(substr(citizenship, 1, 2), '') AS citizenship,
  (SELECT t.country FROM trafficking_events t WHERE t.case_id = c.id AND t.type = 'Exploitation'
   ORDER BY t.event_on DESC, t.id DESC LIMIT 1) AS country_of_exploitation,
  rtrim(
    CASE WHEN instr(e, ',ForcedLabour,') OR instr(e, ',ChildLabour,') OR instr(e, ',ForcedBegging,')
      THEN 'forced_labour,' ELSE '' END ||
    CASE WHEN instr(e, ',SexualExploitation,') THEN 'sexual_exploitation,' ELSE '' END ||
    CASE WHEN instr(e, ',Other,') OR instr(e, ',ForcedAdoption,') OR instr(e, ',ForcedCriminality,')
      THEN 'other,' ELSE '' END ||
    CASE WHEN instr(e, ',ForcedMarriage,') THEN 'forced_marriage,' ELSE '' END ||
    CASE WHEN instr(e, ',ForcedMilitaryByNonStateActors,') THEN 'forced_military,' ELSE '' END ||
    CASE WHEN instr(e, ',OrganRemoval,') THEN 'organ_removal,' ELSE '' END ||
    CASE WHEN instr(e, ',Servitude,') THEN 'slavery_and_practices,' ELSE '' END, ',')
    AS exploitation,
  e <> ',,' AS exploitation_known,
  coalesce((SELECT d.status FROM status_decisions d WHERE d.case_id = c.id
            ORDER BY d.id DESC LIMIT 1),
    CASE trafficking_status WHEN 'ActualVictimOfTrafficking' THEN 'confirmed'
      WHEN 'NotAVictimOfTrafficking' THEN 'not_confirmed' ELSE 'presumed' END) AS status
FROM (SELECT *, ',' || exploitation || ',' AS e,
        CASE WHEN birthdate GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
          THEN CAST(substr(created_at, 1, 4) AS INTEGER) - CAST(substr(birthdate, 1, 4) AS INTEGER)
               - (substr(created_at, 6, 5) < substr(birthdate, 6, 5))
          ELSE estimated_age END AS age
      FROM cases) c;

DROP TRIGGER obs_case_inserted;
CREATE TRIGGER obs_case_inserted AFTER INSERT ON cases BEGIN
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, status,
    NEW.updated_at
  FROM obs_case_records WHERE case_id = NEW.id;
END;
DROP TRIGGER obs_case_updated;
CREATE TRIGGER obs_case_updated AFTER UPDATE ON cases BEGIN
  DELETE FROM obs_records WHERE row_key = CAST('case:' || NEW.id AS BLOB);
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, status,
    NEW.updated_at
  FROM obs_case_records WHERE case_id = NEW.id;
END;
DROP TRIGGER obs_case_status;
CREATE TRIGGER obs_case_status AFTER INSERT ON status_decisions BEGIN
  DELETE FROM obs_records WHERE row_key = CAST('case:' || NEW.case_id AS BLOB);
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, status,
    NEW.created_at
  FROM obs_case_records WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER obs_case_event_added AFTER INSERT ON trafficking_events BEGIN
  UPDATE cases SET updated_at = NEW.updated_at WHERE id = NEW.case_id;
END;
CREATE TRIGGER obs_case_event_changed AFTER UPDATE ON trafficking_events BEGIN
  UPDATE cases SET updated_at = NEW.updated_at WHERE id = NEW.case_id;
END;

-- Clocks of the new records, per country like the others: how long before a permit expires
-- it shows on "Action needed", and the filing window a planned compensation claim gets when
-- no deadline is given.
INSERT INTO country_rules(country, rule, value) VALUES
  ('ZZ', 'permit_notice_days', 30),
  ('ZZ', 'compensation_filing_days', 365);
