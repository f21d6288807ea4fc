-- Job 4, repair tickets: a current state plus an append-only timeline; and photos, for every job.

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    place_id TEXT NOT NULL REFERENCES places (id),
    category TEXT NOT NULL,
    urgency TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter_id TEXT NOT NULL REFERENCES users (id),
    assignee_id TEXT REFERENCES users (id),
    status TEXT NOT NULL,
    rating INTEGER,
    -- The reporting phone's clock corrected by its measured skew.
    reported_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    -- reported_at plus the target time for its urgency when it was reported.
    due_at INTEGER NOT NULL,
    done_at INTEGER,
    closed_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX tickets_version ON tickets (version);
CREATE INDEX tickets_reporter ON tickets (reporter_id);
CREATE INDEX tickets_assignee ON tickets (assignee_id);
CREATE INDEX tickets_reported_at ON tickets (reported_at);

-- Everything that happened to a ticket, in the server's order (version, ord). Nothing is ever updated or
-- deleted: a status change that lost to another phone's is kept with applied = 0.
CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    ord INTEGER NOT NULL,
    -- NULL: the server itself (an assignment rule).
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    -- The state the phone saw when the change was made, and the state it led to (NULL when not applied).
    from_status TEXT,
    from_assignee_id TEXT,
    to_status TEXT,
    applied INTEGER NOT NULL,
    note TEXT NOT NULL,
    rating INTEGER,
    assignee_id TEXT REFERENCES users (id),
    client_time INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id);
CREATE INDEX ticket_events_version ON ticket_events (version);

-- Who started or stopped seeing a ticket (assigned to them, reassigned away), so their phone gets its whole
-- history, or drops it.
CREATE TABLE ticket_access (
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    visible INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX ticket_access_user ON ticket_access (user_id, version);

-- Assign new tickets of a category to one person automatically.
CREATE TABLE ticket_rules (
    category TEXT PRIMARY KEY,
    assignee_id TEXT NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL
);

-- Photos of any record, declared by the record's mutation (id, SHA-256, size) and uploaded after it.
CREATE TABLE photos (
    id TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    -- The event (or other part of the record) the photo belongs to.
    part_id TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    declared_by TEXT NOT NULL REFERENCES users (id),
    declared_at INTEGER NOT NULL,
    content_type TEXT,
    stored_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX photos_owner ON photos (owner_kind, owner_id);
CREATE INDEX photos_version ON photos (version);
