-- The instance: this installation of Ponte (one per country or agency network).
-- Exactly one row. Later migrations add its keys and peers (transnational referral).
CREATE TABLE instance (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  country TEXT NOT NULL CHECK (length(country) = 2 AND country = upper(country)),
  created_at TEXT NOT NULL
) STRICT;
