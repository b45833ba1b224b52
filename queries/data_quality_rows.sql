-- Data quality: how many records each organisation has per year, in activities and finance,
-- so a year with too few (or no) records stands out.
WITH a AS (
    SELECT org, year, count(*) AS activity_rows
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY org, year
), f AS (
    -- count(1), not count(*): the rollup rewrite turns every count(*) into a sum of the
    -- rollup's record counts, which is right for the activities only.
    SELECT org, year, count(1) AS finance_rows
    FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY org, year
)
SELECT
    coalesce(a.org, f.org)                  AS org,
    coalesce(a.year, f.year)                AS year,
    coalesce(a.activity_rows, 0)::BIGINT    AS activity_rows,
    coalesce(f.finance_rows, 0)::BIGINT     AS finance_rows
FROM a FULL OUTER JOIN f ON a.org = f.org AND a.year = f.year
ORDER BY org, year
