-- A case's name is found by its name keys (case_name_keys, 0042; docs/cases.md), which find
-- any part of a name however it is spelled. The blind index of the whole normalised name
-- (0004's name_index and its index cases_name) found only the exact full name and no search
-- has read it since: it goes, and with it one more keyed digest of each person's name.
-- Both stores read this file (PostgreSQL drops the index with the column anyway).
DROP INDEX IF EXISTS cases_name;
ALTER TABLE cases DROP COLUMN name_index;
