-- Income and expense per year and category, exact DECIMAL sums, for stacked trends.
SELECT
    year,
    flow,
    category,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY year, flow, category
ORDER BY year, flow, category
