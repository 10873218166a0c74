-- Support plans (HTCDS spl_*): a type, objectives and an action plan (words, encrypted),
-- prepared by the case worker and approved by a supervisor of the organisation (or the focal
-- point) before they count as the case plan; plans waiting for approval appear on "Action
-- needed".
CREATE TABLE support_plans (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  type TEXT NOT NULL CHECK (type IN ('Education', 'Financial', 'Health',
    'LabourExploitationRehabilitation', 'Legal', 'Livelihood', 'RightsBasedTraining',
    'SexualExploitationRehabilitation', 'SocialCare')),
  objectives_enc BLOB,
  action_plan_enc BLOB,
  prepared_by INTEGER NOT NULL REFERENCES users(id),
  approved_by INTEGER REFERENCES users(id),
  approved_at TEXT,
  created_at TEXT NOT NULL,
  CHECK (approved_by IS NULL OR approved_by <> prepared_by)
) STRICT;
CREATE INDEX support_plans_case ON support_plans(case_id, id);
CREATE INDEX support_plans_pending ON support_plans(approved_at) WHERE approved_at IS NULL;
