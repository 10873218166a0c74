-- Observatory records are never changed in place: a change is a delete and an insert.
-- Counting caches the records as columns (src/obs/cube.h), valid for the number of records
-- and the version below, which every insert and delete moves.
DROP TRIGGER obs_case_status;
CREATE TRIGGER obs_case_status AFTER INSERT ON status_decisions BEGIN
  DELETE FROM obs_records WHERE row_key = CAST('case:' || NEW.case_id AS BLOB);
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, exploitation, exploitation_known, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, exploitation, exploitation_known, status, NEW.created_at
  FROM obs_case_records WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER obs_records_immutable BEFORE UPDATE ON obs_records
BEGIN SELECT RAISE(ABORT, 'observatory records are replaced, never changed'); END;

-- Every insert and delete moves the version the cache is checked against (an id alone could
-- be reused after a delete).
CREATE TABLE obs_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
) STRICT;
INSERT INTO obs_state(id, version) VALUES (1, 0);
CREATE TRIGGER obs_records_inserted AFTER INSERT ON obs_records
BEGIN UPDATE obs_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER obs_records_deleted AFTER DELETE ON obs_records
BEGIN UPDATE obs_state SET version = version + 1 WHERE id = 1; END;
