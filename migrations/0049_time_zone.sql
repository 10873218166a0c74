-- The installation's time zone, in which pages show dates and times (a name of the system's tz
-- database, e.g. Africa/Niamey): ponte settings set --name time_zone --value Africa/Niamey, or
-- the administrator's /admin/settings page. Stored times stay UTC.
INSERT INTO settings(key, value) VALUES ('time_zone', 'UTC');
