//! The database: one pool for SQLite or PostgreSQL, migrations, write transactions and the sync version.
//!
//! Queries go through sqlx's `Any` driver with `$1` placeholders, which both backends accept, so every feature
//! writes its SQL once. Each backend has its own migration folder because their DDL differs.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite's `synchronous` setting (WAL mode). `Full` syncs the log at every commit, so a transaction the server
/// answered for survives a power cut; `Normal` syncs only at checkpoints and may lose the last commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    #[default]
    Full,
    Normal,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        Self::connect_with(url, Synchronous::Full).await
    }

    pub async fn connect_with(url: &str, synchronous: Synchronous) -> Result<Db, sqlx::Error> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(move |conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers go on while one writer writes; the busy timeout makes a second
                            // writer wait instead of failing.
                            conn.execute(match synchronous {
                                Synchronous::Full => "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                                Synchronous::Normal => "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                            })
                                .await?;
                            Ok(())
                        })
                    })
                    // Belt and braces for the same cut-off as `begin_detached`: a connection returned inside
                    // a transaction sqlx does not track is closed rather than reused. With none open, the
                    // ROLLBACK fails harmlessly and the connection goes back to the pool.
                    .after_release(|conn, _meta| {
                        Box::pin(async move { Ok(conn.execute("ROLLBACK").await.is_err()) })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => options.max_connections(16).connect(url).await?,
        };
        Ok(Db { pool, backend })
    }

    /// PostgreSQL answers a commit before it is on disk when `synchronous_commit` or `fsync` is off: say so at
    /// start-up, since a push acknowledged then may vanish on a crash.
    pub async fn warn_if_commits_are_not_durable(&self) {
        if self.backend != Backend::Postgres {
            return;
        }
        for setting in ["synchronous_commit", "fsync"] {
            let value: Result<String, _> =
                sqlx::query_scalar(&format!("SELECT current_setting('{setting}')"))
                    .fetch_one(&self.pool)
                    .await;
            if let Ok(value) = value
                && value == "off"
            {
                tracing::warn!(
                    setting,
                    "PostgreSQL: {setting} is off, so a push the server acknowledged can be lost on a crash; turn it on"
                );
            }
        }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// two writers queue on the busy timeout instead of one failing when it upgrades from reading.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.begin_detached("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.begin_detached("BEGIN").await,
        }
    }

    /// Starts a read-only transaction whose reads all see one snapshot (PostgreSQL REPEATABLE READ; a SQLite
    /// read transaction).
    pub async fn begin_snapshot(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.begin_detached("BEGIN").await,
            Backend::Postgres => {
                self.begin_detached("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }

    /// Begins on a task of its own. A request cut off while its `BEGIN` runs (a phone losing its signal drops
    /// the request) would otherwise leave the connection inside a transaction sqlx does not know of: on
    /// PostgreSQL every later statement on it fails, on SQLite its write lock is held. Detached, the `BEGIN`
    /// completes and, if no one is left to use it, the transaction is dropped and rolled back properly.
    async fn begin_detached(
        &self,
        statement: &'static str,
    ) -> Result<Transaction<'static, Any>, sqlx::Error> {
        let pool = self.pool.clone();
        tokio::spawn(async move { pool.begin_with(statement).await })
            .await
            .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
    }
}

/// The newest migration this build knows, for a backend: a backup of a newer schema is refused.
pub fn known_schema_version(backend: Backend) -> i64 {
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Bumps the change counter and returns the new value. Every write transaction calls this once and stamps the
/// rows it writes with the result, so clients can pull "changes after version N" in commit order: the counter
/// row is locked until the transaction ends, so versions are handed out in the order transactions commit.
pub async fn bump_version(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    Ok(bump_version_in_epoch(conn).await?.0)
}

/// [`bump_version`], also answering the current epoch in the same round trip (the sync push needs both).
pub async fn bump_version_in_epoch(conn: &mut AnyConnection) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as(
        "UPDATE sync_state SET version = version + 1 WHERE id = 1 RETURNING version, epoch",
    )
    .fetch_one(conn)
    .await
}

/// Gives the database a new epoch (after a restore from backup) and bumps the version so phones hear of it.
pub async fn start_new_epoch(db: &Db) -> Result<String, sqlx::Error> {
    let epoch = uuid::Uuid::now_v7().simple().to_string();
    let mut tx = db.begin_write().await?;
    bump_version(&mut tx).await?;
    sqlx::query("UPDATE sync_state SET epoch = $1 WHERE id = 1")
        .bind(&epoch)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(epoch)
}

/// Tables whose rows are deactivated rather than deleted, because history points at them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deactivatable {
    Users,
    Places,
    SchoolClasses,
    CheckPoints,
    CleaningZones,
}

/// Deactivates or brings back one row, stamping it with a new version. `false` when no row has that id.
pub async fn set_row_active(
    conn: &mut AnyConnection,
    table: Deactivatable,
    id: uuid::Uuid,
    active: bool,
) -> Result<bool, sqlx::Error> {
    let sql = match table {
        Deactivatable::Users => "UPDATE users SET active = $1, version = $2 WHERE id = $3",
        Deactivatable::Places => "UPDATE places SET active = $1, version = $2 WHERE id = $3",
        Deactivatable::SchoolClasses => {
            "UPDATE school_classes SET active = $1, version = $2 WHERE id = $3"
        }
        Deactivatable::CheckPoints => {
            "UPDATE check_points SET active = $1, version = $2 WHERE id = $3"
        }
        Deactivatable::CleaningZones => {
            "UPDATE cleaning_zones SET active = $1, version = $2 WHERE id = $3"
        }
    };
    let version = bump_version(conn).await?;
    let done = sqlx::query(sql)
        .bind(i64::from(active))
        .bind(version)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Milliseconds since the Unix epoch, the unit every timestamp column uses.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Parses a UUID read from a TEXT column; a malformed one is a database fault, not user input.
pub fn uuid(text: &str) -> Result<uuid::Uuid, sqlx::Error> {
    uuid::Uuid::parse_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Parses an optional UUID column.
pub fn opt_uuid(text: Option<String>) -> Result<Option<uuid::Uuid>, sqlx::Error> {
    text.as_deref().map(uuid).transpose()
}

/// One value of a row for [`insert_rows`].
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<String> for Param {
    fn from(value: String) -> Param {
        Param::Text(Some(value))
    }
}
impl From<&str> for Param {
    fn from(value: &str) -> Param {
        Param::Text(Some(value.to_owned()))
    }
}
impl From<Option<String>> for Param {
    fn from(value: Option<String>) -> Param {
        Param::Text(value)
    }
}
impl From<i64> for Param {
    fn from(value: i64) -> Param {
        Param::Int(Some(value))
    }
}
impl From<uuid::Uuid> for Param {
    fn from(value: uuid::Uuid) -> Param {
        Param::Text(Some(value.to_string()))
    }
}
impl From<Option<uuid::Uuid>> for Param {
    fn from(value: Option<uuid::Uuid>) -> Param {
        Param::Text(value.map(|v| v.to_string()))
    }
}

/// Inserts many rows with one statement and one bound value: the rows travel as a JSON array that the
/// database unpacks (`json_each` on SQLite, `jsonb_to_recordset` on PostgreSQL). Binding every value instead
/// costs microseconds per value through sqlx's `Any` driver, which made a batch of 100 visits take 4 ms.
/// Every row must have one value per column.
pub async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Param>],
) -> Result<(), sqlx::Error> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let object: serde_json::Map<String, serde_json::Value> = columns
                .iter()
                .zip(row)
                .map(|(column, param)| {
                    let value = match param {
                        Param::Text(Some(text)) => serde_json::Value::String(text.clone()),
                        Param::Int(Some(number)) => serde_json::Value::from(*number),
                        Param::Text(None) | Param::Int(None) => serde_json::Value::Null,
                    };
                    ((*column).to_owned(), value)
                })
                .collect();
            serde_json::Value::Object(object)
        })
        .collect();
    let list = columns.join(", ");
    let sql = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        let values: Vec<String> = columns
            .iter()
            .map(|c| format!("json_extract(value, '$.{c}')"))
            .collect();
        format!(
            "INSERT INTO {table} ({list}) SELECT {} FROM json_each($1)",
            values.join(", ")
        )
    } else {
        let types: Vec<String> = columns
            .iter()
            .zip(first)
            .map(|(c, param)| {
                let kind = match param {
                    Param::Text(_) => "text",
                    Param::Int(_) => "bigint",
                };
                format!("{c} {kind}")
            })
            .collect();
        format!(
            "INSERT INTO {table} ({list}) SELECT {list} FROM jsonb_to_recordset($1::jsonb) AS r({})",
            types.join(", ")
        )
    };
    sqlx::query(&sql)
        .bind(serde_json::Value::Array(json).to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A subquery yielding the texts of a JSON array bound as `$1`, for `WHERE id IN (…)`: one bound value and the
/// same SQL whatever the list's length, so each connection prepares the statement once.
pub fn json_texts(conn: &AnyConnection) -> &'static str {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        "SELECT value FROM json_each($1)"
    } else {
        "SELECT jsonb_array_elements_text($1::jsonb)"
    }
}

/// Which of `ids` are already rows of `table` (by its `id` column). `table` is a name written in the code.
pub async fn existing_ids(
    conn: &mut AnyConnection,
    table: &'static str,
    ids: &std::collections::HashSet<uuid::Uuid>,
) -> Result<std::collections::HashSet<uuid::Uuid>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let texts: Vec<String> = ids.iter().map(uuid::Uuid::to_string).collect();
    let sql = format!("SELECT id FROM {table} WHERE id IN ({})", json_texts(conn));
    sqlx::query_scalar::<_, String>(&sql)
        .bind(json_list(texts.iter().map(String::as_str)))
        .fetch_all(conn)
        .await?
        .iter()
        .map(|id| uuid(id))
        .collect()
}

/// `texts` as the JSON array [`json_texts`] unpacks.
pub fn json_list<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::Value::Array(
        texts
            .into_iter()
            .map(|t| serde_json::Value::String(t.to_owned()))
            .collect(),
    )
    .to_string()
}
