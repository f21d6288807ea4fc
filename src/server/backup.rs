//! Backups a school can restore: `houqin backup DIR`, the nightly one (`HOUQIN_BACKUP_DIR`, `HOUQIN_BACKUP_KEEP`)
//! and `houqin restore ARCHIVE`.
//!
//! A backup is one tar file, `houqin-YYYY-MM-DD-HHMMSS.tar` (the school's time), written while the server runs:
//!
//! - the database as one consistent snapshot: SQLite's `VACUUM INTO`, or `pg_dump` of a snapshot exported from
//!   a REPEATABLE READ transaction, which also counts the rows, so the counts are those of the dump;
//! - every photo under `photos/`, taken after the snapshot, so each photo the snapshot names and the server held
//!   is in it;
//! - `manifest.json` last: the format, the schema's migration, the epoch, the row count of every table and the
//!   size and SHA-256 of every file. A tar cut short has no manifest, and restoring it is refused.
//!
//! The file is written under a `.partial` name and renamed when complete, so a folder of backups holds only
//! whole ones. A restore checks everything before it changes anything, and ends by starting a new epoch: every
//! phone resets its copy and sends again what it sent lately, which the restored server answers "duplicate"
//! where the backup already had it (`sync.md`).

use super::config::Config;
use super::db::{Backend, Db, now_ms};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, time};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The archive layout this build writes and reads; a newer one is refused.
pub const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "houqin.db";
const POSTGRES_FILE: &str = "houqin.pgdump";
const PHOTOS: &str = "photos";

/// What a backup holds, written into it last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub app_version: String,
    /// `sqlite` or `postgres`: a backup restores onto the same kind of database.
    pub backend: String,
    /// The last migration applied to the database it was taken from.
    pub schema_version: i64,
    pub taken_at_ms: i64,
    pub epoch: String,
    pub sync_version: i64,
    pub database: FileSum,
    pub photos: Vec<FileSum>,
    /// Rows per table in the snapshot.
    pub rows: BTreeMap<String, i64>,
}

/// One file of the archive: its path inside it, size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSum {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A backup written.
#[derive(Debug)]
pub struct Taken {
    pub path: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
    pub took: Duration,
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    pub epoch: String,
}

/// Why a backup or a restore did not happen, in the operator's words (Chinese, then English). Nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("数据库出错（database）：{0}")]
    Database(#[from] sqlx::Error),
    #[error("数据库迁移出错（migrations）：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("文件出错（file）{path}：{cause}")]
    File { path: PathBuf, cause: io::Error },
    #[error("{program} 失败（failed）：{problem}")]
    Tool {
        program: &'static str,
        problem: String,
    },
    #[error("备份文件不完整或已损坏（the archive is truncated or damaged）：{0}")]
    Damaged(String),
    #[error("{0}")]
    Refused(String),
}

fn file_error(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |cause| BackupError::File {
        path: path.to_owned(),
        cause,
    }
}

/// The archive's file name for a backup taken at `ms`, in the school's time: they sort by date.
pub fn archive_name(ms: i64) -> String {
    format!(
        "houqin-{}-{}.tar",
        date(ms, SCHOOL_UTC_OFFSET_MINUTES),
        time(ms, SCHOOL_UTC_OFFSET_MINUTES).replace(':', "")
            + &format!("{:02}", (ms / 1000).rem_euclid(60))
    )
}

/// The SQLite file a `sqlite:` URL names (`sqlite://data/houqin.db?mode=rwc`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// The lock a SQLite server holds on its data folder while it runs, so a restore can tell it is live.
pub fn lock_file(data_dir: &Path) -> PathBuf {
    data_dir.join("houqin.lock")
}

/// Takes the data folder's lock for a running server (SQLite); `Err` names the folder when another holds it.
pub fn hold_server_lock(data_dir: &Path) -> io::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_file(data_dir))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::other(format!(
            "另一个 Houqin 服务正在使用数据目录 {}（another server uses this data folder）",
            data_dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Counts what it reads and hashes it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn sum(self, path: String) -> FileSum {
        FileSum {
            path,
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.finalize()),
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Every photo file under the data folder's `photos/` (not the half-written uploads), as (path in the
/// archive, path on disk), sorted.
fn photo_files(data_dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let root = data_dir.join(PHOTOS);
    let mut files = Vec::new();
    let Ok(shards) = std::fs::read_dir(&root) else {
        return Ok(files);
    };
    for shard in shards {
        let shard = shard?;
        let shard_name = shard.file_name().to_string_lossy().into_owned();
        if !is_shard(&shard_name) || !shard.file_type()?.is_dir() {
            continue;
        }
        for photo in std::fs::read_dir(shard.path())? {
            let photo = photo?;
            let name = photo.file_name().to_string_lossy().into_owned();
            if is_photo_name(&shard_name, &name) && photo.file_type()?.is_file() {
                files.push((format!("{PHOTOS}/{shard_name}/{name}"), photo.path()));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn is_shard(name: &str) -> bool {
    name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_photo_name(shard: &str, name: &str) -> bool {
    name.len() == 32 && name.starts_with(shard) && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where a file of the archive goes, or `None` for a path this format never writes (refused on restore).
fn archive_path_is_known(path: &str) -> bool {
    match path.split('/').collect::<Vec<_>>().as_slice() {
        [MANIFEST] | [SQLITE_FILE] | [POSTGRES_FILE] => true,
        [PHOTOS, shard, name] => is_shard(shard) && is_photo_name(shard, name),
        _ => false,
    }
}

/// The tables of the database and their row counts, read inside `conn`'s snapshot.
async fn count_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let tables: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut rows = BTreeMap::new();
    for table in tables {
        // The names come from the database's own catalogue, quoted as identifiers.
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM \"{}\"",
            table.replace('"', "\"\"")
        ))
        .fetch_one(&mut *conn)
        .await?;
        rows.insert(table, count);
    }
    Ok(rows)
}

/// The last migration applied (0 for a database with none).
async fn schema_version(conn: &mut sqlx::AnyConnection) -> Result<i64, sqlx::Error> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
    Ok(version.unwrap_or(0))
}

async fn sync_state(conn: &mut sqlx::AnyConnection) -> Result<(String, i64), sqlx::Error> {
    sqlx::query_as("SELECT epoch, version FROM sync_state WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
}

/// The database's snapshot in `staging`, with what the manifest says of it (rows, schema, epoch).
struct Snapshot {
    file: PathBuf,
    name: &'static str,
    rows: BTreeMap<String, i64>,
    schema_version: i64,
    epoch: String,
    sync_version: i64,
}

async fn snapshot(db: &Db, config: &Config, staging: &Path) -> Result<Snapshot, BackupError> {
    match db.backend {
        Backend::Sqlite => {
            let file = staging.join(SQLITE_FILE);
            let target = file.to_string_lossy().into_owned();
            // One statement, one read transaction: the copy is the database as of its start, and writers go on.
            sqlx::query("VACUUM INTO $1")
                .bind(&target)
                .execute(&db.pool)
                .await?;
            // The counts are read from the copy itself.
            use sqlx::Connection;
            let mut copy =
                sqlx::AnyConnection::connect(&format!("sqlite://{target}?mode=ro")).await?;
            let rows = count_rows(&mut copy, Backend::Sqlite).await?;
            let schema_version = schema_version(&mut copy).await?;
            let (epoch, sync_version) = sync_state(&mut copy).await?;
            copy.close().await?;
            Ok(Snapshot {
                file,
                name: SQLITE_FILE,
                rows,
                schema_version,
                epoch,
                sync_version,
            })
        }
        Backend::Postgres => {
            let file = staging.join(POSTGRES_FILE);
            // The transaction exports its snapshot; pg_dump dumps exactly that one while it stays open.
            let mut tx = db.begin_snapshot().await?;
            let exported: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *tx)
                .await?;
            let rows = count_rows(&mut tx, Backend::Postgres).await?;
            let schema_version = schema_version(&mut tx).await?;
            let (epoch, sync_version) = sync_state(&mut tx).await?;
            let output = tokio::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--no-owner")
                .arg("--no-privileges")
                .arg(format!("--snapshot={exported}"))
                .arg("--file")
                .arg(&file)
                .arg("--dbname")
                .arg(&config.database_url)
                .output()
                .await
                .map_err(|cause| BackupError::Tool {
                    program: "pg_dump",
                    problem: format!("{cause} (is the PostgreSQL client installed?)"),
                })?;
            tx.rollback().await?;
            if !output.status.success() {
                return Err(BackupError::Tool {
                    program: "pg_dump",
                    problem: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
                });
            }
            Ok(Snapshot {
                file,
                name: POSTGRES_FILE,
                rows,
                schema_version,
                epoch,
                sync_version,
            })
        }
    }
}

/// Writes one backup into `dir` and records it in `backups` (a failure too). The server may be running.
pub async fn take(db: &Db, config: &Config, dir: &Path) -> Result<Taken, BackupError> {
    let started = now_ms();
    let id = uuid::Uuid::now_v7();
    let _ = sqlx::query("INSERT INTO backups (id, started_at) VALUES ($1, $2)")
        .bind(id.to_string())
        .bind(started)
        .execute(&db.pool)
        .await;
    take_recorded(db, config, dir, id, started).await
}

/// Takes the backup and writes its outcome into the `backups` row `id`.
async fn take_recorded(
    db: &Db,
    config: &Config,
    dir: &Path,
    id: uuid::Uuid,
    started: i64,
) -> Result<Taken, BackupError> {
    let result = take_unrecorded(db, config, dir, started).await;
    let (file, bytes, error) = match &result {
        Ok(taken) => (
            taken
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
            i64::try_from(taken.bytes).ok(),
            None,
        ),
        Err(error) => (None, None, Some(error.to_string())),
    };
    let _ = sqlx::query(
        "UPDATE backups SET finished_at = $1, file = $2, bytes = $3, error = $4 WHERE id = $5",
    )
    .bind(now_ms())
    .bind(file)
    .bind(bytes)
    .bind(error.clone())
    .bind(id.to_string())
    .execute(&db.pool)
    .await;
    let (action, detail) = match &result {
        Ok(taken) => (
            "backup_taken",
            format!(
                "{}（{:.1} MB）",
                taken.path.display(),
                taken.bytes as f64 / 1_000_000.0
            ),
        ),
        Err(_) => ("backup_failed", error.unwrap_or_default()),
    };
    if let Ok(mut conn) = db.pool.acquire().await {
        let _ = super::audit::record(&mut conn, None, action, None, &detail).await;
    }
    result
}

async fn take_unrecorded(
    db: &Db,
    config: &Config,
    dir: &Path,
    started: i64,
) -> Result<Taken, BackupError> {
    let clock = Instant::now();
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(file_error(dir))?;
    let name = archive_name(started);
    let target = dir.join(&name);
    if target.exists() {
        return Err(BackupError::Refused(format!(
            "{} 已存在（already exists）",
            target.display()
        )));
    }
    let staging = dir.join(format!(".{name}.staging"));
    tokio::fs::create_dir_all(&staging)
        .await
        .map_err(file_error(&staging))?;
    let result = async {
        let snapshot = snapshot(db, config, &staging).await?;
        let data_dir = config.data_dir.clone();
        let target = target.clone();
        tokio::task::spawn_blocking(move || write_archive(snapshot, &data_dir, &target, started))
            .await
            .map_err(|e| BackupError::Damaged(e.to_string()))?
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&staging).await;
    let (bytes, manifest) = result?;
    Ok(Taken {
        path: target,
        bytes,
        manifest,
        took: clock.elapsed(),
    })
}

/// Writes the tar (snapshot, photos, manifest) under a `.partial` name, syncs it and renames it into place.
fn write_archive(
    snapshot: Snapshot,
    data_dir: &Path,
    target: &Path,
    started: i64,
) -> Result<(u64, Manifest), BackupError> {
    let partial = target.with_extension("tar.partial");
    let out = std::fs::File::create(&partial).map_err(file_error(&partial))?;
    let written = (|| -> io::Result<(std::fs::File, Manifest)> {
        let mut tar = tar::Builder::new(io::BufWriter::new(out));
        let mut append = |path: &str, disk: &Path| -> io::Result<FileSum> {
            let file = std::fs::File::open(disk)?;
            let mut header = tar::Header::new_gnu();
            header.set_size(file.metadata()?.len());
            header.set_mode(0o600);
            header.set_mtime(u64::try_from(started / 1000).unwrap_or(0));
            let mut reader = Hashing::new(file);
            tar.append_data(&mut header, path, &mut reader)?;
            Ok(reader.sum(path.to_owned()))
        };
        let database = append(snapshot.name, &snapshot.file)?;
        let mut photos = Vec::new();
        for (path, disk) in photo_files(data_dir)? {
            photos.push(append(&path, &disk)?);
        }
        let manifest = Manifest {
            format: FORMAT,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            backend: match snapshot.name {
                SQLITE_FILE => "sqlite",
                _ => "postgres",
            }
            .to_owned(),
            schema_version: snapshot.schema_version,
            taken_at_ms: started,
            epoch: snapshot.epoch,
            sync_version: snapshot.sync_version,
            database,
            photos,
            rows: snapshot.rows,
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(u64::try_from(started / 1000).unwrap_or(0));
        tar.append_data(&mut header, MANIFEST, json.as_slice())?;
        let file = tar.into_inner()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok((file, manifest))
    })();
    let (file, manifest) = match written {
        Ok(done) => done,
        Err(cause) => {
            let _ = std::fs::remove_file(&partial);
            return Err(BackupError::File {
                path: partial,
                cause,
            });
        }
    };
    let bytes = file.metadata().map_err(file_error(&partial))?.len();
    drop(file);
    std::fs::rename(&partial, target).map_err(file_error(target))?;
    if let Some(parent) = target.parent()
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok((bytes, manifest))
}

/// Deletes all but the newest `keep` archives in `dir` (by name, which sorts by date); answers how many.
pub fn prune(dir: &Path, keep: usize) -> io::Result<usize> {
    let mut archives: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("houqin-") && n.ends_with(".tar"))
        })
        .collect();
    archives.sort();
    let old = archives.len().saturating_sub(keep);
    for path in &archives[..old] {
        std::fs::remove_file(path)?;
    }
    Ok(old)
}

/// Claims the night's backup (the school's date) for this instance: `Some(row id)` when no other took it.
async fn claim_night(
    db: &Db,
    night: &str,
    started: i64,
) -> Result<Option<uuid::Uuid>, sqlx::Error> {
    let id = uuid::Uuid::now_v7();
    let claimed = sqlx::query(
        "INSERT INTO backups (id, night, started_at) VALUES ($1, $2, $3) ON CONFLICT (night) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(night)
    .bind(started)
    .execute(&db.pool)
    .await?;
    Ok((claimed.rows_affected() == 1).then_some(id))
}

/// The hour (school time) the nightly backup runs at: 02:30, when nobody records anything.
const NIGHTLY_AT_MINUTES: i64 = 2 * 60 + 30;

/// Milliseconds from `now` to the next 02:30 in the school's time.
pub fn until_next_night(now: i64) -> i64 {
    let day_start = crate::domain::clock::start_of_day(now, SCHOOL_UTC_OFFSET_MINUTES);
    let mut next = day_start + NIGHTLY_AT_MINUTES * 60_000;
    if next <= now {
        next += crate::domain::clock::DAY_MS;
    }
    next - now
}

/// Starts the nightly backup when `HOUQIN_BACKUP_DIR` is set: every night at 02:30 one instance takes a backup
/// and keeps the newest `HOUQIN_BACKUP_KEEP`.
pub fn start_nightly(db: Db, config: std::sync::Arc<Config>) {
    let Some(dir) = config.backup_dir.clone() else {
        return;
    };
    tokio::spawn(async move {
        loop {
            let wait = until_next_night(now_ms());
            tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
            let started = now_ms();
            let night = date(started, SCHOOL_UTC_OFFSET_MINUTES);
            let id = match claim_night(&db, &night, started).await {
                Ok(Some(id)) => id,
                Ok(None) => continue,
                Err(cause) => {
                    tracing::warn!(%cause, "backup: cannot claim tonight's backup");
                    continue;
                }
            };
            match take_recorded(&db, &config, &dir, id, started).await {
                Ok(taken) => {
                    tracing::info!(path = %taken.path.display(), bytes = taken.bytes, "backup: taken");
                    match prune(&dir, config.backup_keep) {
                        Ok(0) => {}
                        Ok(removed) => tracing::info!(removed, "backup: old archives removed"),
                        Err(cause) => tracing::warn!(%cause, "backup: cannot remove old archives"),
                    }
                }
                Err(error) => tracing::error!(%error, "backup: failed"),
            }
        }
    });
}

/// The last backup that completed and the last failure after it, for the admin home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupRow {
    pub finished_at: i64,
    pub file: Option<String>,
    pub bytes: Option<i64>,
    pub error: Option<String>,
}

pub async fn last_backups(db: &Db) -> Result<(Option<BackupRow>, Option<BackupRow>), sqlx::Error> {
    let ok: Option<(i64, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT finished_at, file, bytes FROM backups WHERE finished_at IS NOT NULL AND error IS NULL ORDER BY finished_at DESC LIMIT 1",
    )
    .fetch_optional(&db.pool)
    .await?;
    let after = ok.as_ref().map_or(0, |(at, _, _)| *at);
    let failed: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT finished_at, error FROM backups WHERE finished_at > $1 AND error IS NOT NULL ORDER BY finished_at DESC LIMIT 1",
    )
    .bind(after)
    .fetch_optional(&db.pool)
    .await?;
    Ok((
        ok.map(|(finished_at, file, bytes)| BackupRow {
            finished_at,
            file,
            bytes,
            error: None,
        }),
        failed.map(|(finished_at, error)| BackupRow {
            finished_at,
            file: None,
            bytes: None,
            error,
        }),
    ))
}

/// Options of `houqin restore`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RestoreOptions {
    /// Restore over a database that already holds a school (its data is replaced).
    pub force: bool,
}

/// Restores `archive` into the configured database and data folder: refuses while a server runs on them, over a
/// database that holds a school (unless forced), and an archive that is damaged, cut short, of another database
/// kind or from a newer version; then restores, applies this build's migrations and starts a new epoch.
pub async fn restore(
    config: &Config,
    archive: &Path,
    options: RestoreOptions,
) -> Result<Restored, BackupError> {
    let backend = if config.database_url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    std::fs::create_dir_all(&config.data_dir).map_err(file_error(&config.data_dir))?;
    // The server's own lock, held for the whole restore, so none can start meanwhile.
    let _lock = match backend {
        Backend::Sqlite => Some(hold_server_lock(&config.data_dir).map_err(|cause| {
            BackupError::Refused(format!(
                "服务正在运行，请先停止它再恢复（the server is running; stop it first）：{cause}"
            ))
        })?),
        Backend::Postgres => None,
    };
    let staging = config
        .data_dir
        .join(format!(".restore-{}", uuid::Uuid::now_v7().simple()));
    let result = restore_from_staging(config, backend, archive, &staging, options).await;
    let _ = tokio::fs::remove_dir_all(&staging).await;
    result
}

async fn restore_from_staging(
    config: &Config,
    backend: Backend,
    archive: &Path,
    staging: &Path,
    options: RestoreOptions,
) -> Result<Restored, BackupError> {
    let manifest = {
        let archive = archive.to_owned();
        let staging = staging.to_owned();
        tokio::task::spawn_blocking(move || unpack_and_check(&archive, &staging))
            .await
            .map_err(|e| BackupError::Damaged(e.to_string()))??
    };
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    if manifest.backend != expected {
        return Err(BackupError::Refused(format!(
            "这份备份来自 {} 数据库，不能恢复到 {expected}（the backup is of another kind of database）",
            manifest.backend
        )));
    }
    let known = super::db::known_schema_version(backend);
    if manifest.schema_version > known {
        return Err(BackupError::Refused(format!(
            "这份备份来自更新的 Houqin（{}，数据库版本 {}），本程序只认识到 {known}；请先升级（the backup is from a newer version; upgrade first）",
            manifest.app_version, manifest.schema_version
        )));
    }
    // What the database holds now: refused if a school is there, unless forced; refused if a server is live.
    if let Some(users) = existing_users(config, backend).await?
        && users > 0
        && !options.force
    {
        return Err(BackupError::Refused(format!(
            "数据库里已有一所学校（{users} 个用户）；确定要用备份替换它，请加 --force（the database is not empty; add --force to replace it）"
        )));
    }
    match backend {
        Backend::Sqlite => {
            let Some(path) = sqlite_path(&config.database_url) else {
                return Err(BackupError::Refused(
                    "HOUQIN_DATABASE_URL 没有指向一个 SQLite 文件（names no SQLite file）".into(),
                ));
            };
            let incoming = path.with_extension("db.restoring");
            std::fs::copy(staging.join(SQLITE_FILE), &incoming).map_err(file_error(&incoming))?;
            std::fs::File::open(&incoming)
                .and_then(|f| f.sync_all())
                .map_err(file_error(&incoming))?;
            for stale in ["-wal", "-shm"] {
                let mut name = path.clone().into_os_string();
                name.push(stale);
                let _ = std::fs::remove_file(PathBuf::from(name));
            }
            std::fs::rename(&incoming, &path).map_err(file_error(&path))?;
        }
        Backend::Postgres => {
            let output = tokio::process::Command::new("pg_restore")
                .args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                ])
                .arg(&config.database_url)
                .arg(staging.join(POSTGRES_FILE))
                .output()
                .await
                .map_err(|cause| BackupError::Tool {
                    program: "pg_restore",
                    problem: format!("{cause} (is the PostgreSQL client installed?)"),
                })?;
            if !output.status.success() {
                return Err(BackupError::Tool {
                    program: "pg_restore",
                    problem: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
                });
            }
        }
    }
    // The photos: each moved into place (the staging folder is inside the data folder, so a rename).
    for photo in &manifest.photos {
        let from = staging.join(&photo.path);
        let to = config.data_dir.join(&photo.path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(file_error(parent))?;
        }
        std::fs::rename(&from, &to).map_err(file_error(&to))?;
    }
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let epoch = super::db::start_new_epoch(&db).await?;
    let detail = format!(
        "{}（{} 的备份）",
        archive.display(),
        crate::domain::clock::date_time(manifest.taken_at_ms, SCHOOL_UTC_OFFSET_MINUTES)
    );
    super::audit::record(
        &mut *db.pool.acquire().await?,
        None,
        "restore",
        None,
        &detail,
    )
    .await?;
    // The backup's own record was written before its snapshot, unfinished: the archive just restored is the
    // last backup this database has.
    let bytes = std::fs::metadata(archive).map(|m| m.len()).unwrap_or(0);
    sqlx::query(
        "UPDATE backups SET finished_at = $1, file = $2, bytes = $3 WHERE started_at = $1 AND finished_at IS NULL",
    )
    .bind(manifest.taken_at_ms)
    .bind(archive.file_name().map(|n| n.to_string_lossy().into_owned()))
    .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
    .execute(&db.pool)
    .await?;
    db.pool.close().await;
    Ok(Restored { manifest, epoch })
}

/// How many users the configured database holds (`None`: no database, or no schema yet); refuses when
/// another Houqin server is connected to the PostgreSQL database.
async fn existing_users(config: &Config, backend: Backend) -> Result<Option<i64>, BackupError> {
    if backend == Backend::Sqlite && !sqlite_path(&config.database_url).is_some_and(|p| p.exists())
    {
        return Ok(None);
    }
    let db = Db::connect(&config.database_url).await?;
    if backend == Backend::Postgres {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .fetch_one(&db.pool)
        .await?;
        // The pool itself may hold more than one connection.
        let own = i64::from(db.pool.size());
        if others >= own {
            db.pool.close().await;
            return Err(BackupError::Refused(format!(
                "还有 {} 个连接在使用这个数据库；请先停止所有 Houqin 服务（other connections use this database; stop every server first）",
                others - own + 1
            )));
        }
    }
    let users = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await
        .ok();
    db.pool.close().await;
    Ok(users)
}

/// Unpacks the archive into `staging`, hashing each file, and checks it against its manifest.
fn unpack_and_check(archive: &Path, staging: &Path) -> Result<Manifest, BackupError> {
    let file = std::fs::File::open(archive).map_err(file_error(archive))?;
    std::fs::create_dir_all(staging).map_err(file_error(staging))?;
    let mut tar = tar::Archive::new(io::BufReader::new(file));
    let mut sums: BTreeMap<String, FileSum> = BTreeMap::new();
    let mut manifest_bytes = None;
    let entries = tar
        .entries()
        .map_err(|e| BackupError::Damaged(e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| BackupError::Damaged(e.to_string()))?;
        let path = entry
            .path()
            .map_err(|e| BackupError::Damaged(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        if !archive_path_is_known(&path) || !entry.header().entry_type().is_file() {
            return Err(BackupError::Damaged(format!(
                "意外的文件 {path}（unexpected entry）"
            )));
        }
        let mut reader = Hashing::new(entry);
        if path == MANIFEST {
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .map_err(|e| BackupError::Damaged(e.to_string()))?;
            manifest_bytes = Some(bytes);
            continue;
        }
        let disk = staging.join(&path);
        if let Some(parent) = disk.parent() {
            std::fs::create_dir_all(parent).map_err(file_error(parent))?;
        }
        let mut out = std::fs::File::create(&disk).map_err(file_error(&disk))?;
        io::copy(&mut reader, &mut out)
            .map_err(|e| BackupError::Damaged(format!("{path}: {e}")))?;
        out.flush().map_err(file_error(&disk))?;
        sums.insert(path.clone(), reader.sum(path));
    }
    let Some(bytes) = manifest_bytes else {
        return Err(BackupError::Damaged(
            "没有清单 manifest.json：文件被截断了（no manifest: the file was cut short）".into(),
        ));
    };
    let manifest: Manifest = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(value)
            if value["format"]
                .as_u64()
                .is_some_and(|f| f > u64::from(FORMAT)) =>
        {
            return Err(BackupError::Refused(format!(
                "这份备份来自更新的 Houqin（格式 {}）；请先升级（the archive is from a newer version; upgrade first）",
                value["format"]
            )));
        }
        Ok(value) => serde_json::from_value(value)
            .map_err(|e| BackupError::Damaged(format!("manifest.json: {e}")))?,
        Err(e) => return Err(BackupError::Damaged(format!("manifest.json: {e}"))),
    };
    for expected in std::iter::once(&manifest.database).chain(&manifest.photos) {
        match sums.remove(&expected.path) {
            Some(found) if found == *expected => {}
            Some(_) => {
                return Err(BackupError::Damaged(format!(
                    "{} 的校验和不符（checksum mismatch）",
                    expected.path
                )));
            }
            None => {
                return Err(BackupError::Damaged(format!(
                    "缺少 {}（missing from the archive）",
                    expected.path
                )));
            }
        }
    }
    if let Some(extra) = sums.keys().next() {
        return Err(BackupError::Damaged(format!(
            "清单里没有 {extra}（not in the manifest）"
        )));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_sort_by_the_schools_date_and_time() {
        // 2026-12-06 22:10:05 UTC is 06:10:05 on the 7th in the school's time.
        let ms = 1_796_595_005_000;
        assert_eq!(archive_name(ms), "houqin-2026-12-07-061005.tar");
        assert!(archive_name(ms) < archive_name(ms + 1000));
    }

    #[test]
    fn the_sqlite_file_is_read_from_its_url() {
        assert_eq!(
            sqlite_path("sqlite://data/houqin.db?mode=rwc"),
            Some(PathBuf::from("data/houqin.db"))
        );
        assert_eq!(sqlite_path("sqlite:x.db"), Some(PathBuf::from("x.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }

    #[test]
    fn only_the_formats_own_paths_are_accepted() {
        assert!(archive_path_is_known("manifest.json"));
        assert!(archive_path_is_known(
            "photos/01/0123456789abcdef0123456789abcdef"
        ));
        assert!(!archive_path_is_known(
            "photos/02/0123456789abcdef0123456789abcdef"
        ));
        assert!(!archive_path_is_known("../houqin.db"));
        assert!(!archive_path_is_known("photos/01/../../etc"));
    }

    #[test]
    fn the_next_night_is_half_past_two_school_time() {
        // 2026-12-06 18:30 UTC is 02:30 on the 7th in the school's time.
        let at = 1_796_581_800_000;
        assert_eq!(until_next_night(at - 60_000), 60_000);
        assert_eq!(
            until_next_night(at),
            crate::domain::clock::DAY_MS,
            "just run: the next is tomorrow"
        );
    }

    #[test]
    fn pruning_keeps_the_newest() {
        let dir = tempfile_dir();
        for day in 1..=5 {
            std::fs::write(dir.join(format!("houqin-2026-12-0{day}-023000.tar")), b"x").unwrap();
        }
        std::fs::write(dir.join("notes.txt"), b"x").unwrap();
        assert_eq!(prune(&dir, 2).unwrap(), 3);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "houqin-2026-12-04-023000.tar",
                "houqin-2026-12-05-023000.tar",
                "notes.txt"
            ]
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("houqin-prune-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
