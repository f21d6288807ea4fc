//! Every mutation the server understands, by name and version. A batch is read once ([`Batch::prefetch`]),
//! each mutation is decided in order without IO ([`apply`]: the handler checks the user's roles and the
//! arguments and queues its rows, so a rejection leaves no trace but its receipt), and the queued rows are
//! written together ([`Batch::flush`]). Old versions stay here for as long as a phone may stay offline with
//! them queued.

use crate::domain::SessionUser;
use crate::domain::sync::{Mutation, Outcome};
use crate::domain::ticket;
use crate::domain::visit;
use crate::features::cleaning_scores::mutations as cleaning;
use crate::features::gate_visits::mutations as gate_visits;
use crate::features::repair_tickets::mutations as tickets;
use crate::features::safety_checks::mutations as safety;
use crate::server::config::Config;
use sqlx::AnyConnection;

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

/// What one push batch reads and writes, per job.
pub struct Batch {
    photos: super::photo_batch::PhotoBatch,
    gate_visits: gate_visits::GateBatch,
    tickets: tickets::TicketBatch,
    safety: safety::SafetyBatch,
    cleaning: cleaning::CleaningBatch,
}

impl Batch {
    pub async fn prefetch(
        conn: &mut AnyConnection,
        mutations: &[&Mutation],
        user: &SessionUser,
    ) -> Result<Batch, sqlx::Error> {
        Ok(Batch {
            photos: super::photo_batch::PhotoBatch::prefetch(conn, mutations).await?,
            gate_visits: gate_visits::GateBatch::prefetch(conn, mutations).await?,
            tickets: tickets::TicketBatch::prefetch(conn, mutations).await?,
            safety: safety::SafetyBatch::prefetch(conn, mutations).await?,
            cleaning: cleaning::CleaningBatch::prefetch(conn, mutations, user.id).await?,
        })
    }

    pub async fn flush(
        self,
        conn: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        self.gate_visits.flush(conn, context).await?;
        // Tickets before the safety answers that point at them.
        self.tickets.flush(conn, context).await?;
        self.safety.flush(conn).await?;
        self.cleaning.flush(conn).await?;
        // Last: a photo row names its record.
        self.photos.flush(conn).await
    }
}

/// A mutation's handler: decides it against the batch's reads and queues its rows.
pub type Handler = fn(&Context<'_>, &mut Batch, &Mutation) -> Outcome;

/// Every mutation this server applies, by name. The push, and the tests that send every mutation something
/// hostile, read this one list.
pub static MUTATIONS: &[(&str, Handler)] = &[
    (visit::SIGN_IN, |c, b, m| {
        gate_visits::sign_in(c, &mut b.gate_visits, &m.args)
    }),
    (visit::SIGN_OUT, |c, b, m| {
        gate_visits::sign_out(c, &mut b.gate_visits, &m.args)
    }),
    (visit::WATCH_DECIDE, |c, b, m| {
        gate_visits::watch_decision(c, &mut b.gate_visits, &m.args)
    }),
    (ticket::REPORT, |c, b, m| {
        tickets::report(c, &mut b.tickets, &mut b.photos, m)
    }),
    (ticket::EVENT, |c, b, m| {
        tickets::event(c, &mut b.tickets, &mut b.photos, m)
    }),
    (crate::domain::safety::CHECK, |c, b, m| {
        safety::check(c, &mut b.safety, &mut b.tickets, &mut b.photos, m)
    }),
    (crate::domain::cleaning::CHECK, |c, b, m| {
        cleaning::check(c, &mut b.cleaning, &mut b.photos, m)
    }),
    (crate::domain::cleaning::APPEAL, |c, b, m| {
        cleaning::appeal(c, &mut b.cleaning, m)
    }),
];

pub fn apply(context: &Context<'_>, batch: &mut Batch, mutation: &Mutation) -> Outcome {
    match MUTATIONS.iter().find(|(name, _)| *name == mutation.name) {
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
