-- The focal-point directory. Institutions (organisations) hold a focal-point function for a
-- mandate; persons hold the function for a period, so the channel survives their rotation.
CREATE TABLE focal_points (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  mandate TEXT NOT NULL CHECK (mandate IN
    ('thb', 'smuggling', 'child_protection', 'judicial_cooperation', 'observatory')),
  country TEXT NOT NULL REFERENCES countries(code),
  languages TEXT NOT NULL DEFAULT '',
  mailbox TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  instance_url TEXT NOT NULL DEFAULT '',
  verified_on TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (organisation_id, mandate)
) STRICT;
CREATE INDEX focal_points_country ON focal_points(country, mandate);

-- The person's name is personal data: encrypted, bound to focal_point_holders.name.<id>.
CREATE TABLE focal_point_holders (
  id INTEGER PRIMARY KEY,
  focal_point_id INTEGER NOT NULL REFERENCES focal_points(id) ON DELETE CASCADE,
  name_enc BLOB NOT NULL,
  position TEXT NOT NULL DEFAULT '',
  started_on TEXT NOT NULL,
  ended_on TEXT,
  CHECK (ended_on IS NULL OR ended_on >= started_on)
) STRICT;
CREATE INDEX focal_point_holders_fp ON focal_point_holders(focal_point_id, started_on);

INSERT INTO role_permissions(role_id, permission, scope) VALUES
  (1, 'directory.manage', 'all'), (2, 'directory.manage', 'country');
