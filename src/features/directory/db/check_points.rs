//! SQL for check points.

use crate::domain::{CheckPoint, CheckPointInput, CheckPointKind, Place};
use crate::server::db::{Db, bump_version, now_ms, opt_uuid, uuid};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

/// Every check point with its place's path and its responsible person's name, by place then label.
pub async fn list_check_points(db: &Db, places: &[Place]) -> Result<Vec<CheckPoint>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.place_id, c.kind, c.label, c.responsible_id, u.display_name AS responsible_name, c.active
         FROM check_points c LEFT JOIN users u ON u.id = c.responsible_id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut points = rows
        .iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            let place_id = uuid(row.try_get("place_id")?)?;
            Ok(CheckPoint {
                id: uuid(row.try_get("id")?)?,
                place_path: places
                    .iter()
                    .find(|p| p.id == place_id)
                    .map(|p| p.path.clone())
                    .unwrap_or_default(),
                place_id,
                kind: CheckPointKind::from_code(&kind).ok_or_else(|| {
                    sqlx::Error::Decode(format!("check point kind {kind}").into())
                })?,
                label: row.try_get("label")?,
                responsible_id: opt_uuid(row.try_get("responsible_id")?)?,
                responsible_name: row.try_get("responsible_name")?,
                active: row.try_get::<i64, _>("active")? == 1,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    points.sort_by(|a, b| (&a.place_path, &a.label).cmp(&(&b.place_path, &b.label)));
    Ok(points)
}

pub async fn insert_check_point(
    conn: &mut AnyConnection,
    id: Uuid,
    input: &CheckPointInput,
) -> Result<(), sqlx::Error> {
    let version = bump_version(conn).await?;
    sqlx::query(
        "INSERT INTO check_points (id, place_id, kind, label, responsible_id, active, created_at, version) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(id.to_string())
    .bind(input.place_id.to_string())
    .bind(input.kind.code())
    .bind(&input.label)
    .bind(input.responsible_id.map(|u| u.to_string()))
    .bind(now_ms())
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_check_point(
    conn: &mut AnyConnection,
    id: Uuid,
    input: &CheckPointInput,
) -> Result<bool, sqlx::Error> {
    let version = bump_version(conn).await?;
    let done = sqlx::query("UPDATE check_points SET place_id = $1, kind = $2, label = $3, responsible_id = $4, version = $5 WHERE id = $6")
        .bind(input.place_id.to_string())
        .bind(input.kind.code())
        .bind(&input.label)
        .bind(input.responsible_id.map(|u| u.to_string()))
        .bind(version)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
