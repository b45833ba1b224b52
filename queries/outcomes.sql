-- Outcome indicators (results framework) per organisation, project and year: baseline,
-- target, actual and the data source they are measured from.
SELECT org, project, year, indicator, unit, baseline, target, actual, source
FROM outcomes_in($orgs, $projects, $areas, $year_from, $year_to)
ORDER BY org, project NULLS FIRST, indicator, year
