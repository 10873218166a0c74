-- Backups taken of this database (src/backup/): when, of which schema version, how big, the
-- audit chain's head it holds, and whether every check passed (a good backup). The
-- administrator's start page shows the age of the last good one; `ponte serve` applies
-- migrations only after a good backup of the current schema (docs/backup.md). The archive's
-- path is kept for the administrator; the archive itself is never read from here.
CREATE TABLE backups (
  id INTEGER PRIMARY KEY,
  taken_at TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  archive TEXT NOT NULL,
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  cases INTEGER NOT NULL,
  audit_head TEXT NOT NULL,
  good INTEGER NOT NULL CHECK (good IN (0, 1))
) STRICT;
CREATE INDEX backups_good ON backups(good, taken_at);
