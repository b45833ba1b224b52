-- Core activity totals per year, for trends and year-over-year change.
SELECT
    year,
    sum(sessions)::BIGINT          AS services,
    sum(beneficiaries)::BIGINT     AS beneficiaries,
    sum(volunteers)::BIGINT        AS volunteers,
    sum(volunteer_minutes)::BIGINT AS volunteer_minutes
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY year
ORDER BY year
