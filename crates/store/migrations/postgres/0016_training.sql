-- Workforce and training: the people trained, courses of modules, sessions with attendance and
-- test scores, and mentoring after training.
CREATE TABLE trainees (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    role TEXT NOT NULL,
    province_code TEXT,
    qualifications TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX trainees_org ON trainees (org_id, name);

CREATE TABLE courses (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    modules TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE training_sessions (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    place TEXT NOT NULL,
    trainer TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX training_sessions_org ON training_sessions (org_id, starts_on);

CREATE TABLE session_participants (
    session_id TEXT NOT NULL REFERENCES training_sessions(id),
    trainee_id TEXT NOT NULL REFERENCES trainees(id),
    attended BIGINT NOT NULL DEFAULT 0,
    pre_score BIGINT,
    post_score BIGINT,
    certificate BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, trainee_id)
);

CREATE TABLE mentoring (
    id TEXT PRIMARY KEY,
    trainee_id TEXT NOT NULL REFERENCES trainees(id),
    on_date TEXT NOT NULL,
    mentor TEXT NOT NULL,
    topic TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX mentoring_trainee ON mentoring (trainee_id, on_date);
