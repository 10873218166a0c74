-- PostgreSQL's 0052 (docs/store.md, docs/knowledge.md "Search"): the knowledge search reads a
-- tsvector kept beside the text in knowledge_fts, under a GIN index, instead of SQLite's FTS5.
--
-- unaccent is a trusted extension (PostgreSQL 13 and later): the database's owner, or any
-- role with CREATE on the database, creates it without being superuser. Where Ponte's role
-- has neither, an administrator runs `CREATE EXTENSION unaccent` once beforehand, in a schema
-- on Ponte's search_path, and this line finds it there.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Stemmers without stop words: a word the reader typed is never dropped from the query
-- ("de", "the" stay words to find, as in SQLite), and a word is never missing from the index.
CREATE TEXT SEARCH DICTIONARY ponte_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH DICTIONARY ponte_french_stem (TEMPLATE = snowball, Language = french);
CREATE TEXT SEARCH DICTIONARY ponte_portuguese_stem (TEMPLATE = snowball, Language = portuguese);
CREATE TEXT SEARCH DICTIONARY ponte_spanish_stem (TEMPLATE = snowball, Language = spanish);

-- One configuration per language: accents off (unaccent, a filtering dictionary), then the
-- language's stemmer, which also lowers the case. Arabic (folded in C before it is written or
-- searched: kn_fold_arabic) and every word as typed use ponte_simple: accents and case off,
-- no stemming, what SQLite's unicode61 remove_diacritics 2 does.
CREATE TEXT SEARCH CONFIGURATION ponte_simple (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION ponte_simple
  ALTER MAPPING FOR word, hword, hword_part, asciiword, asciihword, hword_asciipart
  WITH unaccent, simple;
CREATE TEXT SEARCH CONFIGURATION ponte_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION ponte_english
  ALTER MAPPING FOR word, hword, hword_part, asciiword, asciihword, hword_asciipart
  WITH unaccent, ponte_english_stem;
CREATE TEXT SEARCH CONFIGURATION ponte_french (COPY = french);
ALTER TEXT SEARCH CONFIGURATION ponte_french
  ALTER MAPPING FOR word, hword, hword_part, asciiword, asciihword, hword_asciipart
  WITH unaccent, ponte_french_stem;
CREATE TEXT SEARCH CONFIGURATION ponte_portuguese (COPY = portuguese);
ALTER TEXT SEARCH CONFIGURATION ponte_portuguese
  ALTER MAPPING FOR word, hword, hword_part, asciiword, asciihword, hword_asciipart
  WITH unaccent, ponte_portuguese_stem;
CREATE TEXT SEARCH CONFIGURATION ponte_spanish (COPY = spanish);
ALTER TEXT SEARCH CONFIGURATION ponte_spanish
  ALTER MAPPING FOR word, hword, hword_part, asciiword, asciihword, hword_asciipart
  WITH unaccent, ponte_spanish_stem;

-- The configuration of an item's or a translation's language.
CREATE FUNCTION knowledge_search_config(language text) RETURNS regconfig
LANGUAGE sql STABLE AS $$
  SELECT CAST(CASE language WHEN 'en' THEN 'ponte_english' WHEN 'fr' THEN 'ponte_french'
    WHEN 'pt' THEN 'ponte_portuguese' WHEN 'es' THEN 'ponte_spanish'
    ELSE 'ponte_simple' END AS regconfig)
$$;

-- What an item's row of the index holds: every word as written (ponte_simple, matched as a
-- prefix) and its stem in the item's language (matched whole), weighed as SQLite's bm25
-- weighs the columns: title A, summary B, translations and details C, body D. The text given
-- is as written to knowledge_fts (Arabic folded); the translations, already in `extra` as
-- written, are stemmed again in their own language, read from knowledge_translations (the
-- module writes them before the index).
CREATE FUNCTION knowledge_translation_text(item bigint, lang text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT t.title || ' ' || t.summary FROM knowledge_translations t
                   WHERE t.item_id = item AND t.language = lang), '')
$$;
CREATE FUNCTION knowledge_search_vector(item bigint, language text, title text, summary text,
                                        body text, extra text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('ponte_simple', title)
                   || to_tsvector(knowledge_search_config(language), title), 'A')
      || setweight(to_tsvector('ponte_simple', summary)
                   || to_tsvector(knowledge_search_config(language), summary), 'B')
      || setweight(to_tsvector('ponte_simple', extra)
                   || to_tsvector(knowledge_search_config(language), extra)
                   || to_tsvector('ponte_english', knowledge_translation_text(item, 'en'))
                   || to_tsvector('ponte_french', knowledge_translation_text(item, 'fr'))
                   || to_tsvector('ponte_portuguese', knowledge_translation_text(item, 'pt'))
                   || to_tsvector('ponte_spanish', knowledge_translation_text(item, 'es')), 'C')
      || setweight(to_tsvector('ponte_simple', body)
                   || to_tsvector(knowledge_search_config(language), body), 'D')
$$;

-- The column, filled for the items already there, and its index. (After `ponte db copy`
-- the knowledge module writes every row again: kn_reindex.)
ALTER TABLE knowledge_fts ADD COLUMN search tsvector;
UPDATE knowledge_fts f SET search = knowledge_search_vector(f.rowid, k.language, f.title,
  f.summary, f.body, f.extra) FROM knowledge_items k WHERE k.id = f.rowid;
CREATE INDEX knowledge_fts_search ON knowledge_fts USING gin (search);
