-- Unique people counted exactly from participant records: distinct pseudonymous keys per
-- organisation, project, year and group (group NULL = everyone), with their attendances.
-- The grand total (project NULL, year NULL) counts a person in several projects or years once.
WITH p AS (
    SELECT * FROM participants_in($orgs, $projects, $areas, $year_from, $year_to)
)
SELECT org, project, year, beneficiary_group,
       count(DISTINCT person_key)::BIGINT AS people, sum(attendances)::BIGINT AS attendances
FROM p WHERE beneficiary_group IS NOT NULL GROUP BY org, project, year, beneficiary_group
UNION ALL
SELECT org, project, year, NULL, count(DISTINCT person_key)::BIGINT, sum(attendances)::BIGINT
FROM p GROUP BY org, project, year
UNION ALL
SELECT org, NULL, NULL, NULL, count(DISTINCT person_key)::BIGINT, sum(attendances)::BIGINT
FROM p GROUP BY org
ORDER BY org, project NULLS FIRST, year NULLS FIRST, beneficiary_group NULLS FIRST
