-- The check index (impact.storage.check_index): every group of activity records identical
-- in every column but their id, in one range of years (the index runs it a year at a time:
-- a group's records share their date). The same groups and columns as
-- data_quality_duplicates, none cut off: the Data page then picks a selection's groups from
-- these instead of reading every record again.
WITH repeated AS (
    -- One number per record first, a hash of the nine compared columns; a collision only
    -- adds candidates, which the exact grouping below drops (see data_quality_duplicates).
    SELECT hash(org, date, project, program_area, activity_type, sessions, beneficiaries,
                volunteers, volunteer_minutes) AS h
    FROM activities_in([]::VARCHAR[], []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    GROUP BY h
    HAVING count(*) > 1
)
SELECT
    org, date, project, program_area, activity_type, sessions, beneficiaries, volunteers,
    volunteer_minutes, count(*)::BIGINT AS copies,
    string_agg(activity_id, ', ' ORDER BY activity_id) AS ids
FROM activities_in([]::VARCHAR[], []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
WHERE hash(org, date, project, program_area, activity_type, sessions, beneficiaries,
           volunteers, volunteer_minutes) IN (SELECT h FROM repeated)
GROUP BY org, date, project, program_area, activity_type, sessions, beneficiaries,
         volunteers, volunteer_minutes
HAVING count(*) > 1
