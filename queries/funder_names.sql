-- Funders named in income transactions of the chosen organisations, with the organisations they fund, for making funder links.
SELECT funder, org, min(year) AS first_year, max(year) AS last_year
FROM finance_in($orgs, []::VARCHAR[], []::VARCHAR[], NULL, NULL)
WHERE flow = 'income' AND funder IS NOT NULL
GROUP BY funder, org
ORDER BY funder, org
