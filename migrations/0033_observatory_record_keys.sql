-- The cell key method (docs/observatory.md, "Disclosure control"): every observatory record
-- has a fixed random 32-bit key, and a published count is looked up by the sum of its
-- records' keys. Keys are secret: they leave the database only for the column cache beside
-- it (<database>.obs-cube, mode 0600), never in an output.
--
-- They are kept by the record's row_key, not in obs_records: a record derived from a case is
-- replaced (deleted and inserted) each time the case changes, and a new key each time would
-- give its cells a fresh draw of noise to average. A key is drawn once, the first time its
-- row_key is written, and never changes.
CREATE TABLE obs_record_keys (
  row_key BLOB PRIMARY KEY,
  record_key INTEGER NOT NULL CHECK (record_key BETWEEN 0 AND 4294967295)
) STRICT, WITHOUT ROWID;
-- SQLite's random() is its internal generator, seeded from the operating system's.
INSERT INTO obs_record_keys(row_key, record_key)
SELECT row_key, random() & 4294967295 FROM obs_records;
CREATE TRIGGER obs_records_keyed AFTER INSERT ON obs_records BEGIN
  INSERT OR IGNORE INTO obs_record_keys(row_key, record_key)
  VALUES (NEW.row_key, random() & 4294967295);
END;
CREATE TRIGGER obs_record_keys_fixed BEFORE UPDATE ON obs_record_keys
BEGIN SELECT RAISE(ABORT, 'a record key never changes'); END;

-- The in-memory column cache of the server is checked against (nonce, version): the nonce
-- tells two databases apart that reached the same version at the same path.
ALTER TABLE obs_state ADD COLUMN nonce INTEGER NOT NULL DEFAULT 0;
UPDATE obs_state SET nonce = random(), version = version + 1 WHERE id = 1;
