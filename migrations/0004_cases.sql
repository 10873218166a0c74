-- The case file, first part: the person (HTCDS prs_*), the victim (vic_*) and the case
-- (cas_*). Names, identity numbers and contacts are encrypted (*_enc) with a blind index of
-- the normalised full name for exact search. `version` rises with every change: an update
-- based on an older version is refused (no lost updates).
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL DEFAULT 1,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  owner_id INTEGER NOT NULL REFERENCES users(id),
  country TEXT NOT NULL REFERENCES countries(code),
  status TEXT NOT NULL DEFAULT 'Active'
    CHECK (status IN ('Active', 'FollowUp', 'Closed', 'ClosedReferred')),
  phase TEXT NOT NULL DEFAULT 'identification'
    CHECK (phase IN ('identification', 'protection', 'assistance', 'return', 'proceedings')),
  closure_reason TEXT NOT NULL DEFAULT '',
  first_name_enc BLOB,
  second_name_enc BLOB,
  identity_number_enc BLOB,
  mobile_phone_enc BLOB,
  name_index BLOB,
  gender TEXT NOT NULL DEFAULT 'NonSpecifiedUnknown'
    CHECK (gender IN ('Feminine', 'Masculine', 'TransgenderFeminine', 'TransgenderMasculine',
                      'NonConforming', 'NonSpecifiedUnknown')),
  birthdate TEXT NOT NULL DEFAULT '',
  estimated_age INTEGER CHECK (estimated_age IS NULL OR estimated_age BETWEEN 0 AND 120),
  citizenship TEXT NOT NULL DEFAULT '',
  primary_language TEXT NOT NULL DEFAULT '',
  trafficking_status TEXT NOT NULL DEFAULT 'PossibleVictimOfTrafficking'
    CHECK (trafficking_status IN ('PossibleVictimOfTrafficking', 'ActualVictimOfTrafficking',
                                  'NotAVictimOfTrafficking')),
  exploitation TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX cases_organisation ON cases(organisation_id, status, phase);
CREATE INDEX cases_country ON cases(country, status, phase);
CREATE INDEX cases_owner ON cases(owner_id);
CREATE INDEX cases_name ON cases(name_index);
