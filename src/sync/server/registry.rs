//! Every mutation the server understands, by name and version. A handler checks the user's roles and the
//! arguments before it writes anything, so a rejection leaves no trace but its receipt. Old versions stay here
//! for as long as a phone may stay offline with them queued.

use crate::domain::SessionUser;
use crate::domain::sync::{Mutation, Outcome};
use crate::domain::visit;
use crate::features::gate_visits::mutations as gate_visits;
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

pub async fn apply(
    conn: &mut AnyConnection,
    context: &Context<'_>,
    mutation: &Mutation,
) -> Result<Outcome, sqlx::Error> {
    match mutation.name.as_str() {
        visit::SIGN_IN => gate_visits::sign_in(conn, context, &mutation.args).await,
        visit::SIGN_OUT => gate_visits::sign_out(conn, context, &mutation.args).await,
        visit::WATCH_DECIDE => gate_visits::watch_decision(conn, context, &mutation.args).await,
        _ => Ok(Outcome::Rejected {
            code: "unknown_mutation".into(),
            message: format!("this server does not know {}", mutation.name),
            fields: vec![],
        }),
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

pub fn forbidden() -> Outcome {
    Outcome::Rejected {
        code: "forbidden".into(),
        message: "your role does not allow this".into(),
        fields: vec![],
    }
}
