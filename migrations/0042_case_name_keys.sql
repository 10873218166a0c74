-- Finding a person by any part of a name, spelled another way or in another script, without
-- a name in clear: each case's names give a bounded set of keys (tokens, sound skeletons,
-- prefixes: cases/names.c), stored only as their blind indexes (16 bytes of keyed BLAKE2b
-- under the instance's index key). kind: 1 token, 2 skeleton, 3 prefix. Written with the
-- case in one transaction; a migration cannot compute the keys of the cases already there
-- (it has no key), so `ponte serve` gives keys to every case that has none before it listens.
CREATE TABLE IF NOT EXISTS case_name_keys (
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  key BLOB NOT NULL CHECK (length(key) = 16),
  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
  PRIMARY KEY (case_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS case_name_keys_key ON case_name_keys(key);
