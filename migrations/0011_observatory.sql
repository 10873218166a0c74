-- The observatory: one row per registered victim, no direct identifier, in the variables of
-- the CTDC publication format and the HTCDS (docs/observatory.md). Multi-response variables
-- are comma-separated codes of what was reported present, with a *_known flag saying whether
-- the variable was informed at all (for "percent of informed records"). NULL is missing.
CREATE TABLE obs_records (
  id INTEGER PRIMARY KEY,
  provider_id INTEGER NOT NULL REFERENCES organisations(id),
  -- BLAKE2b(provider, file fingerprint, record number): importing the same file again adds
  -- nothing, while identical rows of different victims stay distinct records.
  row_key BLOB NOT NULL UNIQUE,
  year INTEGER CHECK (year IS NULL OR year BETWEEN 1900 AND 2100),
  source TEXT,
  gender TEXT,
  age_band TEXT,
  majority TEXT,
  citizenship TEXT,
  country_of_exploitation TEXT,
  exploitation TEXT NOT NULL DEFAULT '',
  exploitation_known INTEGER NOT NULL DEFAULT 0,
  control TEXT NOT NULL DEFAULT '',
  control_known INTEGER NOT NULL DEFAULT 0,
  labour_sector TEXT NOT NULL DEFAULT '',
  sexual_sector TEXT NOT NULL DEFAULT '',
  recruiter_relation TEXT NOT NULL DEFAULT '',
  abduction INTEGER CHECK (abduction IS NULL OR abduction IN (0, 1)),
  status TEXT CHECK (status IS NULL OR status IN
    ('presumed', 'pending', 'confirmed', 'not_confirmed', 'not_considered')),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX obs_records_year ON obs_records(year);
