//! `POST /api/sync/pull`: the changes after a phone's cursor, in version order, paged.
//!
//! One read snapshot (PostgreSQL REPEATABLE READ; SQLite's read transaction) gives both the rows and the
//! counter, so the returned cursor never passes a change the phone has not seen: a transaction that has taken
//! version N but not committed holds the counter row, so no committed version can be above it. A page never
//! splits one version's rows. A new epoch, a new scope (the user's roles changed) or the first pull resets the
//! phone's snapshot.
//!
//! Everyone gets the directory (people and places) and the repair tickets they see; guards and the admin also
//! get the gate log.

use super::{check_protocol, parse, signed_in};
use crate::domain::clock::DAY_MS;
use crate::domain::sync::{Op, PULL_PAGE, PullRequest, PullResponse, SCHEMA_VERSION, SyncError};
use crate::domain::{Role, SessionUser};
use crate::features::cleaning_scores::db as cleaning_db;
use crate::features::gate_visits::db as visits;
use crate::features::repair_tickets::db as tickets;
use crate::features::safety_checks::db as safety_db;
use crate::features::{cleaning_scores, gate_visits, repair_tickets, safety_checks};
use crate::server::db::{now_ms, uuid};
use crate::server::state::AppState;
use crate::sync::job::{Job, window_ms};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum_extra::extract::CookieJar;
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

/// The tables a group of the pull's queries reads by version: the job's synced tables (their wire names are
/// their tables' names), and for tickets also the photos and who may see which ticket.
fn tables_of(job: &Job, also: &[&'static str]) -> Vec<&'static str> {
    job.table_names().chain(also.iter().copied()).collect()
}

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

/// What this user's phone holds; a change means their roles (or a class teacher's classes) changed and the
/// snapshot starts over.
fn scope_of(user: &SessionUser, cleaning: &CleaningScope) -> String {
    let gate = user.has(Role::GateGuard) || user.has(Role::Admin);
    let admin = user.has(Role::Admin);
    let cleaning = match cleaning {
        CleaningScope::None => String::new(),
        CleaningScope::All => ".cleaning".into(),
        CleaningScope::Classes(classes) => {
            let ids: Vec<String> = classes.iter().map(|c| c.simple().to_string()).collect();
            format!(".classes:{}", ids.join(","))
        }
    };
    format!(
        "s{SCHEMA_VERSION}{}{}{}{cleaning}",
        if gate { ".gate" } else { "" },
        if admin { ".all_tickets" } else { "" },
        if safety_scope(user) { ".safety" } else { "" }
    )
}

/// Which cleaning scores a phone holds: inspectors and the admin every zone's recent checks, a class teacher
/// those of their own classes.
enum CleaningScope {
    None,
    All,
    Classes(Vec<uuid::Uuid>),
}

async fn cleaning_scope(
    conn: &mut AnyConnection,
    user: &SessionUser,
) -> Result<CleaningScope, sqlx::Error> {
    if user.has(Role::CleaningInspector) || user.has(Role::Admin) {
        Ok(CleaningScope::All)
    } else if user.has(Role::ClassTeacher) {
        Ok(CleaningScope::Classes(
            cleaning_db::classes_of_teacher(conn, user.id).await?,
        ))
    } else {
        Ok(CleaningScope::None)
    }
}

/// Safety inspectors and the admin hold the check points, their checklists and recent checks.
fn safety_scope(user: &SessionUser) -> bool {
    user.has(Role::SafetyInspector) || user.has(Role::Admin)
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
    let cleaning = cleaning_scope(conn, user).await?;
    let scope = scope_of(user, &cleaning);
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
    let gate = user.has(Role::GateGuard) || user.has(Role::Admin);
    let admin = user.has(Role::Admin);
    // Find where this page ends: the PULL_PAGE-th change, if there are more, never inside one version. Counting
    // rows this user will not get only makes a page smaller.
    let safety = safety_scope(user);
    let ticket_tables = tables_of(&repair_tickets::JOB, &["photos", "ticket_access"]);
    let safety_tables = tables_of(&safety_checks::JOB, &[]);
    let cleaning_tables = tables_of(&cleaning_scores::JOB, &[]);
    let gate_tables = tables_of(&gate_visits::JOB, &[]);
    let mut sources: Vec<&str> = vec!["users", "places"];
    sources.extend(&ticket_tables);
    if safety {
        sources.extend(&safety_tables);
    }
    if !matches!(cleaning, CleaningScope::None) {
        sources.extend(&cleaning_tables);
    }
    if gate {
        sources.extend(&gate_tables);
    }
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
    // A page not cut short holds every change up to the top: a group of tables with none has nothing to send,
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
    let mut ops: Vec<(i64, Op)> = Vec::new();
    if gate && touched(&gate_tables) {
        let since = now - window_ms(&gate_visits::JOB, "visits");
        for change in visits::visits_changed(conn, after, up_to, since).await? {
            ops.push((
                change.version,
                match change.visit {
                    Some(visit) => put("visits", change.id, &visit)?,
                    None => Op::Delete {
                        table: "visits".into(),
                        id: change.id,
                    },
                },
            ));
        }
        for (version, sign_out) in visits::sign_outs_changed(conn, after, up_to, since).await? {
            ops.push((version, put("visit_sign_outs", sign_out.id, &sign_out)?));
        }
        for (version, active, entry) in visits::watch_entries_changed(conn, after, up_to).await? {
            ops.push((
                version,
                put_or_leave("watch_entries", entry.id, active, &entry)?,
            ));
        }
    }
    let people = if !touched(&["users"]) {
        Vec::new()
    } else {
        sqlx::query(
            "SELECT id, display_name, active, version, \
             EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'maintenance') AS maintenance \
             FROM users WHERE version > $1 AND version <= $2",
        )
        .bind(after)
        .bind(up_to)
        .fetch_all(&mut *conn)
        .await?
    };
    for row in people {
        let id = uuid(row.try_get("id")?)?;
        let maintenance = match row.try_get::<bool, _>("maintenance") {
            Ok(flag) => flag,
            Err(_) => row.try_get::<i64, _>("maintenance")? == 1,
        };
        let person = serde_json::json!({
            "id": id,
            "display_name": row.try_get::<String, _>("display_name")?,
            "maintenance": maintenance,
        });
        ops.push((
            row.try_get("version")?,
            put_or_leave("people", id, row.try_get::<i64, _>("active")? == 1, &person)?,
        ));
    }
    let places = if !touched(&["places"]) {
        Vec::new()
    } else {
        sqlx::query(
            "SELECT id, parent_id, kind, name, active, version FROM places WHERE version > $1 AND version <= $2",
        )
        .bind(after)
        .bind(up_to)
        .fetch_all(&mut *conn)
        .await?
    };
    for row in places {
        let id = uuid(row.try_get("id")?)?;
        let place = serde_json::json!({
            "id": id,
            "parent_id": row.try_get::<Option<String>, _>("parent_id")?,
            "kind": row.try_get::<String, _>("kind")?,
            "name": row.try_get::<String, _>("name")?,
        });
        ops.push((
            row.try_get("version")?,
            put_or_leave("places", id, row.try_get::<i64, _>("active")? == 1, &place)?,
        ));
    }
    // Only a snapshot started over leaves out long-closed tickets: a change to a ticket the phone holds always
    // reaches it, however long it was offline.
    if safety && touched(&safety_tables) {
        for (version, point) in safety_db::points_changed(conn, after, up_to).await? {
            let active = point.active;
            ops.push((
                version,
                put_or_leave("check_points", point.id, active, &point)?,
            ));
        }
        for (version, id, template) in safety_db::templates_changed(conn, after, up_to).await? {
            ops.push((version, put("safety_templates", id, &template)?));
        }
        for (version, id, day, active) in safety_db::holidays_changed(conn, after, up_to).await? {
            let row = serde_json::json!({ "id": id, "day": day });
            ops.push((version, put_or_leave("safety_holidays", id, active, &row)?));
        }
        let since = now - window_ms(&safety_checks::JOB, "safety_checks");
        for (version, check) in safety_db::checks_changed(conn, after, up_to, since).await? {
            ops.push((version, put("safety_checks", check.id, &check)?));
        }
    }
    if !matches!(cleaning, CleaningScope::None) && touched(&cleaning_tables) {
        for (version, zone) in cleaning_db::zones_changed(conn, after, up_to).await? {
            ops.push((
                version,
                put_or_leave("cleaning_zones", zone.id, zone.active, &zone)?,
            ));
        }
        for (version, id, rubric) in cleaning_db::rubrics_changed(conn, after, up_to).await? {
            ops.push((version, put("cleaning_rubrics", id, &rubric)?));
        }
        if let Some((version, settings)) = cleaning_db::settings_changed(conn, after, up_to).await?
        {
            ops.push((
                version,
                put("cleaning_settings", uuid::Uuid::nil(), &settings)?,
            ));
        }
        let (classes, window) = match &cleaning {
            CleaningScope::Classes(classes) => (
                Some(classes.as_slice()),
                window_ms(&cleaning_scores::JOB, "cleaning_checks"),
            ),
            _ => (None, cleaning_scores::INSPECTOR_WINDOW_DAYS * DAY_MS),
        };
        let since = now - window;
        for (version, check) in
            cleaning_db::checks_changed(conn, after, up_to, since, classes).await?
        {
            ops.push((version, put("cleaning_checks", check.id, &check)?));
        }
        // Appeals carry a teacher's words: the admin and the class's own teacher only, not the inspectors.
        if admin || classes.is_some() {
            for (version, appeal) in
                cleaning_db::appeals_changed(conn, after, up_to, classes).await?
            {
                ops.push((version, put("cleaning_appeals", appeal.id, &appeal)?));
            }
        }
    }
    if touched(&ticket_tables) {
        let closed_since = if after == 0 {
            now - window_ms(&repair_tickets::JOB, "tickets")
        } else {
            i64::MIN
        };
        let tickets =
            tickets::changes_for(conn, user.id, admin, after, up_to, closed_since).await?;
        for (version, ticket) in tickets.tickets {
            ops.push((version, put("tickets", ticket.id, &ticket)?));
        }
        for event in tickets.events {
            ops.push((event.version, put("ticket_events", event.id, &event)?));
        }
        for (version, photo) in tickets.photos {
            ops.push((version, put("photos", photo.id, &photo)?));
        }
        for (version, id) in tickets.left {
            ops.push((
                version,
                Op::Leave {
                    table: "tickets".into(),
                    id,
                },
            ));
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

fn put(table: &str, id: uuid::Uuid, row: &impl serde::Serialize) -> Result<Op, SyncError> {
    Ok(Op::Put {
        table: table.into(),
        id,
        row: serde_json::to_value(row).map_err(|_| SyncError::Unavailable)?,
    })
}

fn put_or_leave(
    table: &str,
    id: uuid::Uuid,
    active: bool,
    row: &impl serde::Serialize,
) -> Result<Op, SyncError> {
    if active {
        put(table, id, row)
    } else {
        Ok(Op::Leave {
            table: table.into(),
            id,
        })
    }
}
