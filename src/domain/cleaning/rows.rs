//! The stored rows as phones and pages see them.

use super::*;

/// A zone as phones and pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRow {
    pub id: Uuid,
    pub place_id: Uuid,
    /// The place's name (南门广场, 总务处).
    pub name: String,
    pub kind: ZoneKind,
    pub league: League,
    pub class_id: Option<Uuid>,
    /// The class that keeps it, as (grade, number).
    pub class: Option<(i64, i64)>,
    pub teacher_id: Option<Uuid>,
    pub active: bool,
}

/// One rated item of a stored check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRow {
    pub key: String,
    pub label: String,
    pub grade: Grade,
    pub deduction: i64,
    pub note: String,
    pub photos: Vec<Uuid>,
}

/// A stored check as phones and pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    pub id: Uuid,
    pub zone_id: Uuid,
    pub league: League,
    pub class_id: Option<Uuid>,
    pub kind: CheckKind,
    pub slot: Option<String>,
    pub rubric_version: i64,
    pub full_score: i64,
    pub score: i64,
    pub inspector_id: Uuid,
    pub checked_at: i64,
    pub received_at: i64,
    pub supersedes: Option<Uuid>,
    pub ratings: Vec<RatingRow>,
}

/// An appeal as phones and pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealRow {
    pub id: Uuid,
    pub check_id: Uuid,
    pub class_id: Option<Uuid>,
    pub teacher_id: Uuid,
    pub reason: String,
    pub filed_at: i64,
    pub status: AppealStatus,
    pub resolution: String,
    pub resolved_at: Option<i64>,
}

// The tables these rows are synced in (`domain::sync::Synced`).
crate::domain::sync::synced! {
    ZoneRow => "cleaning_zones",
    CheckRow => "cleaning_checks",
    AppealRow => "cleaning_appeals",
}
