-- The knowledge search on PostgreSQL (migrations/pg/0052_knowledge_tsvector.sql): a tsvector
-- column and its index, with the unaccent extension and a text search configuration per
-- language. SQLite's search is the FTS5 table of 0007 and needs nothing new: this version
-- changes nothing here, so that both stores stay at the same number.
SELECT 1;
