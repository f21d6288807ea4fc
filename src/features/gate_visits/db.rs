//! SQL for the gate visitor log: visits, sign-outs, the watch list and the audit trail.

use crate::domain::visit::{
    IdType, SignInArgs, SignOutArgs, Visit, VisitSignOut, WatchDecision, WatchEntry,
};
use crate::server::db::{Param, insert_rows, json_list, json_texts, opt_uuid, uuid};
use crate::sync::server::registry::Context;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What identifies a visitor's document, as kept: never the number itself.
#[derive(Debug, Clone)]
pub struct Identity {
    pub id_type: IdType,
    pub id_masked: Option<String>,
    pub id_hash: Option<String>,
}

fn id_list(ids: &HashSet<Uuid>) -> Vec<String> {
    ids.iter().map(Uuid::to_string).collect()
}

/// The visits among `ids` that exist, each with its kept identity (`None` once purged).
pub async fn identities(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, Option<Identity>>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = id_list(ids);
    let sql = format!(
        "SELECT id, id_type, id_masked, id_hash, purged_at FROM visits WHERE id IN ({})",
        json_texts(conn)
    );
    let rows = sqlx::query(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            let id_type: String = row.try_get("id_type")?;
            let purged: Option<i64> = row.try_get("purged_at")?;
            let identity = Identity {
                id_type: IdType::from_code(&id_type).unwrap_or(IdType::Other),
                id_masked: row.try_get("id_masked")?,
                id_hash: row.try_get("id_hash")?,
            };
            Ok((
                uuid(row.try_get("id")?)?,
                purged.is_none().then_some(identity),
            ))
        })
        .collect()
}

/// Whether each of `ids` that exists in `table` (`users` or `places`) is active.
pub async fn active_flags(
    conn: &mut AnyConnection,
    table: &str,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, bool>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let table = match table {
        "users" => "users",
        _ => "places",
    };
    let ids = id_list(ids);
    let sql = format!(
        "SELECT id, active FROM {table} WHERE id IN ({})",
        json_texts(conn)
    );
    sqlx::query_as::<_, (String, i64)>(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, active)| Ok((uuid(&id)?, active == 1)))
        .collect()
}

/// The active watch-list entries: (id, phone, ID hash, note).
pub async fn active_watch_entries(
    conn: &mut AnyConnection,
) -> Result<Vec<(Uuid, Option<String>, Option<String>, String)>, sqlx::Error> {
    let rows: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT id, phone, id_hash, note FROM watch_entries WHERE active = 1 ORDER BY created_at",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, phone, hash, note)| Ok((uuid(&id)?, phone, hash, note)))
        .collect()
}

const VISIT_INSERT_COLUMNS: &[&str] = &[
    "id",
    "visitor_name",
    "phone",
    "id_masked",
    "id_hash",
    "plate",
    "id_type",
    "organisation",
    "host_user_id",
    "host_place_id",
    "reason",
    "party_size",
    "time_in",
    "gate_id",
    "registered_by",
    "received_at",
    "clock_skew_ms",
    "watch_entry_id",
    "version",
];

/// A registration as a row to insert.
pub fn visit_row(
    context: &Context<'_>,
    visit: &SignInArgs,
    identity: &Identity,
    watch_entry: Option<Uuid>,
) -> Vec<Param> {
    vec![
        visit.visit_id.into(),
        visit.visitor_name.clone().into(),
        visit.phone.clone().into(),
        identity.id_masked.clone().into(),
        identity.id_hash.clone().into(),
        Param::Text((!visit.plate.is_empty()).then(|| visit.plate.clone())),
        identity.id_type.code().into(),
        visit.organisation.clone().into(),
        visit.host_user_id.into(),
        visit.host_place_id.into(),
        visit.reason.clone().into(),
        visit.party_size.into(),
        visit.time_in_ms.into(),
        visit.gate_id.into(),
        context.user.id.into(),
        context.now.into(),
        context.clock_skew_ms.into(),
        watch_entry.into(),
        context.version.into(),
    ]
}

pub async fn insert_visits(
    conn: &mut AnyConnection,
    rows: &[Vec<Param>],
) -> Result<(), sqlx::Error> {
    insert_rows(conn, "visits", VISIT_INSERT_COLUMNS, rows).await
}

/// A sign-out as a row to insert.
pub fn sign_out_row(context: &Context<'_>, sign_out: &SignOutArgs) -> Vec<Param> {
    vec![
        sign_out.sign_out_id.into(),
        sign_out.visit_id.into(),
        sign_out.time_out_ms.into(),
        context.user.id.into(),
        context.now.into(),
        context.version.into(),
    ]
}

pub async fn insert_sign_outs(
    conn: &mut AnyConnection,
    rows: &[Vec<Param>],
) -> Result<(), sqlx::Error> {
    insert_rows(
        conn,
        "visit_sign_outs",
        &[
            "id",
            "visit_id",
            "time_out",
            "signed_out_by",
            "received_at",
            "version",
        ],
        rows,
    )
    .await
}

/// Records the guard's decision on a watch-list warning (even if the entry was withdrawn meanwhile).
pub async fn set_watch_decision(
    conn: &mut AnyConnection,
    visit: Uuid,
    decision: &str,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE visits SET watch_decision = $1, version = $2 WHERE id = $3")
        .bind(decision)
        .bind(version)
        .bind(visit.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn audit_by(
    conn: &mut AnyConnection,
    user: Option<Uuid>,
    at: i64,
    action: &str,
    subject: Option<Uuid>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    crate::server::audit::record_at(conn, user, at, action, subject, detail).await
}

const VISIT_COLUMNS: &str = "v.id, v.visitor_name, v.phone, v.id_type, v.id_masked, v.organisation, v.host_user_id, \
    v.host_place_id, COALESCE(u.display_name, p.name, '') AS host_name, v.reason, v.party_size, v.plate, v.time_in, \
    v.registered_by, v.clock_skew_ms, w.note AS watch_note, v.watch_decision, v.purged_at, v.version";
const VISIT_FROM: &str = "FROM visits v LEFT JOIN users u ON u.id = v.host_user_id \
    LEFT JOIN places p ON p.id = v.host_place_id LEFT JOIN watch_entries w ON w.id = v.watch_entry_id";

fn visit_from(row: &AnyRow) -> Result<Visit, sqlx::Error> {
    let id_type: String = row.try_get("id_type")?;
    let decision: Option<String> = row.try_get("watch_decision")?;
    Ok(Visit {
        id: uuid(row.try_get("id")?)?,
        visitor_name: row
            .try_get::<Option<String>, _>("visitor_name")?
            .unwrap_or_default(),
        phone: row
            .try_get::<Option<String>, _>("phone")?
            .unwrap_or_default(),
        id_type: IdType::from_code(&id_type).unwrap_or(IdType::Other),
        id_masked: row.try_get("id_masked")?,
        organisation: row.try_get("organisation")?,
        host_user_id: opt_uuid(row.try_get("host_user_id")?)?,
        host_place_id: opt_uuid(row.try_get("host_place_id")?)?,
        host_name: row.try_get("host_name")?,
        reason: row.try_get("reason")?,
        party_size: row.try_get("party_size")?,
        plate: row
            .try_get::<Option<String>, _>("plate")?
            .unwrap_or_default(),
        time_in_ms: row.try_get("time_in")?,
        registered_by: uuid(row.try_get("registered_by")?)?,
        clock_skew_ms: row.try_get("clock_skew_ms")?,
        watch_note: row.try_get("watch_note")?,
        watch_decision: decision.as_deref().and_then(WatchDecision::from_code),
    })
}

/// A visit row for a pull: the visit, or `None` when its personal data was purged (sent as a deletion).
pub struct VisitChange {
    pub id: Uuid,
    pub version: i64,
    pub visit: Option<Visit>,
}

/// Visits changed in `(after, up_to]` that arrived at or after `since` (purged ones at any age). The server's
/// arrival time, not the phone's clock, decides: a phone a year slow must not hide its own entries.
pub async fn visits_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
    since: i64,
) -> Result<Vec<VisitChange>, sqlx::Error> {
    let sql = format!(
        "SELECT {VISIT_COLUMNS} {VISIT_FROM} WHERE v.version > $1 AND v.version <= $2 \
         AND (v.received_at >= $3 OR v.purged_at IS NOT NULL) ORDER BY v.version"
    );
    let rows = sqlx::query(&sql)
        .bind(after)
        .bind(up_to)
        .bind(since)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            let purged: Option<i64> = row.try_get("purged_at")?;
            Ok(VisitChange {
                id: uuid(row.try_get("id")?)?,
                version: row.try_get("version")?,
                visit: if purged.is_some() {
                    None
                } else {
                    Some(visit_from(row)?)
                },
            })
        })
        .collect()
}

/// Sign-outs changed in `(after, up_to]` of visits that arrived at or after `since`.
pub async fn sign_outs_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
    since: i64,
) -> Result<Vec<(i64, VisitSignOut)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.id, s.visit_id, s.time_out, s.signed_out_by, s.version FROM visit_sign_outs s \
         JOIN visits v ON v.id = s.visit_id WHERE s.version > $1 AND s.version <= $2 AND v.received_at >= $3 \
         AND v.purged_at IS NULL ORDER BY s.version",
    )
    .bind(after)
    .bind(up_to)
    .bind(since)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("version")?,
                VisitSignOut {
                    id: uuid(row.try_get("id")?)?,
                    visit_id: uuid(row.try_get("visit_id")?)?,
                    time_out_ms: row.try_get("time_out")?,
                    signed_out_by: uuid(row.try_get("signed_out_by")?)?,
                },
            ))
        })
        .collect()
}

/// Watch-list entries changed in `(after, up_to]`: (version, active, entry).
pub async fn watch_entries_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Vec<(i64, bool, WatchEntry)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, phone, note, active, version FROM watch_entries WHERE version > $1 AND version <= $2 ORDER BY version",
    )
    .bind(after)
    .bind(up_to)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("version")?,
                row.try_get::<i64, _>("active")? == 1,
                WatchEntry {
                    id: uuid(row.try_get("id")?)?,
                    phone: row.try_get("phone")?,
                    note: row.try_get("note")?,
                },
            ))
        })
        .collect()
}

/// Visits whose time in falls in `[from, to)`, oldest first, with their first sign-out time. A phone whose clock
/// was off by more than a few minutes is corrected by the skew measured when its entry arrived.
pub async fn visits_between(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
) -> Result<Vec<(Visit, Option<i64>)>, sqlx::Error> {
    let sql = format!(
        "SELECT {VISIT_COLUMNS}, (SELECT MIN(s.time_out) FROM visit_sign_outs s WHERE s.visit_id = v.id) AS time_out \
         {VISIT_FROM} WHERE v.time_in - v.clock_skew_ms >= $1 AND v.time_in - v.clock_skew_ms < $2 \
         AND v.purged_at IS NULL ORDER BY v.time_in - v.clock_skew_ms"
    );
    let rows = sqlx::query(&sql)
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| Ok((visit_from(row)?, row.try_get("time_out")?)))
        .collect()
}

/// Blanks the personal data of visits that reached the server before `before`, stamping them so phones drop them.
/// Returns how many were purged. Counts (party size, times, hosts) stay for the statistics.
pub async fn purge_before(
    conn: &mut AnyConnection,
    before: i64,
    version: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE visits SET visitor_name = NULL, phone = NULL, id_masked = NULL, id_hash = NULL, plate = NULL, \
         purged_at = $1, version = $2 WHERE received_at < $3 AND purged_at IS NULL",
    )
    .bind(now)
    .bind(version)
    .bind(before)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The admin's view of the watch list (never the ID hash).
pub async fn list_watch_entries(
    conn: &mut AnyConnection,
) -> Result<Vec<(WatchEntry, Option<String>, bool)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, phone, note, id_masked, active FROM watch_entries ORDER BY active DESC, created_at DESC",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                WatchEntry {
                    id: uuid(row.try_get("id")?)?,
                    phone: row.try_get("phone")?,
                    note: row.try_get("note")?,
                },
                row.try_get("id_masked")?,
                row.try_get::<i64, _>("active")? == 1,
            ))
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_watch_entry(
    conn: &mut AnyConnection,
    id: Uuid,
    phone: Option<&str>,
    id_hash: Option<&str>,
    id_masked: Option<&str>,
    note: &str,
    created_by: Uuid,
    now: i64,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO watch_entries (id, phone, id_hash, id_masked, note, active, created_by, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(phone)
    .bind(id_hash)
    .bind(id_masked)
    .bind(note)
    .bind(created_by.to_string())
    .bind(now)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_watch_entry_active(
    conn: &mut AnyConnection,
    id: Uuid,
    active: bool,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE watch_entries SET active = $1, version = $2 WHERE id = $3")
        .bind(i64::from(active))
        .bind(version)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
