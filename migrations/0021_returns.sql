-- Return (SOP 4): the person's voluntary decision to return, with the information given, and
-- its scheduling, which needs a risk assessment recorded on or after the decision that shows
-- no threat (low risk, no threat named): the assessment is kept with the return.
CREATE TABLE returns (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  destination TEXT NOT NULL REFERENCES countries(code),
  decided_on TEXT NOT NULL,
  information_given INTEGER NOT NULL CHECK (information_given = 1),
  state TEXT NOT NULL DEFAULT 'decided' CHECK (state IN ('decided', 'scheduled', 'cancelled')),
  departure_on TEXT,
  assessment_id INTEGER REFERENCES safety_assessments(id),
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (state <> 'scheduled' OR (assessment_id IS NOT NULL AND departure_on IS NOT NULL))
) STRICT;
CREATE INDEX returns_case ON returns(case_id, id);
