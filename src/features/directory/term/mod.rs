//! The term roll-over (`/admin/term`, 升年级): before the new school year the admin previews, then applies in one
//! action, what the summer changes. Every class moves up a grade keeping its id (its history follows it under
//! its new name), 六年级 classes graduate (deactivated, kept: their checks and appeals still say 六年级1班), new
//! 一年级 classes are added from a count, class teachers and zones carry over unless changed in the preview, and
//! the cleaning league starts counting the new term from its first day. Nothing changes before the admin
//! confirms; a plan made from a preview the classes have since left, or a second roll-over into the same term,
//! is refused and changes nothing.

#[cfg(feature = "ssr")]
mod plan;
mod term_page;

pub use term_page::TermPage;

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A class moving up a grade, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovingClass {
    pub class_id: Uuid,
    /// Its grade and number now; it moves to the next grade with the same number.
    pub grade: i64,
    pub number: i64,
    /// Its class teacher and zone for the new term: the ones it has, while they are still active.
    pub teacher_id: Option<Uuid>,
    pub zone_id: Option<Uuid>,
    /// It had a teacher (or a zone) no longer active, so none is carried over.
    pub teacher_left: bool,
    pub zone_left: bool,
}

/// A 六年级 class that graduates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraduatingClass {
    pub class_id: Uuid,
    pub number: i64,
    pub teacher_name: Option<String>,
}

/// A new 一年级 class: its number is its place in the list, from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewClass {
    pub teacher_id: Option<Uuid>,
    pub zone_id: Option<Uuid>,
}

/// A moving class's teacher and zone as the admin confirmed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassChoice {
    pub class_id: Uuid,
    pub teacher_id: Option<Uuid>,
    pub zone_id: Option<Uuid>,
}

/// A roll-over already made into this term or a later one: another is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneAlready {
    pub term_start: String,
    /// When it was made (ms).
    pub at: i64,
}

/// What a roll-over into the term starting `term_start` would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermPreview {
    pub term_start: String,
    /// The first day the cleaning league counts from now.
    pub current_term_start: String,
    /// The active classes as this preview saw them ([`crate::domain::term::fingerprint`]).
    pub fingerprint: String,
    pub done_already: Option<DoneAlready>,
    /// 一年级 to 五年级, in school order.
    pub moving: Vec<MovingClass>,
    pub graduating: Vec<GraduatingClass>,
    /// 一年级1班, 一年级2班, …: the zone a graduating class with the same number kept is offered again.
    pub new_classes: Vec<NewClass>,
}

/// The roll-over the admin confirmed: the preview's fingerprint, every moving class's teacher and zone, and the
/// new 一年级 classes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermPlan {
    pub term_start: String,
    pub fingerprint: String,
    pub moving: Vec<ClassChoice>,
    pub new_classes: Vec<NewClass>,
}

/// What a roll-over did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermDone {
    pub term_start: String,
    pub moved: usize,
    pub graduated: usize,
    pub created: usize,
}

/// What a roll-over into the term starting `term_start` would do, with `new_classes` new 一年级 classes (by
/// default as many as graduate). Writes nothing. The admin only.
#[server(endpoint = "directory/term_preview", input = Json)]
pub async fn preview_term(
    term_start: String,
    new_classes: Option<i64>,
) -> Result<TermPreview, AppError> {
    crate::server::respond(handlers::preview(term_start, new_classes).await)
}

/// Applies a confirmed roll-over in one transaction, or refuses it whole. The admin only.
#[server(endpoint = "directory/term_apply", input = Json)]
pub async fn apply_term(plan: TermPlan) -> Result<TermDone, AppError> {
    crate::server::respond(handlers::apply(plan).await)
}

#[cfg(feature = "ssr")]
mod handlers {
    use super::{TermDone, TermPlan, TermPreview};
    use crate::domain::Role;
    use crate::domain::term::{NEW_CLASSES_MAX, term_start};
    use crate::error::{AppError, Problem};
    use crate::features::auth::session;

    fn valid_term_start(text: &str) -> Result<String, AppError> {
        term_start(text).ok_or_else(|| AppError::invalid("term_start", Problem::Invalid))
    }

    fn valid_count(count: i64) -> Result<i64, AppError> {
        if (0..=NEW_CLASSES_MAX).contains(&count) {
            Ok(count)
        } else {
            Err(AppError::invalid("new_classes", Problem::Invalid))
        }
    }

    pub async fn preview(
        term_start: String,
        new_classes: Option<i64>,
    ) -> Result<TermPreview, AppError> {
        let db = session::require_role(&[Role::Admin]).await?.state.db;
        let term_start = valid_term_start(&term_start)?;
        let new_classes = new_classes.map(valid_count).transpose()?;
        super::plan::preview(&db, term_start, new_classes).await
    }

    pub async fn apply(plan: TermPlan) -> Result<TermDone, AppError> {
        let session::Caller { state, user } = session::require_role(&[Role::Admin]).await?;
        let term_start = valid_term_start(&plan.term_start)?;
        valid_count(i64::try_from(plan.new_classes.len()).unwrap_or(i64::MAX))?;
        super::plan::apply(&state.db, TermPlan { term_start, ..plan }, user.id).await
    }
}
