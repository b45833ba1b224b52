-- Budget against actual per project (empty: the whole organisation), year and expense line: budgets that name no grant, against the expenses booked in that year to that project (an organisation budget: to any project or none).
WITH b AS (
    SELECT org, project, year, line, sum(amount) AS budget
    FROM budgets
    WHERE grant_id IS NULL
      AND (array_length($orgs) = 0 OR list_contains($orgs, org))
      AND (array_length($projects) = 0 OR list_contains($projects, project))
      AND ($year_from IS NULL OR year >= $year_from)
      AND ($year_to IS NULL OR year <= $year_to)
    GROUP BY org, project, year, line
), spent AS (
    SELECT org, project, year, line, sum(amount) AS actual
    FROM finance_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    WHERE flow = 'expense'
    GROUP BY org, project, year, line
), a AS (
    SELECT org, project, year, line, actual FROM spent WHERE project IS NOT NULL
    UNION ALL
    SELECT org, NULL AS project, year, line, sum(actual) AS actual
    FROM spent
    GROUP BY org, year, line
)
SELECT b.org, b.project, b.year, b.line, b.budget,
       coalesce(a.actual, CAST(0 AS DECIMAL(38,2))) AS actual
FROM b
LEFT JOIN a
  ON a.org = b.org AND a.year = b.year AND a.line = b.line
 AND a.project IS NOT DISTINCT FROM b.project
ORDER BY b.org, b.project NULLS FIRST, b.year, b.line
