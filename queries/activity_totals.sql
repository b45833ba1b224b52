-- Core activity totals for the filtered records: services (Σ sessions), person-times,
-- volunteer person-times and volunteer minutes, plus how many records they come from.
SELECT
    count(*)                                  AS records,
    coalesce(sum(sessions), 0)::BIGINT        AS services,
    coalesce(sum(beneficiaries), 0)::BIGINT   AS beneficiaries,
    coalesce(sum(volunteers), 0)::BIGINT      AS volunteers,
    coalesce(sum(volunteer_minutes), 0)::BIGINT AS volunteer_minutes
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
