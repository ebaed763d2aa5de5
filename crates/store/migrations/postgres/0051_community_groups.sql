-- Community groups and their sessions (issue 26): parenting clubs, youth groups, savings
-- groups, awareness events… A member is a child of the organisation's records (name and sex
-- read from there), a person of one of its households (the household is the link: its members
-- are written anew on each edit, so their name, sex and age group are taken when added), or a
-- person named here with sex and age group.
CREATE TABLE community_groups (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    organiser TEXT,
    village_code TEXT REFERENCES locations(code),
    place TEXT,
    started_on TEXT,
    note TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX community_groups_org ON community_groups (org_id, kind);

CREATE TABLE community_members (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES community_groups(id),
    child_id TEXT REFERENCES children(id),
    household_id TEXT REFERENCES households(id),
    name TEXT,
    sex TEXT,
    age_group TEXT,
    role TEXT NOT NULL,
    joined_on TEXT NOT NULL,
    left_on TEXT,
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at TEXT NOT NULL
);
CREATE INDEX community_members_group ON community_members (group_id);
CREATE INDEX community_members_child ON community_members (child_id);
CREATE UNIQUE INDEX community_members_one_child ON community_members (group_id, child_id);
CREATE INDEX community_members_household ON community_members (household_id);

CREATE TABLE community_sessions (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES community_groups(id),
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    note TEXT,
    reached_female BIGINT NOT NULL DEFAULT 0,
    reached_male BIGINT NOT NULL DEFAULT 0,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX community_sessions_group ON community_sessions (group_id, held_on);
CREATE INDEX community_sessions_held ON community_sessions (held_on);

CREATE TABLE community_attendance (
    session_id TEXT NOT NULL REFERENCES community_sessions(id),
    member_id TEXT NOT NULL REFERENCES community_members(id),
    PRIMARY KEY (session_id, member_id)
);
CREATE INDEX community_attendance_member ON community_attendance (member_id);
