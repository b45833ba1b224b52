-- Budget against actual per grant and expense line: every budget year of the grant, against the expenses booked to it (grant_id) up to the last selected year; with the grant's funder, amount and period, for the share of the period elapsed. Grants whose period meets the selected years (and that fund a project of the selected programme areas, when any are selected).
WITH g AS (
    SELECT gr.org, gr.grant_id, gr.funder, gr.title, gr.amount, gr.start_date, gr.end_date
    FROM grants gr
    WHERE (array_length($orgs) = 0 OR list_contains($orgs, gr.org))
      AND (array_length($projects) = 0 OR EXISTS (
            SELECT 1 FROM grant_projects gp
            WHERE gp.org = gr.org AND gp.grant_id = gr.grant_id
              AND list_contains($projects, gp.project)))
      AND (array_length($areas) = 0 OR EXISTS (
            SELECT 1 FROM grant_projects gp
            WHERE gp.org = gr.org AND gp.grant_id = gr.grant_id
              AND gp.project IN (SELECT DISTINCT project
                                 FROM activities_in($orgs, []::VARCHAR[], $areas, NULL, NULL))))
      AND ($year_to IS NULL OR year(gr.start_date) <= $year_to)
      AND ($year_from IS NULL OR year(gr.end_date) >= $year_from)
), b AS (
    SELECT org, grant_id, line, sum(amount) AS budget
    FROM budgets
    WHERE grant_id IS NOT NULL
    GROUP BY org, grant_id, line
), a AS (
    SELECT org, grant_id, line, sum(amount) AS actual
    FROM finance
    WHERE flow = 'expense' AND grant_id IS NOT NULL AND ($year_to IS NULL OR year <= $year_to)
    GROUP BY org, grant_id, line
), lines AS (
    SELECT org, grant_id, line FROM b
    UNION
    SELECT org, grant_id, line FROM a
)
SELECT g.org, g.grant_id, g.funder, g.title, g.amount AS granted, g.start_date, g.end_date,
       l.line,
       b.budget,  -- NULL: a line spent on with no budget (never a budget of 0)
       coalesce(a.actual, CAST(0 AS DECIMAL(38,2))) AS actual
FROM g
LEFT JOIN lines l ON l.org = g.org AND l.grant_id = g.grant_id
LEFT JOIN b ON b.org = l.org AND b.grant_id = l.grant_id AND b.line = l.line
LEFT JOIN a ON a.org = l.org AND a.grant_id = l.grant_id AND a.line = l.line
ORDER BY g.org, g.start_date, g.grant_id, l.line
