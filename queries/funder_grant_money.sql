-- What a funder's money did in the selected years: income received from the funder (by grant; grant empty for gifts outside a grant) and expenses booked to the funder's grants, by organisation, grant and flow.
WITH fg AS (
    SELECT org, grant_id FROM grants WHERE funder = $funder
)
SELECT f.org, f.grant_id, f.flow, sum(f.amount) AS amount, count(*) AS transactions
FROM finance_in($orgs, $projects, []::VARCHAR[], $year_from, $year_to) f
LEFT JOIN fg ON fg.org = f.org AND fg.grant_id = f.grant_id
WHERE (f.flow = 'income' AND (f.funder = $funder OR fg.grant_id IS NOT NULL))
   OR (f.flow = 'expense' AND fg.grant_id IS NOT NULL)
GROUP BY f.org, f.grant_id, f.flow
ORDER BY f.org, f.grant_id NULLS LAST, f.flow
