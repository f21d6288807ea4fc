-- The term roll-over (`/admin/term`): every class moves up a grade, 六年级 classes are deactivated and kept (their
-- checks and appeals still name them), new 一年级 classes are added. A graduated 六年级1班 and the 五年级1班 moving
-- up to take its name are two rows with one grade and number, so "one class per grade and number" now holds for
-- the active classes only: a partial unique index replaces the table's UNIQUE (grade, number).
--
-- SQLite cannot drop a table constraint, so the table is made again. sqlx runs this file in a transaction on a
-- connection with `foreign_keys = ON`, where that pragma cannot change; the cleaning tables' rows pointing at
-- classes would stop the DROP. Deferred, the DROP's orphans are counted and every row copied back into the new
-- `school_classes` finds its children again, so the check at COMMIT passes (and fails, undoing it all, if a row
-- were lost). No rename is needed: the new table is made under the old name, so the references others hold by
-- name (`REFERENCES school_classes (id)`) point at it unchanged.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE school_classes_copy AS SELECT * FROM school_classes;

DROP TABLE school_classes;

CREATE TABLE school_classes (
    id TEXT PRIMARY KEY,
    grade INTEGER NOT NULL,
    number INTEGER NOT NULL,
    teacher_id TEXT REFERENCES users (id),
    zone_id TEXT REFERENCES places (id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);

INSERT INTO school_classes (id, grade, number, teacher_id, zone_id, active, created_at, version)
SELECT id, grade, number, teacher_id, zone_id, active, created_at, version FROM school_classes_copy;

DROP TABLE school_classes_copy;

CREATE INDEX school_classes_version ON school_classes (version);
CREATE UNIQUE INDEX school_classes_active_grade_number ON school_classes (grade, number) WHERE active = 1;

-- One row per roll-over, by the first day of the term it opened: a second roll-over into the same term is
-- refused. What it changed is in the audit log.
CREATE TABLE term_rollovers (
    term_start TEXT PRIMARY KEY,
    rolled_over_at INTEGER NOT NULL,
    rolled_over_by TEXT REFERENCES users (id)
);
