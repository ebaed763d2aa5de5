-- What a transfer's sender may still read, and who changes an institution (issue 19).
-- The sender keeps reading what it recorded, up to the transfer, and only the people of it who
-- worked on the case: they are listed when the transfer is accepted, with the child's record as
-- it was then (the receiver's later changes, such as a new address, are not the sender's).
ALTER TABLE referrals ADD COLUMN child_snapshot TEXT;
CREATE TABLE transfer_readers (
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (referral_id, user_id)
);
-- Transfers accepted before: the sender's people who wrote on the case.
INSERT INTO transfer_readers (referral_id, user_id)
SELECT DISTINCT r.id, e.author_id FROM referrals r
JOIN case_entries e ON e.child_id = r.child_id
JOIN users u ON u.id = e.author_id AND u.org_id = r.from_org
WHERE r.kind = 'transfer' AND r.state = 'accepted' AND e.author_id IS NOT NULL;
-- The organisation that works with an institution on its transition: the one that registered
-- it, unless the ministry did.
ALTER TABLE rcis ADD COLUMN partner_org_id TEXT REFERENCES organisations(id);
UPDATE rcis SET partner_org_id = (
    SELECT u.org_id FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = rcis.created_by AND o.kind = 'ngo'
);
