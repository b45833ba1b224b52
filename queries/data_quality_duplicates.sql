-- Data quality: groups of activity records identical in every column but their id. Often
-- legitimate (two identical sessions on one day), sometimes one file imported twice under
-- different ids: worth a look, not an error.
-- Run a year at a time (the marker below): a group's records share their date, so each year
-- is checked on its own and the years' groups are ordered and cut to 200 together, with the
-- memory of one year's grouping (at 10M rows over all years it was 0.9 GB).
-- impact: one year at a time
-- The filtered records are read twice, each time straight from activities_in(...), never
-- as a common `WITH r AS (...)` used twice: DuckDB materializes such a CTE, every record
-- with every column in memory (1.1 GB of the server for all years at 10M rows, issue 29).
WITH repeated AS (
    -- First one number per record, a hash of the nine compared columns, and the numbers
    -- seen more than once: grouping by one number instead of by nine columns took the
    -- check from 2.6 s to 0.9 s over 10M records (issue 29). Equal records have equal
    -- hashes (NULLs included), so no group is missed; a collision only adds candidates,
    -- which the exact grouping below drops.
    SELECT hash(org, date, project, program_area, activity_type, sessions, beneficiaries,
                volunteers, volunteer_minutes) AS h
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY h
    HAVING count(*) > 1
)
-- The exact groups, among the few records whose hash repeats: their ids are listed here
-- (an ordered string_agg over every group of millions of records took minutes, issue 6).
SELECT
    org, date, project, program_area, activity_type, sessions, beneficiaries, volunteers,
    volunteer_minutes, count(*)::BIGINT AS copies,
    string_agg(activity_id, ', ' ORDER BY activity_id) AS ids
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
WHERE hash(org, date, project, program_area, activity_type, sessions, beneficiaries,
           volunteers, volunteer_minutes) IN (SELECT h FROM repeated)
GROUP BY org, date, project, program_area, activity_type, sessions, beneficiaries,
         volunteers, volunteer_minutes
HAVING count(*) > 1
    -- A total order (every group column): LIMIT keeps the same groups on every engine.
ORDER BY copies DESC, org, date, project, program_area, activity_type, sessions, beneficiaries,
         volunteers, volunteer_minutes
LIMIT 200
