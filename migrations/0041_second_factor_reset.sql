-- An administrator resets a user's second factor (a lost phone): the secret and recovery codes
-- go, every session and token of the user ends, and the user must enrol again at the next
-- sign-in whatever the roles (must_enrol, cleared when the enrolment is confirmed). Each reset
-- keeps who made it, when and why (the reason encrypted like other personal fields).
ALTER TABLE users ADD COLUMN must_enrol INTEGER NOT NULL DEFAULT 0 CHECK (must_enrol IN (0, 1));
CREATE TABLE second_factor_resets (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  by_user_id INTEGER NOT NULL REFERENCES users(id),
  reason_enc BLOB NOT NULL,
  reset_at TEXT NOT NULL
) STRICT;
CREATE INDEX second_factor_resets_user ON second_factor_resets(user_id);
