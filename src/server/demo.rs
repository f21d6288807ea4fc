//! Demo mode: an empty database gets a small, real-looking school, each job seeding its part
//! (`ServerJob::seed_demo`, in the jobs' order) in one transaction.
//!
//! Sign-ins (all with the password [`DEMO_PASSWORD`]) are listed in the README.

use crate::error::AppError;
use crate::server::db::Db;
use sqlx::AnyConnection;

pub const DEMO_PASSWORD: &str = "houqin2026";

async fn has_users(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?;
    Ok(count > 0)
}

pub async fn seed_if_empty(db: &Db) -> Result<(), AppError> {
    let mut conn = db.pool.acquire().await?;
    if has_users(&mut conn).await? {
        return Ok(());
    }
    drop(conn);
    let mut tx = db.begin_write().await?;
    // Several instances may start at once on one empty PostgreSQL: the version row's lock lets one seed, and
    // the others see its users once it has committed.
    crate::server::db::bump_version(&mut tx).await?;
    if has_users(&mut tx).await? {
        return Ok(());
    }
    for job in crate::jobs::SERVER {
        job.seed_demo(&mut tx).await?;
    }
    tx.commit().await?;
    tracing::info!("demo school created; sign in as zhuren / {DEMO_PASSWORD}");
    Ok(())
}
