-- Case management: one case per child, its records (as validated JSON of the domain types,
-- with the columns lists and schedules need), approvals, tasks and follow-up visits.

ALTER TABLE organisations ADD COLUMN case_settings TEXT;

CREATE TABLE cases (
    child_id TEXT PRIMARY KEY REFERENCES children(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    route TEXT NOT NULL,
    referral_source TEXT,
    opened_on TEXT NOT NULL,
    summary TEXT,
    immediate_safety TEXT,
    stage TEXT NOT NULL,
    risk_level TEXT,
    first_contact_due TEXT,
    first_contact_on TEXT,
    supervisor_id TEXT REFERENCES users(id),
    -- Facts the stage is derived from (see krousar_domain::case::stage).
    assessed BIGINT NOT NULL DEFAULT 0,
    has_care_plan BIGINT NOT NULL DEFAULT 0,
    assessment_approved BIGINT NOT NULL DEFAULT 0,
    care_plan_approved BIGINT NOT NULL DEFAULT 0,
    placement_id TEXT,
    placement_kind TEXT,
    placement_started_on TEXT,
    placement_approved BIGINT NOT NULL DEFAULT 0,
    follow_up_until TEXT,
    reassessment_due TEXT,
    plan_review_due TEXT,
    closed_on TEXT,
    closure_reason TEXT,
    opened_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_org_stage ON cases (org_id, stage);

CREATE TABLE case_entries (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    child_id TEXT NOT NULL REFERENCES cases(child_id),
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_entries_child ON case_entries (child_id, kind, seq);

CREATE TABLE case_approvals (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES cases(child_id),
    kind TEXT NOT NULL,
    entry_id TEXT REFERENCES case_entries(id),
    request TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    comment TEXT
);
CREATE INDEX case_approvals_child ON case_approvals (child_id, state);
CREATE INDEX case_approvals_pending ON case_approvals (state, child_id);

CREATE TABLE case_tasks (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES cases(child_id),
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    due_on TEXT NOT NULL,
    done_on TEXT,
    source TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_tasks_owner_open ON case_tasks (owner_id, done_on, due_on);
CREATE INDEX case_tasks_child ON case_tasks (child_id, due_on);

CREATE TABLE follow_up_visits (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES cases(child_id),
    placement_id TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT,
    visit_entry_id TEXT REFERENCES case_entries(id)
);
CREATE INDEX follow_up_child ON follow_up_visits (child_id, done_on, due_on);
