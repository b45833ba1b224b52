-- Data quality: activity records with more than ten times the median person-times of their
-- project (projects with at least 5 records), largest ratio first: typos such as an extra 0.
WITH r AS (
    SELECT * FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
), m AS (
    -- A GROUP BY, not a window: DuckDB 2.0 computes a window over a year-filtered
    -- hive-partitioned scan as if the year filter were not there (tests/test_spark.py).
    SELECT org, project,
           median(beneficiaries) AS project_median,
           count(*)              AS project_records
    FROM r
    GROUP BY org, project
)
SELECT
    r.activity_id, r.date, r.org, r.project, r.beneficiaries,
    m.project_median::DECIMAL(18,1)                          AS project_median,
    (r.beneficiaries / m.project_median)::DECIMAL(18,1)      AS times_median
FROM r
JOIN m ON m.org = r.org AND m.project = r.project
WHERE m.project_records >= 5 AND m.project_median > 0 AND r.beneficiaries > 10 * m.project_median
ORDER BY times_median DESC, r.date, r.activity_id
LIMIT 200
