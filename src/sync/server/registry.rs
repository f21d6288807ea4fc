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
    pub config: &'a Config,
}

/// What one push batch reads and writes, per job.
pub struct Batch {
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
        self.cleaning.flush(conn).await
    }
}

pub fn apply(context: &Context<'_>, batch: &mut Batch, mutation: &Mutation) -> Outcome {
    let gate = &mut batch.gate_visits;
    match mutation.name.as_str() {
        visit::SIGN_IN => gate_visits::sign_in(context, gate, &mutation.args),
        visit::SIGN_OUT => gate_visits::sign_out(context, gate, &mutation.args),
        visit::WATCH_DECIDE => gate_visits::watch_decision(context, gate, &mutation.args),
        ticket::REPORT => tickets::report(context, &mut batch.tickets, mutation),
        ticket::EVENT => tickets::event(context, &mut batch.tickets, mutation),
        crate::domain::safety::CHECK => {
            safety::check(context, &mut batch.safety, &mut batch.tickets, mutation)
        }
        crate::domain::cleaning::CHECK => {
            cleaning::check(context, &mut batch.cleaning, &mut batch.tickets, mutation)
        }
        crate::domain::cleaning::APPEAL => cleaning::appeal(context, &mut batch.cleaning, mutation),
        _ => Outcome::Rejected {
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
