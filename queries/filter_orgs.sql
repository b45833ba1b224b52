-- Organisations that have any records, for the organisation filter.
SELECT org FROM activities
UNION SELECT org FROM finance
UNION SELECT org FROM indicators
ORDER BY org
