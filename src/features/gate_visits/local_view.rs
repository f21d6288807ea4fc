//! The gate log as this phone holds it: visits from the snapshot ⊕ pending registrations and sign-outs, and the
//! people and places a visitor may come to see.

use crate::domain::visit::{
    LocalVisit, SIGN_IN, SIGN_OUT, SignInArgs, SignOutArgs, Visit, VisitSignOut, local_visits,
};
use crate::sync::local::LocalData;
use leptos::prelude::*;
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::directory::{PersonRow as Person, PlaceRow};

/// Whom a visitor comes to see, as a `<select>` value: `u:<id>` or `p:<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostChoice {
    Person(Uuid),
    Place(Uuid),
}

impl HostChoice {
    /// Whom a visit came to see: the person, or else the place.
    pub fn of(person: Option<Uuid>, place: Option<Uuid>) -> Option<HostChoice> {
        person
            .map(HostChoice::Person)
            .or(place.map(HostChoice::Place))
    }

    pub fn code(self) -> String {
        match self {
            HostChoice::Person(id) => format!("u:{id}"),
            HostChoice::Place(id) => format!("p:{id}"),
        }
    }

    pub fn parse(code: &str) -> Option<HostChoice> {
        let (kind, id) = code.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "u" => Some(HostChoice::Person(id)),
            "p" => Some(HostChoice::Place(id)),
            _ => None,
        }
    }

    pub fn user(self) -> Option<Uuid> {
        match self {
            HostChoice::Person(id) => Some(id),
            HostChoice::Place(_) => None,
        }
    }

    pub fn place(self) -> Option<Uuid> {
        match self {
            HostChoice::Place(id) => Some(id),
            HostChoice::Person(_) => None,
        }
    }
}

/// Someone or somewhere a visitor may name: its label (a person's name, a place's whole path), the label's pinyin
/// initials, and whether the gate offers it (people who receive visitors, every place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub choice: HostChoice,
    pub label: String,
    pub initials: String,
    pub offered: bool,
}

/// People by name, then places by their whole path ("教学楼A · 1F · 101教室"), for the host picker and for naming
/// the host of a visit still on its way to the server.
pub fn hosts(local: LocalData) -> Vec<Host> {
    let mut people: Vec<Person> = local.rows();
    people.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let places: Vec<PlaceRow> = local.rows();
    let mut place_hosts: Vec<Host> = places
        .iter()
        .map(|place| {
            let (label, initials) = place_path(&places, place);
            Host {
                choice: HostChoice::Place(place.id),
                label,
                initials,
                offered: true,
            }
        })
        .collect();
    place_hosts.sort_by(|a, b| a.label.cmp(&b.label));
    people
        .into_iter()
        .map(|p| Host {
            choice: HostChoice::Person(p.id),
            label: p.display_name,
            initials: p.initials,
            offered: p.host,
        })
        .chain(place_hosts)
        .collect()
}

/// A place's whole path from the campus down, and the path's initials (a broken or looping parent chain stops).
fn place_path(places: &[PlaceRow], place: &PlaceRow) -> (String, String) {
    let mut chain = vec![place];
    while let Some(parent) = chain
        .last()
        .and_then(|p| p.parent_id)
        .and_then(|id| places.iter().find(|candidate| candidate.id == id))
    {
        if chain.len() > 8 || chain.iter().any(|seen| seen.id == parent.id) {
            break;
        }
        chain.push(parent);
    }
    chain.reverse();
    let label = chain
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(" · ");
    let initials = chain.iter().map(|p| p.initials.as_str()).collect();
    (label, initials)
}

/// The visits a page shows: shared, so filtering and listing thousands of them copies pointers, not visits.
pub type Visits = Vec<Arc<LocalVisit>>;

/// A memo of visits that always counts as changed when recomputed: comparing thousands of visits field by
/// field to spare a re-render costs more than the re-render.
pub fn visits_memo(fun: impl Fn() -> Visits + Send + Sync + 'static) -> Memo<Visits> {
    Memo::new_with_compare(move |_| fun(), |_, _| true)
}

/// Every visit this phone knows, newest first, recomputed when the snapshot or the outbox changes.
pub fn use_local_visits(local: LocalData) -> Memo<Visits> {
    visits_memo(move || local_visit_list(local).into_iter().map(Arc::new).collect())
}

/// Every visit this phone knows, newest first: the snapshot ⊕ the outbox.
fn local_visit_list(local: LocalData) -> Vec<LocalVisit> {
    let visits: Vec<Visit> = local.rows();
    let sign_outs: Vec<VisitSignOut> = local.rows();
    let hosts = hosts(local);
    let me = local.user_id();
    let sign_ins: Vec<(SignInArgs, Uuid)> = local
        .pending_args::<SignInArgs>(SIGN_IN)
        .into_iter()
        .map(|args| (args, me))
        .collect();
    let pending_outs: Vec<SignOutArgs> = local.pending_args(SIGN_OUT);
    local_visits(visits, &sign_outs, sign_ins, &pending_outs, |args| {
        let wanted = HostChoice::of(args.host_user_id, args.host_place_id);
        hosts
            .iter()
            .find(|host| Some(host.choice) == wanted)
            .map(|host| host.label.clone())
            .unwrap_or_default()
    })
}

/// The home card's count: visitors on campus now, as this phone knows.
pub fn on_campus_now(local: LocalData) -> usize {
    local_visit_list(local)
        .iter()
        .filter(|v| v.on_campus())
        .count()
}
