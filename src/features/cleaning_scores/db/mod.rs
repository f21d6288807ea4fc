//! SQL for the cleaning scores: zones, rubrics, settings, checks with their ratings, appeals and publications.

use crate::domain::cleaning::{
    AppealRow, AppealStatus, CheckKind, CheckRow, FULL_SCORE, Grade, League, RatingRow, Rubric,
    ScoreRow, Settings, ZoneKind, ZoneRow, default_items,
};
use crate::server::db::{Db, bump_version, json_list, json_texts, now_ms, opt_uuid, uuid};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

mod appeals;
mod checks;

pub use appeals::*;
pub use checks::*;

fn decode<T>(what: &str, code: &str, parsed: Option<T>) -> Result<T, sqlx::Error> {
    parsed.ok_or_else(|| sqlx::Error::Decode(format!("{what} {code}").into()))
}

const ZONE_SELECT: &str = "SELECT z.id, z.place_id, p.name, z.kind, z.league, z.class_id, \
     c.grade, c.number, c.teacher_id, z.active, z.version \
     FROM cleaning_zones z JOIN places p ON p.id = z.place_id \
     LEFT JOIN school_classes c ON c.id = z.class_id";

fn zone_from_row(row: &sqlx::any::AnyRow) -> Result<ZoneRow, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let league: String = row.try_get("league")?;
    let grade: Option<i64> = row.try_get("grade")?;
    let number: Option<i64> = row.try_get("number")?;
    Ok(ZoneRow {
        id: uuid(row.try_get("id")?)?,
        place_id: uuid(row.try_get("place_id")?)?,
        name: row.try_get("name")?,
        kind: decode("zone kind", &kind, ZoneKind::from_code(&kind))?,
        league: decode("league", &league, League::from_code(&league))?,
        class_id: opt_uuid(row.try_get("class_id")?)?,
        class: grade.zip(number),
        teacher_id: opt_uuid(row.try_get("teacher_id")?)?,
        active: row.try_get::<i64, _>("active")? == 1,
    })
}

/// Every zone, active or not.
pub async fn zones(conn: &mut AnyConnection) -> Result<Vec<ZoneRow>, sqlx::Error> {
    sqlx::query(&format!(
        "{ZONE_SELECT} ORDER BY z.league, c.grade, c.number, p.name"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(zone_from_row)
    .collect()
}

/// Zones changed in `after < version <= up_to`.
pub async fn zones_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Vec<(i64, ZoneRow)>, sqlx::Error> {
    sqlx::query(&format!(
        "{ZONE_SELECT} WHERE z.version > $1 AND z.version <= $2"
    ))
    .bind(after)
    .bind(up_to)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| Ok((row.try_get("version")?, zone_from_row(row)?)))
    .collect()
}

/// Adds a zone; answers its id.
pub async fn insert_zone(
    conn: &mut AnyConnection,
    place: Uuid,
    kind: ZoneKind,
    league: League,
    class: Option<Uuid>,
    version: i64,
) -> Result<Uuid, sqlx::Error> {
    insert_zone_as(conn, place, kind, league, class, false, version).await
}

async fn insert_zone_as(
    conn: &mut AnyConnection,
    place: Uuid,
    kind: ZoneKind,
    league: League,
    class: Option<Uuid>,
    automatic: bool,
    version: i64,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO cleaning_zones (id, place_id, kind, league, class_id, automatic, active, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
    )
    .bind(id.to_string())
    .bind(place.to_string())
    .bind(kind.code())
    .bind(league.code())
    .bind(class.map(|c| c.to_string()))
    .bind(i64::from(automatic))
    .bind(now_ms())
    .bind(version)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Makes the class league follow the zone set on each class (包干区): a class's zone joins the league, comes back
/// if it was there before, and leaves when the class moves to another zone or is deactivated. Zones the admin
/// added by hand are left alone. At start-up and whenever a class is saved; idempotent. Answers how many zones
/// changed.
pub async fn ensure_class_zones(
    conn: &mut AnyConnection,
    version: i64,
) -> Result<u64, sqlx::Error> {
    const FOLLOWS_CLASS: &str = "EXISTS (SELECT 1 FROM school_classes c WHERE c.id = cleaning_zones.class_id \
         AND c.active = 1 AND c.zone_id = cleaning_zones.place_id)";
    let left = sqlx::query(&format!(
        "UPDATE cleaning_zones SET active = 0, version = $1 WHERE automatic = 1 AND active = 1 AND NOT {FOLLOWS_CLASS}"
    ))
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let back = sqlx::query(&format!(
        "UPDATE cleaning_zones SET active = 1, version = $1 WHERE automatic = 1 AND active = 0 AND {FOLLOWS_CLASS}"
    ))
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let missing: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.id, c.zone_id, p.kind FROM school_classes c JOIN places p ON p.id = c.zone_id \
         WHERE c.active = 1 AND NOT EXISTS (SELECT 1 FROM cleaning_zones z \
           WHERE z.class_id = c.id AND z.place_id = c.zone_id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (class, place, place_kind) in &missing {
        let kind = if place_kind == "outdoor_zone" {
            ZoneKind::Outdoor
        } else {
            ZoneKind::Indoor
        };
        let (place, class) = (uuid(place)?, uuid(class)?);
        insert_zone_as(conn, place, kind, League::Class, Some(class), true, version).await?;
    }
    Ok(left + back + missing.len() as u64)
}

/// The version the enclosing write transaction took: it holds the counter, so its value is this transaction's.
/// A write bumps the counter once, whatever it touches.
async fn this_version(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM sync_state WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// Inside the write transaction that added or renamed a place: phones hold its zones by the place's name.
pub async fn place_saved(conn: &mut AnyConnection, place: Uuid) -> Result<(), sqlx::Error> {
    let version = this_version(conn).await?;
    sqlx::query("UPDATE cleaning_zones SET version = $1 WHERE place_id = $2")
        .bind(version)
        .bind(place.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Inside the write transaction that added or changed a class: its zone joins the class league, and its zones are sent to phones again
/// (they carry the class's name and teacher).
pub async fn class_saved(conn: &mut AnyConnection, class: Uuid) -> Result<(), sqlx::Error> {
    let version = this_version(conn).await?;
    ensure_class_zones(conn, version).await?;
    sqlx::query("UPDATE cleaning_zones SET version = $1 WHERE class_id = $2")
        .bind(version)
        .bind(class.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

fn rubric_from_row(row: &sqlx::any::AnyRow) -> Result<(Uuid, Rubric), sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let items: String = row.try_get("items")?;
    Ok((
        uuid(row.try_get("id")?)?,
        Rubric {
            kind: decode("rubric kind", &kind, ZoneKind::from_code(&kind))?,
            version: row.try_get("rubric_version")?,
            full_score: row.try_get("full_score")?,
            items: serde_json::from_str(&items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        },
    ))
}

const RUBRIC_COLUMNS: &str = "id, kind, rubric_version, full_score, items, version";

/// Every version of every rubric.
pub async fn rubrics(conn: &mut AnyConnection) -> Result<Vec<Rubric>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {RUBRIC_COLUMNS} FROM cleaning_rubrics ORDER BY kind, rubric_version"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| rubric_from_row(row).map(|(_, r)| r))
    .collect()
}

/// Rubrics changed in `after < version <= up_to`.
pub async fn rubrics_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Vec<(i64, Uuid, Rubric)>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {RUBRIC_COLUMNS} FROM cleaning_rubrics WHERE version > $1 AND version <= $2"
    ))
    .bind(after)
    .bind(up_to)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let (id, rubric) = rubric_from_row(row)?;
        Ok((row.try_get("version")?, id, rubric))
    })
    .collect()
}

/// Adds a new version of a kind's rubric; answers its version number.
pub async fn add_rubric(
    conn: &mut AnyConnection,
    rubric: &Rubric,
    version: i64,
) -> Result<i64, sqlx::Error> {
    let latest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(rubric_version) FROM cleaning_rubrics WHERE kind = $1")
            .bind(rubric.kind.code())
            .fetch_one(&mut *conn)
            .await?;
    let next = latest.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO cleaning_rubrics (id, kind, rubric_version, full_score, items, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(rubric.kind.code())
    .bind(next)
    .bind(rubric.full_score)
    .bind(serde_json::to_string(&rubric.items).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
    .bind(now_ms())
    .bind(version)
    .execute(conn)
    .await?;
    Ok(next)
}

/// At start-up: a rubric (version 1) for every kind without one, the settings row, and the class zones.
/// Idempotent; writes nothing when all is there.
pub async fn ensure_defaults(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    // The counter first: it takes the write lock, so two instances starting at once do this in turn.
    let version = bump_version(&mut tx).await?;
    let present: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT DISTINCT kind FROM cleaning_rubrics")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let mut wrote = false;
    for kind in ZoneKind::ALL.iter().filter(|k| !present.contains(k.code())) {
        let rubric = Rubric {
            kind: *kind,
            version: 1,
            full_score: FULL_SCORE,
            items: default_items(*kind),
        };
        add_rubric(&mut tx, &rubric, version).await?;
        wrote = true;
    }
    let settings: Option<i64> = sqlx::query_scalar("SELECT id FROM cleaning_settings WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await?;
    if settings.is_none() {
        save_settings(&mut tx, &Settings::default(), version).await?;
        wrote = true;
    }
    wrote |= ensure_class_zones(&mut tx, version).await? > 0;
    if wrote {
        tx.commit().await?;
    }
    // Nothing written: dropping the transaction rolls it back and the counter keeps its value.
    Ok(())
}

/// The settings, or the defaults when none were saved.
pub async fn settings(conn: &mut AnyConnection) -> Result<Settings, sqlx::Error> {
    Ok(settings_changed(conn, 0, i64::MAX)
        .await?
        .map(|(_, s)| s)
        .unwrap_or_default())
}

/// The settings if they changed in `after < version <= up_to`.
pub async fn settings_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
) -> Result<Option<(i64, Settings)>, sqlx::Error> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT settings, version FROM cleaning_settings WHERE id = 1 AND version > $1 AND version <= $2",
    )
    .bind(after)
    .bind(up_to)
    .fetch_optional(conn)
    .await?;
    row.map(|(json, version)| {
        serde_json::from_str(&json)
            .map(|s| (version, s))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    })
    .transpose()
}

pub async fn save_settings(
    conn: &mut AnyConnection,
    settings: &Settings,
    version: i64,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(settings).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let done = sqlx::query("UPDATE cleaning_settings SET settings = $1, version = $2 WHERE id = 1")
        .bind(&json)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        sqlx::query("INSERT INTO cleaning_settings (id, settings, version) VALUES (1, $1, $2)")
            .bind(&json)
            .bind(version)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The classes a teacher keeps.
pub async fn classes_of_teacher(
    conn: &mut AnyConnection,
    teacher: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar::<_, String>(
        "SELECT id FROM school_classes WHERE teacher_id = $1 AND active = 1 ORDER BY grade, number",
    )
    .bind(teacher.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|id| uuid(id))
    .collect()
}

/// Active classes as (id, grade, number, teacher), in school order.
pub async fn classes(
    conn: &mut AnyConnection,
) -> Result<Vec<(Uuid, i64, i64, Option<Uuid>)>, sqlx::Error> {
    sqlx::query_as::<_, (String, i64, i64, Option<String>)>(
        "SELECT id, grade, number, teacher_id FROM school_classes WHERE active = 1 ORDER BY grade, number",
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(id, grade, number, teacher)| Ok((uuid(&id)?, grade, number, opt_uuid(teacher)?)))
    .collect()
}

/// Every class, active or not, as (id, grade, number, teacher, active), in school order: the names history shows.
/// A class that graduated keeps its row, deactivated, so its checks and appeals still say 六年级1班.
pub async fn all_classes(
    conn: &mut AnyConnection,
) -> Result<Vec<(Uuid, i64, i64, Option<Uuid>, bool)>, sqlx::Error> {
    sqlx::query_as::<_, (String, i64, i64, Option<String>, i64)>(
        "SELECT id, grade, number, teacher_id, active FROM school_classes ORDER BY grade, number, active DESC",
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(id, grade, number, teacher, active)| {
        Ok((uuid(&id)?, grade, number, opt_uuid(teacher)?, active == 1))
    })
    .collect()
}

/// The classes a period of the class league lists, from [`all_classes`]: the active ones, and any other scored
/// among `checks` — a class that graduated (or was deactivated) since keeps its place in the weeks it was scored.
pub fn league_classes(
    all: &[(Uuid, i64, i64, Option<Uuid>, bool)],
    checks: &[ScoreRow],
) -> Vec<(Uuid, i64, i64, Option<Uuid>)> {
    let scored: HashSet<Uuid> = checks.iter().filter_map(|c| c.class_id).collect();
    all.iter()
        .filter(|c| c.4 || scored.contains(&c.0))
        .map(|&(id, grade, number, teacher, _)| (id, grade, number, teacher))
        .collect()
}

/// Whether a user may see a check and its photos: the admin and the cleaning inspectors all of them, a class
/// teacher those of their classes.
pub async fn may_see_check(
    conn: &mut AnyConnection,
    check: Uuid,
    user: &crate::domain::SessionUser,
) -> Result<bool, sqlx::Error> {
    use crate::domain::Role;
    if user.has(Role::Admin) || user.has(Role::CleaningInspector) {
        return Ok(true);
    }
    let teacher: Option<Option<String>> = sqlx::query_scalar(
        "SELECT s.teacher_id FROM cleaning_checks c JOIN school_classes s ON s.id = c.class_id WHERE c.id = $1",
    )
    .bind(check.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(teacher.flatten() == Some(user.id.to_string()))
}
