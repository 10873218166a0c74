-- Transnational referral (docs/trm.md): this instance's identity, the peers it trusts, and the
-- messages it sends and receives. Channels belong to instances, never to persons.
--
-- The identity: one row. Private keys are encrypted fields (trm_identity.sign_sk / box_sk, row
-- 1) under the data keys, which the master key wraps: protected like every personal field.
CREATE TABLE trm_identity (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  instance_id TEXT NOT NULL,
  url TEXT NOT NULL DEFAULT '',
  sign_pk BLOB NOT NULL,
  box_pk BLOB NOT NULL,
  sign_sk_enc BLOB NOT NULL,
  box_sk_enc BLOB NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

-- Peers are registered only when the fingerprint read over the phone matches their keys.
CREATE TABLE trm_peers (
  id INTEGER PRIMARY KEY,
  instance_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  country TEXT NOT NULL REFERENCES countries(code),
  url TEXT NOT NULL,
  sign_pk BLOB NOT NULL,
  box_pk BLOB NOT NULL,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked')),
  added_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;

-- The outbox: written in the same transaction as the change that causes the message, then
-- delivered by the sender of `ponte serve` with back-off until acknowledged or expired. The
-- body is the sealed envelope as sent on the wire (nothing readable here but the addressing).
CREATE TABLE trm_outbox (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  peer_id INTEGER NOT NULL REFERENCES trm_peers(id),
  type TEXT NOT NULL,
  body BLOB NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  delivered_at TEXT
) STRICT;
CREATE INDEX trm_outbox_due ON trm_outbox(next_attempt_at) WHERE state = 'pending';

-- The inbox: every message applied, once. A message id seen again is acknowledged and ignored.
CREATE TABLE trm_inbox (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  peer_id INTEGER NOT NULL REFERENCES trm_peers(id),
  type TEXT NOT NULL,
  in_reply_to TEXT NOT NULL DEFAULT '',
  received_at TEXT NOT NULL
) STRICT;

-- Who receives inbound referrals: a role, by default the national focal point's.
INSERT INTO settings(key, value) VALUES ('trm_inbound_role', 'national_focal_point')
  ON CONFLICT(key) DO NOTHING;

-- Referrals across borders, one row per hop as this instance sees it: 'out' offers this
-- instance sent (from a case), 'in' offers it received (the minimised case data, encrypted,
-- until the consent is withdrawn and it is purged).
CREATE TABLE trm_referrals (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
  peer_id INTEGER NOT NULL REFERENCES trm_peers(id),
  offer_id TEXT NOT NULL UNIQUE,
  case_id INTEGER REFERENCES cases(id),
  state TEXT NOT NULL CHECK (state IN ('sent', 'delivered', 'accepted', 'declined',
    'withdrawn')),
  reason TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  payload_enc BLOB,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (direction = 'in' OR case_id IS NOT NULL)
) STRICT;
