-- Income and expense per statutory line (科目) for the filtered transactions, exact DECIMAL sums.
SELECT
    flow,
    line,
    count(*)                  AS transactions,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY flow, line
ORDER BY flow, amount DESC, line
