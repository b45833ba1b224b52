-- Income and expense per category for the filtered transactions, exact DECIMAL sums.
SELECT
    flow,
    category,
    count(*)                  AS transactions,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
GROUP BY flow, category
ORDER BY flow, amount DESC, category
