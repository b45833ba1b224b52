-- The check index (impact.storage.check_index) answers data_quality_outliers: the
-- selection's project medians from the counts of values (check_values), the same way that
-- query reads them off its histogram, then the outliers among the candidates.
WITH h AS (
    SELECT org, project, value, sum(n) AS n
    FROM check_values
    WHERE (array_length($orgs) = 0 OR list_contains($orgs, org))
      AND (array_length($projects) = 0 OR list_contains($projects, project))
      AND (array_length($areas) = 0 OR list_contains($areas, program_area))
    GROUP BY org, project, value
), upto AS (
    SELECT a.org, a.project, a.value, sum(b.n) AS upto
    FROM h a
    JOIN h b ON b.org = a.org AND b.project = a.project AND b.value <= a.value
    GROUP BY a.org, a.project, a.value
), counts AS (
    SELECT org, project, sum(n) AS project_records FROM h GROUP BY org, project
), mid AS (
    SELECT u.org, u.project, c.project_records,
           min(CASE WHEN u.upto > (c.project_records - 1) // 2 THEN u.value END) AS lo,
           min(CASE WHEN u.upto > c.project_records // 2 THEN u.value END) AS hi
    FROM upto u
    JOIN counts c ON c.org = u.org AND c.project = u.project
    GROUP BY u.org, u.project, c.project_records
), m AS (
    SELECT org, project, project_records,
           CAST(lo AS DOUBLE) + (CAST(hi AS DOUBLE) - CAST(lo AS DOUBLE)) * 0.5 AS project_median
    FROM mid
)
SELECT
    r.activity_id, r.date, r.org, r.project, r.beneficiaries,
    m.project_median::DECIMAL(18,1)                          AS project_median,
    (r.beneficiaries / m.project_median)::DECIMAL(18,1)      AS times_median
FROM check_candidates r
JOIN m ON m.org = r.org AND m.project = r.project
WHERE (array_length($orgs) = 0 OR list_contains($orgs, r.org))
  AND (array_length($projects) = 0 OR list_contains($projects, r.project))
  AND (array_length($areas) = 0 OR list_contains($areas, r.program_area))
  AND m.project_records >= 5 AND m.project_median > 0 AND r.beneficiaries > 10 * m.project_median
ORDER BY times_median DESC, r.date, r.activity_id
LIMIT 200
