//! Every mutation the server understands, by name and version. A batch is read once ([`Batch::prefetch`]),
//! each mutation is decided in order without IO ([`apply`]: the handler checks the user's roles and the
//! arguments and queues its rows, so a rejection leaves no trace but its receipt), and the queued rows are
//! written together ([`Batch::flush`]). Old versions stay here for as long as a phone may stay offline with
//! them queued. Each job declares its mutations and its part of the batch (`server::job::ServerJob`); this file
//! names none.

use crate::domain::SessionUser;
use crate::domain::sync::{Mutation, Outcome};
use crate::server::config::Config;
use crate::server::job::{Handler, Part, Prefetch, ServerJob, find, flush_order};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// What a handler knows besides its arguments.
pub struct Context<'a> {
    pub user: &'a SessionUser,
    /// The version this batch stamps on every row it writes.
    pub version: i64,
    pub now: i64,
    /// The phone's clock minus the server's when the batch arrived.
    pub clock_skew_ms: i64,
    /// How far back the phone's clock is believed, per entry.
    pub marks: &'a super::marks::Marks,
    pub config: &'a Config,
}

impl Context<'_> {
    /// An entry's own time on the server's clock, for the rules it decides (an appeal's window, the week a check
    /// counts in): the phone's clock corrected by its skew, believed back to the phone's last request before the
    /// entry and never later than its arrival.
    pub fn phone_time(&self, mutation: &Mutation, claimed_ms: i64) -> i64 {
        let corrected = claimed_ms.saturating_sub(self.clock_skew_ms).min(self.now);
        match self.marks.not_before(mutation) {
            Some(floor) => corrected.max(floor.min(self.now)),
            None => corrected,
        }
    }
}

/// What one push batch reads and writes: the engine's photos, and a part per job whose mutations (or whose
/// users' mutations) it holds.
pub struct Batch {
    pub photos: super::photo_batch::PhotoBatch,
    pub parts: Parts,
}

/// The jobs' parts of a batch, in the order they are written.
pub struct Parts(Vec<(&'static str, Box<dyn Part>)>);

impl Parts {
    fn index_of<T: Part>(&self) -> usize {
        self.0
            .iter()
            .position(|(_, part)| (part.as_ref() as &dyn std::any::Any).is::<T>())
            .unwrap_or_else(|| panic!("{} was not prefetched", std::any::type_name::<T>()))
    }

    /// A job's part. Panics when the batch has none: its job's mutations (or those of a job declaring it in
    /// `uses`) always get one.
    pub fn get<T: Part>(&mut self) -> &mut T {
        let index = self.index_of::<T>();
        let part: &mut dyn std::any::Any = self.0[index].1.as_mut();
        part.downcast_mut()
            .unwrap_or_else(|| unreachable!("index_of found this type"))
    }

    /// Two jobs' parts at once (a handler that writes into another job's part).
    pub fn two<A: Part, B: Part>(&mut self) -> (&mut A, &mut B) {
        let (a, b) = (self.index_of::<A>(), self.index_of::<B>());
        let [first, second] = self
            .0
            .get_disjoint_mut([a, b])
            .unwrap_or_else(|_| panic!("two parts of one type"));
        let first: &mut dyn std::any::Any = first.1.as_mut();
        let second: &mut dyn std::any::Any = second.1.as_mut();
        match (first.downcast_mut(), second.downcast_mut()) {
            (Some(first), Some(second)) => (first, second),
            _ => unreachable!("index_of found these types"),
        }
    }
}

/// Every job with its mutations, found once.
struct Registry {
    jobs: &'static [&'static dyn ServerJob],
    by_name: HashMap<&'static str, (&'static str, Handler)>,
    flush_order: Vec<&'static str>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let jobs = crate::jobs::SERVER;
        let mut by_name = HashMap::new();
        for job in jobs {
            for (name, handler) in job.mutations() {
                let earlier = by_name.insert(*name, (job.job().key, *handler));
                assert!(earlier.is_none(), "two jobs handle {name}");
            }
        }
        Registry {
            jobs,
            by_name,
            flush_order: flush_order(jobs),
        }
    })
}

/// The name of every mutation this server applies. The tests that send every mutation something hostile read
/// this list.
pub fn mutation_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = registry().by_name.keys().copied().collect();
    names.sort_unstable();
    names
}

impl Batch {
    /// Reads what the batch's mutations need: the photos they declare, and the parts of the jobs they belong to
    /// (and of the jobs those use). A batch of gate visits reads nothing for tickets or cleaning.
    pub async fn prefetch(
        conn: &mut AnyConnection,
        mutations: &[&Mutation],
        user: &SessionUser,
    ) -> Result<Batch, sqlx::Error> {
        let registry = registry();
        let own: HashSet<&str> = mutations
            .iter()
            .filter_map(|m| registry.by_name.get(m.name.as_str()).map(|(job, _)| *job))
            .collect();
        let used: HashSet<&str> = own
            .iter()
            .filter_map(|key| find(registry.jobs, key))
            .flat_map(|job| job.uses().iter().copied())
            .collect();
        let mut parts = Vec::new();
        for key in &registry.flush_order {
            if !own.contains(key) && !used.contains(key) {
                continue;
            }
            let Some(job) = find(registry.jobs, key) else {
                continue;
            };
            let told = Prefetch {
                mutations,
                user,
                for_others: used.contains(key),
            };
            if let Some(part) = job.prefetch(conn, &told).await? {
                parts.push((*key, part));
            }
        }
        Ok(Batch {
            photos: super::photo_batch::PhotoBatch::prefetch(conn, mutations).await?,
            parts: Parts(parts),
        })
    }

    pub async fn flush(
        self,
        conn: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        for (_, part) in self.parts.0 {
            part.flush(conn, context).await?;
        }
        // Last: a photo row names its record, of whatever job.
        self.photos.flush(conn).await
    }
}

pub fn apply(context: &Context<'_>, batch: &mut Batch, mutation: &Mutation) -> Outcome {
    match registry().by_name.get(mutation.name.as_str()) {
        Some((_, handler)) => handler(context, batch, mutation),
        None => Outcome::Rejected {
            code: "unknown_mutation".into(),
            message: format!("this server does not know {}", mutation.name),
            fields: vec![],
        },
    }
}

/// Reads a handler's arguments; malformed ones are a rejection, not a failed batch.
pub fn args<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, Outcome> {
    T::deserialize(value).map_err(|e| Outcome::Rejected {
        code: "bad_arguments".into(),
        message: e.to_string(),
        fields: vec![],
    })
}

/// Refused for the fields that are not valid, each with its problem.
pub fn invalid(fields: Vec<crate::error::FieldError>) -> Outcome {
    Outcome::Rejected {
        code: "invalid".into(),
        message: "some fields are not valid".into(),
        fields,
    }
}

/// Refused for one field.
pub fn field(name: &str, problem: crate::error::Problem) -> Outcome {
    invalid(vec![crate::error::FieldError {
        field: name.into(),
        problem,
    }])
}

/// Refused for a reason that is no one field's.
pub fn rejected(code: &str, message: &str) -> Outcome {
    Outcome::Rejected {
        code: code.into(),
        message: message.into(),
        fields: vec![],
    }
}

pub fn forbidden() -> Outcome {
    Outcome::Rejected {
        code: "forbidden".into(),
        message: "your role does not allow this".into(),
        fields: vec![],
    }
}
