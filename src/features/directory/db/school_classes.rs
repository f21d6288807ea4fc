//! SQL for classes.

use crate::domain::{Place, SchoolClass, SchoolClassInput};
use crate::server::db::{Db, bump_version, now_ms, opt_uuid, uuid};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

/// Every class by grade and number, with its teacher's name and its zone's path.
pub async fn list_school_classes(
    db: &Db,
    places: &[Place],
) -> Result<Vec<SchoolClass>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.grade, c.number, c.teacher_id, u.display_name AS teacher_name, c.zone_id, c.active
         FROM school_classes c LEFT JOIN users u ON u.id = c.teacher_id ORDER BY c.grade, c.number",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let zone_id = opt_uuid(row.try_get("zone_id")?)?;
            Ok(SchoolClass {
                id: uuid(row.try_get("id")?)?,
                grade: row.try_get("grade")?,
                number: row.try_get("number")?,
                teacher_id: opt_uuid(row.try_get("teacher_id")?)?,
                teacher_name: row.try_get("teacher_name")?,
                zone_path: zone_id
                    .and_then(|z| places.iter().find(|p| p.id == z))
                    .map(|p| p.path.clone()),
                zone_id,
                active: row.try_get::<i64, _>("active")? == 1,
            })
        })
        .collect()
}

/// Another active class (not `except`) already has this grade and number. Deactivated classes keep theirs: a
/// graduated 六年级1班 stays 六年级1班 in its history while the class that moved up after it takes the name
/// (`school_classes_active_grade_number`, a unique index over the active classes only).
pub async fn grade_number_taken(
    conn: &mut AnyConnection,
    grade: i64,
    number: i64,
    except: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM school_classes WHERE grade = $1 AND number = $2 AND id <> $3 AND active = 1",
    )
    .bind(grade)
    .bind(number)
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// A class's grade, number and whether it is active; `None` when no class has that id.
pub async fn grade_number_active(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<(i64, i64, bool)>, sqlx::Error> {
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT grade, number, active FROM school_classes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(grade, number, active)| (grade, number, active == 1)))
}

pub async fn insert_school_class(
    conn: &mut AnyConnection,
    id: Uuid,
    input: &SchoolClassInput,
) -> Result<(), sqlx::Error> {
    let version = bump_version(conn).await?;
    sqlx::query(
        "INSERT INTO school_classes (id, grade, number, teacher_id, zone_id, active, created_at, version) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(id.to_string())
    .bind(input.grade)
    .bind(input.number)
    .bind(input.teacher_id.map(|u| u.to_string()))
    .bind(input.zone_id.map(|z| z.to_string()))
    .bind(now_ms())
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_school_class(
    conn: &mut AnyConnection,
    id: Uuid,
    input: &SchoolClassInput,
) -> Result<bool, sqlx::Error> {
    let version = bump_version(conn).await?;
    let done = sqlx::query("UPDATE school_classes SET grade = $1, number = $2, teacher_id = $3, zone_id = $4, version = $5 WHERE id = $6")
        .bind(input.grade)
        .bind(input.number)
        .bind(input.teacher_id.map(|u| u.to_string()))
        .bind(input.zone_id.map(|z| z.to_string()))
        .bind(version)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// An active class as the import and the roll-over read it.
pub struct ActiveClass {
    pub id: Uuid,
    pub grade: i64,
    pub number: i64,
    pub teacher: Option<Uuid>,
    pub zone: Option<Uuid>,
    pub version: i64,
}

/// The active classes, by grade and number.
pub async fn active_classes(conn: &mut AnyConnection) -> Result<Vec<ActiveClass>, sqlx::Error> {
    type Row = (String, i64, i64, Option<String>, Option<String>, i64);
    sqlx::query_as::<_, Row>(
        "SELECT id, grade, number, teacher_id, zone_id, version FROM school_classes \
         WHERE active = 1 ORDER BY grade, number",
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(id, grade, number, teacher, zone, version)| {
        Ok(ActiveClass {
            id: uuid(&id)?,
            grade,
            number,
            teacher: opt_uuid(teacher)?,
            zone: opt_uuid(zone)?,
            version,
        })
    })
    .collect()
}
