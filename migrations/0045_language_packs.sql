-- Language packs loaded at run time (issue #19, docs/i18n.md "Language packs"): the words of
-- a language Ponte does not ship (Hausa, Wolof...) or an instance's own words over a shipped
-- catalogue. Each load is a version, kept whole; a roll-back is a new version with an earlier
-- one's words, a withdrawal a version without any. The current version of a language is its
-- highest. Owned by i18n/ (pack_store.c); who loaded it is a user id (NULL: the command
-- line), the audit trail has the rest.
CREATE TABLE language_packs (
  id INTEGER PRIMARY KEY,
  lang TEXT NOT NULL CHECK (lang GLOB '[a-z][a-z]' OR lang GLOB '[a-z][a-z][a-z]'),
  version INTEGER NOT NULL CHECK (version >= 1),
  name TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('ltr', 'rtl')),
  plural_forms TEXT NOT NULL,
  po TEXT NOT NULL,
  entries INTEGER NOT NULL CHECK (entries >= 0),
  action TEXT NOT NULL CHECK (action IN ('load', 'rollback', 'withdraw')),
  rolled_back_to INTEGER,
  loaded_by INTEGER,
  loaded_at TEXT NOT NULL,
  UNIQUE (lang, version)
) STRICT;

-- The language a pack's missing words come from before English (a shipped language's code:
-- 'fr' for an instance in Niger); 'en': none.
INSERT INTO settings(key, value) VALUES ('second_language', 'en');
