-- Observatory releases: what was published, how, and the privacy budget it spent.
-- A release is immutable: its files are written once under <database>.files/releases/vN/ and
-- its row can be neither changed nor deleted.
CREATE TABLE obs_releases (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL UNIQUE CHECK (version > 0),
  method TEXT NOT NULL CHECK (method IN ('tables', 'dp', 'microdata')),
  provider_id INTEGER REFERENCES organisations(id), -- NULL: every provider's records
  manifest TEXT NOT NULL,                            -- manifest.json as published
  created_by INTEGER REFERENCES users(id),           -- NULL: from the command line
  created_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER obs_releases_immutable BEFORE UPDATE ON obs_releases
BEGIN SELECT RAISE(ABORT, 'an observatory release is immutable'); END;
CREATE TRIGGER obs_releases_kept BEFORE DELETE ON obs_releases
BEGIN SELECT RAISE(ABORT, 'an observatory release is kept'); END;

-- The privacy budget of each provider's records (its dataset): the total epsilon that
-- differentially private releases may spend on them. Without a row, the setting
-- obs_epsilon_budget applies.
CREATE TABLE obs_privacy_budgets (
  provider_id INTEGER PRIMARY KEY REFERENCES organisations(id),
  epsilon REAL NOT NULL CHECK (epsilon > 0)
) STRICT;

-- The ledger: what each release spent on each dataset. Records of different providers are
-- disjoint, so a release over every provider spends its epsilon on each of them.
CREATE TABLE obs_privacy_spent (
  release_id INTEGER NOT NULL REFERENCES obs_releases(id),
  provider_id INTEGER NOT NULL REFERENCES organisations(id),
  epsilon REAL NOT NULL CHECK (epsilon > 0),
  PRIMARY KEY (release_id, provider_id)
) STRICT;
CREATE TRIGGER obs_privacy_spent_immutable BEFORE UPDATE ON obs_privacy_spent
BEGIN SELECT RAISE(ABORT, 'the privacy ledger is append-only'); END;
CREATE TRIGGER obs_privacy_spent_kept BEFORE DELETE ON obs_privacy_spent
BEGIN SELECT RAISE(ABORT, 'the privacy ledger is append-only'); END;

INSERT INTO settings(key, value) VALUES ('obs_epsilon_budget', '3');
