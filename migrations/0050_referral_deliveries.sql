-- Services a provider delivered to the person during a referral (docs/referrals.md): the day,
-- what was given (a code of referral_delivery_types()), a note in words (encrypted under the
-- row's id, registered for key rotation), who recorded it and when. Written by the receiving
-- organisation's staff while the referral is accepted or in service.
CREATE TABLE referral_deliveries (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL REFERENCES referrals(id),
  delivered_on TEXT NOT NULL,
  type TEXT NOT NULL,
  note_enc BLOB,
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX referral_deliveries_referral ON referral_deliveries(referral_id, delivered_on);
