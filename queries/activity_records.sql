-- The activity records behind a figure (drill-down), newest first, at most $limit rows.
SELECT
    activity_id, date, org, project, program_area, activity_type,
    sessions, beneficiaries, volunteers, volunteer_minutes
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
ORDER BY date DESC, activity_id
LIMIT $limit
