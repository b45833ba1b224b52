-- Projects a funder funds: the organisation and project of every income transaction naming the funder (transactions without a project fund the organisation, not a project, and are left out).
SELECT DISTINCT org, project
FROM finance
WHERE flow = 'income' AND funder = $funder AND project IS NOT NULL
ORDER BY org, project
