-- Income per year and source type (NULL = not recorded), exact DECIMAL sums, for stacked trends.
SELECT
    year,
    source_type,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
WHERE flow = 'income'
GROUP BY year, source_type
ORDER BY year, source_type NULLS LAST
