-- Core activity totals per programme area (records without an area are grouped as NULL).
SELECT
    program_area,
    sum(sessions)::BIGINT          AS services,
    sum(beneficiaries)::BIGINT     AS beneficiaries,
    sum(volunteers)::BIGINT        AS volunteers,
    sum(volunteer_minutes)::BIGINT AS volunteer_minutes
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY program_area
ORDER BY beneficiaries DESC, program_area
