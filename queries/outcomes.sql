-- Outcome indicators (results framework) per organisation, project and year: baseline,
-- target, actual and the data source they are measured from.
SELECT org, project, year, indicator, unit, baseline, target, actual, source
FROM outcomes
WHERE (array_length($orgs) = 0 OR list_contains($orgs, org))
  AND (array_length($projects) = 0 OR list_contains($projects, project))
  AND (array_length($areas) = 0 OR project IN (
        SELECT DISTINCT a.project FROM activities a WHERE list_contains($areas, a.program_area)))
  AND ($year_from IS NULL OR year >= $year_from)
  AND ($year_to IS NULL OR year <= $year_to)
ORDER BY org, project NULLS FIRST, indicator, year
