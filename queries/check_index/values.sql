-- The check index (impact.storage.check_index): how many activity records of each
-- organisation, project and programme area have each number of person-times. A selection's
-- project medians (data_quality_outliers) are read off these counts: a few rows per project
-- instead of every record.
SELECT org, project, program_area, beneficiaries AS value, count(*)::BIGINT AS n
FROM activities
GROUP BY org, project, program_area, beneficiaries
