-- Core activity totals per calendar month, for seasonality.
SELECT
    year,
    month(date)                    AS month,
    sum(sessions)::BIGINT          AS services,
    sum(beneficiaries)::BIGINT     AS beneficiaries,
    sum(volunteers)::BIGINT        AS volunteers,
    sum(volunteer_minutes)::BIGINT AS volunteer_minutes
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY year, month
ORDER BY year, month
