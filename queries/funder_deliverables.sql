-- A funder's grant deliverables (targets naming one of its grants) in the selected years against what was achieved: a core metric from the activities of the deliverable's project in the grant period and the target's year, money (expense_total, income_total) from the finance rows naming the grant, any other metric from the indicators of that project and year.
WITH d AS (
    SELECT t.org, t.project, t.year, t.metric, t.target, t.grant_id, g.start_date, g.end_date
    FROM targets_in($orgs, $projects, $year_from, $year_to) t
    JOIN grants g ON g.org = t.org AND g.grant_id = t.grant_id
    WHERE g.funder = $funder
), acts AS (
    SELECT d.org, d.project, d.year, d.grant_id,
           sum(a.sessions) AS services, sum(a.beneficiaries) AS beneficiaries,
           sum(a.volunteers) AS volunteers, sum(a.volunteer_minutes) AS volunteer_minutes
    FROM (SELECT DISTINCT org, project, year, grant_id, start_date, end_date FROM d) d
    JOIN activities_in($orgs, $projects, []::VARCHAR[], $year_from, $year_to) a
      ON a.org = d.org AND a.project = d.project AND a.year = d.year
     AND a.date >= d.start_date AND a.date <= d.end_date
    GROUP BY d.org, d.project, d.year, d.grant_id
), core AS (
    SELECT org, project, year, grant_id, 'services' AS metric, services AS actual FROM acts
    UNION ALL SELECT org, project, year, grant_id, 'beneficiaries', beneficiaries FROM acts
    UNION ALL SELECT org, project, year, grant_id, 'volunteers', volunteers FROM acts
    UNION ALL SELECT org, project, year, grant_id, 'volunteer_minutes', volunteer_minutes FROM acts
), money AS (
    SELECT org, year, grant_id, flow || '_total' AS metric, sum(amount) AS actual
    FROM finance_in($orgs, []::VARCHAR[], []::VARCHAR[], $year_from, $year_to)
    WHERE grant_id IS NOT NULL
    GROUP BY org, year, grant_id, flow
), ind AS (
    SELECT org, project, year, indicator AS metric, value AS actual, unit
    FROM indicators_in($orgs, $projects, $year_from, $year_to)
)
SELECT d.org, d.grant_id, d.project, d.year, d.metric, d.target,
       coalesce(CAST(c.actual AS DECIMAL(38,4)), CAST(m.actual AS DECIMAL(38,4)),
                CAST(i.actual AS DECIMAL(38,4))) AS actual, i.unit
FROM d
LEFT JOIN core c ON c.org = d.org AND c.year = d.year AND c.grant_id = d.grant_id
 AND c.metric = d.metric AND c.project IS NOT DISTINCT FROM d.project
LEFT JOIN money m ON m.org = d.org AND m.year = d.year AND m.grant_id = d.grant_id
 AND m.metric = d.metric
LEFT JOIN ind i ON i.org = d.org AND i.year = d.year AND i.metric = d.metric
 AND i.project IS NOT DISTINCT FROM d.project
ORDER BY d.org, d.grant_id, d.year, d.project, d.metric
