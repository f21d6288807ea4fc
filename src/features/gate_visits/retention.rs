//! Retention: visitors' personal data older than the configured days is blanked every hour. The visit rows
//! stay (counts, times, hosts), stamped with a new version so guard phones drop the personal data too.

use super::db;
use crate::server::db::{Db, bump_version, now_ms};
use std::time::Duration;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

pub fn start(db: Db, retention_days: i64) {
    tokio::spawn(async move {
        loop {
            match purge(&db, retention_days, now_ms()).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "retention: visitors' personal data purged"),
                Err(cause) => {
                    tracing::warn!(%cause, "retention: purge failed; trying again in an hour")
                }
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}

/// Purges visits that reached the server more than `retention_days` before `now` (the server's clock, not a
/// phone's); returns how many.
pub async fn purge(db: &Db, retention_days: i64, now: i64) -> Result<u64, sqlx::Error> {
    let before = now - retention_days * DAY_MS;
    let mut tx = db.begin_write().await?;
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM visits WHERE received_at < $1 AND purged_at IS NULL LIMIT 1",
    )
    .bind(before)
    .fetch_optional(&mut *tx)
    .await?;
    if due.is_none() {
        return Ok(0);
    }
    let version = bump_version(&mut tx).await?;
    let purged = db::purge_before(&mut tx, before, version, now).await?;
    db::audit_by(
        &mut tx,
        None,
        now,
        "retention_purge",
        None,
        &format!("{purged} visits before {before}"),
    )
    .await?;
    tx.commit().await?;
    Ok(purged)
}
