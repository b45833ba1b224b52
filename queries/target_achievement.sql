-- Targets against what was achieved, per organisation, project (NULL = whole organisation)
-- and year. Core metrics come from activities and finance; other metrics from indicators.
WITH t AS (
    SELECT * FROM targets_in($orgs, $projects, $year_from, $year_to)
), acts AS (
    SELECT org, project, year, sessions, beneficiaries, volunteers, volunteer_minutes
    FROM activities_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
), core AS (
    SELECT org, project, year, metric, sum(value) AS actual
    FROM acts
    UNPIVOT (value FOR metric IN (sessions AS 'services', beneficiaries, volunteers, volunteer_minutes))
    GROUP BY org, project, year, metric
    UNION ALL
    SELECT org, NULL AS project, year, metric, sum(value) AS actual
    FROM acts
    UNPIVOT (value FOR metric IN (sessions AS 'services', beneficiaries, volunteers, volunteer_minutes))
    GROUP BY org, year, metric
), money AS (
    SELECT org, NULL AS project, year, flow || '_total' AS metric, sum(amount) AS actual
    FROM finance_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    GROUP BY org, year, flow
), ind AS (
    SELECT org, project, year, indicator AS metric, value AS actual
    FROM indicators_in($orgs, []::VARCHAR[], $year_from, $year_to)
), actuals AS (
    SELECT org, project, year, metric, actual::DECIMAL(18,4) AS actual FROM core
    UNION ALL
    SELECT org, project, year, metric, actual::DECIMAL(18,4) FROM money
    UNION ALL
    SELECT org, project, year, metric, actual::DECIMAL(18,4) FROM ind
)
SELECT t.org, t.project, t.year, t.metric, t.target, a.actual
FROM t
LEFT JOIN actuals a
  ON a.org = t.org AND a.year = t.year AND a.metric = t.metric
 AND a.project IS NOT DISTINCT FROM t.project
ORDER BY t.org, t.year, t.project NULLS FIRST, t.metric
