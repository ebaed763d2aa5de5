-- Foundation schema (SQLite). Keep in lockstep with ../postgres/0001_foundation.sql.
-- Conventions: ids are UUIDv7 as TEXT; times are UTC TEXT 'YYYY-MM-DDTHH:MM:SS.ffffffZ'; dates
-- 'YYYY-MM-DD'; flags are 0/1 integers; every mutable record has a version for optimistic locking.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    require_totp INTEGER NOT NULL DEFAULT 0,
    next_case_number INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    team_id TEXT REFERENCES teams(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'km',
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    totp_secret TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_org ON users (org_id, username);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    second_factor_pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE locations (
    code TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    parent_code TEXT,
    name_km TEXT NOT NULL,
    name_latin TEXT NOT NULL,
    kind_km TEXT NOT NULL DEFAULT '',
    former_names TEXT NOT NULL DEFAULT '',
    keys TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX locations_parent ON locations (parent_code, name_latin);
CREATE INDEX locations_level ON locations (level, code);

CREATE TABLE rcis (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    rci_type TEXT NOT NULL,
    village_code TEXT REFERENCES locations(code),
    province_code TEXT,
    district_code TEXT,
    capacity INTEGER,
    registration_status TEXT NOT NULL,
    note TEXT,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rcis_province ON rcis (province_code, id);

CREATE TABLE children (
    -- The order of registration; lists and searches page by it.
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    case_number TEXT NOT NULL,
    assigned_worker_id TEXT REFERENCES users(id),
    team_id TEXT REFERENCES teams(id),
    given_name_km TEXT,
    family_name_km TEXT,
    given_name_latin TEXT,
    family_name_latin TEXT,
    nickname TEXT,
    sex TEXT NOT NULL,
    date_of_birth TEXT,
    estimated_birth_year INTEGER,
    birth_date_sort TEXT,
    birth_registration TEXT NOT NULL,
    birth_certificate_number TEXT,
    id_poor TEXT NOT NULL,
    disability TEXT NOT NULL,
    disability_note TEXT,
    protection TEXT NOT NULL DEFAULT '',
    protection_note TEXT,
    village_code TEXT REFERENCES locations(code),
    commune_code TEXT,
    district_code TEXT,
    province_code TEXT,
    living_arrangement TEXT NOT NULL,
    rci_id TEXT REFERENCES rcis(id),
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, case_number)
);
CREATE INDEX children_org ON children (org_id, seq);
CREATE INDEX children_worker ON children (assigned_worker_id, seq);
CREATE INDEX children_team ON children (team_id, seq);
CREATE INDEX children_province ON children (province_code, seq);
CREATE INDEX children_district ON children (district_code, seq);

-- Name search: a trigram index over normalised keys (see krousar-match). FTS5 here, pg_trgm there.
-- Its rowid is children.seq, so matches come out newest first without a sort.
CREATE VIRTUAL TABLE child_search USING fts5 (keys, tokenize = 'trigram');

CREATE TABLE households (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    phone TEXT,
    village_code TEXT REFERENCES locations(code),
    district_code TEXT,
    province_code TEXT,
    address_detail TEXT,
    income_band TEXT NOT NULL,
    id_poor TEXT NOT NULL,
    id_poor_number TEXT,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX households_org ON households (org_id, seq);
CREATE INDEX households_province ON households (province_code, seq);
CREATE VIRTUAL TABLE household_search USING fts5 (keys, tokenize = 'trigram');

CREATE TABLE household_members (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    position INTEGER NOT NULL,
    name_km TEXT,
    name_latin TEXT,
    relationship TEXT NOT NULL,
    sex TEXT,
    birth_year INTEGER,
    is_head INTEGER NOT NULL DEFAULT 0,
    phone TEXT
);
CREATE INDEX household_members_household ON household_members (household_id, position);

CREATE TABLE household_children (
    household_id TEXT NOT NULL REFERENCES households(id),
    child_id TEXT NOT NULL REFERENCES children(id),
    PRIMARY KEY (household_id, child_id)
);
CREATE INDEX household_children_child ON household_children (child_id);

CREATE TABLE residence_periods (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    rci_id TEXT NOT NULL REFERENCES rcis(id),
    entered TEXT NOT NULL,
    left_on TEXT,
    reason_left TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX residence_rci ON residence_periods (rci_id, entered);
CREATE INDEX residence_child ON residence_periods (child_id, entered);

-- Append-only, hash-chained audit log. audit_head holds the last link and serialises writers.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id TEXT,
    org_id TEXT,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_record ON audit_log (record_id, seq);
CREATE INDEX audit_org ON audit_log (org_id, seq);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

-- Every change to a record, in order: the basis of later offline sync.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX change_log_org ON change_log (org_id, seq);

-- Small named values of the whole installation (e.g. the gazetteer release loaded), so that every
-- app server can tell when its in-memory copy is stale.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
