//! Repair tickets as this phone holds them (snapshot ⊕ pending), the names they refer to, and the small pieces
//! every ticket page shows: status, category and urgency names, and photos.

use crate::domain::photo::PhotoRow;
use crate::domain::ticket::{
    Action, Actor, Category, EVENT, EventArgs, LocalTicket, REPORT, ReportArgs, Status, Targets,
    Ticket, TicketEvent, Urgency, local_tickets,
};
use crate::i18n::*;
use crate::sync::local::{LocalData, pending_args};
use leptos::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

pub use crate::domain::directory::PersonRow as Person;
use crate::domain::directory::PlaceRow;

pub type Tickets = Vec<Arc<LocalTicket>>;

/// Every ticket this phone knows, recomputed when the snapshot or the outbox changes.
pub fn use_local_tickets(local: LocalData, admin: Signal<bool>) -> Memo<Tickets> {
    Memo::new_with_compare(
        move |_| {
            local_ticket_list(local, admin.get())
                .into_iter()
                .map(Arc::new)
                .collect()
        },
        |_, _| true,
    )
}

/// Every ticket this phone knows: the snapshot ⊕ the outbox.
fn local_ticket_list(local: LocalData, admin: bool) -> Vec<LocalTicket> {
    let me = Actor {
        id: local.user_id(),
        admin,
    };
    let pending = local.pending();
    let reports: Vec<(ReportArgs, i64)> = pending_args(&pending, REPORT);
    let events: Vec<(EventArgs, i64)> = pending_args(&pending, EVENT);
    let photos: Vec<PhotoRow> = local.rows();
    local_tickets(
        local.rows::<Ticket>(),
        local.rows::<TicketEvent>(),
        &photos,
        &reports,
        &events,
        me,
        &Targets::default(),
    )
}

/// The home card's count: the open tickets assigned to this person or reported by them.
pub fn my_open(local: LocalData) -> usize {
    let me = local.user_id();
    local_ticket_list(local, false)
        .iter()
        .filter(|t| t.ticket.status.open())
        .filter(|t| t.ticket.assignee_id == Some(me) || t.ticket.reporter_id == me)
        .count()
}

/// Everyone in the directory, by id.
pub fn people(local: LocalData) -> HashMap<Uuid, Person> {
    local
        .rows::<Person>()
        .into_iter()
        .map(|p| (p.id, p))
        .collect()
}

/// Each place as its path: 教学楼A · 3楼 · 301.
pub fn place_paths(local: LocalData) -> Vec<(Uuid, String)> {
    let places: HashMap<Uuid, PlaceRow> = local
        .rows::<PlaceRow>()
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut paths: Vec<(Uuid, String)> = places
        .values()
        .map(|place| {
            let mut parts = vec![place.name.clone()];
            let mut at = place.parent_id;
            while let Some(parent) = at.and_then(|p| places.get(&p)) {
                parts.push(parent.name.clone());
                at = parent.parent_id;
                if parts.len() > 8 {
                    break;
                }
            }
            parts.reverse();
            (place.id, parts.join(" · "))
        })
        .collect();
    paths.sort_by(|a, b| a.1.cmp(&b.1));
    paths
}

pub fn category_name(locale: Locale, category: Category) -> String {
    match category {
        Category::Electrical => td_string!(locale, repair.cat_electrical),
        Category::Plumbing => td_string!(locale, repair.cat_plumbing),
        Category::Furniture => td_string!(locale, repair.cat_furniture),
        Category::DoorsLocks => td_string!(locale, repair.cat_doors_locks),
        Category::ItAv => td_string!(locale, repair.cat_it_av),
        Category::Building => td_string!(locale, repair.cat_building),
        Category::Other => td_string!(locale, repair.cat_other),
    }
    .to_string()
}

pub fn urgency_name(locale: Locale, urgency: Urgency) -> String {
    match urgency {
        Urgency::Urgent => td_string!(locale, repair.urg_urgent),
        Urgency::Normal => td_string!(locale, repair.urg_normal),
        Urgency::Low => td_string!(locale, repair.urg_low),
    }
    .to_string()
}

pub fn status_name(locale: Locale, status: Status) -> String {
    match status {
        Status::Reported => td_string!(locale, repair.st_reported),
        Status::Assigned => td_string!(locale, repair.st_assigned),
        Status::InProgress => td_string!(locale, repair.st_in_progress),
        Status::OnHold => td_string!(locale, repair.st_on_hold),
        Status::Done => td_string!(locale, repair.st_done),
        Status::Confirmed => td_string!(locale, repair.st_confirmed),
        Status::Cancelled => td_string!(locale, repair.st_cancelled),
    }
    .to_string()
}

pub fn action_name(locale: Locale, action: Action) -> String {
    match action {
        Action::Report => td_string!(locale, repair.act_report),
        Action::Assign => td_string!(locale, repair.act_assign),
        Action::Start => td_string!(locale, repair.act_start),
        Action::Hold => td_string!(locale, repair.act_hold),
        Action::Done => td_string!(locale, repair.act_done),
        Action::Confirm => td_string!(locale, repair.act_confirm),
        Action::Reopen => td_string!(locale, repair.act_reopen),
        Action::Cancel => td_string!(locale, repair.act_cancel),
        Action::Comment => td_string!(locale, repair.act_comment),
    }
    .to_string()
}
