-- Data quality: months with no activity record, between an organisation's first and last
-- recorded month (a gap usually means a month's sheet was never imported).
-- Written in months only (date_trunc, and the first and last month as min/max of it), so
-- it is answered from the monthly rollup: about a hundred times fewer rows (issue 29).
WITH months AS (
    SELECT DISTINCT org, date_trunc('month', date)::DATE AS month
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
), span AS (
    SELECT org, min(date_trunc('month', date))::DATE AS first_month,
           max(date_trunc('month', date))::DATE AS last_month
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY org
), series AS (
    -- The series alone in its SELECT: Spark refuses a generator nested in an expression.
    SELECT org, unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS month
    FROM span
), calendar AS (
    SELECT org, month::DATE AS month FROM series
)
SELECT c.org, strftime(c.month, '%Y-%m') AS month
FROM calendar c
WHERE NOT EXISTS (SELECT 1 FROM months m WHERE m.org = c.org AND m.month = c.month)
ORDER BY c.org, c.month
