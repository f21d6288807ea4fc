//! The cleaning scores' mutations, applied by the sync engine inside its batch transaction: a scored check
//! (`cleaning.check@1`) and a class teacher's appeal (`cleaning.appeal@1`).
//!
//! A check is validated against the rubric version it names and stored once with the score the server computes;
//! its photos are declared with the record (uploaded after it). An appeal is accepted only from the teacher of
//! the class the check was made for, within the window the admin set, once per check while one is open.

use super::db;
use crate::domain::Role;
use crate::domain::cleaning::{
    AppealArgs, AppealStatus, CheckArgs, League, Rubric, Settings, ZoneKind, ZoneRow,
    appeal_deadline,
};
use crate::domain::sync::{Mutation, Outcome};
use crate::error::{AppError, Problem};
use crate::server::db::{Param, existing_ids, insert_rows};
use crate::sync::server::photo_batch::PhotoBatch;
use crate::sync::server::registry::{Context, args, field, forbidden, invalid, rejected};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The columns of a stored check, its ratings and an appeal, in the order their rows are queued.
pub const CHECK_COLUMNS: &[&str] = &[
    "id",
    "zone_id",
    "league",
    "class_id",
    "kind",
    "slot",
    "rubric_kind",
    "rubric_version",
    "full_score",
    "score",
    "inspector_id",
    "checked_at",
    "received_at",
    "supersedes",
    "version",
];
pub const RATING_COLUMNS: &[&str] = &[
    "check_id",
    "item_key",
    "position",
    "label",
    "grade",
    "deduction",
    "note",
    "photos",
];
const APPEAL_COLUMNS: &[&str] = &[
    "id",
    "check_id",
    "class_id",
    "teacher_id",
    "reason",
    "filed_at",
    "received_at",
    "status",
    "resolution",
    "version",
];

#[derive(Default)]
pub struct CleaningBatch {
    zones: HashMap<Uuid, ZoneRow>,
    rubrics: HashMap<(ZoneKind, i64), Rubric>,
    settings: Settings,
    /// Checks that exist (on the server or earlier in this batch).
    checks: HashMap<Uuid, db::CheckFacts>,
    /// Corrections made so far: corrected check → its correction.
    corrections: HashMap<Uuid, Uuid>,
    /// Appeals that exist: id → check; and the checks with an open or accepted appeal.
    appeals: HashSet<Uuid>,
    appealed: HashSet<Uuid>,
    /// The classes each teacher of this batch keeps.
    teaches: HashMap<Uuid, Vec<Uuid>>,
    new_checks: Vec<Vec<Param>>,
    new_ratings: Vec<Vec<Param>>,
    new_appeals: Vec<Vec<Param>>,
}

fn uuid_arg(args: &serde_json::Value, key: &str) -> Option<Uuid> {
    args.get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl CleaningBatch {
    pub async fn prefetch(
        conn: &mut AnyConnection,
        mutations: &[&Mutation],
        user: Uuid,
    ) -> Result<CleaningBatch, sqlx::Error> {
        use crate::domain::cleaning::{APPEAL, CHECK};
        let mut checks = HashSet::new();
        let mut corrected = HashSet::new();
        let mut appeals = HashSet::new();
        let mut any_check = false;
        let mut any_appeal = false;
        for mutation in mutations {
            let a = &mutation.args;
            match mutation.name.as_str() {
                CHECK => {
                    any_check = true;
                    checks.extend(uuid_arg(a, "check_id"));
                    corrected.extend(uuid_arg(a, "supersedes"));
                }
                APPEAL => {
                    any_appeal = true;
                    checks.extend(uuid_arg(a, "check_id"));
                    appeals.extend(uuid_arg(a, "appeal_id"));
                }
                _ => {}
            }
        }
        if !any_check && !any_appeal {
            return Ok(CleaningBatch::default());
        }
        let corrections = db::corrections_of(conn, &corrected).await?;
        // The checks of every chain a correction may join, so its head can be found.
        checks.extend(corrected);
        checks.extend(corrections.values().copied());
        let mut batch = CleaningBatch {
            checks: db::checks_by_id(conn, &checks).await?,
            corrections,
            settings: db::settings(conn).await?,
            ..CleaningBatch::default()
        };
        if any_check {
            batch.zones = db::zones(conn)
                .await?
                .into_iter()
                .map(|z| (z.id, z))
                .collect();
            batch.rubrics = db::rubrics(conn)
                .await?
                .into_iter()
                .map(|r| ((r.kind, r.version), r))
                .collect();
        }
        if any_appeal {
            for (id, check, status) in db::appeals_of(conn, &checks).await? {
                batch.appeals.insert(id);
                if status != AppealStatus::Rejected {
                    batch.appealed.insert(check);
                }
            }
            batch
                .appeals
                .extend(existing_ids(conn, "cleaning_appeals", &appeals).await?);
            batch
                .teaches
                .insert(user, db::classes_of_teacher(conn, user).await?);
        }
        Ok(batch)
    }

    pub async fn flush(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        insert_rows(conn, "cleaning_checks", CHECK_COLUMNS, &self.new_checks).await?;
        insert_rows(conn, "cleaning_ratings", RATING_COLUMNS, &self.new_ratings).await?;
        insert_rows(conn, "cleaning_appeals", APPEAL_COLUMNS, &self.new_appeals).await
    }
}

/// `cleaning.check@1`: a cleaning inspector (or the admin) scores a zone.
pub fn check(
    context: &Context<'_>,
    batch: &mut CleaningBatch,
    photos: &mut PhotoBatch,
    mutation: &Mutation,
) -> Outcome {
    if !context.user.has(Role::CleaningInspector) && !context.user.has(Role::Admin) {
        return forbidden();
    }
    let parsed: CheckArgs = match args(&mutation.args) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    let Some(zone) = batch.zones.get(&parsed.zone_id).cloned() else {
        return field("zone_id", Problem::Unknown);
    };
    let Some(rubric) = batch.rubrics.get(&(zone.kind, parsed.rubric_version)) else {
        return field("rubric_version", Problem::Unknown);
    };
    let (check, score) = match parsed.validate(rubric) {
        Ok(checked) => checked,
        Err(AppError::Invalid { fields }) => return invalid(fields),
        Err(_) => return field("request", Problem::Invalid),
    };
    if batch.checks.contains_key(&check.check_id) {
        return rejected(
            "already_recorded",
            "this check was already recorded by another entry",
        );
    }
    // A correction replaces a check of the same zone and kind. If another correction of it arrived first (two
    // phones, or a stale one), this one corrects that correction: both stay in the record, the later one counts,
    // and its author is told.
    let mut supersedes = check.supersedes;
    let mut corrected_again = false;
    if let Some(earlier) = supersedes {
        match batch.checks.get(&earlier) {
            Some(facts) if facts.zone_id == zone.id && facts.kind == check.kind => {}
            _ => return field("supersedes", Problem::Unknown),
        }
        let mut head = earlier;
        while let Some(next) = batch.corrections.get(&head) {
            head = *next;
            corrected_again = true;
        }
        supersedes = Some(head);
    }
    let declared = check.photos();
    if !photos.free(&declared) {
        return field("photos", Problem::Taken);
    }
    let checked_at = context.phone_time(mutation, check.checked_at_ms);
    for rating in &check.ratings {
        let position = rubric.items.iter().position(|i| i.key == rating.key);
        let item = position.map(|p| &rubric.items[p]);
        let ids: Vec<String> = rating.photos.iter().map(|p| p.id.to_string()).collect();
        batch.new_ratings.push(vec![
            check.check_id.into(),
            rating.key.as_str().into(),
            (position.unwrap_or(0) as i64).into(),
            item.map(|i| i.label.clone()).unwrap_or_default().into(),
            rating.grade.code().into(),
            item.map_or(0, |i| i.deduction(rating.grade)).into(),
            rating.note.as_str().into(),
            serde_json::Value::from(ids).to_string().into(),
        ]);
    }
    photos.declare(
        context,
        "cleaning",
        check.check_id,
        check.check_id,
        &declared,
    );
    // A zone's class is recorded with the check: moving the zone to another class later keeps the score where
    // it was earned.
    let class = (zone.league == League::Class)
        .then_some(zone.class_id)
        .flatten();
    batch.new_checks.push(vec![
        check.check_id.into(),
        zone.id.into(),
        zone.league.code().into(),
        class.into(),
        check.kind.code().into(),
        Param::Text(check.slot.clone()),
        zone.kind.code().into(),
        check.rubric_version.into(),
        rubric.full_score.into(),
        score.into(),
        context.user.id.into(),
        checked_at.into(),
        context.now.into(),
        supersedes.into(),
        context.version.into(),
    ]);
    batch.checks.insert(
        check.check_id,
        db::CheckFacts {
            zone_id: zone.id,
            class_id: class,
            kind: check.kind,
            checked_at,
            received_at: context.now,
        },
    );
    if let Some(earlier) = supersedes {
        batch.corrections.insert(earlier, check.check_id);
    }
    if corrected_again {
        Outcome::ConflictRecorded {
            code: "corrected_again".into(),
            message: "another correction of this check arrived first; yours replaces it".into(),
        }
    } else {
        Outcome::Applied
    }
}

/// `cleaning.appeal@1`: the class teacher disputes a check of their own class within the window.
pub fn appeal(context: &Context<'_>, batch: &mut CleaningBatch, mutation: &Mutation) -> Outcome {
    if !context.user.has(Role::ClassTeacher) {
        return forbidden();
    }
    let parsed: AppealArgs = match args(&mutation.args) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    let appeal = match parsed.validate() {
        Ok(appeal) => appeal,
        Err(AppError::Invalid { fields }) => return invalid(fields),
        Err(_) => return field("request", Problem::Invalid),
    };
    if batch.appeals.contains(&appeal.appeal_id) {
        return rejected(
            "already_recorded",
            "this appeal was already recorded by another entry",
        );
    }
    let Some(check) = batch.checks.get(&appeal.check_id).copied() else {
        return field("check_id", Problem::Unknown);
    };
    let mine = batch
        .teaches
        .get(&context.user.id)
        .is_some_and(|classes| check.class_id.is_some_and(|c| classes.contains(&c)));
    if !mine {
        return forbidden();
    }
    // Written offline, an appeal counts from when it was written, as far back as the phone's clock is believed.
    let filed_at = context.phone_time(mutation, appeal.filed_at_ms);
    let deadline = appeal_deadline(
        check.checked_at,
        check.received_at,
        batch.settings.appeal_hours,
    );
    if filed_at > deadline {
        return rejected("appeal_closed", "the time to appeal this check has passed");
    }
    if batch.appealed.contains(&appeal.check_id) {
        return rejected("already_appealed", "this check is already under appeal");
    }
    batch.new_appeals.push(vec![
        appeal.appeal_id.into(),
        appeal.check_id.into(),
        check.class_id.into(),
        context.user.id.into(),
        appeal.reason.as_str().into(),
        filed_at.into(),
        context.now.into(),
        AppealStatus::Open.code().into(),
        "".into(),
        context.version.into(),
    ]);
    batch.appeals.insert(appeal.appeal_id);
    batch.appealed.insert(appeal.check_id);
    Outcome::Applied
}
