//! SQL for places.

use crate::domain::place::fill_paths;
use crate::domain::{Place, PlaceInput, PlaceKind};
use crate::server::db::{Db, bump_version, now_ms, opt_uuid, uuid};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use uuid::Uuid;

fn place_from(row: &AnyRow) -> Result<Place, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(Place {
        id: uuid(row.try_get("id")?)?,
        parent_id: opt_uuid(row.try_get("parent_id")?)?,
        kind: PlaceKind::from_code(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("place kind {kind}").into()))?,
        name: row.try_get("name")?,
        path: String::new(),
        active: row.try_get::<i64, _>("active")? == 1,
    })
}

/// Every place with its full path, in tree order (parents before children, then by sort order and name).
pub async fn list_places(db: &Db) -> Result<Vec<Place>, sqlx::Error> {
    places_on(&mut *db.pool.acquire().await?).await
}

/// [`list_places`] on a connection the caller holds (inside a transaction, say).
pub async fn places_on(conn: &mut AnyConnection) -> Result<Vec<Place>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, parent_id, kind, name, active FROM places ORDER BY sort_order, name",
    )
    .fetch_all(conn)
    .await?;
    let mut places = rows.iter().map(place_from).collect::<Result<Vec<_>, _>>()?;
    fill_paths(&mut places);
    places.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(places)
}

/// What printed ledgers name: every user's display name, and every place (with its path) by id.
pub async fn names_and_places(
    conn: &mut AnyConnection,
) -> Result<(HashMap<Uuid, String>, HashMap<Uuid, Place>), sqlx::Error> {
    let people = sqlx::query_as::<_, (String, String)>("SELECT id, display_name FROM users")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id, name)| Ok((uuid(&id)?, name)))
        .collect::<Result<HashMap<_, _>, sqlx::Error>>()?;
    let places = places_on(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok((people, places))
}

pub async fn place_kind(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<PlaceKind>, sqlx::Error> {
    let kind: Option<String> =
        sqlx::query_scalar("SELECT kind FROM places WHERE id = $1 AND active = 1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(kind.as_deref().and_then(PlaceKind::from_code))
}

pub async fn insert_place(
    conn: &mut AnyConnection,
    id: Uuid,
    input: &PlaceInput,
    sort_order: i64,
) -> Result<(), sqlx::Error> {
    let version = bump_version(conn).await?;
    sqlx::query(
        "INSERT INTO places (id, parent_id, kind, name, sort_order, active, created_at, version) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(id.to_string())
    .bind(input.parent_id.map(|p| p.to_string()))
    .bind(input.kind.code())
    .bind(&input.name)
    .bind(sort_order)
    .bind(now_ms())
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_place(
    conn: &mut AnyConnection,
    id: Uuid,
    input: &PlaceInput,
) -> Result<bool, sqlx::Error> {
    let version = bump_version(conn).await?;
    let done = sqlx::query(
        "UPDATE places SET parent_id = $1, kind = $2, name = $3, version = $4 WHERE id = $5",
    )
    .bind(input.parent_id.map(|p| p.to_string()))
    .bind(input.kind.code())
    .bind(&input.name)
    .bind(version)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `ancestor` is `id` itself or above it in the tree: moving a place under its own child would make a cycle.
pub async fn is_self_or_ancestor(
    conn: &mut AnyConnection,
    ancestor: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let mut current = Some(id);
    let mut steps = 0;
    while let Some(place) = current {
        if place == ancestor {
            return Ok(true);
        }
        let parent: Option<Option<String>> =
            sqlx::query_scalar("SELECT parent_id FROM places WHERE id = $1")
                .bind(place.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        current = opt_uuid(parent.flatten())?;
        steps += 1;
        if steps > 64 {
            return Ok(true);
        }
    }
    Ok(false)
}
