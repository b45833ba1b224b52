-- Targets against what was achieved, per organisation, project (NULL = whole organisation)
-- and year. Core metrics come from activities and finance; other metrics from indicators.
WITH t AS (
    SELECT * FROM targets_in($orgs, $projects, $year_from, $year_to)
), acts AS (
    -- Sum per project and year first: the metric rows below are then thousands, not millions.
    SELECT org, project, year,
           sum(sessions) AS services, sum(beneficiaries) AS beneficiaries,
           sum(volunteers) AS volunteers, sum(volunteer_minutes) AS volunteer_minutes
    FROM activities_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    GROUP BY org, project, year
), per_project AS (
    -- One row per metric (UNION ALL rather than UNPIVOT, so Trino and Spark can run it too).
    SELECT org, project, year, 'services' AS metric, services AS actual FROM acts
    UNION ALL SELECT org, project, year, 'beneficiaries', beneficiaries FROM acts
    UNION ALL SELECT org, project, year, 'volunteers', volunteers FROM acts
    UNION ALL SELECT org, project, year, 'volunteer_minutes', volunteer_minutes FROM acts
), core AS (
    SELECT org, project, year, metric, actual FROM per_project
    UNION ALL
    SELECT org, NULL AS project, year, metric, sum(actual) AS actual
    FROM per_project
    GROUP BY org, year, metric
), money_project AS (
    -- A project's money is what is booked to it: a per-project income or expense target
    -- has an actual (before issue 15 it showed "—").
    SELECT org, project, year, flow || '_total' AS metric, sum(amount) AS actual
    FROM finance_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    WHERE project IS NOT NULL
    GROUP BY org, project, year, flow
), money AS (
    SELECT org, NULL AS project, year, flow || '_total' AS metric, sum(amount) AS actual
    FROM finance_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    GROUP BY org, year, flow
    UNION ALL
    SELECT org, project, year, metric, actual FROM money_project
), ind AS (
    SELECT org, project, year, indicator AS metric, value AS actual
    FROM indicators_in($orgs, []::VARCHAR[], $year_from, $year_to)
), actuals AS (
    SELECT org, project, year, metric, actual::DECIMAL(38,4) AS actual FROM core
    UNION ALL
    SELECT org, project, year, metric, actual::DECIMAL(38,4) FROM money
    UNION ALL
    SELECT org, project, year, metric, actual::DECIMAL(38,4) FROM ind
), units AS (
    -- An indicator's unit (元 makes a target money: ¥ to the fen on screen).
    SELECT org, indicator AS metric, min(unit) AS unit
    FROM indicators_in($orgs, []::VARCHAR[], $year_from, $year_to)
    GROUP BY org, indicator
)
SELECT t.org, t.project, t.year, t.metric, t.target, a.actual, u.unit, t.grant_id
FROM t
LEFT JOIN actuals a
  ON a.org = t.org AND a.year = t.year AND a.metric = t.metric
 AND a.project IS NOT DISTINCT FROM t.project
LEFT JOIN units u ON u.org = t.org AND u.metric = t.metric
ORDER BY t.org, t.year, t.project NULLS FIRST, t.metric, t.grant_id NULLS FIRST
