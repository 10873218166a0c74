-- ponte: rebuilds tables
-- Knowledge items in Spanish and Arabic (issue #19): an item, and each of its translations,
-- may be written in en, fr, pt, es or ar. SQLite cannot change a CHECK, so both tables are
-- rebuilt (with foreign keys off, as the migrator does for a migration marked "rebuilds
-- tables": knowledge_versions, _attachments and _translations refer to knowledge_items).
CREATE TABLE knowledge_items_next (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('practice', 'legislation', 'caselaw', 'manual')),
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'review', 'published', 'archived')),
  version INTEGER NOT NULL DEFAULT 1,
  language TEXT NOT NULL CHECK (language IN ('en', 'fr', 'pt', 'es', 'ar')),
  author_id INTEGER NOT NULL REFERENCES users(id),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  owner_country TEXT NOT NULL REFERENCES countries(code),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  summary TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  -- Type-specific fields as a JSON object, validated by knowledge/item_fields.c.
  details TEXT NOT NULL DEFAULT '{}',
  -- Facets, denormalised for search: comma-separated codes.
  countries TEXT NOT NULL,
  areas TEXT NOT NULL DEFAULT '',
  targets TEXT NOT NULL DEFAULT '',
  evidence TEXT NOT NULL DEFAULT '',
  languages TEXT NOT NULL,
  year INTEGER,
  published_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
INSERT INTO knowledge_items_next SELECT * FROM knowledge_items;
DROP TABLE knowledge_items;
ALTER TABLE knowledge_items_next RENAME TO knowledge_items;
CREATE INDEX knowledge_items_author ON knowledge_items(author_id);
CREATE INDEX knowledge_items_search ON knowledge_items(updated_at, status, type, evidence,
  languages, year, countries, areas, targets, owner_country, organisation_id, author_id);

CREATE TABLE knowledge_translations_next (
  item_id INTEGER NOT NULL REFERENCES knowledge_items(id) ON DELETE CASCADE,
  language TEXT NOT NULL CHECK (language IN ('en', 'fr', 'pt', 'es', 'ar')),
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  PRIMARY KEY (item_id, language)
) STRICT;
INSERT INTO knowledge_translations_next SELECT * FROM knowledge_translations;
DROP TABLE knowledge_translations;
ALTER TABLE knowledge_translations_next RENAME TO knowledge_translations;
