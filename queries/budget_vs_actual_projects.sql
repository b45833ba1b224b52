-- Budget against actual per project (empty: the whole organisation), year and expense line: budgets that name no grant (of projects in the selected programme areas, when any are selected), against the expenses booked in that year to that project (an organisation budget: to any project or none), on every line spent, budgeted or not.
WITH b AS (
    SELECT org, project, year, line, sum(amount) AS budget
    FROM budgets
    WHERE grant_id IS NULL
      AND (array_length($orgs) = 0 OR list_contains($orgs, org))
      AND (array_length($projects) = 0 OR list_contains($projects, project))
      -- programme areas are the projects' (activities): a whole-organisation budget is in none
      AND (array_length($areas) = 0 OR project IN (
            SELECT DISTINCT project FROM activities_in($orgs, []::VARCHAR[], $areas, NULL, NULL)))
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
), holders AS (
    SELECT DISTINCT org, project, year FROM b
), lines AS (
    SELECT org, project, year, line FROM b
    UNION
    SELECT a.org, a.project, a.year, a.line
    FROM a
    JOIN holders h ON h.org = a.org AND h.year = a.year AND h.project IS NOT DISTINCT FROM a.project
)
SELECT l.org, l.project, l.year, l.line,
       b.budget,  -- NULL: a line spent on with no budget (never a budget of 0)
       coalesce(a.actual, CAST(0 AS DECIMAL(38,2))) AS actual
FROM lines l
LEFT JOIN b
  ON b.org = l.org AND b.year = l.year AND b.line = l.line
 AND b.project IS NOT DISTINCT FROM l.project
LEFT JOIN a
  ON a.org = l.org AND a.year = l.year AND a.line = l.line
 AND a.project IS NOT DISTINCT FROM l.project
ORDER BY l.org, l.project NULLS FIRST, l.year, l.line
