//! The term roll-over (升年级): every class moves up a grade, 六年级 classes graduate (deactivated, kept for the
//! history that names them), and new 一年级 classes are added from a count. The rules here need no database: which
//! grade a class moves to, how many new classes may be asked for, the first day of a term as the school writes
//! it, and the fingerprint that tells a plan made from a preview whether the classes changed since.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The grade whose classes graduate instead of moving up.
pub const LAST_GRADE: i64 = 6;

/// The most new 一年级 classes one roll-over adds (a class number is at most 30).
pub const NEW_CLASSES_MAX: i64 = 30;

/// The grade a class in `grade` moves to; `None`: it graduates.
pub fn next_grade(grade: i64) -> Option<i64> {
    (grade < LAST_GRADE).then_some(grade + 1)
}

/// The first day of a term, `YYYY-MM-DD` exactly and a real day (not `2026-9-1`, not `2026-02-30`).
pub fn term_start(text: &str) -> Option<String> {
    let text = text.trim();
    let (from, _) = super::clock::day_range(text, 0)?;
    let normal = super::clock::date(from, 0);
    (normal == text).then_some(normal)
}

/// A fingerprint of the active classes, each by id and version: every change to a class (its grade, teacher or
/// zone, its activation) stamps it with a new version, and an added class is one more pair, so two fingerprints
/// differ whenever the classes do. The order of `classes` does not matter.
pub fn fingerprint(classes: &[(Uuid, i64)]) -> String {
    let mut sorted = classes.to_vec();
    sorted.sort();
    let mut hash = Sha256::new();
    for (id, version) in sorted {
        hash.update(id.as_bytes());
        hash.update(version.to_be_bytes());
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_move_up_and_sixth_grade_graduates() {
        assert_eq!(next_grade(1), Some(2));
        assert_eq!(next_grade(5), Some(6));
        assert_eq!(next_grade(6), None);
    }

    #[test]
    fn a_term_starts_on_a_real_day_written_in_full() {
        assert_eq!(term_start(" 2026-09-01 ").as_deref(), Some("2026-09-01"));
        assert_eq!(term_start("2026-9-1"), None);
        assert_eq!(term_start("2026-02-30"), None);
        assert_eq!(term_start("九月一日"), None);
        assert_eq!(term_start(""), None);
    }

    #[test]
    fn the_fingerprint_changes_with_any_class_and_not_with_order() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let both = fingerprint(&[(a, 3), (b, 4)]);
        assert_eq!(both, fingerprint(&[(b, 4), (a, 3)]));
        assert_ne!(both, fingerprint(&[(a, 3), (b, 5)]), "a class saved");
        assert_ne!(both, fingerprint(&[(a, 3)]), "a class deactivated");
        assert_ne!(
            both,
            fingerprint(&[(a, 3), (b, 4), (Uuid::now_v7(), 6)]),
            "a class added"
        );
    }
}
