-- Job 2, Friday fire-safety and anti-theft rounds: checklists per kind of check point (versioned), a schedule per
-- point, holidays, and immutable signed checks whose failures open repair tickets.

-- When each point is due: on `weekday` (1 Monday … 7 Sunday) every `every_weeks` weeks. Friday by default.
ALTER TABLE check_points ADD COLUMN weekday INTEGER NOT NULL DEFAULT 5;
ALTER TABLE check_points ADD COLUMN every_weeks INTEGER NOT NULL DEFAULT 1;

-- Each edit of a kind's checklist is a new version; a check keeps the version it was made with.
CREATE TABLE safety_templates (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    items TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (kind, template_version)
);

-- Days the admin marked as holidays: nothing falls due on them.
CREATE TABLE safety_holidays (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL,
    version INTEGER NOT NULL
);

-- A completed check is never changed: a correction is a new check that supersedes it.
CREATE TABLE safety_checks (
    id TEXT PRIMARY KEY,
    point_id TEXT NOT NULL REFERENCES check_points (id),
    kind TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    inspector_id TEXT NOT NULL REFERENCES users (id),
    -- The inspector's phone clock when signed, corrected by its measured skew.
    checked_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    opened_by_scan INTEGER NOT NULL,
    signature TEXT NOT NULL,
    supersedes TEXT REFERENCES safety_checks (id),
    failed INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX safety_checks_point ON safety_checks (point_id, checked_at);
CREATE INDEX safety_checks_version ON safety_checks (version);

CREATE TABLE safety_answers (
    check_id TEXT NOT NULL REFERENCES safety_checks (id),
    item_key TEXT NOT NULL,
    label TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL,
    -- The repair ticket a failure opened.
    ticket_id TEXT REFERENCES tickets (id),
    PRIMARY KEY (check_id, item_key)
);

-- The check whose failure opened a ticket.
ALTER TABLE tickets ADD COLUMN source_check_id TEXT;
