-- First and last year with any activity or finance record of the chosen organisations.
SELECT min(year) AS first_year, max(year) AS last_year
FROM (
    SELECT year FROM activities_in($orgs, []::VARCHAR[], []::VARCHAR[], NULL, NULL)
    UNION ALL
    SELECT year FROM finance_in($orgs, []::VARCHAR[], []::VARCHAR[], NULL, NULL)
)
