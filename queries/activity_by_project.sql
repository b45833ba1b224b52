-- Core activity totals per organisation and project, largest person-times first.
SELECT
    org,
    project,
    string_agg(DISTINCT program_area, '、' ORDER BY program_area) AS program_area,
    count(*)                       AS records,
    sum(sessions)::BIGINT          AS services,
    sum(beneficiaries)::BIGINT     AS beneficiaries,
    sum(volunteers)::BIGINT        AS volunteers,
    sum(volunteer_minutes)::BIGINT AS volunteer_minutes
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY org, project
ORDER BY beneficiaries DESC, services DESC, org, project
