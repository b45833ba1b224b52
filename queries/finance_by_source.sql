-- Income per source type (来源类型; NULL = not recorded), exact DECIMAL sums.
SELECT
    source_type,
    count(*)                  AS transactions,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
WHERE flow = 'income'
GROUP BY source_type
ORDER BY amount DESC, source_type NULLS LAST
