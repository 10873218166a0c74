-- An offer across borders remembers the consent it was made under, so that withdrawing the
-- consent withdraws it (and every copy along its route). Offers made before this migration are
-- given their case's transnational-referral consent when the case has only one; the others keep
-- NULL and are withdrawn with any transnational-referral consent of their case.
ALTER TABLE trm_referrals ADD COLUMN consent_id INTEGER REFERENCES consents(id);
UPDATE trm_referrals SET consent_id = (SELECT min(c.id) FROM consents c
  WHERE c.case_id = trm_referrals.case_id AND c.purpose = 'transnational_referral')
  WHERE direction = 'out' AND case_id IS NOT NULL AND (SELECT count(*) FROM consents c
  WHERE c.case_id = trm_referrals.case_id AND c.purpose = 'transnational_referral') = 1;
CREATE INDEX trm_referrals_case ON trm_referrals(case_id) WHERE case_id IS NOT NULL;
