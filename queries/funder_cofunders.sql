-- Other funders whose grants fund the same organisation and project as one of this funder's grants, in overlapping periods meeting the selected years: their person-times are the project's, credited to each of its funders alike (the funder view says so).
SELECT DISTINCT mine.org, mine.project, other.funder
FROM (
  SELECT g.org, p.project, g.start_date, g.end_date
  FROM grants g
  JOIN grant_projects p ON p.org = g.org AND p.grant_id = g.grant_id
  WHERE g.funder = $funder
    AND (array_length($orgs) = 0 OR list_contains($orgs, g.org))
    AND ($year_to IS NULL OR year(g.start_date) <= $year_to)
    AND ($year_from IS NULL OR year(g.end_date) >= $year_from)
) mine
JOIN grant_projects op ON op.org = mine.org AND op.project = mine.project
JOIN grants other ON other.org = op.org AND other.grant_id = op.grant_id
WHERE other.funder <> $funder
  AND other.start_date <= mine.end_date AND other.end_date >= mine.start_date
ORDER BY mine.org, mine.project, other.funder
