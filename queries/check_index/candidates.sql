-- The check index (impact.storage.check_index): the activity records that can be an outlier
-- (more than ten times their project's median person-times) in some selection.
-- A selection's areas change a project's median, but never below the smallest lower median
-- of the project's areas taken one by one: fewer than half of each area's records lie below
-- its own lower median, so fewer than half of any union of areas lie below the smallest of
-- them (the union's lower median, and so its median, is at least that). A record at most
-- ten times that bound is no outlier in any selection; the rest are kept, at most $cap + 1
-- of them (more means: no index for the outliers, they are read from the records).
-- The counts of values per area are the index's own (check_values, written just before).
WITH h AS (
    SELECT org, project, program_area, value, n FROM check_values
), upto AS (
    SELECT a.org, a.project, a.program_area, a.value, sum(b.n) AS upto
    FROM h a
    JOIN h b ON b.org = a.org AND b.project = a.project
            AND b.program_area IS NOT DISTINCT FROM a.program_area AND b.value <= a.value
    GROUP BY a.org, a.project, a.program_area, a.value
), counts AS (
    SELECT org, project, program_area, sum(n) AS records
    FROM h GROUP BY org, project, program_area
), lower_median AS (
    -- The value at 0-based rank floor((N-1)/2) of each area's records.
    SELECT u.org, u.project, u.program_area,
           min(CASE WHEN u.upto > (c.records - 1) // 2 THEN u.value END) AS lo
    FROM upto u
    JOIN counts c ON c.org = u.org AND c.project = u.project
                 AND c.program_area IS NOT DISTINCT FROM u.program_area
    GROUP BY u.org, u.project, u.program_area
), bound AS (
    SELECT org, project, min(lo) AS lowest FROM lower_median GROUP BY org, project
)
SELECT r.activity_id, r.date, r.org, r.project, r.program_area, r.beneficiaries
FROM activities r
JOIN bound b ON b.org = r.org AND b.project = r.project
WHERE r.beneficiaries > 10 * b.lowest
ORDER BY r.org, r.project, r.activity_id
LIMIT $limit
