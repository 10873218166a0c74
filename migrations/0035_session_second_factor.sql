-- Whether a browser session or API token was opened with a second factor (a TOTP or recovery
-- code at login, or the code confirmed at enrolment). Once a user has two-factor
-- authentication on, a session opened with the password alone is refused (identity/auth.c),
-- so a token obtained before enrolment never gains the rights of an enrolled user. Sessions
-- already open when this is applied count as password-only: enrolled users sign in again.
ALTER TABLE sessions ADD COLUMN second_factor INTEGER NOT NULL DEFAULT 0
  CHECK (second_factor IN (0, 1));
