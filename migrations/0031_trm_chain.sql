-- Referrals routed through focal points, documents exchanged on a referral, and key rotation
-- (docs/trm.md).
--
-- A received offer may be forwarded to another instance (a hop of its own, whose parent is the
-- offer received) or handed to a provider organisation of this instance (the last hop, with its
-- own state). Each instance reports the route beyond its hop back to the one before it, so the
-- sender sees every hop: chain holds that route as JSON (instance names, countries and states,
-- nothing about the person), chain_at when it was reported (an older report never replaces a
-- newer one).
CREATE TABLE trm_referrals_next (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
  peer_id INTEGER NOT NULL REFERENCES trm_peers(id),
  offer_id TEXT NOT NULL UNIQUE,
  case_id INTEGER REFERENCES cases(id),
  state TEXT NOT NULL CHECK (state IN ('sent', 'delivered', 'accepted', 'declined',
    'forwarded', 'in_service', 'completed', 'discontinued', 'withdrawn')),
  reason TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  payload_enc BLOB,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  parent_id INTEGER REFERENCES trm_referrals_next(id),
  provider_org INTEGER REFERENCES organisations(id),
  provider_state TEXT NOT NULL DEFAULT '' CHECK (provider_state IN ('', 'assigned', 'accepted',
    'declined')),
  chain TEXT NOT NULL DEFAULT '[]',
  chain_at TEXT NOT NULL DEFAULT '',
  CHECK (direction = 'in' OR case_id IS NOT NULL OR parent_id IS NOT NULL)
) STRICT;
INSERT INTO trm_referrals_next(id, direction, peer_id, offer_id, case_id, state, reason,
  legal_basis, payload_enc, created_at, updated_at)
  SELECT id, direction, peer_id, offer_id, case_id, state, reason, legal_basis, payload_enc,
  created_at, updated_at FROM trm_referrals;
DROP TABLE trm_referrals;
ALTER TABLE trm_referrals_next RENAME TO trm_referrals;
CREATE INDEX trm_referrals_parent ON trm_referrals(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX trm_referrals_provider ON trm_referrals(provider_org)
  WHERE provider_org IS NOT NULL;

-- Documents of a referral, both ways: the return handover and its confirmation (SOP 4), and the
-- ECOWAS child procedure (family tracing request and result, return preparation, reintegration
-- follow-up reports). The body is personal data: encrypted, purged with the referral.
CREATE TABLE trm_documents (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES trm_referrals(id),
  direction TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
  type TEXT NOT NULL,
  message_id TEXT NOT NULL UNIQUE,
  body_enc BLOB,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX trm_documents_referral ON trm_documents(referral_id);

-- Key rotation: an instance keeps its previous encryption key for the messages already sealed to
-- it, and its peers accept the previous signing key, for as long as a message lives (14 days).
ALTER TABLE trm_identity ADD COLUMN prev_box_pk BLOB;
ALTER TABLE trm_identity ADD COLUMN prev_box_sk_enc BLOB;
ALTER TABLE trm_identity ADD COLUMN prev_until TEXT NOT NULL DEFAULT '';
ALTER TABLE trm_peers ADD COLUMN prev_sign_pk BLOB;
ALTER TABLE trm_peers ADD COLUMN prev_until TEXT NOT NULL DEFAULT '';

-- A peer's messages leave in order: the oldest pending one first (src/trm/outbox.c).
CREATE INDEX trm_outbox_peer_pending ON trm_outbox(peer_id, id) WHERE state = 'pending';
