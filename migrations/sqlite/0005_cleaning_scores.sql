-- Job 3, cleaning-zone scores: zones kept by classes or offices, versioned rubrics per kind of zone, settings,
-- immutable scored checks with their ratings, appeals by class teachers, and published league periods.

-- A zone scored in the class league (kept by `class_id`) or the office league (a teachers' office).
CREATE TABLE cleaning_zones (
    id TEXT PRIMARY KEY,
    place_id TEXT NOT NULL REFERENCES places (id),
    -- Which rubric: outdoor, indoor, office.
    kind TEXT NOT NULL,
    league TEXT NOT NULL,
    class_id TEXT REFERENCES school_classes (id),
    -- 1: the zone set on the class itself, which follows the class (moved or deactivated with it); 0: added here.
    automatic INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX cleaning_zones_version ON cleaning_zones (version);

-- Each edit of a kind's rubric is a new version; a check keeps the version it was scored with.
CREATE TABLE cleaning_rubrics (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    full_score INTEGER NOT NULL,
    items TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (kind, rubric_version)
);

-- One row: the fixed times, the spot-check weight, the threshold, the appeal window, the term (JSON).
CREATE TABLE cleaning_settings (
    id INTEGER PRIMARY KEY,
    settings TEXT NOT NULL,
    version INTEGER NOT NULL
);

-- A scored check is never changed: a correction is a new check that supersedes it.
CREATE TABLE cleaning_checks (
    id TEXT PRIMARY KEY,
    zone_id TEXT NOT NULL REFERENCES cleaning_zones (id),
    league TEXT NOT NULL,
    -- The class that kept the zone when it was checked (NULL in the office league).
    class_id TEXT REFERENCES school_classes (id),
    kind TEXT NOT NULL,
    slot TEXT,
    rubric_kind TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    full_score INTEGER NOT NULL,
    score INTEGER NOT NULL,
    inspector_id TEXT NOT NULL REFERENCES users (id),
    -- The inspector's phone clock when saved, corrected by its measured skew.
    checked_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    supersedes TEXT REFERENCES cleaning_checks (id),
    version INTEGER NOT NULL
);
CREATE INDEX cleaning_checks_checked_at ON cleaning_checks (checked_at);
CREATE INDEX cleaning_checks_version ON cleaning_checks (version);
CREATE INDEX cleaning_checks_class ON cleaning_checks (class_id, checked_at);

CREATE TABLE cleaning_ratings (
    check_id TEXT NOT NULL REFERENCES cleaning_checks (id),
    item_key TEXT NOT NULL,
    -- The item's place in the rubric.
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    grade TEXT NOT NULL,
    deduction INTEGER NOT NULL,
    note TEXT NOT NULL,
    -- The ids of the photos proving a deduction (JSON list); the photos themselves are in `photos`.
    photos TEXT NOT NULL,
    PRIMARY KEY (check_id, item_key)
);

-- A class teacher's appeal against a check; the admin accepts (the check stops counting) or rejects it.
CREATE TABLE cleaning_appeals (
    id TEXT PRIMARY KEY,
    check_id TEXT NOT NULL REFERENCES cleaning_checks (id),
    class_id TEXT REFERENCES school_classes (id),
    teacher_id TEXT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    filed_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    resolved_by TEXT REFERENCES users (id),
    resolved_at INTEGER,
    resolution TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX cleaning_appeals_check ON cleaning_appeals (check_id);
CREATE INDEX cleaning_appeals_version ON cleaning_appeals (version);

-- A league period the admin published: a class week (its Monday, YYYY-MM-DD) or an office month (YYYY-MM).
CREATE TABLE cleaning_publications (
    league TEXT NOT NULL,
    period TEXT NOT NULL,
    published_by TEXT NOT NULL REFERENCES users (id),
    published_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (league, period)
);
