-- Search reads what it filters and counts facets on from one covering index, in the order
-- lists show (last change first), and keeps an in-memory copy of it (knowledge/search.c)
-- that is rebuilt when knowledge_generation moves: every write to an item moves it, in the
-- same transaction.
DROP INDEX knowledge_items_status;
CREATE INDEX knowledge_items_search ON knowledge_items(updated_at, status, type, evidence,
  languages, year, countries, areas, targets, owner_country, organisation_id, author_id);
CREATE TABLE knowledge_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
) STRICT;
INSERT INTO knowledge_generation(id, value) VALUES (1, 0);
