-- A funder's grants whose period meets the selected years, one row per grant and funded project (project empty when the grant names none), in the selected organisations and projects.
SELECT g.org, g.grant_id, g.title, g.amount AS granted, g.start_date, g.end_date, g.restricted,
       p.project
FROM grants g
LEFT JOIN grant_projects p ON p.org = g.org AND p.grant_id = g.grant_id
WHERE g.funder = $funder
  AND (array_length($orgs) = 0 OR list_contains($orgs, g.org))
  AND (array_length($projects) = 0 OR list_contains($projects, p.project))
  AND ($year_to IS NULL OR year(g.start_date) <= $year_to)
  AND ($year_from IS NULL OR year(g.end_date) >= $year_from)
ORDER BY g.org, g.start_date, g.grant_id, p.project
