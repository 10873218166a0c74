-- Transnational referrals follow the service after acceptance: in service, then completed (with
-- feedback to the sender) or discontinued. An offer not answered within the country's
-- trm_answer_days is flagged to the sender's focal points.
CREATE TABLE trm_referrals_next (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
  peer_id INTEGER NOT NULL REFERENCES trm_peers(id),
  offer_id TEXT NOT NULL UNIQUE,
  case_id INTEGER REFERENCES cases(id),
  state TEXT NOT NULL CHECK (state IN ('sent', 'delivered', 'accepted', 'declined',
    'in_service', 'completed', 'discontinued', 'withdrawn')),
  reason TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  payload_enc BLOB,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (direction = 'in' OR case_id IS NOT NULL)
) STRICT;
INSERT INTO trm_referrals_next SELECT * FROM trm_referrals;
DROP TABLE trm_referrals;
ALTER TABLE trm_referrals_next RENAME TO trm_referrals;

INSERT INTO country_rules(country, rule, value) VALUES ('ZZ', 'trm_answer_days', 7);
