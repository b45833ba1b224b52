-- Income per funder (unnamed funders grouped as NULL), largest first.
SELECT
    funder,
    category,
    count(*)                  AS transactions,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
WHERE flow = 'income'
GROUP BY funder, category
ORDER BY amount DESC, funder, category
