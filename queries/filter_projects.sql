-- Projects of the chosen organisations (all organisations when none is chosen).
SELECT DISTINCT org, project
FROM activities_in($orgs, []::VARCHAR[], []::VARCHAR[], NULL, NULL)
ORDER BY org, project
