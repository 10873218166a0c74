-- The blind-index key, wrapped under the master key (src/keys/). Until the master key is
-- first replaced (`ponte keys replace-master`) there is no row and the index key is derived
-- from the master key; the replacement stores the index key in use here, wrapped under the
-- new master key, so that every stored index (e-mail addresses, name keys) still matches.
CREATE TABLE index_keys (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  wrapped BLOB NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
