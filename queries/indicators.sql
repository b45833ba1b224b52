-- Organisation indicators (staff, families, students funded …) for the selection.
SELECT org, project, year, indicator, value, unit
FROM indicators_in($orgs, $projects, $year_from, $year_to)
ORDER BY org, year, project NULLS FIRST, indicator
