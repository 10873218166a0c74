-- The national referral mechanism: services of provider organisations, consents, referrals
-- between organisations with their state machine and history, and the register of what was
-- disclosed to whom (docs/referrals.md).

-- Services: what an organisation offers, to whom, and how much room it has now.
CREATE TABLE services (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  type TEXT NOT NULL CHECK (type IN ('shelter', 'medical', 'psychosocial', 'legal_aid',
    'interpretation', 'education', 'livelihood', 'family_tracing', 'return_assistance',
    'child_protection')),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  min_age INTEGER NOT NULL DEFAULT 0 CHECK (min_age BETWEEN 0 AND 120),
  max_age INTEGER NOT NULL DEFAULT 120 CHECK (max_age BETWEEN min_age AND 120),
  sexes TEXT NOT NULL DEFAULT '',         -- HTCDS prs_Gender codes, comma-separated; '' all
  exploitation TEXT NOT NULL DEFAULT '',  -- vic_TypeOfExploitation codes; '' all
  nationalities TEXT NOT NULL DEFAULT '', -- ISO codes; '' all
  languages TEXT NOT NULL DEFAULT '',
  area TEXT NOT NULL DEFAULT '',
  opening_hours TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',         -- the service's, never a person's
  email TEXT NOT NULL DEFAULT '',
  capacity INTEGER CHECK (capacity IS NULL OR capacity >= 0),       -- e.g. shelter beds
  capacity_free INTEGER CHECK (capacity_free IS NULL OR capacity_free >= 0),
  verified_on TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX services_organisation ON services(organisation_id);
CREATE INDEX services_type ON services(type);

-- Consent of the person (or guardian) to a purpose, a recipient, data categories, on a legal
-- basis, in a language, with the version of the text read; withdrawn_on ends it.
CREATE TABLE consents (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('referral', 'transnational_referral', 'return',
    'statistics', 'proceedings')),
  recipient_id INTEGER REFERENCES organisations(id), -- NULL: any recipient for the purpose
  categories TEXT NOT NULL,                          -- data categories, comma-separated
  legal_basis TEXT NOT NULL CHECK (legal_basis IN ('consent', 'vital_interest', 'legal_obligation',
    'public_interest')),
  language TEXT NOT NULL,
  text_version TEXT NOT NULL,
  given_by TEXT NOT NULL CHECK (given_by IN ('person', 'guardian')),
  given_on TEXT NOT NULL,
  withdrawn_on TEXT,
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX consents_case ON consents(case_id);

-- Referrals: from the case's organisation to another, for a service, carrying data
-- categories under a consent or a recorded legal basis.
CREATE TABLE referrals (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  from_id INTEGER NOT NULL REFERENCES organisations(id),
  to_id INTEGER NOT NULL REFERENCES organisations(id),
  service_id INTEGER REFERENCES services(id),
  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sent', 'accepted', 'declined',
    'in_service', 'completed', 'discontinued', 'withdrawn')),
  categories TEXT NOT NULL,
  consent_id INTEGER REFERENCES consents(id),
  legal_basis TEXT NOT NULL DEFAULT '' CHECK (legal_basis IN ('', 'vital_interest',
    'legal_obligation', 'public_interest')),
  urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent')),
  reason_code TEXT NOT NULL DEFAULT '',  -- a decline or discontinuation reason
  outcome TEXT NOT NULL DEFAULT '',      -- the outcome of a completed referral
  due_at TEXT,                           -- the answer is due (sent + the country's time)
  version INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (from_id <> to_id),
  CHECK (consent_id IS NOT NULL OR legal_basis <> '')
) STRICT;
CREATE INDEX referrals_case ON referrals(case_id);
CREATE INDEX referrals_to ON referrals(to_id, state);
CREATE INDEX referrals_from ON referrals(from_id, state);

-- Every step of a referral: who did what, from which state to which.
CREATE TABLE referral_events (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referrals(id),
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  code TEXT NOT NULL DEFAULT '',
  note_enc BLOB,                          -- feedback or reason in words, encrypted
  user_id INTEGER REFERENCES users(id),   -- NULL: the system (consent withdrawn)
  at TEXT NOT NULL
) STRICT;
CREATE INDEX referral_events_referral ON referral_events(referral_id, id);

-- The disclosure register: which categories of which person's data went to whom, when, on
-- what basis. Written in the transaction that discloses; never changed.
CREATE TABLE disclosures (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  recipient_id INTEGER NOT NULL REFERENCES organisations(id),
  categories TEXT NOT NULL,
  basis TEXT NOT NULL,                    -- 'consent' or a legal basis
  consent_id INTEGER REFERENCES consents(id),
  referral_id INTEGER REFERENCES referrals(id),
  disclosed_by INTEGER NOT NULL REFERENCES users(id),
  at TEXT NOT NULL
) STRICT;
CREATE INDEX disclosures_case ON disclosures(case_id, id);
CREATE TRIGGER disclosures_kept BEFORE DELETE ON disclosures
BEGIN SELECT RAISE(ABORT, 'the disclosure register is append-only'); END;
CREATE TRIGGER disclosures_unchanged BEFORE UPDATE ON disclosures
BEGIN SELECT RAISE(ABORT, 'the disclosure register is append-only'); END;

-- Assistance given to the person; a completed referral records one.
CREATE TABLE assistance (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  type TEXT NOT NULL,
  provider_id INTEGER NOT NULL REFERENCES organisations(id),
  referral_id INTEGER REFERENCES referrals(id),
  started_on TEXT NOT NULL,
  ended_on TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX assistance_case ON assistance(case_id);

-- Legal clocks and service levels per country, as data; 'ZZ' holds the defaults.
CREATE TABLE country_rules (
  country TEXT NOT NULL REFERENCES countries(code),
  rule TEXT NOT NULL,
  value INTEGER NOT NULL CHECK (value >= 0),
  PRIMARY KEY (country, rule)
) STRICT;
INSERT INTO country_rules(country, rule, value) VALUES
  ('ZZ', 'referral_answer_hours', 72),
  ('ZZ', 'urgent_referral_answer_hours', 24),
  ('ZZ', 'reflection_days', 30),
  ('ZZ', 'safety_review_days', 30),
  ('PT', 'reflection_days', 60);

-- Who keeps the services directory: supervisors for their organisation, focal points for
-- their country, administrators for all.
INSERT INTO role_permissions(role_id, permission, scope) VALUES
  (1, 'service.manage', 'all'), (2, 'service.manage', 'country'),
  (4, 'service.manage', 'organisation');
