-- Children: a person whose age is disputed is treated as a child until the age is assessed;
-- a guardian is appointed; the best interests are assessed and determined; the child is
-- placed; the family is traced and assessed (the ECOWAS / West Africa Network procedure). One
-- row per case, kept up to date with a version (no lost updates). The guardian's name and the
-- outcome of tracing in words are encrypted.
CREATE TABLE child_protection (
  id INTEGER PRIMARY KEY,             -- the encryption's record number
  case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  age_disputed INTEGER NOT NULL DEFAULT 0 CHECK (age_disputed IN (0, 1)),
  age_assessed_on TEXT,
  age_assessment TEXT NOT NULL DEFAULT '' CHECK (age_assessment IN ('', 'child', 'adult')),
  guardian_enc BLOB,
  guardian_appointed_on TEXT,
  bia_on TEXT,                        -- best-interests assessment
  bid_on TEXT,                        -- best-interests determination
  placement TEXT NOT NULL DEFAULT '' CHECK (placement IN ('', 'family', 'foster_family',
    'shelter', 'childrens_home', 'independent_living')),
  placement_since TEXT,
  tracing TEXT NOT NULL DEFAULT 'not_started' CHECK (tracing IN ('not_started', 'requested',
    'found', 'not_found', 'not_in_best_interests')),
  tracing_notes_enc BLOB,
  family_assessment TEXT NOT NULL DEFAULT '' CHECK (family_assessment IN ('', 'safe',
    'not_safe', 'pending')),
  updated_by INTEGER NOT NULL REFERENCES users(id),
  updated_at TEXT NOT NULL
) STRICT;
