-- Lists are read newest first within a scope: one index per scope, in that order.
CREATE INDEX cases_org_updated ON cases(organisation_id, updated_at);
CREATE INDEX cases_country_updated ON cases(country, updated_at);
CREATE INDEX cases_owner_updated ON cases(owner_id, updated_at);
DROP INDEX cases_owner;
