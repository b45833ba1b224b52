-- Person-times (人次) by beneficiary group for the selection, and the person-times of all the
-- selected records (group NULL), so the share no record breaks down can be shown. A group row
-- belongs to one organisation's activity: ids are unique only within an organisation.
WITH acts AS (
    SELECT activity_id, org, beneficiaries
    FROM activities_in($orgs, $projects, $areas, $year_from, $year_to)
)
SELECT g.beneficiary_group, sum(g.beneficiaries)::BIGINT AS beneficiaries
FROM activity_groups g
JOIN acts ON acts.org = g.org AND acts.activity_id = g.activity_id
GROUP BY g.beneficiary_group
UNION ALL
SELECT NULL, coalesce(sum(beneficiaries), 0)::BIGINT FROM acts
ORDER BY beneficiary_group NULLS FIRST
