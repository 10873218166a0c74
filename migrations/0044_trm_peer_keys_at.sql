-- When a peer's current keys were registered (ponte peer add, the peers page), announced (its
-- key rotation) or renewed by hand after a phone call: the peers page shows their age.
ALTER TABLE trm_peers ADD COLUMN keys_at TEXT NOT NULL DEFAULT '';
UPDATE trm_peers SET keys_at = added_at;
