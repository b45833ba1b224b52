-- The check index (impact.storage.check_index): the years of the activity records, to find
-- the repeated records one year at a time (read from the hive partitions, no data).
SELECT DISTINCT year FROM activities WHERE year IS NOT NULL ORDER BY year
