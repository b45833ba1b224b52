-- Every organisation's projects, programme areas and years with records, in one small
-- result: the sidebar's options for any selection, read once per data version and then
-- looked up in memory (impact/web/options.py). Same rows as filter_orgs, filter_projects,
-- filter_areas and year_span give per selection; reads the monthly rollup when there is one.
SELECT 'activities' AS source, org, project, program_area,
       min(year) AS first_year, max(year) AS last_year
FROM activities_in([]::VARCHAR[], []::VARCHAR[], []::VARCHAR[], NULL, NULL)
GROUP BY org, project, program_area
UNION ALL
SELECT 'finance' AS source, org, NULL AS project, NULL AS program_area,
       min(year) AS first_year, max(year) AS last_year
FROM finance_in([]::VARCHAR[], []::VARCHAR[], []::VARCHAR[], NULL, NULL)
GROUP BY org
UNION ALL
SELECT DISTINCT 'indicators' AS source, org, NULL AS project, NULL AS program_area,
       NULL AS first_year, NULL AS last_year
FROM indicators
