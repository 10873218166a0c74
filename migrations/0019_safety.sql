-- Risk assessment and safety plan, reviewed at every contact: each assessment records the
-- level of risk, the threats (codes), the safety measures (words, encrypted) and when it
-- must be reviewed: the assessment date plus the country's safety_review_days, or
-- high_risk_review_days when the risk is high (country_rules; 'ZZ' the defaults).
CREATE TABLE safety_assessments (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
  threats TEXT NOT NULL DEFAULT '',
  plan_enc BLOB,
  assessed_on TEXT NOT NULL,
  next_review_on TEXT NOT NULL,
  assessed_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX safety_assessments_case ON safety_assessments(case_id, id);
CREATE INDEX safety_assessments_review ON safety_assessments(next_review_on);
INSERT INTO country_rules(country, rule, value) VALUES ('ZZ', 'high_risk_review_days', 7);
