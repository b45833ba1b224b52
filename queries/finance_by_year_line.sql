-- Income and expense per year and statutory line, exact DECIMAL sums, for stacked trends.
SELECT
    year,
    flow,
    line,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY year, flow, line
ORDER BY year, flow, line
