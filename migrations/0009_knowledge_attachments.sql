-- Files attached to knowledge items (evaluations, the text of a law, a judgment, a manual).
-- The file itself is kept under <database>.files/knowledge/<stored_name>; its kind was decided
-- from its content (files/files.c), and media_type is what downloads are served as.
CREATE TABLE knowledge_attachments (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES knowledge_items(id) ON DELETE CASCADE,
  filename TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  stored_name TEXT NOT NULL UNIQUE CHECK (length(stored_name) = 32),
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX knowledge_attachments_item ON knowledge_attachments(item_id, id);
