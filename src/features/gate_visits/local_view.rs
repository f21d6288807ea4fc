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

/// People by name, then places with their parent ("教学楼A · 3楼"), for the host picker.
pub fn hosts(local: LocalData) -> Vec<(HostChoice, String)> {
    let mut people: Vec<Person> = local.rows();
    people.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let places: Vec<PlaceRow> = local.rows();
    let mut place_labels: Vec<(HostChoice, String)> = places
        .iter()
        .map(|place| {
            let parent = place
                .parent_id
                .and_then(|p| places.iter().find(|candidate| candidate.id == p));
            let label = match parent {
                Some(parent) => format!("{} · {}", parent.name, place.name),
                None => place.name.clone(),
            };
            (HostChoice::Place(place.id), label)
        })
        .collect();
    place_labels.sort_by(|a, b| a.1.cmp(&b.1));
    people
        .into_iter()
        .map(|p| (HostChoice::Person(p.id), p.display_name))
        .chain(place_labels)
        .collect()
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
    visits_memo(move || {
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
            let wanted = args
                .host_user_id
                .map(HostChoice::Person)
                .or(args.host_place_id.map(HostChoice::Place));
            hosts
                .iter()
                .find(|(choice, _)| Some(*choice) == wanted)
                .map(|(_, label)| label.clone())
                .unwrap_or_default()
        })
        .into_iter()
        .map(Arc::new)
        .collect()
    })
}
