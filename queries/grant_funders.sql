-- Funders that have a grant in the chosen organisations (any period), for the funder view's choice of funder.
SELECT DISTINCT funder
FROM grants
WHERE array_length($orgs) = 0 OR list_contains($orgs, org)
ORDER BY funder
