-- Cases feed the observatory: each case is one de-identified record, derived in the same
-- transaction as every change of the case (triggers), so the statistics never lag behind the
-- case files and nothing is lost when a process dies. Nothing identifying is copied: the
-- year of registration, gender, age band (from the birth date at registration, or the
-- estimated age), majority, the first citizenship, the types of exploitation and the latest
-- victim status. The case file does not record trafficking events yet, so the country of
-- exploitation is missing. The record's key is 'case:' and the case number: it is replaced,
-- never duplicated.
CREATE VIEW obs_case_records AS
SELECT id AS case_id, organisation_id AS provider_id,
  CAST('case:' || id AS BLOB) AS row_key,
  CAST(substr(created_at, 1, 4) AS INTEGER) AS year,
  CASE gender WHEN 'Feminine' THEN 'female' WHEN 'Masculine' THEN 'male'
    WHEN 'NonSpecifiedUnknown' THEN NULL ELSE 'transgender_nonconforming' END AS gender,
  CASE WHEN age IS NULL THEN NULL WHEN age <= 8 THEN '0--8' WHEN age <= 17 THEN '9--17'
    WHEN age <= 20 THEN '18--20' WHEN age <= 23 THEN '21--23' WHEN age <= 26 THEN '24--26'
    WHEN age <= 29 THEN '27--29' WHEN age <= 38 THEN '30--38' WHEN age <= 47 THEN '39--47'
    ELSE '48+' END AS age_band,
  CASE WHEN age IS NULL THEN NULL WHEN age < 18 THEN 'minor' ELSE 'adult' END AS majority,
  nullif(substr(citizenship, 1, 2), '') AS citizenship,
  rtrim(
    CASE WHEN instr(e, ',ForcedLabour,') OR instr(e, ',ChildLabour,') OR instr(e, ',ForcedBegging,')
      THEN 'forced_labour,' ELSE '' END ||
    CASE WHEN instr(e, ',SexualExploitation,') THEN 'sexual_exploitation,' ELSE '' END ||
    CASE WHEN instr(e, ',Other,') OR instr(e, ',ForcedAdoption,') OR instr(e, ',ForcedCriminality,')
      THEN 'other,' ELSE '' END ||
    CASE WHEN instr(e, ',ForcedMarriage,') THEN 'forced_marriage,' ELSE '' END ||
    CASE WHEN instr(e, ',ForcedMilitaryByNonStateActors,') THEN 'forced_military,' ELSE '' END ||
    CASE WHEN instr(e, ',OrganRemoval,') THEN 'organ_removal,' ELSE '' END ||
    CASE WHEN instr(e, ',Servitude,') THEN 'slavery_and_practices,' ELSE '' END, ',')
    AS exploitation,
  e <> ',,' AS exploitation_known,
  coalesce((SELECT d.status FROM status_decisions d WHERE d.case_id = c.id
            ORDER BY d.id DESC LIMIT 1),
    CASE trafficking_status WHEN 'ActualVictimOfTrafficking' THEN 'confirmed'
      WHEN 'NotAVictimOfTrafficking' THEN 'not_confirmed' ELSE 'presumed' END) AS status
FROM (SELECT *, ',' || exploitation || ',' AS e,
        CASE WHEN birthdate GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
          THEN CAST(substr(created_at, 1, 4) AS INTEGER) - CAST(substr(birthdate, 1, 4) AS INTEGER)
               - (substr(created_at, 6, 5) < substr(birthdate, 6, 5))
          ELSE estimated_age END AS age
      FROM cases) c;

CREATE TRIGGER obs_case_inserted AFTER INSERT ON cases BEGIN
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, exploitation, exploitation_known, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, exploitation, exploitation_known, status, NEW.updated_at
  FROM obs_case_records WHERE case_id = NEW.id;
END;

CREATE TRIGGER obs_case_updated AFTER UPDATE ON cases BEGIN
  DELETE FROM obs_records WHERE row_key = CAST('case:' || NEW.id AS BLOB);
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, exploitation, exploitation_known, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, exploitation, exploitation_known, status, NEW.updated_at
  FROM obs_case_records WHERE case_id = NEW.id;
END;

CREATE TRIGGER obs_case_status AFTER INSERT ON status_decisions BEGIN
  UPDATE obs_records SET status = NEW.status
  WHERE row_key = CAST('case:' || NEW.case_id AS BLOB);
END;

-- The cases that exist already.
INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
  citizenship, exploitation, exploitation_known, status, created_at)
SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority, citizenship,
  exploitation, exploitation_known, status, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM obs_case_records;
