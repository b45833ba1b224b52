-- Services, person-times (人次) and volunteer time of the projects a funder's grants fund, inside each grant's period and the selected years, per grant and project.
SELECT g.org, g.grant_id, a.project, count(*) AS records, sum(a.sessions)::BIGINT AS services,
       sum(a.beneficiaries)::BIGINT AS beneficiaries, sum(a.volunteers)::BIGINT AS volunteers,
       sum(a.volunteer_minutes)::BIGINT AS volunteer_minutes
FROM grants g
JOIN grant_projects p ON p.org = g.org AND p.grant_id = g.grant_id
JOIN activities_in($orgs, $projects, []::VARCHAR[], $year_from, $year_to) a
  ON a.org = p.org AND a.project = p.project
 AND a.date >= g.start_date AND a.date <= g.end_date
WHERE g.funder = $funder
GROUP BY g.org, g.grant_id, a.project
ORDER BY g.org, g.grant_id, a.project
