-- Identity and access: keys, organisations, roles and permissions, users, sessions, audit.
-- Personal data of users (name, e-mail, phone) is stored encrypted (*_enc) with a blind
-- index for the e-mail login lookup; see docs/security.md.

-- Data keys, wrapped under a key derived from the master key (which is never stored here).
CREATE TABLE data_keys (
  version INTEGER PRIMARY KEY CHECK (version BETWEEN 1 AND 63),
  wrapped BLOB NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('current', 'retiring', 'retired')),
  created_at TEXT NOT NULL
) STRICT;

-- HTCDS org_Type values, plus regional bodies and international organisations.
CREATE TABLE organisation_types (code TEXT PRIMARY KEY) STRICT;
INSERT INTO organisation_types(code) VALUES
  ('NGO'), ('LawEnforcement'), ('HealthServiceOrganisation'), ('CentralGovernmentOrganisation'),
  ('LocalGovernmentOrganisation'), ('ImmigrationService'), ('LegalService'), ('CorporateBusiness'),
  ('SchoolOrCollege'), ('RegionalBody'), ('InternationalOrganisation');

CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  country TEXT NOT NULL REFERENCES countries(code),
  type TEXT NOT NULL REFERENCES organisation_types(code),
  parent_id INTEGER REFERENCES organisations(id),
  focal_point INTEGER NOT NULL DEFAULT 0 CHECK (focal_point IN (0, 1)),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE roles (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
  requires_2fa INTEGER NOT NULL DEFAULT 0 CHECK (requires_2fa IN (0, 1))
) STRICT;

-- A role grants a permission over a data scope. Social-service data (case.social.*) and
-- criminal-proceedings data (case.proceedings.*) are separate permissions: purpose tiers.
CREATE TABLE role_permissions (
  role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('own', 'organisation', 'country', 'all')),
  PRIMARY KEY (role_id, permission)
) STRICT;

INSERT INTO roles(id, code, name, builtin, requires_2fa) VALUES
  (1, 'administrator', 'Administrator', 1, 1),
  (2, 'national_focal_point', 'National focal point', 1, 1),
  (3, 'case_worker', 'Case worker', 1, 0),
  (4, 'supervisor', 'Supervisor', 1, 0),
  (5, 'police_investigator', 'Police investigator', 1, 0),
  (6, 'prosecutor', 'Prosecutor', 1, 0),
  (7, 'observatory_analyst', 'Observatory analyst', 1, 0),
  (8, 'data_provider', 'Data provider', 1, 0),
  (9, 'auditor', 'Auditor', 1, 0),
  (10, 'regional_analyst', 'Regional analyst', 1, 0);

INSERT INTO role_permissions(role_id, permission, scope) VALUES
  (1, 'user.read', 'all'), (1, 'user.manage', 'all'), (1, 'org.manage', 'all'),
  (1, 'role.read', 'all'), (1, 'role.manage', 'all'),
  (2, 'user.read', 'country'), (2, 'role.read', 'all'),
  (2, 'case.social.read', 'country'), (2, 'case.social.write', 'country'),
  (2, 'referral.national', 'country'), (2, 'referral.transnational', 'country'),
  (2, 'victim.status.decide', 'country'), (2, 'stats.read', 'country'),
  (3, 'user.read', 'organisation'),
  (3, 'case.social.read', 'own'), (3, 'case.social.write', 'own'), (3, 'referral.national', 'own'),
  (4, 'user.read', 'organisation'),
  (4, 'case.social.read', 'organisation'), (4, 'case.social.write', 'organisation'),
  (4, 'case.assign', 'organisation'), (4, 'referral.national', 'organisation'),
  (5, 'user.read', 'organisation'),
  (5, 'case.proceedings.read', 'organisation'), (5, 'case.proceedings.write', 'organisation'),
  (5, 'network.read', 'country'), (5, 'network.write', 'organisation'),
  (6, 'user.read', 'organisation'),
  (6, 'case.proceedings.read', 'country'), (6, 'network.read', 'country'),
  (7, 'user.read', 'organisation'), (7, 'obs.analyse', 'country'), (7, 'stats.read', 'country'),
  (8, 'user.read', 'own'), (8, 'obs.submit', 'organisation'),
  (9, 'user.read', 'all'), (9, 'audit.read', 'all'), (9, 'role.read', 'all'),
  (10, 'stats.aggregate', 'all');

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email_index BLOB NOT NULL UNIQUE,
  email_enc BLOB NOT NULL,
  name_enc BLOB NOT NULL,
  phone_enc BLOB,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr', 'pt')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'disabled')),
  password_hash TEXT NOT NULL,
  password_changed_at TEXT NOT NULL,
  totp_secret_enc BLOB,
  totp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX users_organisation ON users(organisation_id);

CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role_id INTEGER NOT NULL REFERENCES roles(id),
  PRIMARY KEY (user_id, role_id)
) STRICT;

CREATE TABLE recovery_codes (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash BLOB NOT NULL,
  used_at TEXT,
  PRIMARY KEY (user_id, code_hash)
) STRICT;

-- Web sessions and API tokens: only the BLAKE2b-256 of the token is stored.
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

-- Settings an administrator may change (session lifetimes, 2FA policy).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO settings(key, value) VALUES
  ('session_idle_minutes', '30'), ('session_absolute_hours', '12'), ('api_token_hours', '12'),
  ('require_2fa_for_flagged_roles', '1');

-- The audit trail: append-only, hash-chained (hash = BLAKE2b-256(prev_hash || canonical
-- content)); `ponte audit verify` recomputes the chain. Never personal data here.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  user_id INTEGER,
  organisation_id INTEGER,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL DEFAULT '',
  object_id TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  client TEXT NOT NULL DEFAULT '',
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
) STRICT;
