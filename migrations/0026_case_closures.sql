-- Closing a case is approved by a supervisor of the organisation or a focal point (not by the
-- person who asks); a case worker requests it with the status (Closed or ClosedReferred) and
-- the reason, and the request waits on "Action needed". Reopening a closed case is recorded
-- here too, so the case keeps its history of closures and reopenings. A supervisor or focal
-- point who closes a case directly is recorded as having asked and approved at once.
CREATE TABLE case_closures (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL CHECK (kind IN ('close', 'reopen')),
  status TEXT NOT NULL CHECK (status IN ('Active', 'FollowUp', 'Closed', 'ClosedReferred')),
  reason TEXT NOT NULL DEFAULT '',
  requested_by INTEGER NOT NULL REFERENCES users(id),
  requested_at TEXT NOT NULL,
  decision TEXT CHECK (decision IS NULL OR decision IN ('approved', 'rejected')),
  decided_by INTEGER REFERENCES users(id),
  decided_at TEXT
) STRICT;
CREATE INDEX case_closures_case ON case_closures(case_id, id);
CREATE INDEX case_closures_pending ON case_closures(decision) WHERE decision IS NULL;
-- One open request per case at a time.
CREATE UNIQUE INDEX case_closures_one_open ON case_closures(case_id) WHERE decision IS NULL;
