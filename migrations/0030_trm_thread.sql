-- The outbox keeps what each message answers, so that a referral's page can show every
-- message of its hop in order, sent and received, with its delivery.
ALTER TABLE trm_outbox ADD COLUMN in_reply_to TEXT NOT NULL DEFAULT '';
CREATE INDEX trm_outbox_reply ON trm_outbox(in_reply_to) WHERE in_reply_to <> '';
CREATE INDEX trm_inbox_reply ON trm_inbox(in_reply_to) WHERE in_reply_to <> '';
