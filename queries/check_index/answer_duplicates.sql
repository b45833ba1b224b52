-- The check index (impact.storage.check_index) answers data_quality_duplicates: the
-- selection's groups among every group found (years are never chosen on the Data page),
-- in that query's order and with its cut.
SELECT org, date, project, program_area, activity_type, sessions, beneficiaries, volunteers,
       volunteer_minutes, copies, ids
FROM check_duplicates
WHERE (array_length($orgs) = 0 OR list_contains($orgs, org))
  AND (array_length($projects) = 0 OR list_contains($projects, project))
  AND (array_length($areas) = 0 OR list_contains($areas, program_area))
ORDER BY copies DESC, org, date, project, program_area, activity_type, sessions, beneficiaries,
         volunteers, volunteer_minutes
LIMIT 200
