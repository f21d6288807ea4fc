//! The audit log: who did what and when, for the things a school must be able to account for — imports, user and
//! role changes, exports and register views, backups and restores. Every job writes to it through [`record`],
//! in the transaction of what it records; the admin reads it on `/admin/audit`.

use sqlx::AnyConnection;
use uuid::Uuid;

/// Writes one entry: `user` did `action` (a stable snake_case code such as `user_created`) to `subject`, with a
/// line of `detail` in the school's words.
pub async fn record(
    conn: &mut AnyConnection,
    user: Option<Uuid>,
    action: &str,
    subject: Option<Uuid>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    record_at(conn, user, super::db::now_ms(), action, subject, detail).await
}

/// [`record`] at a given time (a purge dates its entry by the time it ran).
pub async fn record_at(
    conn: &mut AnyConnection,
    user: Option<Uuid>,
    at: i64,
    action: &str,
    subject: Option<Uuid>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (id, at, user_id, action, subject_id, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::now_v7().to_string())
        .bind(at)
        .bind(user.map(|u| u.to_string()))
        .bind(action)
        .bind(subject.map(|s| s.to_string()))
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

/// One entry as the viewer lists it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub user_name: String,
    pub action: String,
    pub detail: String,
}

/// What the viewer asks for: entries of one person, whose action starts with one of `actions`, in `[from, to)`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user: Option<Uuid>,
    pub actions: Vec<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// The newest `limit` entries the filter takes, newest first.
pub async fn entries(
    conn: &mut AnyConnection,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    use sqlx::Row;
    // The kinds' prefixes and the limit are applied by the database: a long log is not read whole.
    let prefixes: String = (0..filter.actions.len())
        .map(|i| {
            let p = i + 4;
            format!("substr(a.action, 1, length(CAST(${p} AS TEXT))) = ${p}")
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    let sql = format!(
        "SELECT a.at, a.user_id, COALESCE(u.display_name, '') AS user_name, a.action, a.detail \
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id \
         WHERE ($1 = '' OR a.user_id = $1) AND a.at >= $2 AND a.at < $3{} \
         ORDER BY a.at DESC, a.id DESC LIMIT ${}",
        if prefixes.is_empty() {
            String::new()
        } else {
            format!(" AND ({prefixes})")
        },
        filter.actions.len() + 4
    );
    let mut query = sqlx::query(&sql)
        .bind(filter.user.map(|u| u.to_string()).unwrap_or_default())
        .bind(filter.from_ms.unwrap_or(i64::MIN))
        .bind(filter.to_ms.unwrap_or(i64::MAX));
    for prefix in &filter.actions {
        query = query.bind(prefix.as_str());
    }
    let rows = query.bind(limit).fetch_all(conn).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        entries.push(Entry {
            at: row.try_get("at")?,
            user_id: super::db::opt_uuid(row.try_get("user_id")?)?,
            user_name: row.try_get("user_name")?,
            action: row.try_get("action")?,
            detail: row.try_get("detail")?,
        });
    }
    Ok(entries)
}
