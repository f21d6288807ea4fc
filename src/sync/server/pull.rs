//! `POST /api/sync/pull`: the changes after a phone's cursor, in version order, paged.
//!
//! One read snapshot (PostgreSQL REPEATABLE READ; SQLite's read transaction) gives both the rows and the
//! counter, so the returned cursor never passes a change the phone has not seen: a transaction that has taken
//! version N but not committed holds the counter row, so no committed version can be above it. A page never
//! splits one version's rows. A new epoch, a new scope (the user's roles changed) or the first pull resets the
//! phone's snapshot.
//!
//! What each user gets is each job's to say (`server::job::ServerJob::pull_scope` and `pull_changes`): this
//! file finds the page's end over the tables of the jobs in the user's scope and asks each job with changes.

use super::{check_protocol, parse, signed_in};
use crate::domain::SessionUser;
use crate::domain::sync::{
    Op, PULL_PAGE, PullRequest, PullResponse, SCHEMA_VERSION, SyncError, Synced,
};
use crate::server::db::now_ms;
use crate::server::job::{Scope, ServerJob, Span};
use crate::server::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum_extra::extract::CookieJar;
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

pub async fn pull(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Json<PullResponse>, SyncError> {
    let request: PullRequest = parse(&body)?;
    check_protocol(request.protocol)?;
    let user = signed_in(&state, &jar).await?;
    let mut tx = state.db.begin_snapshot().await?;
    let page = read_page(&mut tx, &user, &request).await?;
    let client_id = request.client_id.to_string();
    let mark = match request.numbered_through {
        Some(numbered)
            if super::marks::stale(&mut tx, &client_id, numbered, page.server_time_ms).await? =>
        {
            Some(numbered)
        }
        _ => None,
    };
    // Read-only: ending it either way is the same.
    tx.rollback().await?;
    if let Some(numbered) = mark {
        let mut tx = state.db.begin_write().await?;
        super::marks::record(
            &mut tx,
            &client_id,
            &user.id.to_string(),
            numbered,
            page.server_time_ms,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Json(page))
}

/// The jobs this user's phone holds a part of, each with its scope.
async fn scopes_of(
    conn: &mut AnyConnection,
    user: &SessionUser,
) -> Result<Vec<(&'static dyn ServerJob, Scope)>, sqlx::Error> {
    let mut scopes = Vec::new();
    for job in crate::jobs::SERVER {
        if let Some(scope) = job.pull_scope(conn, user).await? {
            scopes.push((*job, scope));
        }
    }
    Ok(scopes)
}

/// What this user's phone holds; a change means their roles (or a class teacher's classes) changed and the
/// snapshot starts over.
fn scope_key(scopes: &[(&'static dyn ServerJob, Scope)]) -> String {
    let keys: String = scopes.iter().map(|(_, scope)| scope.key.as_str()).collect();
    format!("s{SCHEMA_VERSION}{keys}")
}

async fn read_page(
    conn: &mut AnyConnection,
    user: &SessionUser,
    request: &PullRequest,
) -> Result<PullResponse, SyncError> {
    let row = sqlx::query("SELECT version, epoch FROM sync_state WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let top: i64 = row.try_get("version")?;
    let epoch: String = row.try_get("epoch")?;
    let scopes = scopes_of(conn, user).await?;
    let scope = scope_key(&scopes);
    let reset = request.epoch != epoch || request.scope != scope || request.cursor > top;
    let after = if reset { 0 } else { request.cursor };
    let last_seq: i64 =
        sqlx::query_scalar("SELECT last_seq FROM sync_clients WHERE id = $1 AND user_id = $2")
            .bind(request.client_id.to_string())
            .bind(user.id.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(0);
    let now = now_ms();
    // Find where this page ends: the PULL_PAGE-th change, if there are more, never inside one version. Counting
    // rows this user will not get only makes a page smaller.
    let reads: Vec<Vec<&'static str>> = scopes.iter().map(|(job, _)| job.pull_reads()).collect();
    let mut sources: Vec<&str> = reads.iter().flatten().copied().collect();
    sources.sort_unstable();
    sources.dedup();
    let union: Vec<String> = sources
        .iter()
        .map(|table| format!("SELECT version, '{table}' AS t FROM {table} WHERE version > $1"))
        .collect();
    let changes: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT version, t FROM ({}) AS changes WHERE version <= $2 ORDER BY version LIMIT $3",
        union.join(" UNION ALL ")
    ))
    .bind(after)
    .bind(top)
    .bind(PULL_PAGE as i64 + 1)
    .fetch_all(&mut *conn)
    .await?;
    let versions: Vec<i64> = changes.iter().map(|(version, _)| *version).collect();
    // A page not cut short holds every change up to the top: a job with none in its tables has nothing to send,
    // and its queries are skipped (a guard's pull after a few visits reads the visits only).
    let changed: Option<HashSet<&str>> = (changes.len() <= PULL_PAGE)
        .then(|| changes.iter().map(|(_, table)| table.as_str()).collect());
    let touched = |tables: &[&str]| {
        changed
            .as_ref()
            .is_none_or(|changed| tables.iter().any(|t| changed.contains(t)))
    };
    let mut up_to = top;
    let mut has_more = false;
    if versions.len() > PULL_PAGE {
        let last_in_page = versions[PULL_PAGE - 1];
        let first_beyond = versions[PULL_PAGE];
        // A version larger than the page can hold still goes whole, alone.
        up_to = if first_beyond > last_in_page {
            last_in_page
        } else {
            first_beyond
        };
        has_more = up_to < top;
    }
    let span = Span { after, up_to, now };
    let mut ops: Vec<(i64, Op)> = Vec::new();
    for ((job, scope), reads) in scopes.iter().zip(&reads) {
        if touched(reads) {
            ops.extend(job.pull_changes(conn, user, scope, span).await?);
        }
    }
    ops.sort_by_key(|(version, _)| *version);
    Ok(PullResponse {
        epoch,
        scope,
        reset,
        ops: ops.into_iter().map(|(_, op)| op).collect(),
        cursor: up_to,
        has_more,
        last_seq,
        server_time_ms: now,
    })
}

/// A row put on the phone, in its type's table.
pub fn put<T: Synced>(id: uuid::Uuid, row: &T) -> Result<Op, SyncError> {
    Ok(Op::Put {
        table: T::TABLE.into(),
        id,
        row: serde_json::to_value(row).map_err(|_| SyncError::Unavailable)?,
    })
}

/// A row put on the phone, or (no longer active) taken off it.
pub fn put_or_leave<T: Synced>(id: uuid::Uuid, active: bool, row: &T) -> Result<Op, SyncError> {
    if active {
        put(id, row)
    } else {
        Ok(leave::<T>(id))
    }
}

/// A row of type `T` that left this phone's view.
pub fn leave<T: Synced>(id: uuid::Uuid) -> Op {
    Op::Leave {
        table: T::TABLE.into(),
        id,
    }
}
