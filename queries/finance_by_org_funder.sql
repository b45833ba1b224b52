-- Income per organisation and funder (unnamed funders grouped as NULL), exact DECIMAL sums: which organisation depends on which single donor.
SELECT
    org,
    funder,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
WHERE flow = 'income'
GROUP BY org, funder
ORDER BY org, amount DESC, funder NULLS LAST
