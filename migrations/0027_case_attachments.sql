-- Attachments of a case (a scanned document, a medical certificate, a photo of a contract):
-- each file sealed on disk under a key of its own (secretstream), that key encrypted here
-- under (case_attachments, file_key, id) like any personal field; the file's name can identify
-- and is encrypted too. The kind is decided from the bytes. Removing an attachment deletes the
-- file and keeps the row (who removed it, when) for the audit.
CREATE TABLE case_attachments (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  stored_name TEXT NOT NULL UNIQUE,
  media_type TEXT NOT NULL,
  extension TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  filename_enc BLOB,
  file_key_enc BLOB,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  removed_by INTEGER REFERENCES users(id),
  removed_at TEXT
) STRICT;
CREATE INDEX case_attachments_case ON case_attachments(case_id, id);
