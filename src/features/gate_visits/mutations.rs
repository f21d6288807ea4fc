//! The gate visitor log's mutations, applied by the sync engine inside its batch transaction.
//!
//! A batch is handled in three steps so a hundred registrations cost a handful of queries, not hundreds:
//! [`GateBatch::prefetch`] reads everything the batch refers to (visits, sign-outs, hosts, the watch list) in one
//! query each; the handlers decide each mutation from that, in order, without IO, and queue the rows to write
//! (a rejection queues nothing); [`GateBatch::flush`] writes the queued rows with multi-row inserts.

use super::db;
use crate::domain::Role;
use crate::domain::sync::{Mutation, Outcome};
use crate::domain::visit::{
    CheckedSignIn, IdType, SIGN_IN, SIGN_OUT, SignInArgs, SignOutArgs, WATCH_DECIDE,
    WatchDecisionArgs,
};
use crate::error::{AppError, Problem};
use crate::server::db::Param;
use crate::sync::server::registry::{Context, args, field, forbidden, invalid};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What a batch of gate mutations reads and writes.
#[derive(Default)]
pub struct GateBatch {
    /// Visits that exist (on the server, or registered earlier in this batch), with their kept identity.
    visits: HashMap<Uuid, Option<db::Identity>>,
    sign_outs: HashSet<Uuid>,
    /// `None`: no such person or place; `Some(active)`.
    people: HashMap<Uuid, bool>,
    places: HashMap<Uuid, bool>,
    /// Active watch-list entries: (id, phone, id hash, note).
    watch: Vec<(Uuid, Option<String>, Option<String>, String)>,
    new_visits: Vec<Vec<Param>>,
    new_sign_outs: Vec<Vec<Param>>,
    decisions: Vec<(Uuid, String)>,
    audits: Vec<(String, Option<Uuid>, String)>,
}

fn uuid_arg(args: &serde_json::Value, key: &str) -> Option<Uuid> {
    args.get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl GateBatch {
    /// Reads what the batch's gate mutations refer to.
    pub async fn prefetch(
        conn: &mut AnyConnection,
        mutations: &[&Mutation],
    ) -> Result<GateBatch, sqlx::Error> {
        let mut visit_ids = HashSet::new();
        let mut sign_out_ids = HashSet::new();
        let mut people = HashSet::new();
        let mut places = HashSet::new();
        let mut registers = false;
        for mutation in mutations {
            let a = &mutation.args;
            match mutation.name.as_str() {
                SIGN_IN => {
                    registers = true;
                    visit_ids.extend(uuid_arg(a, "visit_id"));
                    visit_ids.extend(uuid_arg(a, "id_from_visit"));
                    people.extend(uuid_arg(a, "host_user_id"));
                    places.extend(uuid_arg(a, "host_place_id"));
                    places.extend(uuid_arg(a, "gate_id"));
                }
                SIGN_OUT => {
                    visit_ids.extend(uuid_arg(a, "visit_id"));
                    sign_out_ids.extend(uuid_arg(a, "sign_out_id"));
                }
                WATCH_DECIDE => {
                    visit_ids.extend(uuid_arg(a, "visit_id"));
                }
                _ => {}
            }
        }
        let mut batch = GateBatch {
            visits: db::identities(conn, &visit_ids).await?,
            sign_outs: crate::server::db::existing_ids(conn, "visit_sign_outs", &sign_out_ids)
                .await?,
            people: db::active_flags(conn, "users", &people).await?,
            places: db::active_flags(conn, "places", &places).await?,
            ..GateBatch::default()
        };
        if registers {
            batch.watch = db::active_watch_entries(conn).await?;
        }
        Ok(batch)
    }

    /// Writes what the handlers queued.
    pub async fn flush(
        self,
        conn: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        db::insert_visits(conn, &self.new_visits).await?;
        db::insert_sign_outs(conn, &self.new_sign_outs).await?;
        for (visit, decision) in &self.decisions {
            db::set_watch_decision(conn, *visit, decision, context.version).await?;
        }
        for (action, subject, detail) in &self.audits {
            db::audit_by(
                conn,
                Some(context.user.id),
                context.now,
                action,
                *subject,
                detail,
            )
            .await?;
        }
        Ok(())
    }
}

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

pub fn sign_in(context: &Context<'_>, batch: &mut GateBatch, raw: &serde_json::Value) -> Outcome {
    let mut parsed: SignInArgs = match gate_args(context, raw) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    // The phone sealed the number to this server's key: open it here, and never take the phone's mask for it.
    if let Some(sealed) = parsed.id_sealed.take() {
        match crate::server::id_seal::open(&context.config.id_seal_keys, &sealed) {
            Ok(number) => {
                parsed.id_number = number;
                parsed.id_masked = None;
            }
            Err(cause) => {
                return Outcome::Rejected {
                    code: "id_unreadable".into(),
                    message: cause.to_string(),
                    fields: vec![crate::error::FieldError {
                        field: "id_number".into(),
                        problem: Problem::Invalid,
                    }],
                };
            }
        }
    }
    let checked: CheckedSignIn = match parsed.validate() {
        Ok(checked) => checked,
        Err(AppError::Invalid { fields }) => return invalid(fields),
        Err(_) => return field("request", Problem::Invalid),
    };
    let visit = &checked.args;
    if batch.visits.contains_key(&visit.visit_id) {
        return Outcome::Rejected {
            code: "already_registered".into(),
            message: "this visit was already registered by another entry".into(),
            fields: vec![],
        };
    }
    // A host deactivated while the phone was offline does not undo a visit that happened: it is recorded, and
    // the guard is told. Only an id the server never knew is refused.
    let mut host_inactive = false;
    if let Some(host) = visit.host_user_id {
        match batch.people.get(&host) {
            None => return field("host", Problem::Unknown),
            Some(active) => host_inactive |= !active,
        }
    }
    if let Some(place) = visit.host_place_id {
        match batch.places.get(&place) {
            None => return field("host", Problem::Unknown),
            Some(active) => host_inactive |= !active,
        }
    }
    if let Some(gate) = visit.gate_id
        && !batch.places.contains_key(&gate)
    {
        return field("gate_id", Problem::Unknown);
    }
    let identity = match visit.id_from_visit {
        Some(earlier) => match batch.visits.get(&earlier) {
            Some(Some(identity)) => identity.clone(),
            _ => return field("id_number", Problem::Required),
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
    let watch = batch
        .watch
        .iter()
        .find(|(_, phone, hash, _)| {
            phone.as_deref() == Some(visit.phone.as_str())
                || (hash.is_some() && hash.as_deref() == identity.id_hash.as_deref())
        })
        .map(|(id, _, _, note)| (*id, note.clone()));
    batch.new_visits.push(db::visit_row(
        context,
        visit,
        &identity,
        watch.as_ref().map(|w| w.0),
    ));
    batch.visits.insert(visit.visit_id, Some(identity));
    match watch {
        Some((entry_id, note)) => {
            batch.audits.push((
                "watch_hit".into(),
                Some(visit.visit_id),
                format!("watch entry {entry_id}"),
            ));
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
    }
}

pub fn sign_out(context: &Context<'_>, batch: &mut GateBatch, raw: &serde_json::Value) -> Outcome {
    let parsed: SignOutArgs = match gate_args(context, raw) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    if !batch.visits.contains_key(&parsed.visit_id) {
        return field("visit_id", Problem::Unknown);
    }
    if !batch.sign_outs.insert(parsed.sign_out_id) {
        return Outcome::Rejected {
            code: "already_recorded".into(),
            message: "this sign-out was already recorded by another entry".into(),
            fields: vec![],
        };
    }
    // A second sign-out of the same visit (two guard phones offline) is kept as a fact; the first one counts.
    batch.new_sign_outs.push(db::sign_out_row(context, &parsed));
    Outcome::Applied
}

pub fn watch_decision(
    context: &Context<'_>,
    batch: &mut GateBatch,
    raw: &serde_json::Value,
) -> Outcome {
    let parsed: WatchDecisionArgs = match gate_args(context, raw) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    if !batch.visits.contains_key(&parsed.visit_id) {
        return field("visit_id", Problem::Unknown);
    }
    batch
        .decisions
        .push((parsed.visit_id, parsed.decision.code().to_owned()));
    batch.audits.push((
        "watch_decision".into(),
        Some(parsed.visit_id),
        parsed.decision.code().to_owned(),
    ));
    Outcome::Applied
}

/// HMAC-SHA256 of the ID type and normalised number under the server's key: matches the same card again
/// without keeping its number, and cannot be reversed by hashing every possible number without the key.
pub fn id_hash(key: &[u8; 32], id_type: IdType, number: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(id_type.code().as_bytes());
    mac.update(b":");
    mac.update(number.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}
