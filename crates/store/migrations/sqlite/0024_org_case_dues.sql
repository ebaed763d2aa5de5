-- A manager's worklist: an organisation's open cases by each due date, so the first hundred
-- due are an index range (cases carry their child's organisation and move with it on
-- transfer) instead of a lookup for each of the organisation's thousands of children.
CREATE INDEX cases_org_first_contact ON cases (org_id, first_contact_due) WHERE first_contact_on IS NULL AND closed_on IS NULL;
CREATE INDEX cases_org_reassessment ON cases (org_id, reassessment_due) WHERE closed_on IS NULL;
CREATE INDEX cases_org_plan_review ON cases (org_id, plan_review_due) WHERE closed_on IS NULL;
