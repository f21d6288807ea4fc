//! SQL for the scored checks and their ratings: by period, class, id and version, and the corrections.

use super::*;

const CHECK_COLUMNS: &str = "c.id, c.zone_id, c.league, c.class_id, c.kind, c.slot, c.rubric_version, \
     c.full_score, c.score, c.inspector_id, c.checked_at, c.received_at, c.supersedes, c.version";

/// Checks matching `filter` (binding `$1`, `$2` and, if given, a JSON list as `$3`), with their ratings, in
/// the order they were made.
async fn checks_where(
    conn: &mut AnyConnection,
    filter: &str,
    a: i64,
    b: i64,
    list: Option<String>,
) -> Result<Vec<(i64, CheckRow)>, sqlx::Error> {
    let sql = format!(
        "SELECT {CHECK_COLUMNS} FROM cleaning_checks c WHERE {filter} ORDER BY c.checked_at, c.id"
    );
    let mut query = sqlx::query(&sql).bind(a).bind(b);
    if let Some(list) = list {
        query = query.bind(list);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut checks = Vec::with_capacity(rows.len());
    for row in &rows {
        let league: String = row.try_get("league")?;
        let kind: String = row.try_get("kind")?;
        checks.push((
            row.try_get::<i64, _>("version")?,
            CheckRow {
                id: uuid(row.try_get("id")?)?,
                zone_id: uuid(row.try_get("zone_id")?)?,
                league: decode("league", &league, League::from_code(&league))?,
                class_id: opt_uuid(row.try_get("class_id")?)?,
                kind: decode("check kind", &kind, CheckKind::from_code(&kind))?,
                slot: row.try_get("slot")?,
                rubric_version: row.try_get("rubric_version")?,
                full_score: row.try_get("full_score")?,
                score: row.try_get("score")?,
                inspector_id: uuid(row.try_get("inspector_id")?)?,
                checked_at: row.try_get("checked_at")?,
                received_at: row.try_get("received_at")?,
                supersedes: opt_uuid(row.try_get("supersedes")?)?,
                ratings: Vec::new(),
            },
        ));
    }
    if checks.is_empty() {
        return Ok(checks);
    }
    let ids: Vec<String> = checks.iter().map(|(_, c)| c.id.to_string()).collect();
    let sql = format!(
        "SELECT check_id, item_key, label, grade, deduction, note, photos FROM cleaning_ratings \
         WHERE check_id IN ({}) ORDER BY check_id, position",
        json_texts(conn)
    );
    let ratings = sqlx::query_as::<_, (String, String, String, String, i64, String, String)>(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(&mut *conn)
        .await?;
    let mut by_check: HashMap<Uuid, Vec<RatingRow>> = HashMap::new();
    for (check, key, label, grade, deduction, note, photos) in ratings {
        by_check.entry(uuid(&check)?).or_default().push(RatingRow {
            key,
            label,
            grade: decode("grade", &grade, Grade::from_code(&grade))?,
            deduction,
            note,
            photos: serde_json::from_str(&photos).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        });
    }
    for (_, check) in &mut checks {
        check.ratings = by_check.remove(&check.id).unwrap_or_default();
    }
    Ok(checks)
}

/// Checks made in `from <= checked_at < to`, oldest first.
pub async fn checks_between(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
) -> Result<Vec<CheckRow>, sqlx::Error> {
    let rows = checks_where(
        conn,
        "c.checked_at >= $1 AND c.checked_at < $2",
        from,
        to,
        None,
    )
    .await?;
    Ok(rows.into_iter().map(|(_, c)| c).collect())
}

/// The scores of the checks made in `from <= checked_at < to`, oldest first, without their ratings: what the
/// league reads.
pub async fn scores_between(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
) -> Result<Vec<ScoreRow>, sqlx::Error> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
        i64,
        i64,
        i64,
        Option<String>,
    );
    sqlx::query_as::<_, Row>(
        "SELECT id, zone_id, league, class_id, kind, score, full_score, checked_at, received_at, supersedes \
         FROM cleaning_checks WHERE checked_at >= $1 AND checked_at < $2 ORDER BY checked_at, id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(
        |(id, zone, league, class, kind, score, full_score, checked_at, received_at, supersedes)| {
            Ok(ScoreRow {
                id: uuid(&id)?,
                zone_id: uuid(&zone)?,
                league: decode("league", &league, League::from_code(&league))?,
                class_id: opt_uuid(class)?,
                kind: decode("check kind", &kind, CheckKind::from_code(&kind))?,
                score,
                full_score,
                checked_at,
                received_at,
                supersedes: opt_uuid(supersedes)?,
            })
        },
    )
    .collect()
}

/// The checks `ids` with their ratings.
pub async fn checks_by_ids(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<Vec<CheckRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let filter = format!(
        "c.checked_at >= $1 AND c.checked_at < $2 AND c.id IN ({})",
        json_texts(conn).replace("$1", "$3")
    );
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let list = json_list(ids.iter().map(String::as_str));
    let rows = checks_where(conn, &filter, i64::MIN, i64::MAX, Some(list)).await?;
    Ok(rows.into_iter().map(|(_, c)| c).collect())
}

/// Checks of one class made in `from <= checked_at < to`, oldest first.
pub async fn checks_of_class(
    conn: &mut AnyConnection,
    class: Uuid,
    from: i64,
    to: i64,
) -> Result<Vec<CheckRow>, sqlx::Error> {
    let filter = format!(
        "c.checked_at >= $1 AND c.checked_at < $2 AND c.class_id IN ({})",
        json_texts(conn).replace("$1", "$3")
    );
    let list = json_list([class.to_string().as_str()]);
    let rows = checks_where(conn, &filter, from, to, Some(list)).await?;
    Ok(rows.into_iter().map(|(_, c)| c).collect())
}

/// Checks changed in `after < version <= up_to` and made since `since`; only those of `classes` when given
/// (a class teacher's phone).
pub async fn checks_changed(
    conn: &mut AnyConnection,
    after: i64,
    up_to: i64,
    since: i64,
    classes: Option<&[Uuid]>,
) -> Result<Vec<(i64, CheckRow)>, sqlx::Error> {
    let mut filter = format!("c.version > $1 AND c.version <= $2 AND c.checked_at >= {since}");
    let list = classes.map(|classes| {
        filter.push_str(&format!(
            " AND c.class_id IN ({})",
            json_texts(conn).replace("$1", "$3")
        ));
        let ids: Vec<String> = classes.iter().map(Uuid::to_string).collect();
        json_list(ids.iter().map(String::as_str))
    });
    checks_where(conn, &filter, after, up_to, list).await
}

/// Which of `ids` are checks: id → (zone, class, checked at, received at).
pub async fn checks_by_id(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, CheckFacts>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let sql = format!(
        "SELECT id, zone_id, class_id, kind, checked_at, received_at FROM cleaning_checks WHERE id IN ({})",
        json_texts(conn)
    );
    sqlx::query_as::<_, (String, String, Option<String>, String, i64, i64)>(&sql)
        .bind(json_list(ids.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, zone, class, kind, checked_at, received_at)| {
            Ok((
                uuid(&id)?,
                CheckFacts {
                    zone_id: uuid(&zone)?,
                    class_id: opt_uuid(class)?,
                    kind: decode("check kind", &kind, CheckKind::from_code(&kind))?,
                    checked_at,
                    received_at,
                },
            ))
        })
        .collect()
}

/// The corrections of any of `ids` and of their corrections, down each chain: corrected check → correction.
pub async fn corrections_of(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, Uuid>, sqlx::Error> {
    let mut found = HashMap::new();
    let mut frontier: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    // A chain grows by one per correction; a handful is the most a day sees.
    for _ in 0..16 {
        if frontier.is_empty() {
            break;
        }
        let sql = format!(
            "SELECT supersedes, id FROM cleaning_checks WHERE supersedes IN ({})",
            json_texts(conn)
        );
        let rows = sqlx::query_as::<_, (String, String)>(&sql)
            .bind(json_list(frontier.iter().map(String::as_str)))
            .fetch_all(&mut *conn)
            .await?;
        frontier = rows.iter().map(|(_, id)| id.clone()).collect();
        for (earlier, later) in rows {
            found.insert(uuid(&earlier)?, uuid(&later)?);
        }
    }
    Ok(found)
}

/// Every check a correction replaced, whenever it was made: a correction in a later week still takes the check
/// it corrects out of that check's week.
pub async fn superseded_checks(conn: &mut AnyConnection) -> Result<HashSet<Uuid>, sqlx::Error> {
    sqlx::query_scalar::<_, String>(
        "SELECT supersedes FROM cleaning_checks WHERE supersedes IS NOT NULL",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|id| uuid(id))
    .collect()
}

/// What an appeal or a correction needs to know of an earlier check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckFacts {
    pub zone_id: Uuid,
    pub class_id: Option<Uuid>,
    pub kind: CheckKind,
    pub checked_at: i64,
    pub received_at: i64,
}
