-- PostgreSQL's 0051 (docs/store.md): the same table in PostgreSQL's dialect.
CREATE TABLE index_keys (
  id bigint PRIMARY KEY CHECK (id = 1),
  wrapped bytea NOT NULL,
  created_at text NOT NULL
);
