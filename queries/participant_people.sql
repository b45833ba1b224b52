-- Unique people counted exactly from participant records: distinct pseudonymous keys per
-- organisation, project, year and group (group NULL = everyone), with their attendances.
-- The grand total (project NULL, year NULL) counts a person in several projects or years once.
WITH p AS (
    SELECT * FROM participants
    WHERE (array_length($orgs) = 0 OR list_contains($orgs, org))
      AND (array_length($projects) = 0 OR list_contains($projects, project))
      AND (array_length($areas) = 0 OR project IN (
            SELECT DISTINCT a.project FROM activities a WHERE list_contains($areas, a.program_area)))
      AND ($year_from IS NULL OR year >= $year_from)
      AND ($year_to IS NULL OR year <= $year_to)
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
