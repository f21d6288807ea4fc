//! SQL for the safety rounds: templates, points with their schedule, holidays, checks and their answers.

use crate::domain::CheckPointKind;
pub use crate::domain::safety::{AnswerRow, CheckRow, PointRow};
use crate::domain::safety::{Rule, Template, TemplateItem, default_items};
use crate::server::db::{Db, bump_version, json_list, json_texts, now_ms, opt_uuid, uuid};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

fn point_from_row(row: &sqlx::any::AnyRow) -> Result<PointRow, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(PointRow {
        id: uuid(row.try_get("id")?)?,
        place_id: uuid(row.try_get("place_id")?)?,
        kind: CheckPointKind::from_code(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("check point kind {kind}").into()))?,
        label: row.try_get("label")?,
        responsible_id: opt_uuid(row.try_get("responsible_id")?)?,
        rule: Rule {
            weekday: u32::try_from(row.try_get::<i64, _>("weekday")?).unwrap_or(5),
            every_weeks: u32::try_from(row.try_get::<i64, _>("every_weeks")?).unwrap_or(1),
        },
        active: row.try_get::<i64, _>("active")? == 1,
        created_at: row.try_get("created_at")?,
    })
}

const POINT_COLUMNS: &str =
    "id, place_id, kind, label, responsible_id, weekday, every_weeks, active, created_at, version";

/// The point a check was made at.
pub async fn point_of_check(
    conn: &mut AnyConnection,
    check: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    let point: Option<String> =
        sqlx::query_scalar("SELECT point_id FROM safety_checks WHERE id = $1")
            .bind(check.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    point.map(|p| uuid(&p)).transpose()
}

/// The points among `ids`.
pub async fn points_by_id(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, PointRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM check_points WHERE id IN ({})",
        json_texts(conn)
    );
    sqlx::query(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| point_from_row(row).map(|p| (p.id, p)))
        .collect()
}

/// Every point, for the board.
pub async fn all_points(conn: &mut AnyConnection) -> Result<Vec<PointRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {POINT_COLUMNS} FROM check_points"))
        .fetch_all(conn)
        .await?
        .iter()
        .map(point_from_row)
        .collect()
}

/// Points changed in `after < version <= up_to`, with their version.
pub async fn points_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Vec<(i64, PointRow)>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {POINT_COLUMNS} FROM check_points WHERE version > $1 AND version <= $2"
    ))
    .bind(after)
    .bind(up_to)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| Ok((row.try_get("version")?, point_from_row(row)?)))
    .collect()
}

fn template_from_row(row: &sqlx::any::AnyRow) -> Result<(Uuid, Template), sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let items: String = row.try_get("items")?;
    Ok((
        uuid(row.try_get("id")?)?,
        Template {
            kind: CheckPointKind::from_code(&kind)
                .ok_or_else(|| sqlx::Error::Decode(format!("template kind {kind}").into()))?,
            version: row.try_get("template_version")?,
            items: serde_json::from_str(&items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        },
    ))
}

/// Every version of every template.
pub async fn templates(conn: &mut AnyConnection) -> Result<Vec<(Uuid, Template)>, sqlx::Error> {
    sqlx::query("SELECT id, kind, template_version, items FROM safety_templates ORDER BY kind, template_version")
        .fetch_all(conn)
        .await?
        .iter()
        .map(template_from_row)
        .collect()
}

/// Templates changed in `after < version <= up_to`.
pub async fn templates_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Vec<(i64, Uuid, Template)>, sqlx::Error> {
    sqlx::query(
        "SELECT id, kind, template_version, items, version FROM safety_templates WHERE version > $1 AND version <= $2",
    )
    .bind(after)
    .bind(up_to)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let (id, template) = template_from_row(row)?;
        Ok((row.try_get("version")?, id, template))
    })
    .collect()
}

/// Adds a new version of a kind's checklist; answers its version number.
pub async fn add_template(
    conn: &mut AnyConnection,
    kind: CheckPointKind,
    items: &[TemplateItem],
    version: i64,
) -> Result<i64, sqlx::Error> {
    let latest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(template_version) FROM safety_templates WHERE kind = $1")
            .bind(kind.code())
            .fetch_one(&mut *conn)
            .await?;
    let next = latest.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO safety_templates (id, kind, template_version, items, created_at, version) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(kind.code())
    .bind(next)
    .bind(serde_json::to_string(items).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
    .bind(now_ms())
    .bind(version)
    .execute(conn)
    .await?;
    Ok(next)
}

/// Gives every kind without a checklist its default one (version 1): at start-up, idempotent.
pub async fn ensure_default_templates(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    // The counter first: it takes the write lock, so two instances starting at once do this one after the other.
    let version = bump_version(&mut tx).await?;
    let present: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT DISTINCT kind FROM safety_templates")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let missing: Vec<CheckPointKind> = CheckPointKind::ALL
        .iter()
        .copied()
        .filter(|k| !present.contains(k.code()))
        .collect();
    if missing.is_empty() {
        // Nothing to add: roll back, the counter keeps its value.
        return Ok(());
    }
    for kind in missing {
        add_template(&mut tx, kind, &default_items(kind), version).await?;
    }
    tx.commit().await
}

/// Holidays: (id, YYYY-MM-DD, active) changed in the range.
pub async fn holidays_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Vec<(i64, Uuid, String, bool)>, sqlx::Error> {
    sqlx::query_as::<_, (String, String, i64, i64)>(
        "SELECT id, day, active, version FROM safety_holidays WHERE version > $1 AND version <= $2",
    )
    .bind(after)
    .bind(up_to)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(id, day, active, version)| Ok((version, uuid(&id)?, day, active == 1)))
    .collect()
}

/// The active holidays, as YYYY-MM-DD.
pub async fn holidays(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT day FROM safety_holidays WHERE active = 1 ORDER BY day")
        .fetch_all(conn)
        .await
}

/// Marks or unmarks a day as a holiday.
pub async fn set_holiday(
    conn: &mut AnyConnection,
    day: &str,
    active: bool,
    version: i64,
) -> Result<(), sqlx::Error> {
    let done = sqlx::query("UPDATE safety_holidays SET active = $1, version = $2 WHERE day = $3")
        .bind(i64::from(active))
        .bind(version)
        .bind(day)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO safety_holidays (id, day, active, version) VALUES ($1, $2, $3, $4)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(day)
        .bind(i64::from(active))
        .bind(version)
        .execute(conn)
        .await?;
    }
    Ok(())
}

const CHECK_COLUMNS: &str = "c.id, c.point_id, c.template_version, c.inspector_id, c.checked_at, \
     c.opened_by_scan, c.supersedes, c.failed, c.version, c.signature";

async fn checks_where(
    conn: &mut AnyConnection,
    filter: &str,
    a: i64,
    b: i64,
) -> Result<Vec<(i64, CheckRow, String)>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {CHECK_COLUMNS} FROM safety_checks c WHERE {filter} ORDER BY c.checked_at, c.id"
    ))
    .bind(a)
    .bind(b)
    .fetch_all(&mut *conn)
    .await?;
    let mut checks = Vec::with_capacity(rows.len());
    for row in &rows {
        checks.push((
            row.try_get::<i64, _>("version")?,
            CheckRow {
                id: uuid(row.try_get("id")?)?,
                point_id: uuid(row.try_get("point_id")?)?,
                template_version: row.try_get("template_version")?,
                inspector_id: uuid(row.try_get("inspector_id")?)?,
                checked_at: row.try_get("checked_at")?,
                opened_by_scan: row.try_get::<i64, _>("opened_by_scan")? == 1,
                supersedes: opt_uuid(row.try_get("supersedes")?)?,
                failed: row.try_get::<i64, _>("failed")? == 1,
                answers: Vec::new(),
            },
            row.try_get::<String, _>("signature")?,
        ));
    }
    if checks.is_empty() {
        return Ok(checks);
    }
    let ids: Vec<String> = checks.iter().map(|(_, c, _)| c.id.to_string()).collect();
    let sql = format!(
        "SELECT check_id, item_key, label, result, note, ticket_id FROM safety_answers WHERE check_id IN ({})",
        json_texts(conn)
    );
    let answers =
        sqlx::query_as::<_, (String, String, String, String, String, Option<String>)>(&sql)
            .bind(json_list(ids.iter().map(String::as_str)))
            .fetch_all(&mut *conn)
            .await?;
    let mut by_check: HashMap<Uuid, Vec<AnswerRow>> = HashMap::new();
    for (check, key, label, result, note, ticket) in answers {
        by_check.entry(uuid(&check)?).or_default().push(AnswerRow {
            key,
            label,
            result: crate::domain::safety::ItemResult::from_code(&result)
                .ok_or_else(|| sqlx::Error::Decode(format!("result {result}").into()))?,
            note,
            ticket_id: opt_uuid(ticket)?,
        });
    }
    for (_, check, _) in &mut checks {
        check.answers = by_check.remove(&check.id).unwrap_or_default();
    }
    Ok(checks)
}

/// Checks changed in `after < version <= up_to` and made since `since` (a phone keeps the recent weeks).
pub async fn checks_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
    since: i64,
) -> Result<Vec<(i64, CheckRow)>, sqlx::Error> {
    let rows = checks_where(
        conn,
        &format!("c.version > $1 AND c.version <= $2 AND c.checked_at >= {since}"),
        after,
        up_to,
    )
    .await?;
    Ok(rows.into_iter().map(|(v, c, _)| (v, c)).collect())
}

/// Checks signed in `from <= checked_at < to`, with their signatures, for the board and the ledger.
pub async fn checks_between(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
) -> Result<Vec<(CheckRow, String)>, sqlx::Error> {
    let rows = checks_where(conn, "c.checked_at >= $1 AND c.checked_at < $2", from, to).await?;
    Ok(rows.into_iter().map(|(_, c, s)| (c, s)).collect())
}

/// Every check of one point, oldest first, with signatures.
pub async fn checks_of_point(
    conn: &mut AnyConnection,
    point: Uuid,
) -> Result<Vec<(CheckRow, String)>, sqlx::Error> {
    // The id is a parsed Uuid, so writing it into the SQL cannot inject anything.
    let rows = checks_where(
        conn,
        &format!("c.point_id = '{point}' AND c.checked_at >= $1 AND c.checked_at < $2"),
        i64::MIN,
        i64::MAX,
    )
    .await?;
    Ok(rows.into_iter().map(|(_, c, s)| (c, s)).collect())
}

/// Answers with tickets of the checks `ids`: (check, item key) → ticket.
pub async fn tickets_of_checks(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<(Uuid, String), Uuid>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let sql = format!(
        "SELECT check_id, item_key, ticket_id FROM safety_answers WHERE ticket_id IS NOT NULL AND check_id IN ({})",
        json_texts(conn)
    );
    sqlx::query_as::<_, (String, String, String)>(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(check, key, ticket)| Ok(((uuid(&check)?, key), uuid(&ticket)?)))
        .collect()
}

/// Which of `ids` are checks, with their point.
pub async fn check_points_of(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, Uuid>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let sql = format!(
        "SELECT id, point_id FROM safety_checks WHERE id IN ({})",
        json_texts(conn)
    );
    sqlx::query_as::<_, (String, String)>(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, point)| Ok((uuid(&id)?, uuid(&point)?)))
        .collect()
}

/// Sets a point's schedule.
pub async fn set_rule(
    conn: &mut AnyConnection,
    point: Uuid,
    rule: Rule,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE check_points SET weekday = $1, every_weeks = $2, version = $3 WHERE id = $4",
    )
    .bind(i64::from(rule.weekday))
    .bind(i64::from(rule.every_weeks))
    .bind(version)
    .bind(point.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
