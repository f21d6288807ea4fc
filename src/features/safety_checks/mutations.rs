//! The safety rounds' mutation (`safety.check@1`), applied by the sync engine inside its batch transaction.
//!
//! A check is validated against the template version it names, stored once and never changed; each failed item
//! opens a repair ticket (category from the item, place from the point, the item's photos attached), linked both
//! ways: the answer keeps the ticket id, the ticket keeps the check id.

use super::db;
use crate::domain::CheckPointKind;
use crate::domain::Role;
use crate::domain::safety::{CheckArgs, ItemResult, Template};
use crate::domain::sync::{Mutation, Outcome};
use crate::domain::ticket::Urgency;
use crate::error::{AppError, Problem};
use crate::features::repair_tickets::mutations::{NewTicket, TicketBatch, open_ticket};
use crate::server::db::{Param, insert_rows};
use crate::sync::server::photo_batch::PhotoBatch;
use crate::sync::server::registry::{Context, args, field, forbidden, invalid};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

#[derive(Default)]
pub struct SafetyBatch {
    points: HashMap<Uuid, db::PointRow>,
    templates: HashMap<(CheckPointKind, i64), Template>,
    /// Checks that exist (on the server or earlier in this batch): id → point.
    checks: HashMap<Uuid, Uuid>,
    /// The tickets earlier checks' failures opened: (check, item key) → ticket.
    tickets: HashMap<(Uuid, String), Uuid>,
    new_checks: Vec<Vec<Param>>,
    new_answers: Vec<Vec<Param>>,
}

fn uuid_arg(args: &serde_json::Value, key: &str) -> Option<Uuid> {
    args.get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl SafetyBatch {
    pub async fn prefetch(
        conn: &mut AnyConnection,
        mutations: &[&Mutation],
    ) -> Result<SafetyBatch, sqlx::Error> {
        let mut points = HashSet::new();
        let mut checks = HashSet::new();
        let mut superseded = HashSet::new();
        for mutation in mutations {
            if mutation.name == crate::domain::safety::CHECK {
                points.extend(uuid_arg(&mutation.args, "point_id"));
                checks.extend(uuid_arg(&mutation.args, "check_id"));
                checks.extend(uuid_arg(&mutation.args, "supersedes"));
                superseded.extend(uuid_arg(&mutation.args, "supersedes"));
            }
        }
        if points.is_empty() {
            return Ok(SafetyBatch::default());
        }
        Ok(SafetyBatch {
            points: db::points_by_id(conn, &points).await?,
            templates: db::templates(conn)
                .await?
                .into_iter()
                .map(|(_, t)| ((t.kind, t.version), t))
                .collect(),
            checks: db::check_points_of(conn, &checks).await?,
            tickets: db::tickets_of_checks(conn, &superseded).await?,
            ..SafetyBatch::default()
        })
    }

    pub async fn flush(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        insert_rows(
            conn,
            "safety_checks",
            &[
                "id",
                "point_id",
                "kind",
                "template_version",
                "inspector_id",
                "checked_at",
                "received_at",
                "opened_by_scan",
                "signature",
                "supersedes",
                "failed",
                "version",
            ],
            &self.new_checks,
        )
        .await?;
        insert_rows(
            conn,
            "safety_answers",
            &[
                "check_id",
                "item_key",
                "label",
                "result",
                "note",
                "ticket_id",
            ],
            &self.new_answers,
        )
        .await
    }
}

pub fn check(
    context: &Context<'_>,
    batch: &mut SafetyBatch,
    tickets: &mut TicketBatch,
    photos: &mut PhotoBatch,
    mutation: &Mutation,
) -> Outcome {
    if !context.user.has(Role::SafetyInspector) && !context.user.has(Role::Admin) {
        return forbidden();
    }
    let parsed: CheckArgs = match args(&mutation.args) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    let Some(point) = batch.points.get(&parsed.point_id).cloned() else {
        return field("point_id", Problem::Unknown);
    };
    let Some(template) = batch
        .templates
        .get(&(point.kind, parsed.template_version))
        .cloned()
    else {
        return field("template_version", Problem::Unknown);
    };
    let check = match parsed.validate(&template) {
        Ok(check) => check,
        Err(AppError::Invalid { fields }) => return invalid(fields),
        Err(_) => return field("request", Problem::Invalid),
    };
    if batch.checks.contains_key(&check.check_id) {
        return Outcome::Rejected {
            code: "already_recorded".into(),
            message: "this check was already recorded by another entry".into(),
            fields: vec![],
        };
    }
    if let Some(earlier) = check.supersedes
        && batch.checks.get(&earlier) != Some(&point.id)
    {
        return field("supersedes", Problem::Unknown);
    }
    let declared: Vec<_> = check
        .answers
        .iter()
        .flat_map(|a| a.photos.iter().cloned())
        .collect();
    if !photos.free(&declared) {
        return field("photos", Problem::Taken);
    }
    let checked_at = context.phone_time(mutation, check.checked_at_ms);
    for answer in &check.answers {
        let item = template.items.iter().find(|i| i.key == answer.key);
        let label = item.map(|i| i.label.clone()).unwrap_or_default();
        // A correction that still finds the item failed keeps the ticket the first check opened.
        let kept = check
            .supersedes
            .and_then(|earlier| batch.tickets.get(&(earlier, answer.key.clone())).copied())
            .filter(|_| answer.result == ItemResult::Fail);
        let ticket_id =
            (answer.result == ItemResult::Fail).then(|| kept.unwrap_or_else(Uuid::now_v7));
        if let (Some(ticket_id), Some(item), None) = (ticket_id, item, kept) {
            let mut description = format!("【安全检查】{}：{}", point.label, item.label);
            if !answer.note.is_empty() {
                description.push('。');
                description.push_str(&answer.note);
            }
            open_ticket(
                context,
                tickets,
                photos,
                NewTicket {
                    ticket_id,
                    place_id: point.place_id,
                    category: item.category,
                    urgency: Urgency::Normal,
                    description: description
                        .chars()
                        .take(crate::domain::ticket::DESCRIPTION_MAX as usize)
                        .collect(),
                    photos: answer.photos.clone(),
                    reported_at: checked_at,
                    client_time_ms: mutation.client_time_ms,
                    source_check_id: Some(check.check_id),
                },
            );
        }
        if let Some(ticket) = ticket_id {
            // A later correction in this same batch finds it too.
            batch
                .tickets
                .insert((check.check_id, answer.key.clone()), ticket);
        }
        batch.new_answers.push(vec![
            check.check_id.into(),
            answer.key.as_str().into(),
            label.into(),
            answer.result.code().into(),
            answer.note.as_str().into(),
            ticket_id.into(),
        ]);
    }
    batch.new_checks.push(vec![
        check.check_id.into(),
        point.id.into(),
        point.kind.code().into(),
        check.template_version.into(),
        context.user.id.into(),
        checked_at.into(),
        context.now.into(),
        i64::from(check.opened_by_scan).into(),
        check.signature.as_str().into(),
        check.supersedes.into(),
        i64::from(check.failed()).into(),
        context.version.into(),
    ]);
    batch.checks.insert(check.check_id, point.id);
    Outcome::Applied
}
