//! `POST /api/sync/push`: apply a phone's batch exactly once.
//!
//! One write transaction per batch (SQLite `BEGIN IMMEDIATE`). Each mutation is looked up by id first: a
//! repeat gets the answer its first arrival got, the same id with other content is reported. New ones must
//! come in sequence; a hole is reported and stops the batch there, never skipped. Each applied or rejected
//! mutation is recorded in `sync_mutations` in the same transaction as its effects, so a crash either keeps
//! both or neither. A database failure rolls the whole batch back and answers 503.

use super::{check_protocol, parse, registry, signed_in};
use crate::domain::sync::{
    Gap, ItemResult, Mutation, Outcome, PUSH_MAX_ITEMS, PushRequest, PushResponse, SyncError,
};
use crate::server::db::{Param, bump_version_in_epoch, insert_rows, json_list, json_texts, now_ms};
use crate::server::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum_extra::extract::CookieJar;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use std::collections::HashMap;
use uuid::Uuid;

pub async fn push(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Json<PushResponse>, SyncError> {
    let request: PushRequest = parse(&body)?;
    check_protocol(request.protocol)?;
    if !plain_text(&request.app_build, APP_BUILD_MAX) {
        return Err(SyncError::BadRequest {
            message: format!("app_build must be at most {APP_BUILD_MAX} characters of text"),
        });
    }
    let user = signed_in(&state, &jar).await?;
    if request.mutations.len() > PUSH_MAX_ITEMS {
        return Err(SyncError::TooLarge {
            max_items: PUSH_MAX_ITEMS,
            max_bytes: crate::domain::sync::PUSH_MAX_BYTES,
        });
    }
    let response = apply_batch(&state, &user, &request).await?;
    if response.results.iter().any(|r| !r.duplicate) {
        // Phones on this instance hear at once; PostgreSQL's NOTIFY tells the other instances.
        state.hints.notify(0);
    }
    Ok(Json(response))
}

async fn apply_batch(
    state: &AppState,
    user: &crate::domain::SessionUser,
    request: &PushRequest,
) -> Result<PushResponse, SyncError> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    // Taking the version first takes the write lock first (the counter row on PostgreSQL, the database on
    // SQLite), so two pushes of the same batch at once run one after the other and the second sees the first's
    // receipts. It also stamps everything this batch writes.
    let (version, epoch) = bump_version_in_epoch(&mut tx).await?;
    if epoch != request.epoch && !request.mutations.is_empty() {
        return Err(SyncError::EpochChanged { epoch });
    }
    let client_id = request.client_id.to_string();
    let owner: Option<(String, i64)> =
        sqlx::query_as("SELECT user_id, last_seq FROM sync_clients WHERE id = $1")
            .bind(&client_id)
            .fetch_optional(&mut *tx)
            .await?;
    let mut last_seq = match owner {
        Some((owner, _)) if owner != user.id.to_string() => {
            // An outbox namespace belongs to one user; another user's session never sends from it.
            return Err(SyncError::BadRequest {
                message: "client_id belongs to another user".into(),
            });
        }
        Some((_, last_seq)) => last_seq,
        None => {
            sqlx::query(
                "INSERT INTO sync_clients (id, user_id, last_seq, first_seen, last_seen, app_build) \
                 VALUES ($1, $2, 0, $3, $3, $4)",
            )
            .bind(&client_id)
            .bind(user.id.to_string())
            .bind(now)
            .bind(&request.app_build)
            .execute(&mut *tx)
            .await?;
            0
        }
    };
    // Read before this request's own mark: it bounds what the phone numbers after it, not this batch.
    let marks = super::marks::Marks::of(&mut tx, &client_id).await?;
    if let Some(numbered) = request.numbered_through {
        super::marks::record(&mut tx, &client_id, &user.id.to_string(), numbered, now).await?;
    }
    let mut seen = receipts_of(&mut tx, &request.mutations).await?;
    let mutations: Vec<&Mutation> = request.mutations.iter().collect();
    let mut batch = registry::Batch::prefetch(&mut tx, &mutations, user).await?;
    let context = registry::Context {
        user,
        version,
        now,
        clock_skew_ms: request.sent_at_ms.saturating_sub(now),
        marks: &marks,
        config: &state.config,
    };
    let mut results = Vec::with_capacity(request.mutations.len());
    // The mutations new to this server, by their place in `results`.
    let mut fresh: Vec<(usize, &Mutation, String)> = Vec::new();
    let mut gap = None;
    for mutation in &request.mutations {
        let hash = content_hash(mutation);
        if let Some((seen_hash, outcome, seq)) = seen.get(&mutation.id) {
            results.push(if *seen_hash == hash {
                // A repeat gets the answer its first arrival got.
                ItemResult {
                    id: mutation.id,
                    seq: *seq,
                    duplicate: true,
                    outcome: outcome.clone(),
                }
            } else {
                rejected(
                    mutation,
                    "mutation_id_reused",
                    "another entry with this id was already received",
                )
            });
            continue;
        }
        if mutation.seq <= last_seq {
            // The number was used by another mutation: this phone's storage went back in time.
            results.push(rejected(
                mutation,
                "sequence_reused",
                "sequence number already used by another entry",
            ));
            continue;
        }
        if mutation.seq > last_seq + 1 {
            if request.accept_gap_from == Some(last_seq + 1) {
                sqlx::query(
                    "INSERT INTO sync_gaps (client_id, from_seq, to_seq, recorded_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(&client_id)
                .bind(last_seq + 1)
                .bind(mutation.seq - 1)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tracing::warn!(client = %client_id, from = last_seq + 1, to = mutation.seq - 1, "sync: gap accepted");
            } else {
                gap = Some(Gap {
                    expected: last_seq + 1,
                    got: mutation.seq,
                });
                break;
            }
        }
        // Text no handler could store (a NUL, which PostgreSQL refuses outright) is refused here, for every
        // mutation alike, so it can never fail the batch.
        let outcome = if !plain_text(&mutation.name, NAME_MAX) {
            Outcome::Rejected {
                code: "invalid_name".into(),
                message: format!("mutation names are at most {NAME_MAX} characters of text"),
                fields: vec![],
            }
        } else if holds_nul(&mutation.args) {
            Outcome::Rejected {
                code: "invalid_text".into(),
                message: "text may not contain NUL characters".into(),
                fields: vec![],
            }
        } else {
            registry::apply(&context, &mut batch, mutation)
        };
        seen.insert(mutation.id, (hash.clone(), outcome.clone(), mutation.seq));
        last_seq = mutation.seq;
        fresh.push((results.len(), mutation, hash));
        results.push(ItemResult {
            id: mutation.id,
            seq: mutation.seq,
            duplicate: false,
            outcome,
        });
    }
    // The effects, all together; should the database refuse one entry's rows (a reference to nothing, an id
    // used twice), each entry is applied again in its own savepoint, and the one refused becomes a rejection:
    // the outbox moves on. An outage fails the batch (503, nothing applied).
    sqlx::query("SAVEPOINT batch_effects")
        .execute(&mut *tx)
        .await?;
    if let Err(cause) = batch.flush(&mut tx, &context).await {
        if !refused_by_data(&cause) {
            return Err(cause.into());
        }
        tracing::warn!(%cause, "sync: a batch's rows were refused; applying its entries one by one");
        sqlx::query("ROLLBACK TO SAVEPOINT batch_effects")
            .execute(&mut *tx)
            .await?;
        one_by_one(&mut tx, &context, &fresh, &mut results).await?;
    }
    let mut receipts = Vec::with_capacity(fresh.len());
    for (index, mutation, hash) in &fresh {
        let outcome = &results[*index].outcome;
        let stored = serde_json::to_string(outcome).map_err(|_| SyncError::Unavailable)?;
        receipts.push(vec![
            Param::from(mutation.id),
            client_id.as_str().into(),
            mutation.seq.into(),
            user.id.into(),
            // A refused name is not kept as sent (it may be huge, or hold a NUL).
            if plain_text(&mutation.name, NAME_MAX) {
                mutation.name.as_str()
            } else {
                "(invalid)"
            }
            .into(),
            hash.as_str().into(),
            stored.into(),
            mutation.client_time_ms.into(),
            now.into(),
            version.into(),
        ]);
    }
    // A repeat within the batch answers what its first copy finally got.
    let finally: HashMap<Uuid, Outcome> = fresh
        .iter()
        .map(|(index, m, _)| (m.id, results[*index].outcome.clone()))
        .collect();
    for result in results.iter_mut().filter(|r| r.duplicate) {
        if let Some(outcome) = finally.get(&result.id) {
            result.outcome = outcome.clone();
        }
    }
    // The receipts, in the same transaction as the effects.
    insert_rows(
        &mut tx,
        "sync_mutations",
        &[
            "id",
            "client_id",
            "seq",
            "user_id",
            "name",
            "content_hash",
            "outcome",
            "client_time",
            "received_at",
            "version",
        ],
        &receipts,
    )
    .await?;
    sqlx::query(
        "UPDATE sync_clients SET last_seq = $1, last_seen = $2, app_build = $3, clock_skew_ms = $4 WHERE id = $5",
    )
    .bind(last_seq)
    .bind(now)
    .bind(&request.app_build)
    .bind(request.sent_at_ms.saturating_sub(now))
    .bind(&client_id)
    .execute(&mut *tx)
    .await?;
    if request.numbered_through.is_some() || !marks.is_empty() {
        super::marks::prune(&mut tx, &client_id, last_seq).await?;
    }
    tx.commit().await?;
    Ok(PushResponse {
        epoch,
        results,
        gap,
        last_seq,
        server_time_ms: now,
    })
}

/// Applies the batch's new entries again, each read, decided and written in a savepoint of its own (so each
/// sees the ones before it); an entry whose rows the database refuses is rolled back to its savepoint and
/// answered with a rejection.
async fn one_by_one(
    tx: &mut AnyConnection,
    context: &registry::Context<'_>,
    fresh: &[(usize, &Mutation, String)],
    results: &mut [ItemResult],
) -> Result<(), SyncError> {
    for (index, mutation, _) in fresh {
        if matches!(results[*index].outcome, Outcome::Rejected { .. }) {
            continue;
        }
        let mut single = registry::Batch::prefetch(tx, &[*mutation], context.user).await?;
        let outcome = registry::apply(context, &mut single, mutation);
        sqlx::query("SAVEPOINT entry").execute(&mut *tx).await?;
        let outcome = match single.flush(tx, context).await {
            Ok(()) => outcome,
            Err(cause) if refused_by_data(&cause) => {
                tracing::warn!(%cause, mutation = %mutation.id, "sync: an entry's rows were refused");
                sqlx::query("ROLLBACK TO SAVEPOINT entry")
                    .execute(&mut *tx)
                    .await?;
                Outcome::Rejected {
                    code: "not_stored".into(),
                    message: "the server could not store this entry (it points at something that does not exist, or reuses an id)".into(),
                    fields: vec![],
                }
            }
            Err(cause) => return Err(cause.into()),
        };
        sqlx::query("RELEASE SAVEPOINT entry")
            .execute(&mut *tx)
            .await?;
        results[*index].outcome = outcome;
    }
    Ok(())
}

/// Whether the database refused the rows themselves (a constraint, a value it cannot hold), as opposed to being
/// unreachable or busy: only the first is one entry's fault.
fn refused_by_data(cause: &sqlx::Error) -> bool {
    let sqlx::Error::Database(error) = cause else {
        return false;
    };
    if !matches!(error.kind(), sqlx::error::ErrorKind::Other) {
        return true;
    }
    // PostgreSQL's SQLSTATEs are five characters: data exceptions (22: a NUL, a value out of range), integrity
    // (23) and program limits (54: a value too big to index). SQLite's are numbers: constraint (19), too big
    // (18) and type mismatch (20), with their extended codes.
    let code = error.code().unwrap_or_default();
    if code.len() == 5 {
        ["22", "23", "54"]
            .iter()
            .any(|class| code.starts_with(class))
    } else {
        code.parse::<u32>()
            .is_ok_and(|c| matches!(c & 0xff, 18..=20))
    }
}

/// The receipts already held for the batch's mutations: id → (content hash, first answer, seq).
async fn receipts_of(
    conn: &mut AnyConnection,
    mutations: &[Mutation],
) -> Result<HashMap<Uuid, (String, Outcome, i64)>, SyncError> {
    if mutations.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, content_hash, outcome, seq FROM sync_mutations WHERE id IN ({})",
        json_texts(conn)
    );
    let ids: Vec<String> = mutations.iter().map(|m| m.id.to_string()).collect();
    let query = sqlx::query_as::<_, (String, String, String, i64)>(&sql)
        .bind(json_list(ids.iter().map(String::as_str)));
    let mut seen = HashMap::new();
    for (id, hash, outcome, seq) in query.fetch_all(conn).await? {
        let outcome: Outcome = serde_json::from_str(&outcome).map_err(|cause| {
            tracing::error!(%cause, "sync: stored outcome unreadable");
            SyncError::Unavailable
        })?;
        let id = Uuid::parse_str(&id).map_err(|_| SyncError::Unavailable)?;
        seen.insert(id, (hash, outcome, seq));
    }
    Ok(seen)
}

/// The longest `app_build` and mutation name taken (real ones are a few dozen characters).
const APP_BUILD_MAX: usize = 64;
const NAME_MAX: usize = 64;

/// Short text with no control characters.
fn plain_text(value: &str, max: usize) -> bool {
    value.chars().count() <= max && !value.chars().any(char::is_control)
}

/// Whether any string in `value` (keys included) holds a NUL.
fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fn rejected(mutation: &Mutation, code: &str, message: &str) -> ItemResult {
    ItemResult {
        id: mutation.id,
        seq: mutation.seq,
        duplicate: false,
        outcome: Outcome::Rejected {
            code: code.into(),
            message: message.into(),
            fields: vec![],
        },
    }
}

/// What "the same content" means: the name and the arguments, with keys in a fixed order (serde_json sorts
/// them). The ID number is left out (and the mask that replaces it), because a phone re-sending after a server
/// restore kept only the mask.
pub fn content_hash(mutation: &Mutation) -> String {
    let mut args = mutation.args.clone();
    if let Some(object) = args.as_object_mut() {
        object.remove("id_number");
        object.remove("id_masked");
    }
    let mut hasher = Sha256::new();
    hasher.update(mutation.name.as_bytes());
    hasher.update(b"\n");
    hasher.update(args.to_string().as_bytes());
    hex::encode(hasher.finalize())
}
