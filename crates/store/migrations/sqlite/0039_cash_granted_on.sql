-- The day a child's cash support was granted, in a column of its own (issue 23): the indicator
-- "children granted cash support" matched the JSON state with LIKE. Written from the typed state
-- (`CashSupport::grant`) with every save from now on; filled here from the states once.
ALTER TABLE cash_support ADD COLUMN granted_on TEXT;
UPDATE cash_support SET granted_on = json_extract(state, '$.grant.approved_on');
