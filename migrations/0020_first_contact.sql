-- Identification: the first contact with the person (and later ones): when, where (words,
-- encrypted: a place can identify), through which channel, by which organisation, with an
-- interpreter or not and in which language, and whether the person was told their rights,
-- in which language.
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  contact_on TEXT NOT NULL,
  place_enc BLOB,
  channel TEXT NOT NULL CHECK (channel IN ('self_referral', 'hotline', 'outreach',
    'border_operation', 'police_operation', 'labour_inspection', 'asylum_procedure',
    'health_service', 'other')),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  interpreter INTEGER NOT NULL CHECK (interpreter IN (0, 1)),
  language TEXT NOT NULL DEFAULT '',
  rights_informed INTEGER NOT NULL CHECK (rights_informed IN (0, 1)),
  rights_language TEXT NOT NULL DEFAULT '',
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_case ON contacts(case_id, id);
