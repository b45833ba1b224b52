-- Every organisation, project and programme area the data holds: a name a user types is
-- checked against these (and close matches suggested) before any figure is computed.
SELECT 'org' AS kind, org AS name FROM activities
UNION SELECT 'org', org FROM finance
UNION SELECT 'org', org FROM indicators
UNION SELECT 'project', project FROM activities
UNION SELECT 'project', project FROM finance WHERE project IS NOT NULL
UNION SELECT 'area', program_area FROM activities WHERE program_area IS NOT NULL
ORDER BY kind, name
