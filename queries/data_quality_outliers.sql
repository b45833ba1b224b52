-- Data quality: activity records with more than ten times the median person-times of their
-- project (projects with at least 5 records), largest ratio first: typos such as an extra 0.
WITH r AS (
    SELECT *,
           median(beneficiaries) OVER (PARTITION BY org, project) AS project_median,
           count(*) OVER (PARTITION BY org, project)              AS project_records
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
)
SELECT
    activity_id, date, org, project, beneficiaries,
    project_median::DECIMAL(18,1)                          AS project_median,
    (beneficiaries / project_median)::DECIMAL(18,1)        AS times_median
FROM r
WHERE project_records >= 5 AND project_median > 0 AND beneficiaries > 10 * project_median
ORDER BY times_median DESC, date
LIMIT 200
