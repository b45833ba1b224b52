-- Core metrics per organisation and year (activities and money side by side), for comparing
-- member organisations of a network.
WITH a AS (
    SELECT org, year,
           sum(sessions)::BIGINT AS services,
           sum(beneficiaries)::BIGINT AS beneficiaries,
           sum(volunteers)::BIGINT AS volunteers,
           sum(volunteer_minutes)::BIGINT AS volunteer_minutes
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY org, year
), f AS (
    SELECT org, year,
           sum(amount) FILTER (WHERE flow = 'income')::DECIMAL(38,2)  AS income_total,
           sum(amount) FILTER (WHERE flow = 'expense')::DECIMAL(38,2) AS expense_total
    FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY org, year
)
SELECT
    coalesce(a.org, f.org)   AS org,
    coalesce(a.year, f.year) AS year,
    coalesce(a.services, 0)::BIGINT          AS services,
    coalesce(a.beneficiaries, 0)::BIGINT     AS beneficiaries,
    coalesce(a.volunteers, 0)::BIGINT        AS volunteers,
    coalesce(a.volunteer_minutes, 0)::BIGINT AS volunteer_minutes,
    coalesce(f.income_total, 0)::DECIMAL(38,2)  AS income_total,
    coalesce(f.expense_total, 0)::DECIMAL(38,2) AS expense_total
FROM a FULL OUTER JOIN f ON a.org = f.org AND a.year = f.year
ORDER BY org, year
