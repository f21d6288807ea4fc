-- The term roll-over (`/admin/term`): every class moves up a grade, 六年级 classes are deactivated and kept (their
-- checks and appeals still name them), new 一年级 classes are added. A graduated 六年级1班 and the 五年级1班 moving
-- up to take its name are two rows with one grade and number, so "one class per grade and number" now holds for
-- the active classes only: a partial unique index replaces the table's UNIQUE (grade, number).
ALTER TABLE school_classes DROP CONSTRAINT school_classes_grade_number_key;
CREATE UNIQUE INDEX school_classes_active_grade_number ON school_classes (grade, number) WHERE active = 1;

-- One row per roll-over, by the first day of the term it opened: a second roll-over into the same term is
-- refused. What it changed is in the audit log.
CREATE TABLE term_rollovers (
    term_start TEXT PRIMARY KEY,
    rolled_over_at BIGINT NOT NULL,
    rolled_over_by TEXT REFERENCES users (id)
);
