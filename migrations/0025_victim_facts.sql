-- Trafficking facts of the victim (HTCDS vic_*): methods of control and of recruitment (several
-- codes each), relationship to the trafficker, the labour sector of forced labour (ISIC
-- sections), and whether the person was also a smuggled migrant (NULL: not known). They reach
-- the observatory's record of the case as CTDC codes, with the country of exploitation.
ALTER TABLE cases ADD COLUMN control TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN recruitment TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN relationship TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN labour_sector TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN smuggled INTEGER CHECK (smuggled IS NULL OR smuggled IN (0, 1));

DROP VIEW obs_case_records;
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
  (SELECT t.country FROM trafficking_events t WHERE t.case_id = c.id AND t.type = 'Exploitation'
   ORDER BY t.event_on DESC, t.id DESC LIMIT 1) AS country_of_exploitation,
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
  rtrim(
    CASE WHEN instr(m, ',DebtBondage,') THEN 'debt_bondage,' ELSE '' END ||
    CASE WHEN instr(m, ',TakesEarnings,') THEN 'takes_earnings,' ELSE '' END ||
    CASE WHEN instr(m, ',RestrictsFinancialAccess,') THEN 'restricts_financial_access,' ELSE '' END ||
    CASE WHEN instr(m, ',PhysicalThreats,') OR instr(m, ',ThreatensChildrenFamily,') THEN 'threats,' ELSE '' END ||
    CASE WHEN instr(m, ',PsychologicalAbuse,') THEN 'psychological_abuse,' ELSE '' END ||
    CASE WHEN instr(m, ',PhysicalAbuse,') THEN 'physical_abuse,' ELSE '' END ||
    CASE WHEN instr(m, ',SexualAbuse,') THEN 'sexual_abuse,' ELSE '' END ||
    CASE WHEN instr(m, ',FalsePromises,') THEN 'false_promises,' ELSE '' END ||
    CASE WHEN instr(m, ',PsychoactiveSubstance,') THEN 'psychoactive_substances,' ELSE '' END ||
    CASE WHEN instr(m, ',RestrictsMedicalCare,') THEN 'restricts_medical_care,' ELSE '' END ||
    CASE WHEN instr(m, ',ExcessiveWorkingHours,') THEN 'excessive_working_hours,' ELSE '' END ||
    CASE WHEN instr(m, ',ThreatsLawEnforcement,') THEN 'threat_of_law_enforcement,' ELSE '' END ||
    CASE WHEN instr(m, ',WithholdsNecessities,') THEN 'withholds_necessities,' ELSE '' END ||
    CASE WHEN instr(m, ',WithholdsDocuments,') THEN 'withholds_documents,' ELSE '' END ||
    CASE WHEN instr(m, ',Other,') THEN 'other,' ELSE '' END, ',') AS control,
  m <> ',,' AS control_known,
  CASE substr(labour_sector, 1, 1) WHEN 'A' THEN 'agriculture' WHEN 'B' THEN 'mining_or_drilling'
    WHEN 'C' THEN 'manufacturing' WHEN 'F' THEN 'construction' WHEN 'G' THEN 'peddling'
    WHEN 'H' THEN 'transportation' WHEN 'I' THEN 'hospitality' WHEN 'T' THEN 'domestic_work'
    WHEN '' THEN '' ELSE 'other' END AS labour_sector,
  CASE relationship WHEN 'Familial' THEN 'family' WHEN 'Acquainted' THEN 'friend'
    WHEN 'Unaquainted' THEN 'other' ELSE '' END AS recruiter_relation,
  coalesce((SELECT d.status FROM status_decisions d WHERE d.case_id = c.id
            ORDER BY d.id DESC LIMIT 1),
    CASE trafficking_status WHEN 'ActualVictimOfTrafficking' THEN 'confirmed'
      WHEN 'NotAVictimOfTrafficking' THEN 'not_confirmed' ELSE 'presumed' END) AS status
FROM (SELECT *, ',' || exploitation || ',' AS e, ',' || control || ',' AS m,
        CASE WHEN birthdate GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
          THEN CAST(substr(created_at, 1, 4) AS INTEGER) - CAST(substr(birthdate, 1, 4) AS INTEGER)
               - (substr(created_at, 6, 5) < substr(birthdate, 6, 5))
          ELSE estimated_age END AS age
      FROM cases) c;

DROP TRIGGER obs_case_inserted;
CREATE TRIGGER obs_case_inserted AFTER INSERT ON cases BEGIN
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, control, control_known,
    labour_sector, recruiter_relation, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, control, control_known,
    labour_sector, recruiter_relation, status,
    NEW.updated_at
  FROM obs_case_records WHERE case_id = NEW.id;
END;
DROP TRIGGER obs_case_updated;
CREATE TRIGGER obs_case_updated AFTER UPDATE ON cases BEGIN
  DELETE FROM obs_records WHERE row_key = CAST('case:' || NEW.id AS BLOB);
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, control, control_known,
    labour_sector, recruiter_relation, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, control, control_known,
    labour_sector, recruiter_relation, status,
    NEW.updated_at
  FROM obs_case_records WHERE case_id = NEW.id;
END;
DROP TRIGGER obs_case_status;
CREATE TRIGGER obs_case_status AFTER INSERT ON status_decisions BEGIN
  DELETE FROM obs_records WHERE row_key = CAST('case:' || NEW.case_id AS BLOB);
  INSERT INTO obs_records(provider_id, row_key, year, source, gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, control, control_known,
    labour_sector, recruiter_relation, status, created_at)
  SELECT provider_id, row_key, year, 'case_management', gender, age_band, majority,
    citizenship, country_of_exploitation, exploitation, exploitation_known, control, control_known,
    labour_sector, recruiter_relation, status,
    NEW.created_at
  FROM obs_case_records WHERE case_id = NEW.case_id;
END;
