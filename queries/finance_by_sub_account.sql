-- Income and expense per sub-account (明细科目) below its statutory line, for the filtered
-- transactions whose 科目 named one (业务活动成本-儿童项目); exact DECIMAL sums. Rows without a
-- sub-account are in finance_by_line only.
SELECT
    flow,
    line,
    sub_account,
    count(*)                  AS transactions,
    sum(amount)::DECIMAL(38,2) AS amount
FROM finance_in($orgs, $projects, $areas, $year_from, $year_to)
WHERE sub_account IS NOT NULL
GROUP BY flow, line, sub_account
ORDER BY flow, line, amount DESC, sub_account
