-- The threshold of the observatory's published counts (docs/observatory.md, "The threshold and
-- the labels"): a perturbed count below it is withheld on every page, download, API answer,
-- indicator and release of tables. It was read with a default of 5 but could not be set.
INSERT INTO settings(key, value) VALUES ('obs_min_count', '5');
