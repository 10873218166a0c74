-- The knowledge platform: good practices, legislation, case law and manuals, with a
-- draft → review → published → archived workflow, every version kept, translations of the
-- title and summary, and full-text search. None of it is personal data: case-law parties
-- appear by initials only (checked on write).
CREATE TABLE knowledge_items (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('practice', 'legislation', 'caselaw', 'manual')),
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'review', 'published', 'archived')),
  version INTEGER NOT NULL DEFAULT 1,
  language TEXT NOT NULL CHECK (language IN ('en', 'fr', 'pt')),
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
CREATE INDEX knowledge_items_status ON knowledge_items(status, published_at);
CREATE INDEX knowledge_items_author ON knowledge_items(author_id);

CREATE TABLE knowledge_translations (
  item_id INTEGER NOT NULL REFERENCES knowledge_items(id) ON DELETE CASCADE,
  language TEXT NOT NULL CHECK (language IN ('en', 'fr', 'pt')),
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  PRIMARY KEY (item_id, language)
) STRICT;

-- Every version of an item as it was saved (the JSON the API answers), for history and diff.
CREATE TABLE knowledge_versions (
  item_id INTEGER NOT NULL REFERENCES knowledge_items(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (item_id, version)
) STRICT;

-- Full-text search, rowid = item id. Accent- and case-insensitive; `extra` holds the
-- translations and the searchable type-specific fields.
CREATE VIRTUAL TABLE knowledge_fts USING fts5(
  title, summary, body, extra, tokenize = 'unicode61 remove_diacritics 2');

INSERT INTO roles(id, code, name, builtin, requires_2fa) VALUES
  (11, 'knowledge_reviewer', 'Knowledge reviewer', 1, 0);

-- Authors write drafts; reviewers publish and archive. Every signed-in user reads what is
-- published.
INSERT INTO role_permissions(role_id, permission, scope) VALUES
  (1, 'knowledge.write', 'all'), (1, 'knowledge.review', 'all'),
  (2, 'knowledge.write', 'country'), (4, 'knowledge.write', 'own'),
  (5, 'knowledge.write', 'own'), (6, 'knowledge.write', 'own'),
  (7, 'knowledge.write', 'own'), (10, 'knowledge.write', 'own'),
  (11, 'user.read', 'own'), (11, 'knowledge.write', 'all'), (11, 'knowledge.review', 'all');

INSERT INTO settings(key, value) VALUES
  ('knowledge_public_read', '0'), ('knowledge_self_publish', '0');
