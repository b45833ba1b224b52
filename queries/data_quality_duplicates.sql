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
WITH groups AS (
    -- Find the repeated groups first, without their ids: an ordered string_agg over every
    -- group of millions of records is what made this query take minutes (issue 6).
    SELECT org, date, project, program_area, activity_type, sessions, beneficiaries,
           volunteers, volunteer_minutes, count(*)::BIGINT AS copies
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY ALL
    HAVING count(*) > 1
)
SELECT
    g.org, g.date, g.project, g.program_area, g.activity_type, g.sessions, g.beneficiaries,
    g.volunteers, g.volunteer_minutes, g.copies,
    string_agg(r.activity_id, ', ' ORDER BY r.activity_id) AS ids
FROM groups g
JOIN activities_in($orgs, $projects, $areas, $year_from, $year_to) r
  ON r.org = g.org AND r.date = g.date AND r.project = g.project
 AND r.program_area IS NOT DISTINCT FROM g.program_area
 AND r.activity_type IS NOT DISTINCT FROM g.activity_type
 AND r.sessions = g.sessions AND r.beneficiaries = g.beneficiaries
 AND r.volunteers = g.volunteers AND r.volunteer_minutes = g.volunteer_minutes
GROUP BY ALL
    -- A total order (every group column): LIMIT keeps the same groups on every engine.
ORDER BY copies DESC, org, date, project, program_area, activity_type, sessions, beneficiaries,
         volunteers, volunteer_minutes
LIMIT 200
