-- Foundation: the change counter, people and sessions, and the campus directory.
-- Timestamps are milliseconds since the Unix epoch; ids are UUID text born on the device or the server;
-- flags are 0/1 integers (the same on both backends, read through sqlx's Any driver).

CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    -- Changes when the database is restored from a backup, so phones know their cursor is stale.
    epoch TEXT NOT NULL
);
INSERT INTO sync_state (id, version, epoch) VALUES (1, 0, lower(hex(randomblob(16))));

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'zh',
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sign_in_failures (
    username_key TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (username_key, failed_at);

CREATE TABLE places (
    id TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES places (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX places_parent ON places (parent_id);

CREATE TABLE school_classes (
    id TEXT PRIMARY KEY,
    grade INTEGER NOT NULL,
    number INTEGER NOT NULL,
    teacher_id TEXT REFERENCES users (id),
    zone_id TEXT REFERENCES places (id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (grade, number)
);

CREATE TABLE check_points (
    id TEXT PRIMARY KEY,
    place_id TEXT NOT NULL REFERENCES places (id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    responsible_id TEXT REFERENCES users (id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX check_points_place ON check_points (place_id);
CREATE INDEX check_points_responsible ON check_points (responsible_id);
