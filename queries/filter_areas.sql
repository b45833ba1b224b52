-- Programme areas of the chosen organisations (all organisations when none is chosen).
SELECT DISTINCT program_area
FROM activities_in($orgs, []::VARCHAR[], []::VARCHAR[], NULL, NULL)
WHERE program_area IS NOT NULL
ORDER BY program_area
