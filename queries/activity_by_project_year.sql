-- Core activity totals per project and year, for per-project trends.
SELECT
    year,
    org,
    project,
    sum(sessions)::BIGINT          AS services,
    sum(beneficiaries)::BIGINT     AS beneficiaries,
    sum(volunteers)::BIGINT        AS volunteers,
    sum(volunteer_minutes)::BIGINT AS volunteer_minutes
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY year, org, project
ORDER BY year, org, project
