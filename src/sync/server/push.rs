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
use crate::server::db::{bump_version, now_ms};
use crate::server::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum_extra::extract::CookieJar;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

pub async fn push(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Json<PushResponse>, SyncError> {
    let request: PushRequest = parse(&body)?;
    check_protocol(request.protocol)?;
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
    let version = bump_version(&mut tx).await?;
    let epoch: String = sqlx::query_scalar("SELECT epoch FROM sync_state WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
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
    let mut results = Vec::with_capacity(request.mutations.len());
    let mut gap = None;
    for mutation in &request.mutations {
        let hash = content_hash(mutation);
        if let Some(result) = repeat_answer(&mut tx, mutation, &hash).await? {
            results.push(result);
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
        let outcome = registry::apply(
            &mut tx,
            &registry::Context {
                user,
                version,
                now,
                clock_skew_ms: request.sent_at_ms.saturating_sub(now),
                config: &state.config,
            },
            mutation,
        )
        .await?;
        record(
            &mut tx, &client_id, user, mutation, &hash, &outcome, now, version,
        )
        .await?;
        last_seq = mutation.seq;
        results.push(ItemResult {
            id: mutation.id,
            seq: mutation.seq,
            duplicate: false,
            outcome,
        });
    }
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
    tx.commit().await?;
    Ok(PushResponse {
        epoch,
        results,
        gap,
        last_seq,
        server_time_ms: now,
    })
}

/// The answer to a mutation seen before, or `None` for a new one.
async fn repeat_answer(
    conn: &mut AnyConnection,
    mutation: &Mutation,
    hash: &str,
) -> Result<Option<ItemResult>, SyncError> {
    let seen: Option<(String, String, i64)> =
        sqlx::query_as("SELECT content_hash, outcome, seq FROM sync_mutations WHERE id = $1")
            .bind(mutation.id.to_string())
            .fetch_optional(conn)
            .await?;
    let Some((seen_hash, outcome, seq)) = seen else {
        return Ok(None);
    };
    if seen_hash != hash {
        return Ok(Some(rejected(
            mutation,
            "mutation_id_reused",
            "another entry with this id was already received",
        )));
    }
    let outcome = serde_json::from_str(&outcome).map_err(|cause| {
        tracing::error!(%cause, "sync: stored outcome unreadable");
        SyncError::Unavailable
    })?;
    Ok(Some(ItemResult {
        id: mutation.id,
        seq,
        duplicate: true,
        outcome,
    }))
}

#[allow(clippy::too_many_arguments)]
async fn record(
    conn: &mut AnyConnection,
    client_id: &str,
    user: &crate::domain::SessionUser,
    mutation: &Mutation,
    hash: &str,
    outcome: &Outcome,
    now: i64,
    version: i64,
) -> Result<(), SyncError> {
    let outcome = serde_json::to_string(outcome).map_err(|_| SyncError::Unavailable)?;
    sqlx::query(
        "INSERT INTO sync_mutations (id, client_id, seq, user_id, name, content_hash, outcome, client_time, received_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(mutation.id.to_string())
    .bind(client_id)
    .bind(mutation.seq)
    .bind(user.id.to_string())
    .bind(&mutation.name)
    .bind(hash)
    .bind(outcome)
    .bind(mutation.client_time_ms)
    .bind(now)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
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
