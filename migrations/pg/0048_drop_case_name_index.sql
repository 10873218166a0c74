-- PostgreSQL's 0048 (docs/store.md): the observatory's view over the cases reads them with
-- SELECT *, which PostgreSQL expands when the view is made, so the view holds on to
-- name_index; it is dropped, the column goes, and the view is made again as the baseline made
-- it (the same columns: obs_case_record(), which reads it, is unchanged).
DROP VIEW obs_case_records;
DROP INDEX IF EXISTS cases_name;
ALTER TABLE cases DROP COLUMN name_index;
CREATE VIEW obs_case_records AS
SELECT id AS case_id, organisation_id AS provider_id,
  convert_to('case:' || id, 'UTF8') AS row_key,
  CAST(substr(created_at, 1, 4) AS bigint) AS year,
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
    CASE WHEN strpos(e, ',ForcedLabour,') > 0 OR strpos(e, ',ChildLabour,') > 0 OR strpos(e, ',ForcedBegging,') > 0
      THEN 'forced_labour,' ELSE '' END ||
    CASE WHEN strpos(e, ',SexualExploitation,') > 0 THEN 'sexual_exploitation,' ELSE '' END ||
    CASE WHEN strpos(e, ',Other,') > 0 OR strpos(e, ',ForcedAdoption,') > 0 OR strpos(e, ',ForcedCriminality,') > 0
      THEN 'other,' ELSE '' END ||
    CASE WHEN strpos(e, ',ForcedMarriage,') > 0 THEN 'forced_marriage,' ELSE '' END ||
    CASE WHEN strpos(e, ',ForcedMilitaryByNonStateActors,') > 0 THEN 'forced_military,' ELSE '' END ||
    CASE WHEN strpos(e, ',OrganRemoval,') > 0 THEN 'organ_removal,' ELSE '' END ||
    CASE WHEN strpos(e, ',Servitude,') > 0 THEN 'slavery_and_practices,' ELSE '' END, ',')
    AS exploitation,
  (e <> ',,')::int AS exploitation_known,
  rtrim(
    CASE WHEN strpos(m, ',DebtBondage,') > 0 THEN 'debt_bondage,' ELSE '' END ||
    CASE WHEN strpos(m, ',TakesEarnings,') > 0 THEN 'takes_earnings,' ELSE '' END ||
    CASE WHEN strpos(m, ',RestrictsFinancialAccess,') > 0 THEN 'restricts_financial_access,' ELSE '' END ||
    CASE WHEN strpos(m, ',PhysicalThreats,') > 0 OR strpos(m, ',ThreatensChildrenFamily,') > 0 THEN 'threats,' ELSE '' END ||
    CASE WHEN strpos(m, ',PsychologicalAbuse,') > 0 THEN 'psychological_abuse,' ELSE '' END ||
    CASE WHEN strpos(m, ',PhysicalAbuse,') > 0 THEN 'physical_abuse,' ELSE '' END ||
    CASE WHEN strpos(m, ',SexualAbuse,') > 0 THEN 'sexual_abuse,' ELSE '' END ||
    CASE WHEN strpos(m, ',FalsePromises,') > 0 THEN 'false_promises,' ELSE '' END ||
    CASE WHEN strpos(m, ',PsychoactiveSubstance,') > 0 THEN 'psychoactive_substances,' ELSE '' END ||
    CASE WHEN strpos(m, ',RestrictsMedicalCare,') > 0 THEN 'restricts_medical_care,' ELSE '' END ||
    CASE WHEN strpos(m, ',ExcessiveWorkingHours,') > 0 THEN 'excessive_working_hours,' ELSE '' END ||
    CASE WHEN strpos(m, ',ThreatsLawEnforcement,') > 0 THEN 'threat_of_law_enforcement,' ELSE '' END ||
    CASE WHEN strpos(m, ',WithholdsNecessities,') > 0 THEN 'withholds_necessities,' ELSE '' END ||
    CASE WHEN strpos(m, ',WithholdsDocuments,') > 0 THEN 'withholds_documents,' ELSE '' END ||
    CASE WHEN strpos(m, ',Other,') > 0 THEN 'other,' ELSE '' END, ',') AS control,
  (m <> ',,')::int AS control_known,
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
        CASE WHEN birthdate ~ '^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$'
          THEN CAST(substr(created_at, 1, 4) AS bigint) - CAST(substr(birthdate, 1, 4) AS bigint)
               - (substr(created_at, 6, 5) < substr(birthdate, 6, 5))::int
          ELSE estimated_age END AS age
      FROM cases) c;
