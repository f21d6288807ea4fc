//! Repair tickets (报修): a current state plus an append-only timeline of events.
//!
//! Several phones change one ticket, often offline, so nothing here is ever overwritten: a report, each
//! assignment, each status change, each comment and each photo is an event. A status change carries the state
//! its phone saw (`from`). The server applies it only if the ticket is still in that state; otherwise the change
//! is kept in the timeline as "not applied" and both people are shown it.
//!
//! **Precedence when two phones change one ticket offline:** the change that reaches the server first wins, in
//! the server's order of arrival (never the phones' clocks, which may be wrong). The later one, made from a
//! state the ticket has since left, is recorded in the timeline on every device, marked not applied, and its
//! author gets it in "needs attention". Comments and photos never conflict: they always append.
//!
//! "The state it saw" is the status and the assignee. A change made offline while the ticket went all the way
//! round and came back to that same state (assigned → done → reopened → assigned to the same person) still
//! applies: it was made from that state, and nobody's change is lost by it.

use super::coded_enum;
use super::photo::{PhotoRef, PhotoRow};
use crate::error::{AppError, Checks, Problem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The mutations of this job, by name and version.
pub const REPORT: &str = "ticket.report@1";
pub const EVENT: &str = "ticket.event@1";

/// Who may report a fault: everyone on the staff; not the student inspectors.
pub const REPORTERS: &[super::Role] = &[
    super::Role::Admin,
    super::Role::GateGuard,
    super::Role::SafetyInspector,
    super::Role::Maintenance,
    super::Role::Staff,
    super::Role::ClassTeacher,
];

pub const DESCRIPTION_MAX: u32 = 500;
pub const NOTE_MAX: u32 = 500;

coded_enum! {
    pub enum Category {
        Electrical = "electrical",
        Plumbing = "plumbing",
        Furniture = "furniture",
        DoorsLocks = "doors_locks",
        ItAv = "it_av",
        Building = "building",
        Other = "other",
    }
}

coded_enum! {
    /// In the order queues sort by.
    pub enum Urgency {
        Urgent = "urgent",
        Normal = "normal",
        Low = "low",
    }
}

coded_enum! {
    pub enum Status {
        Reported = "reported",
        Assigned = "assigned",
        InProgress = "in_progress",
        OnHold = "on_hold",
        Done = "done",
        Confirmed = "confirmed",
        Cancelled = "cancelled",
    }
}

coded_enum! {
    /// What an event of the timeline did; `report` is the first event of every ticket.
    pub enum Action {
        Report = "report",
        Assign = "assign",
        Start = "start",
        Hold = "hold",
        Done = "done",
        Confirm = "confirm",
        Reopen = "reopen",
        Cancel = "cancel",
        Comment = "comment",
    }
}

impl Status {
    /// Still waiting for someone to act (counts against the target time).
    pub fn open(self) -> bool {
        !matches!(self, Status::Done | Status::Confirmed | Status::Cancelled)
    }
}

/// `ticket.report@1`: someone reports a fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportArgs {
    pub ticket_id: Uuid,
    pub place_id: Uuid,
    pub category: Category,
    pub urgency: Urgency,
    pub description: String,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    /// The phone's clock when it was reported.
    pub reported_at_ms: i64,
}

/// `ticket.event@1`: a status change, an assignment or a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventArgs {
    pub event_id: Uuid,
    pub ticket_id: Uuid,
    pub action: Action,
    /// The state the phone saw when the change was made (ignored for comments).
    pub from: Base,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub rating: Option<i64>,
    /// For `assign`: the new assignee.
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
}

/// The part of a ticket's state a change depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    pub status: Status,
    pub assignee_id: Option<Uuid>,
}

impl ReportArgs {
    /// Trims and checks every field, reporting all problems at once.
    pub fn validate(self) -> Result<ReportArgs, AppError> {
        let mut checks = Checks::new();
        let description = checks.text("description", &self.description, DESCRIPTION_MAX);
        super::photo::check(&mut checks, &self.photos);
        checks.finish()?;
        Ok(ReportArgs {
            description,
            ..self
        })
    }
}

impl EventArgs {
    /// The fields each action needs: a reason to hold or reopen, a note and a photo to finish, a rating to
    /// confirm, a person to assign to, something to say in a comment.
    pub fn validate(self) -> Result<EventArgs, AppError> {
        let mut checks = Checks::new();
        let needs_note = matches!(self.action, Action::Hold | Action::Done | Action::Reopen)
            || (self.action == Action::Comment && self.photos.is_empty());
        let note = if needs_note {
            checks.text("note", &self.note, NOTE_MAX)
        } else {
            checks
                .optional_text("note", &self.note, NOTE_MAX)
                .unwrap_or_default()
        };
        super::photo::check(&mut checks, &self.photos);
        match self.action {
            Action::Report => checks.add("action", Problem::Invalid),
            Action::Assign if self.assignee_id.is_none() => {
                checks.add("assignee_id", Problem::Required)
            }
            Action::Done if self.photos.is_empty() => checks.add("photos", Problem::Required),
            Action::Confirm => match self.rating {
                None => checks.add("rating", Problem::Required),
                Some(rating) if !(1..=5).contains(&rating) => {
                    checks.add("rating", Problem::Invalid)
                }
                Some(_) => {}
            },
            _ => {}
        }
        checks.finish()?;
        Ok(EventArgs {
            note,
            rating: if self.action == Action::Confirm {
                self.rating
            } else {
                None
            },
            ..self
        })
    }
}

/// Who acts on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: Uuid,
    pub admin: bool,
}

/// Why the state machine refuses a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This person may not make this change to this ticket.
    Forbidden,
    /// No such change from this state (closing a cancelled ticket, confirming one not done).
    Transition,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Forbidden => "forbidden",
            Refusal::Transition => "transition_forbidden",
        }
    }
}

/// The state machine. From `base` (the state the actor saw), what `action` leads to: the new status and
/// assignee, or why it is refused. Comments change nothing and are allowed to anyone who sees the ticket.
///
/// ```text
/// reported ─assign→ assigned ─start→ in_progress ─done→ done ─confirm→ confirmed
///    │cancel           │hold/done      │hold            │reopen → assigned
///    ↓                 ↓               ↓                 
/// cancelled          on_hold ─start→ in_progress, ─done→ done
/// ```
/// The admin assigns and reassigns any open ticket; the assignee (or the admin) works it; the reporter (or the
/// admin) cancels it until it is assigned, and confirms or reopens it once done.
pub fn transition(
    base: Base,
    reporter_id: Uuid,
    actor: Actor,
    action: Action,
    new_assignee: Option<Uuid>,
) -> Result<Base, Refusal> {
    let is_assignee = base.assignee_id == Some(actor.id);
    let is_reporter = reporter_id == actor.id;
    let works_it = actor.admin || is_assignee;
    let owns_it = actor.admin || is_reporter;
    let to = |status: Status| {
        Ok(Base {
            status,
            assignee_id: base.assignee_id,
        })
    };
    use Status::*;
    match action {
        Action::Report => Err(Refusal::Transition),
        Action::Comment => {
            if actor.admin || is_assignee || is_reporter {
                Ok(base)
            } else {
                Err(Refusal::Forbidden)
            }
        }
        Action::Assign => {
            if !actor.admin {
                Err(Refusal::Forbidden)
            } else if matches!(base.status, Reported | Assigned | InProgress | OnHold) {
                Ok(Base {
                    status: Assigned,
                    assignee_id: new_assignee,
                })
            } else {
                Err(Refusal::Transition)
            }
        }
        Action::Start => match (works_it, base.status) {
            (false, _) => Err(Refusal::Forbidden),
            (true, Assigned | OnHold) => to(InProgress),
            _ => Err(Refusal::Transition),
        },
        Action::Hold => match (works_it, base.status) {
            (false, _) => Err(Refusal::Forbidden),
            (true, Assigned | InProgress) => to(OnHold),
            _ => Err(Refusal::Transition),
        },
        Action::Done => match (works_it, base.status) {
            (false, _) => Err(Refusal::Forbidden),
            (true, Assigned | InProgress | OnHold) if base.assignee_id.is_some() => to(Done),
            _ => Err(Refusal::Transition),
        },
        Action::Confirm | Action::Reopen => match (owns_it, base.status) {
            (false, _) => Err(Refusal::Forbidden),
            (true, Done) if action == Action::Confirm => to(Confirmed),
            (true, Done) => to(Assigned),
            _ => Err(Refusal::Transition),
        },
        Action::Cancel => match (owns_it, base.status) {
            (false, _) => Err(Refusal::Forbidden),
            (true, Reported) => to(Cancelled),
            _ => Err(Refusal::Transition),
        },
    }
}

/// The target time to fix, per urgency (`HOUQIN_TICKET_TARGET_HOURS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub urgent_hours: i64,
    pub normal_hours: i64,
    pub low_hours: i64,
}

impl Default for Targets {
    fn default() -> Targets {
        Targets {
            urgent_hours: 4,
            normal_hours: 3 * 24,
            low_hours: 7 * 24,
        }
    }
}

impl Targets {
    pub fn hours(&self, urgency: Urgency) -> i64 {
        match urgency {
            Urgency::Urgent => self.urgent_hours,
            Urgency::Normal => self.normal_hours,
            Urgency::Low => self.low_hours,
        }
    }

    pub fn due(&self, reported_at: i64, urgency: Urgency) -> i64 {
        reported_at.saturating_add(self.hours(urgency).saturating_mul(3_600_000))
    }

    /// Reads `urgent=4,normal=72,low=168` (hours); any subset, the rest keep their defaults.
    pub fn parse(text: &str) -> Option<Targets> {
        let mut targets = Targets::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=')?;
            let hours: i64 = value.trim().parse().ok().filter(|h| *h > 0)?;
            match key.trim() {
                "urgent" => targets.urgent_hours = hours,
                "normal" => targets.normal_hours = hours,
                "low" => targets.low_hours = hours,
                _ => return None,
            }
        }
        Some(targets)
    }
}

/// A ticket as phones see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: Uuid,
    pub place_id: Uuid,
    pub category: Category,
    pub urgency: Urgency,
    pub description: String,
    pub reporter_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub status: Status,
    pub rating: Option<i64>,
    pub reported_at: i64,
    pub due_at: i64,
    pub done_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// The safety check whose failed item opened this ticket.
    #[serde(default)]
    pub source_check_id: Option<Uuid>,
}

impl Ticket {
    pub fn base(&self) -> Base {
        Base {
            status: self.status,
            assignee_id: self.assignee_id,
        }
    }

    pub fn overdue(&self, now: i64) -> bool {
        self.status.open() && now > self.due_at
    }
}

/// One event of a ticket's timeline as phones see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub id: Uuid,
    pub ticket_id: Uuid,
    /// The server's order: (version, ord).
    pub version: i64,
    pub ord: i64,
    /// `None`: the server (an assignment rule).
    pub actor_id: Option<Uuid>,
    pub action: Action,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    /// False for a change that lost to another phone's: kept, shown, not applied.
    pub applied: bool,
    pub note: String,
    pub rating: Option<i64>,
    pub assignee_id: Option<Uuid>,
    pub client_time: i64,
    pub received_at: i64,
}

/// One entry of the timeline on a phone: from the server, or still waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: Action,
    pub to_status: Option<Status>,
    pub applied: bool,
    pub pending: bool,
    pub note: String,
    pub rating: Option<i64>,
    pub assignee_id: Option<Uuid>,
    pub at: i64,
    /// (photo id, bytes on the server yet)
    pub photos: Vec<(Uuid, bool)>,
}

/// A ticket as this phone shows it: the synced state ⊕ this phone's pending changes, replayed in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTicket {
    pub ticket: Ticket,
    pub timeline: Vec<TimelineEntry>,
    /// Reported or changed on this phone and not yet acknowledged.
    pub pending: bool,
}

impl LocalTicket {
    /// Photos whose bytes have not reached the server yet.
    pub fn photos_uploading(&self) -> usize {
        self.timeline
            .iter()
            .flat_map(|e| &e.photos)
            .filter(|(_, stored)| !stored)
            .count()
    }
}

/// Merges the snapshot with this phone's pending reports and events. Timelines are in the server's order, then
/// pending entries in the order they were made; a pending status change is shown applied if it still applies
/// from the state shown, so the screen matches what the server will most likely do.
pub fn local_tickets(
    tickets: Vec<Ticket>,
    events: Vec<TicketEvent>,
    photos: &[PhotoRow],
    pending_reports: &[(ReportArgs, i64)],
    pending_events: &[(EventArgs, i64)],
    me: Actor,
    targets: &Targets,
) -> Vec<LocalTicket> {
    use std::collections::HashMap;
    let mut stored: HashMap<Uuid, Vec<(Uuid, bool)>> = HashMap::new();
    for photo in photos {
        if let Some(part) = photo.part_id {
            stored
                .entry(part)
                .or_default()
                .push((photo.id, photo.stored));
        }
    }
    let mut by_id: HashMap<Uuid, LocalTicket> = tickets
        .into_iter()
        .map(|ticket| {
            (
                ticket.id,
                LocalTicket {
                    ticket,
                    timeline: Vec::new(),
                    pending: false,
                },
            )
        })
        .collect();
    let mut events = events;
    events.sort_by_key(|e| (e.version, e.ord));
    for event in events {
        if let Some(local) = by_id.get_mut(&event.ticket_id) {
            local.timeline.push(TimelineEntry {
                id: event.id,
                actor_id: event.actor_id,
                action: event.action,
                to_status: event.to_status,
                applied: event.applied,
                pending: false,
                note: event.note,
                rating: event.rating,
                assignee_id: event.assignee_id,
                at: event.received_at,
                photos: stored.remove(&event.id).unwrap_or_default(),
            });
        }
    }
    for (report, saved_at) in pending_reports {
        if by_id.contains_key(&report.ticket_id) {
            continue;
        }
        let ticket = Ticket {
            id: report.ticket_id,
            place_id: report.place_id,
            category: report.category,
            urgency: report.urgency,
            description: report.description.clone(),
            reporter_id: me.id,
            assignee_id: None,
            status: Status::Reported,
            rating: None,
            reported_at: report.reported_at_ms,
            due_at: targets.due(report.reported_at_ms, report.urgency),
            done_at: None,
            closed_at: None,
            source_check_id: None,
        };
        by_id.insert(
            ticket.id,
            LocalTicket {
                ticket,
                timeline: vec![TimelineEntry {
                    id: report.ticket_id,
                    actor_id: Some(me.id),
                    action: Action::Report,
                    to_status: Some(Status::Reported),
                    applied: true,
                    pending: true,
                    note: String::new(),
                    rating: None,
                    assignee_id: None,
                    at: *saved_at,
                    photos: report.photos.iter().map(|p| (p.id, false)).collect(),
                }],
                pending: true,
            },
        );
    }
    for (event, saved_at) in pending_events {
        let Some(local) = by_id.get_mut(&event.ticket_id) else {
            continue;
        };
        if local.timeline.iter().any(|e| e.id == event.event_id) {
            continue;
        }
        let ticket = &mut local.ticket;
        let outcome = transition(
            ticket.base(),
            ticket.reporter_id,
            me,
            event.action,
            event.assignee_id,
        );
        let applies =
            outcome.is_ok() && (event.action == Action::Comment || event.from == ticket.base());
        if let (true, Ok(next)) = (applies, outcome) {
            ticket.status = next.status;
            ticket.assignee_id = next.assignee_id;
            if event.action == Action::Confirm {
                ticket.rating = event.rating;
            }
        }
        local.pending = true;
        local.timeline.push(TimelineEntry {
            id: event.event_id,
            actor_id: Some(me.id),
            action: event.action,
            to_status: (applies && event.action != Action::Comment).then_some(ticket.status),
            applied: applies,
            pending: true,
            note: event.note.clone(),
            rating: event.rating,
            assignee_id: event.assignee_id,
            at: *saved_at,
            photos: event.photos.iter().map(|p| (p.id, false)).collect(),
        });
    }
    by_id.into_values().collect()
}

/// A maintenance worker's queue: urgent first, then the oldest.
pub fn queue_order(a: &Ticket, b: &Ticket) -> std::cmp::Ordering {
    a.urgency
        .cmp(&b.urgency)
        .then(a.reported_at.cmp(&b.reported_at))
        .then(a.id.cmp(&b.id))
}

/// The median of durations (ms); `None` for none.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

// The tables these rows are synced in (`domain::sync::Synced`).
crate::domain::sync::synced! {
    Ticket => "tickets",
    TicketEvent => "ticket_events",
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid, Uuid) {
        (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        )
    }

    #[test]
    fn the_lifecycle_follows_its_roles() {
        let (reporter, worker, other, admin) = ids();
        let admin = Actor {
            id: admin,
            admin: true,
        };
        let worker_actor = Actor {
            id: worker,
            admin: false,
        };
        let reporter_actor = Actor {
            id: reporter,
            admin: false,
        };
        let other = Actor {
            id: other,
            admin: false,
        };
        let reported = Base {
            status: Status::Reported,
            assignee_id: None,
        };
        // Only the admin assigns.
        assert_eq!(
            transition(
                reported,
                reporter,
                worker_actor,
                Action::Assign,
                Some(worker)
            ),
            Err(Refusal::Forbidden)
        );
        let assigned = transition(reported, reporter, admin, Action::Assign, Some(worker)).unwrap();
        assert_eq!(
            assigned,
            Base {
                status: Status::Assigned,
                assignee_id: Some(worker)
            }
        );
        // Cancel only until assigned.
        assert_eq!(
            transition(reported, reporter, reporter_actor, Action::Cancel, None)
                .unwrap()
                .status,
            Status::Cancelled
        );
        assert_eq!(
            transition(assigned, reporter, reporter_actor, Action::Cancel, None),
            Err(Refusal::Transition)
        );
        // Someone else cannot work or close another's ticket.
        assert_eq!(
            transition(assigned, reporter, other, Action::Done, None),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            transition(assigned, reporter, other, Action::Comment, None),
            Err(Refusal::Forbidden)
        );
        let started = transition(assigned, reporter, worker_actor, Action::Start, None).unwrap();
        let held = transition(started, reporter, worker_actor, Action::Hold, None).unwrap();
        assert_eq!(held.status, Status::OnHold);
        let resumed = transition(held, reporter, worker_actor, Action::Start, None).unwrap();
        let done = transition(resumed, reporter, worker_actor, Action::Done, None).unwrap();
        assert_eq!(
            done,
            Base {
                status: Status::Done,
                assignee_id: Some(worker)
            }
        );
        // The worker does not confirm their own work; the reporter does, or reopens it.
        assert_eq!(
            transition(done, reporter, worker_actor, Action::Confirm, None),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            transition(done, reporter, reporter_actor, Action::Reopen, None).unwrap(),
            assigned
        );
        let confirmed = transition(done, reporter, reporter_actor, Action::Confirm, None).unwrap();
        assert_eq!(confirmed.status, Status::Confirmed);
        // Nothing moves a closed ticket.
        for action in [
            Action::Start,
            Action::Done,
            Action::Assign,
            Action::Reopen,
            Action::Cancel,
        ] {
            assert_eq!(
                transition(confirmed, reporter, admin, action, Some(worker)),
                Err(Refusal::Transition),
                "{action:?}"
            );
        }
        // A ticket nobody works cannot be finished.
        assert_eq!(
            transition(reported, reporter, admin, Action::Done, None),
            Err(Refusal::Transition)
        );
    }

    #[test]
    fn each_action_asks_for_what_it_needs() {
        let args = |action, note: &str, rating, photos: usize| EventArgs {
            event_id: Uuid::now_v7(),
            ticket_id: Uuid::now_v7(),
            action,
            from: Base {
                status: Status::InProgress,
                assignee_id: None,
            },
            note: note.into(),
            rating,
            assignee_id: None,
            photos: (0..photos)
                .map(|_| PhotoRef {
                    id: Uuid::now_v7(),
                    sha256: "a".repeat(64),
                    size: 1000,
                })
                .collect(),
        };
        let problem = |a: EventArgs, field| a.validate().err().and_then(|e| e.field_problem(field));
        assert_eq!(
            problem(args(Action::Done, "", None, 1), "note"),
            Some(Problem::Required)
        );
        assert_eq!(
            problem(args(Action::Done, "换了灯管", None, 0), "photos"),
            Some(Problem::Required)
        );
        assert!(args(Action::Done, "换了灯管", None, 1).validate().is_ok());
        assert_eq!(
            problem(args(Action::Confirm, "", Some(6), 0), "rating"),
            Some(Problem::Invalid)
        );
        assert_eq!(
            problem(args(Action::Confirm, "", None, 0), "rating"),
            Some(Problem::Required)
        );
        assert_eq!(
            problem(args(Action::Hold, "  ", None, 0), "note"),
            Some(Problem::Required)
        );
        assert_eq!(
            problem(args(Action::Assign, "", None, 0), "assignee_id"),
            Some(Problem::Required)
        );
        assert_eq!(
            problem(args(Action::Comment, "", None, 7), "photos"),
            Some(Problem::TooLong { max: 6 })
        );
        // A photo alone is a comment.
        assert!(args(Action::Comment, "", None, 1).validate().is_ok());
        let mut bad_hash = args(Action::Comment, "x", None, 1);
        bad_hash.photos[0].sha256 = "Z".repeat(64);
        assert_eq!(problem(bad_hash, "photos"), Some(Problem::Invalid));
    }

    #[test]
    fn pending_changes_replay_on_the_synced_state() {
        let (reporter, worker, _, _) = ids();
        let me = Actor {
            id: worker,
            admin: false,
        };
        let ticket = Ticket {
            id: Uuid::now_v7(),
            place_id: Uuid::now_v7(),
            category: Category::Electrical,
            urgency: Urgency::Urgent,
            description: "灯不亮".into(),
            reporter_id: reporter,
            assignee_id: Some(worker),
            status: Status::Assigned,
            rating: None,
            reported_at: 0,
            due_at: 4 * 3_600_000,
            done_at: None,
            closed_at: None,
            source_check_id: None,
        };
        let event = |action, from| EventArgs {
            event_id: Uuid::now_v7(),
            ticket_id: ticket.id,
            action,
            from,
            note: "n".into(),
            rating: None,
            assignee_id: None,
            photos: vec![],
        };
        let start = event(Action::Start, ticket.base());
        // Made from a state the ticket is no longer in: shown, but not as applied.
        let stale = event(Action::Hold, ticket.base());
        let merged = local_tickets(
            vec![ticket.clone()],
            vec![],
            &[],
            &[],
            &[(start, 1), (stale, 2)],
            me,
            &Targets::default(),
        );
        let local = &merged[0];
        assert_eq!(local.ticket.status, Status::InProgress);
        assert!(local.pending);
        assert_eq!(local.timeline.len(), 2);
        assert!(local.timeline[0].applied);
        assert!(!local.timeline[1].applied);
        assert!(local.ticket.overdue(5 * 3_600_000));
    }

    #[test]
    fn targets_parse_and_fall_back() {
        assert_eq!(
            Targets::parse("urgent=2, low=100")
                .unwrap()
                .hours(Urgency::Urgent),
            2
        );
        assert_eq!(
            Targets::parse("urgent=2").unwrap().hours(Urgency::Normal),
            72
        );
        assert!(Targets::parse("urgent=0").is_none());
        assert!(Targets::parse("soon=3").is_none());
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(median(vec![]), None);
    }
}
