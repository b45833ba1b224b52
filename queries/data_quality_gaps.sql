-- Data quality: months with no activity record, between an organisation's first and last
-- recorded month (a gap usually means a month's sheet was never imported).
WITH months AS (
    SELECT DISTINCT org, date_trunc('month', date)::DATE AS month
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
), span AS (
    SELECT org, min(month) AS first_month, max(month) AS last_month FROM months GROUP BY org
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
