-- The 业务活动表's cells: income and expense per year, statutory line and restricted flag,
-- exact DECIMAL sums (impact.domain.statement lays them out; pass the previous year as $year_from).
SELECT
    year,
    flow,
    line,
    restricted,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY year, flow, line, restricted
ORDER BY year, flow, line, restricted
