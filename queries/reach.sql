-- Stated unique people (人数) and households (户数) per organisation, project and year, with
-- the person-times (人次) the same project-year's activity records add up to, for comparison.
-- Never summed across years or projects here: the same person may be counted in both.
WITH r AS (
    SELECT * FROM reach_in($orgs, $projects, $areas, $year_from, $year_to)
), acts AS (
    SELECT org, project, year, sum(beneficiaries)::BIGINT AS person_times
    FROM activities_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    GROUP BY org, project, year
), org_acts AS (
    SELECT org, year, sum(person_times)::BIGINT AS person_times FROM acts GROUP BY org, year
)
SELECT r.org, r.project, r.year, r.beneficiary_group, r.people, r.households, r.source,
       coalesce(acts.person_times, org_acts.person_times) AS person_times
FROM r
LEFT JOIN acts ON acts.org = r.org AND acts.project = r.project AND acts.year = r.year
LEFT JOIN org_acts ON r.project IS NULL AND org_acts.org = r.org AND org_acts.year = r.year
ORDER BY r.org, r.year, r.project NULLS FIRST, r.beneficiary_group NULLS FIRST
