//! The repair tickets' mutations, applied by the sync engine inside its batch transaction, in the same three
//! steps as the gate log: read what the batch refers to, decide each mutation without IO, write what was queued.
//!
//! A status change is applied only if the ticket is still in the state the phone saw (see
//! `domain::ticket` for the precedence). One that lost is written to the timeline with `applied = 0` and answered
//! `conflict_recorded`, so it is shown to its author and to everyone who sees the ticket.

use super::db;
use crate::domain::photo::PhotoRef;
use crate::domain::sync::{Mutation, Outcome};
use crate::domain::ticket::{
    Action, Actor, Base, EVENT, EventArgs, REPORT, ReportArgs, Status, Ticket, transition,
};
use crate::error::{AppError, FieldError, Problem};
use crate::features::gate_visits::db::active_flags;
use crate::server::db::{Param, existing_ids, insert_rows};
use crate::sync::server::photo_batch::PhotoBatch;
use crate::sync::server::registry::{Context, args, forbidden};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What a batch of ticket mutations reads and writes.
#[derive(Default)]
pub struct TicketBatch {
    /// Tickets as they stand, including changes made earlier in this batch.
    tickets: HashMap<Uuid, Ticket>,
    /// Tickets reported in this batch (inserted at the end, in their final state).
    created: Vec<(Uuid, i64)>,
    /// Existing tickets this batch changed.
    changed: HashSet<Uuid>,
    places: HashMap<Uuid, bool>,
    /// Users holding the maintenance role: whether active.
    workers: HashMap<Uuid, bool>,
    rules: HashMap<crate::domain::ticket::Category, Uuid>,
    /// Event ids already taken (a report's is its ticket's).
    taken: HashSet<Uuid>,
    /// (ticket, user) for everyone ever assigned to a ticket of this batch.
    past_assignees: HashSet<(Uuid, Uuid)>,
    events: Vec<Vec<Param>>,
    access: Vec<Vec<Param>>,
    /// Order of events within this batch's version.
    ord: i64,
}

fn uuid_arg(args: &serde_json::Value, key: &str) -> Option<Uuid> {
    args.get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl TicketBatch {
    /// `opened_by_others`: the batch holds another job's entries that may open tickets.
    pub async fn prefetch(
        conn: &mut AnyConnection,
        mutations: &[&Mutation],
        opened_by_others: bool,
    ) -> Result<TicketBatch, sqlx::Error> {
        let mut tickets = HashSet::new();
        let mut places = HashSet::new();
        let mut people = HashSet::new();
        let mut taken = HashSet::new();
        let mut reports = opened_by_others;
        for mutation in mutations {
            let a = &mutation.args;
            match mutation.name.as_str() {
                REPORT => {
                    reports = true;
                    tickets.extend(uuid_arg(a, "ticket_id"));
                    // A report's id is also its first event's: one another event holds is taken.
                    taken.extend(uuid_arg(a, "ticket_id"));
                    places.extend(uuid_arg(a, "place_id"));
                }
                EVENT => {
                    tickets.extend(uuid_arg(a, "ticket_id"));
                    taken.extend(uuid_arg(a, "event_id"));
                    people.extend(uuid_arg(a, "assignee_id"));
                }
                _ => {}
            }
        }
        if tickets.is_empty() && !reports {
            return Ok(TicketBatch::default());
        }
        let rules = if reports {
            db::rules(conn).await?
        } else {
            HashMap::new()
        };
        people.extend(rules.values().copied());
        let taken = existing_ids(conn, "ticket_events", &taken).await?;
        Ok(TicketBatch {
            past_assignees: db::past_assignees(conn, &tickets).await?,
            tickets: db::tickets_by_id(conn, &tickets).await?,
            places: active_flags(conn, "places", &places).await?,
            workers: db::maintenance_flags(conn, &people).await?,
            rules,
            taken,
            ..TicketBatch::default()
        })
    }

    pub async fn flush(
        self,
        conn: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        let new_rows: Vec<Vec<Param>> = self
            .created
            .iter()
            .filter_map(|(id, received_at)| self.tickets.get(id).map(|t| (t, *received_at)))
            .map(|(t, received_at)| {
                vec![
                    t.id.into(),
                    t.place_id.into(),
                    t.category.code().into(),
                    t.urgency.code().into(),
                    t.description.as_str().into(),
                    t.reporter_id.into(),
                    t.assignee_id.into(),
                    t.status.code().into(),
                    Param::Int(t.rating),
                    t.reported_at.into(),
                    received_at.into(),
                    t.due_at.into(),
                    Param::Int(t.done_at),
                    Param::Int(t.closed_at),
                    context.version.into(),
                    t.source_check_id.into(),
                ]
            })
            .collect();
        let columns: Vec<&str> = db::TICKET_COLUMNS.split(", ").collect();
        insert_rows(conn, "tickets", &columns, &new_rows).await?;
        for id in &self.changed {
            if let Some(ticket) = self.tickets.get(id) {
                db::update_ticket(conn, ticket, context.version).await?;
            }
        }
        insert_rows(
            conn,
            "ticket_events",
            &[
                "id",
                "ticket_id",
                "ord",
                "actor_id",
                "action",
                "from_status",
                "from_assignee_id",
                "to_status",
                "applied",
                "note",
                "rating",
                "assignee_id",
                "client_time",
                "received_at",
                "version",
            ],
            &self.events,
        )
        .await?;
        insert_rows(
            conn,
            "ticket_access",
            &["ticket_id", "user_id", "visible", "version"],
            &self.access,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        context: &Context<'_>,
        id: Uuid,
        ticket: Uuid,
        actor: Option<Uuid>,
        action: Action,
        from: Option<Base>,
        to: Option<Status>,
        applied: bool,
        note: &str,
        rating: Option<i64>,
        assignee: Option<Uuid>,
        client_time: i64,
    ) {
        self.ord += 1;
        self.taken.insert(id);
        self.events.push(vec![
            id.into(),
            ticket.into(),
            self.ord.into(),
            actor.into(),
            action.code().into(),
            Param::Text(from.map(|b| b.status.code().to_owned())),
            from.and_then(|b| b.assignee_id).into(),
            Param::Text(to.map(|s| s.code().to_owned())),
            i64::from(applied).into(),
            note.into(),
            Param::Int(rating),
            assignee.into(),
            client_time.into(),
            context.now.into(),
            context.version.into(),
        ]);
    }

    /// Records who starts and stops seeing a ticket when its assignee changes.
    fn reassigned(
        &mut self,
        context: &Context<'_>,
        ticket: Uuid,
        from: Option<Uuid>,
        to: Option<Uuid>,
    ) {
        if from == to {
            return;
        }
        if let Some(old) = from {
            self.access.push(vec![
                ticket.into(),
                old.into(),
                0i64.into(),
                context.version.into(),
            ]);
        }
        if let Some(new) = to {
            self.access.push(vec![
                ticket.into(),
                new.into(),
                1i64.into(),
                context.version.into(),
            ]);
        }
    }
}

fn rejected(code: &str, message: &str, fields: Vec<FieldError>) -> Outcome {
    Outcome::Rejected {
        code: code.into(),
        message: message.into(),
        fields,
    }
}

fn field(name: &str, problem: Problem) -> Outcome {
    rejected(
        "invalid",
        "some fields are not valid",
        vec![FieldError {
            field: name.into(),
            problem,
        }],
    )
}

fn invalid(error: AppError) -> Outcome {
    match error {
        AppError::Invalid { fields } => rejected("invalid", "some fields are not valid", fields),
        _ => field("request", Problem::Invalid),
    }
}

fn actor(context: &Context<'_>) -> Actor {
    Actor {
        id: context.user.id,
        admin: context.user.has(crate::domain::Role::Admin),
    }
}

pub fn report(
    context: &Context<'_>,
    batch: &mut TicketBatch,
    photos: &mut PhotoBatch,
    mutation: &Mutation,
) -> Outcome {
    if !context.user.has_any(crate::domain::ticket::REPORTERS) {
        return forbidden();
    }
    let parsed: ReportArgs = match args(&mutation.args) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    let report = match parsed.validate() {
        Ok(report) => report,
        Err(error) => return invalid(error),
    };
    if batch.tickets.contains_key(&report.ticket_id) || batch.taken.contains(&report.ticket_id) {
        return rejected(
            "already_registered",
            "this ticket was already reported by another entry",
            vec![],
        );
    }
    // A place deactivated while the phone was offline does not undo a fault that is there.
    if !batch.places.contains_key(&report.place_id) {
        return field("place_id", Problem::Unknown);
    }
    if !photos.free(&report.photos) {
        return field("photos", Problem::Taken);
    }
    open_ticket(
        context,
        batch,
        photos,
        NewTicket {
            ticket_id: report.ticket_id,
            place_id: report.place_id,
            category: report.category,
            urgency: report.urgency,
            description: report.description,
            photos: report.photos,
            reported_at: context.phone_time(mutation, report.reported_at_ms),
            client_time_ms: mutation.client_time_ms,
            source_check_id: None,
        },
    );
    Outcome::Applied
}

/// A ticket to open: from a report, or from a safety check's failed item.
pub struct NewTicket {
    pub ticket_id: Uuid,
    pub place_id: Uuid,
    pub category: crate::domain::ticket::Category,
    pub urgency: crate::domain::ticket::Urgency,
    pub description: String,
    pub photos: Vec<PhotoRef>,
    /// The reporting phone's clock, corrected by its skew.
    pub reported_at: i64,
    pub client_time_ms: i64,
    pub source_check_id: Option<Uuid>,
}

/// Opens a checked ticket for the signed-in user: its report event, its photos, and the assignment rule for its
/// category if there is one.
pub fn open_ticket(
    context: &Context<'_>,
    batch: &mut TicketBatch,
    photos: &mut PhotoBatch,
    new: NewTicket,
) {
    let mut ticket = Ticket {
        id: new.ticket_id,
        place_id: new.place_id,
        category: new.category,
        urgency: new.urgency,
        description: new.description,
        reporter_id: context.user.id,
        assignee_id: None,
        status: Status::Reported,
        rating: None,
        reported_at: new.reported_at,
        due_at: context
            .config
            .ticket_targets
            .due(new.reported_at, new.urgency),
        done_at: None,
        closed_at: None,
        source_check_id: new.source_check_id,
    };
    // The report's event has the ticket's id (the two live in different tables).
    batch.event(
        context,
        ticket.id,
        ticket.id,
        Some(context.user.id),
        Action::Report,
        None,
        Some(Status::Reported),
        true,
        "",
        None,
        None,
        new.client_time_ms,
    );
    photos.declare(context, "ticket", ticket.id, ticket.id, &new.photos);
    let rule = batch
        .rules
        .get(&ticket.category)
        .copied()
        .filter(|worker| batch.workers.get(worker) == Some(&true));
    if let Some(worker) = rule {
        ticket.status = Status::Assigned;
        ticket.assignee_id = Some(worker);
        batch.event(
            context,
            Uuid::now_v7(),
            ticket.id,
            None,
            Action::Assign,
            Some(Base {
                status: Status::Reported,
                assignee_id: None,
            }),
            Some(Status::Assigned),
            true,
            "",
            None,
            Some(worker),
            new.client_time_ms,
        );
        batch.reassigned(context, ticket.id, None, Some(worker));
    }
    batch.created.push((ticket.id, context.now));
    batch.tickets.insert(ticket.id, ticket);
}

pub fn event(
    context: &Context<'_>,
    batch: &mut TicketBatch,
    photos: &mut PhotoBatch,
    mutation: &Mutation,
) -> Outcome {
    let parsed: EventArgs = match args(&mutation.args) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    let change = match parsed.validate() {
        Ok(change) => change,
        Err(error) => return invalid(error),
    };
    let Some(current) = batch.tickets.get(&change.ticket_id).cloned() else {
        return field("ticket_id", Problem::Unknown);
    };
    if batch.taken.contains(&change.event_id) {
        return rejected(
            "already_recorded",
            "this change was already recorded by another entry",
            vec![],
        );
    }
    if !photos.free(&change.photos) {
        return field("photos", Problem::Taken);
    }
    let me = actor(context);
    // Only someone with a part in this ticket may write in its timeline, whatever state their phone claims to
    // have seen: the admin, the reporter, or whoever is or was assigned to it.
    let related = me.admin
        || current.reporter_id == me.id
        || current.assignee_id == Some(me.id)
        || batch.past_assignees.contains(&(current.id, me.id));
    if !related {
        return forbidden();
    }
    // The person an entry names must exist: an assignment names an active maintenance worker, any other change
    // only someone who was one (a phone that saw them before they left).
    match (change.action, change.assignee_id) {
        (Action::Assign, worker)
            if batch.workers.get(&worker.unwrap_or_default()) != Some(&true) =>
        {
            return field("assignee_id", Problem::Unknown);
        }
        (_, Some(worker)) if !batch.workers.contains_key(&worker) => {
            return field("assignee_id", Problem::Unknown);
        }
        _ => {}
    }
    // Comments go on whatever state the ticket is in now; a change is judged from the state its phone saw.
    let base = if change.action == Action::Comment {
        current.base()
    } else {
        change.from
    };
    let next = match transition(
        base,
        current.reporter_id,
        me,
        change.action,
        change.assignee_id,
    ) {
        Ok(next) => next,
        // A comment from someone the ticket was reassigned away from (written offline) is kept all the same.
        Err(_) if change.action == Action::Comment => base,
        Err(refusal) => {
            return rejected(
                refusal.code(),
                match refusal {
                    crate::domain::ticket::Refusal::Forbidden => {
                        "you may not make this change to this ticket"
                    }
                    crate::domain::ticket::Refusal::Transition => {
                        "this change is not possible from the ticket's state"
                    }
                },
                vec![],
            );
        }
    };
    let applies = change.action == Action::Comment || base == current.base();
    batch.event(
        context,
        change.event_id,
        change.ticket_id,
        Some(me.id),
        change.action,
        Some(change.from),
        (applies && change.action != Action::Comment).then_some(next.status),
        applies,
        &change.note,
        change.rating,
        change.assignee_id,
        mutation.client_time_ms,
    );
    // Photos are kept whatever happens to the change: nothing anyone took is lost.
    photos.declare(
        context,
        "ticket",
        change.ticket_id,
        change.event_id,
        &change.photos,
    );
    if !applies {
        return Outcome::ConflictRecorded {
            code: "ticket_moved".into(),
            message: format!(
                "the ticket had already moved to {} on another phone; your change is kept in its timeline",
                current.status.code()
            ),
        };
    }
    if change.action == Action::Comment {
        return Outcome::Applied;
    }
    let mut ticket = current;
    batch.reassigned(context, ticket.id, ticket.assignee_id, next.assignee_id);
    ticket.status = next.status;
    ticket.assignee_id = next.assignee_id;
    match change.action {
        Action::Done => ticket.done_at = Some(context.now),
        Action::Confirm => {
            ticket.rating = change.rating;
            ticket.closed_at = Some(context.now);
        }
        Action::Cancel => ticket.closed_at = Some(context.now),
        Action::Reopen => ticket.done_at = None,
        _ => {}
    }
    if !batch.created.iter().any(|(id, _)| *id == ticket.id) {
        batch.changed.insert(ticket.id);
    }
    batch.tickets.insert(ticket.id, ticket);
    Outcome::Applied
}
