-- Estimates of the number of victims of a country and year (from surveys or models), against
-- which identified victims are compared: the identification ratio.
CREATE TABLE obs_estimates (
  country TEXT NOT NULL REFERENCES countries(code),
  year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2100),
  estimate INTEGER NOT NULL CHECK (estimate > 0),
  source TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (country, year)
) STRICT;
