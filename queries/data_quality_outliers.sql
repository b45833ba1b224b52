-- Data quality: activity records with more than ten times the median person-times of their
-- project (projects with at least 5 records), largest ratio first: typos such as an extra 0.
WITH h AS (
    -- How many of a project's records have each number of person-times: the median is read
    -- off this histogram (a few rows per project) instead of median() over the records,
    -- which held every record's value in memory (+140 MB for all years at 10M rows).
    SELECT org, project, beneficiaries AS value, count(*) AS n
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
    GROUP BY org, project, beneficiaries
), upto AS (
    -- Records at or below each value. A join, not a window: DuckDB 2.0 computes a window
    -- over a year-filtered hive-partitioned scan as if the year filter were not there
    -- (tests/test_spark.py).
    SELECT a.org, a.project, a.value, sum(b.n) AS upto
    FROM h a
    JOIN h b ON b.org = a.org AND b.project = a.project AND b.value <= a.value
    GROUP BY a.org, a.project, a.value
), counts AS (
    SELECT org, project, sum(n) AS project_records FROM h GROUP BY org, project
), mid AS (
    -- The values at 0-based ranks floor((N-1)/2) and ceil((N-1)/2): the smallest value with
    -- more records at or below it than the rank.
    SELECT u.org, u.project, c.project_records,
           min(CASE WHEN u.upto > (c.project_records - 1) // 2 THEN u.value END) AS lo,
           min(CASE WHEN u.upto > c.project_records // 2 THEN u.value END) AS hi
    FROM upto u
    JOIN counts c ON c.org = u.org AND c.project = u.project
    GROUP BY u.org, u.project, c.project_records
), m AS (
    -- median(): the midpoint of the two middle values, as a DOUBLE (quantile_cont's
    -- interpolation lo + (hi - lo) * 0.5, exact for whole numbers)
    SELECT org, project, project_records,
           CAST(lo AS DOUBLE) + (CAST(hi AS DOUBLE) - CAST(lo AS DOUBLE)) * 0.5 AS project_median
    FROM mid
)
SELECT
    r.activity_id, r.date, r.org, r.project, r.beneficiaries,
    m.project_median::DECIMAL(18,1)                          AS project_median,
    (r.beneficiaries / m.project_median)::DECIMAL(18,1)      AS times_median
FROM activities_in($orgs, $projects, $areas, $year_from, $year_to) r
JOIN m ON m.org = r.org AND m.project = r.project
WHERE m.project_records >= 5 AND m.project_median > 0 AND r.beneficiaries > 10 * m.project_median
ORDER BY times_median DESC, r.date, r.activity_id
LIMIT 200
