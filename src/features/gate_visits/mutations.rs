//! The gate visitor log's mutations, applied by the sync engine inside its batch transaction.
//!
//! Each handler checks the role and the arguments before writing, so a rejection writes nothing.

use super::db;
use crate::domain::Role;
use crate::domain::sync::Outcome;
use crate::domain::visit::{CheckedSignIn, SignInArgs, SignOutArgs, WatchDecisionArgs};
use crate::error::{AppError, FieldError, Problem};
use crate::sync::server::registry::{Context, args, forbidden};
use sqlx::AnyConnection;

/// The arguments, if the user keeps the gate (a guard or the admin) and they are well formed.
fn gate_args<T: serde::de::DeserializeOwned>(
    context: &Context<'_>,
    raw: &serde_json::Value,
) -> Result<T, Outcome> {
    if context.user.has(Role::GateGuard) || context.user.has(Role::Admin) {
        args(raw)
    } else {
        Err(forbidden())
    }
}

fn invalid(fields: Vec<FieldError>) -> Outcome {
    Outcome::Rejected {
        code: "invalid".into(),
        message: "some fields are not valid".into(),
        fields,
    }
}

fn field(field: &str, problem: Problem) -> Outcome {
    invalid(vec![FieldError {
        field: field.into(),
        problem,
    }])
}

pub async fn sign_in(
    conn: &mut AnyConnection,
    context: &Context<'_>,
    raw: &serde_json::Value,
) -> Result<Outcome, sqlx::Error> {
    let parsed: SignInArgs = match gate_args(context, raw) {
        Ok(parsed) => parsed,
        Err(outcome) => return Ok(outcome),
    };
    let checked: CheckedSignIn = match parsed.validate() {
        Ok(checked) => checked,
        Err(AppError::Invalid { fields }) => return Ok(invalid(fields)),
        Err(_) => return Ok(field("request", Problem::Invalid)),
    };
    let visit = &checked.args;
    if db::visit_exists(conn, visit.visit_id).await? {
        return Ok(Outcome::Rejected {
            code: "already_registered".into(),
            message: "this visit was already registered by another entry".into(),
            fields: vec![],
        });
    }
    // A host deactivated while the phone was offline does not undo a visit that happened: it is recorded, and
    // the guard is told. Only an id the server never knew is refused.
    let mut host_inactive = false;
    if let Some(host) = visit.host_user_id {
        match db::user_active(conn, host).await? {
            None => return Ok(field("host", Problem::Unknown)),
            Some(active) => host_inactive |= !active,
        }
    }
    if let Some(place) = visit.host_place_id {
        match db::place_active(conn, place).await? {
            None => return Ok(field("host", Problem::Unknown)),
            Some(active) => host_inactive |= !active,
        }
    }
    if let Some(gate) = visit.gate_id
        && db::place_active(conn, gate).await?.is_none()
    {
        return Ok(field("gate_id", Problem::Unknown));
    }
    let identity = match visit.id_from_visit {
        Some(earlier) => match db::identity_of(conn, earlier).await? {
            Some(identity) => identity,
            None => return Ok(field("id_number", Problem::Required)),
        },
        None => db::Identity {
            id_type: visit.id_type,
            id_masked: checked.id_masked.clone(),
            id_hash: (!checked.id_number.is_empty()).then(|| {
                id_hash(
                    &context.config.id_hash_key.0,
                    visit.id_type,
                    &checked.id_number,
                )
            }),
        },
    };
    let watch = db::watch_match(conn, identity.id_hash.as_deref(), &visit.phone).await?;
    db::insert_visit(conn, context, visit, &identity, watch.as_ref().map(|w| w.0)).await?;
    Ok(match watch {
        Some((entry_id, note)) => {
            db::audit(
                conn,
                context,
                "watch_hit",
                Some(visit.visit_id),
                &format!("watch entry {entry_id}"),
            )
            .await?;
            Outcome::ConflictRecorded {
                code: "watch_list".into(),
                message: note,
            }
        }
        None if host_inactive => Outcome::ConflictRecorded {
            code: "host_inactive".into(),
            message: "the person or place visited was deactivated".into(),
        },
        None => Outcome::Applied,
    })
}

pub async fn sign_out(
    conn: &mut AnyConnection,
    context: &Context<'_>,
    raw: &serde_json::Value,
) -> Result<Outcome, sqlx::Error> {
    let parsed: SignOutArgs = match gate_args(context, raw) {
        Ok(parsed) => parsed,
        Err(outcome) => return Ok(outcome),
    };
    if !db::visit_exists(conn, parsed.visit_id).await? {
        return Ok(field("visit_id", Problem::Unknown));
    }
    if db::sign_out_exists(conn, parsed.sign_out_id).await? {
        return Ok(Outcome::Rejected {
            code: "already_recorded".into(),
            message: "this sign-out was already recorded by another entry".into(),
            fields: vec![],
        });
    }
    // A second sign-out of the same visit (two guard phones offline) is kept as a fact; the first one counts.
    db::insert_sign_out(conn, context, &parsed).await?;
    Ok(Outcome::Applied)
}

pub async fn watch_decision(
    conn: &mut AnyConnection,
    context: &Context<'_>,
    raw: &serde_json::Value,
) -> Result<Outcome, sqlx::Error> {
    let parsed: WatchDecisionArgs = match gate_args(context, raw) {
        Ok(parsed) => parsed,
        Err(outcome) => return Ok(outcome),
    };
    if !db::set_watch_decision(conn, context, &parsed).await? {
        return Ok(field("visit_id", Problem::Unknown));
    }
    db::audit(
        conn,
        context,
        "watch_decision",
        Some(parsed.visit_id),
        parsed.decision.code(),
    )
    .await?;
    Ok(Outcome::Applied)
}

/// HMAC-SHA256 of the ID type and normalised number under the server's key: matches the same card again
/// without keeping its number, and cannot be reversed by hashing every possible number without the key.
pub fn id_hash(key: &[u8; 32], id_type: crate::domain::visit::IdType, number: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(id_type.code().as_bytes());
    mac.update(b":");
    mac.update(number.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}
