-- Observatory analysts import files on behalf of the data providers of their country (the
-- observatory receives police and NGO data by mail as often as through the providers' own
-- accounts); providers keep importing for their own organisation only.
INSERT INTO role_permissions(role_id, permission, scope) VALUES (7, 'obs.submit', 'country');
