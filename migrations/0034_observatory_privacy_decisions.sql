-- Changes of the privacy budget of a provider's records: an administrator's decision, kept
-- with who took it, when, why, and the budget before and after. Append-only like the ledger
-- of what releases spent, and the only way a budget changes: a budget row must match the
-- latest change of its provider.
CREATE TABLE obs_privacy_budget_changes (
  id INTEGER PRIMARY KEY,
  provider_id INTEGER NOT NULL REFERENCES organisations(id),
  epsilon_before REAL NOT NULL,
  epsilon REAL NOT NULL CHECK (epsilon > 0),
  reason TEXT NOT NULL CHECK (length(reason) BETWEEN 10 AND 500),
  changed_by INTEGER NOT NULL REFERENCES users(id),
  changed_at TEXT NOT NULL
) STRICT;
CREATE INDEX obs_privacy_budget_changes_provider ON obs_privacy_budget_changes(provider_id, id);
CREATE TRIGGER obs_privacy_budget_changes_immutable BEFORE UPDATE ON obs_privacy_budget_changes
BEGIN SELECT RAISE(ABORT, 'a change of a privacy budget is kept as it was made'); END;
CREATE TRIGGER obs_privacy_budget_changes_kept BEFORE DELETE ON obs_privacy_budget_changes
BEGIN SELECT RAISE(ABORT, 'a change of a privacy budget is kept as it was made'); END;

CREATE TRIGGER obs_privacy_budget_set BEFORE INSERT ON obs_privacy_budgets
WHEN NOT EXISTS (SELECT 1 FROM obs_privacy_budget_changes c
                 WHERE c.provider_id = NEW.provider_id AND c.epsilon = NEW.epsilon
                   AND c.id = (SELECT max(id) FROM obs_privacy_budget_changes
                               WHERE provider_id = NEW.provider_id))
BEGIN SELECT RAISE(ABORT, 'a privacy budget changes only with a recorded decision'); END;
CREATE TRIGGER obs_privacy_budget_changed BEFORE UPDATE ON obs_privacy_budgets
WHEN NOT EXISTS (SELECT 1 FROM obs_privacy_budget_changes c
                 WHERE c.provider_id = NEW.provider_id AND c.epsilon = NEW.epsilon
                   AND c.id = (SELECT max(id) FROM obs_privacy_budget_changes
                               WHERE provider_id = NEW.provider_id))
BEGIN SELECT RAISE(ABORT, 'a privacy budget changes only with a recorded decision'); END;
CREATE TRIGGER obs_privacy_budget_kept BEFORE DELETE ON obs_privacy_budgets
BEGIN SELECT RAISE(ABORT, 'a privacy budget changes only with a recorded decision'); END;

-- Raising or lowering a budget is an administrator's decision.
INSERT INTO role_permissions(role_id, permission, scope) VALUES (1, 'obs.budget', 'all');

-- DP-only mode: 1 publishes no count of the records but by differentially private releases.
INSERT INTO settings(key, value) VALUES ('obs_dp_only', '0');
