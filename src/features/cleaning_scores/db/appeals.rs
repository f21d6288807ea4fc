//! SQL for the class teachers' appeals and the published league periods.

use super::*;

const APPEAL_COLUMNS: &str = "id, check_id, class_id, teacher_id, reason, filed_at, status, resolution, \
     resolved_at, version";

fn appeal_from_row(row: &sqlx::any::AnyRow) -> Result<(i64, AppealRow), sqlx::Error> {
    let status: String = row.try_get("status")?;
    Ok((
        row.try_get("version")?,
        AppealRow {
            id: uuid(row.try_get("id")?)?,
            check_id: uuid(row.try_get("check_id")?)?,
            class_id: opt_uuid(row.try_get("class_id")?)?,
            teacher_id: uuid(row.try_get("teacher_id")?)?,
            reason: row.try_get("reason")?,
            filed_at: row.try_get("filed_at")?,
            status: decode("appeal status", &status, AppealStatus::from_code(&status))?,
            resolution: row.try_get("resolution")?,
            resolved_at: row.try_get("resolved_at")?,
        },
    ))
}

/// Appeals changed in `after < version <= up_to`; only those of `classes` when given.
pub async fn appeals_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
    classes: Option<&[Uuid]>,
) -> Result<Vec<(i64, AppealRow)>, sqlx::Error> {
    let mut sql = format!(
        "SELECT {APPEAL_COLUMNS} FROM cleaning_appeals WHERE version > $1 AND version <= $2"
    );
    let list = classes.map(|classes| {
        sql.push_str(&format!(
            " AND class_id IN ({})",
            json_texts(conn).replace("$1", "$3")
        ));
        let ids: Vec<String> = classes.iter().map(Uuid::to_string).collect();
        json_list(ids.iter().map(String::as_str))
    });
    let mut query = sqlx::query(&sql).bind(after).bind(up_to);
    if let Some(list) = list {
        query = query.bind(list);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(appeal_from_row)
        .collect()
}

/// Every appeal, oldest first (open ones are few; a school files a handful a week).
pub async fn appeals(conn: &mut AnyConnection) -> Result<Vec<AppealRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {APPEAL_COLUMNS} FROM cleaning_appeals ORDER BY filed_at, id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| appeal_from_row(row).map(|(_, a)| a))
    .collect()
}

/// Appeals against any of `checks`: (appeal id, check id, status).
pub async fn appeals_of(
    conn: &mut AnyConnection,
    checks: &HashSet<Uuid>,
) -> Result<Vec<(Uuid, Uuid, AppealStatus)>, sqlx::Error> {
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = checks.iter().map(Uuid::to_string).collect();
    let sql = format!(
        "SELECT id, check_id, status FROM cleaning_appeals WHERE check_id IN ({})",
        json_texts(conn)
    );
    sqlx::query_as::<_, (String, String, String)>(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, check, status)| {
            Ok((
                uuid(&id)?,
                uuid(&check)?,
                decode("appeal status", &status, AppealStatus::from_code(&status))?,
            ))
        })
        .collect()
}

/// The checks whose appeal was accepted: they no longer count.
pub async fn withdrawn_checks(conn: &mut AnyConnection) -> Result<HashSet<Uuid>, sqlx::Error> {
    sqlx::query_scalar::<_, String>(
        "SELECT check_id FROM cleaning_appeals WHERE status = 'accepted'",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|id| uuid(id))
    .collect()
}

/// Decides an open appeal. `false` when it is not open (already decided, or no such appeal).
pub async fn resolve_appeal(
    conn: &mut AnyConnection,
    appeal: Uuid,
    status: AppealStatus,
    resolution: &str,
    admin: Uuid,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE cleaning_appeals SET status = $1, resolution = $2, resolved_by = $3, resolved_at = $4, \
         version = $5 WHERE id = $6 AND status = 'open'",
    )
    .bind(status.code())
    .bind(resolution)
    .bind(admin.to_string())
    .bind(now_ms())
    .bind(version)
    .bind(appeal.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Publications: (league, period) → (published at, by whom).
pub async fn publications(
    conn: &mut AnyConnection,
) -> Result<HashMap<(League, String), (i64, Uuid)>, sqlx::Error> {
    sqlx::query_as::<_, (String, String, i64, String)>(
        "SELECT league, period, published_at, published_by FROM cleaning_publications",
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .filter_map(|(league, period, at, by)| {
        League::from_code(&league).map(|league| Ok(((league, period), (at, uuid(&by)?))))
    })
    .collect()
}

/// Publishes a period (again: the time moves on).
pub async fn publish(
    conn: &mut AnyConnection,
    league: League,
    period: &str,
    admin: Uuid,
    version: i64,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE cleaning_publications SET published_by = $1, published_at = $2, version = $3 \
         WHERE league = $4 AND period = $5",
    )
    .bind(admin.to_string())
    .bind(now)
    .bind(version)
    .bind(league.code())
    .bind(period)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO cleaning_publications (league, period, published_by, published_at, version) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(league.code())
        .bind(period)
        .bind(admin.to_string())
        .bind(now)
        .bind(version)
        .execute(conn)
        .await?;
    }
    Ok(())
}
