-- Income per funder and source type (unnamed funders grouped as NULL), largest first.
SELECT
    funder,
    source_type,
    count(*)                  AS transactions,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
WHERE flow = 'income'
GROUP BY funder, source_type
ORDER BY amount DESC, funder NULLS LAST, source_type NULLS LAST
