//! SQL for users, their roles, sessions and failed sign-ins.

use crate::domain::{NewUser, Role, UserSummary};
use crate::server::db::{Db, bump_version, now_ms, uuid};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

pub struct Credentials {
    pub id: Uuid,
    pub display_name: String,
    pub password_hash: String,
    pub active: bool,
    /// `false` for a person imported who has not yet set a password: the hash is then that of a one-time code.
    pub password_set: bool,
    /// Until when the one-time code signs in (`None`: no code given yet).
    pub code_expires_at: Option<i64>,
}

pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query("SELECT id, display_name, password_hash, active, password_set, code_expires_at FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|row| {
        Ok(Credentials {
            id: uuid(row.try_get("id")?)?,
            display_name: row.try_get("display_name")?,
            password_hash: row.try_get("password_hash")?,
            active: row.try_get::<i64, _>("active")? == 1,
            password_set: row.try_get::<i64, _>("password_set")? == 1,
            code_expires_at: row.try_get("code_expires_at")?,
        })
    })
    .transpose()
}

/// Gives a person a one-time code (its hash) that signs in until `expires_at`, in place of any password they had.
pub async fn set_sign_in_code(
    conn: &mut AnyConnection,
    user_id: Uuid,
    code_hash: &str,
    expires_at: i64,
) -> Result<bool, sqlx::Error> {
    let version = bump_version(conn).await?;
    let done = sqlx::query("UPDATE users SET password_hash = $1, password_set = 0, code_expires_at = $2, version = $3 WHERE id = $4")
        .bind(code_hash)
        .bind(expires_at)
        .bind(version)
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A person's own password, set at their first sign-in in place of the code whose hash is `code_hash`: `false`
/// (nothing changed) if that code is no longer theirs (already used, or a new one printed meanwhile).
pub async fn set_own_password(
    conn: &mut AnyConnection,
    user_id: Uuid,
    code_hash: &str,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    let version = bump_version(conn).await?;
    let done = sqlx::query("UPDATE users SET password_hash = $1, password_set = 1, code_expires_at = NULL, version = $2 WHERE id = $3 AND password_hash = $4 AND password_set = 0")
        .bind(hash)
        .bind(version)
        .bind(user_id.to_string())
        .bind(code_hash)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A person's password hash and whether they are active, by id (the first sign-in's ticket is checked against
/// the hash).
pub async fn hash_and_active(
    db: &Db,
    user_id: Uuid,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    let row = sqlx::query("SELECT password_hash, active FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    row.map(|row| {
        Ok((
            row.try_get("password_hash")?,
            row.try_get::<i64, _>("active")? == 1,
        ))
    })
    .transpose()
}

pub async fn password_hash(db: &Db, user_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&db.pool)
        .await
}

pub async fn create_session(
    db: &Db,
    token_hash: &str,
    user_id: Uuid,
    days: i64,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id.to_string())
        .bind(now)
        .bind(now + days * 86_400_000)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends every session of a user, except the one given (the admin's own, when resetting their own password).
pub async fn delete_sessions_of(
    conn: &mut AnyConnection,
    user_id: Uuid,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id.to_string())
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failures for a user name since `since_ms`, and the time of the latest.
pub async fn recent_failures(
    db: &Db,
    username_key: &str,
    since_ms: i64,
) -> Result<(u32, i64), sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(failed_at), 0) AS latest FROM sign_in_failures WHERE username_key = $1 AND failed_at > $2")
        .bind(username_key)
        .bind(since_ms)
        .fetch_one(&db.pool)
        .await?;
    let count: i64 = row.try_get("n")?;
    Ok((
        u32::try_from(count).unwrap_or(u32::MAX),
        row.try_get("latest")?,
    ))
}

pub async fn record_failure(db: &Db, username_key: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO sign_in_failures (username_key, failed_at) VALUES ($1, $2)")
        .bind(username_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    // Old failures no longer count; drop them while here.
    sqlx::query("DELETE FROM sign_in_failures WHERE failed_at < $1")
        .bind(now - 86_400_000)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The failures since `since_ms` of every user name that has any: (count, latest), by user name key.
pub async fn failures_by_name(
    db: &Db,
    since_ms: i64,
) -> Result<std::collections::HashMap<String, (u32, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT username_key, COUNT(*) AS n, MAX(failed_at) AS latest FROM sign_in_failures WHERE failed_at > $1 GROUP BY username_key")
        .bind(since_ms)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter()
        .map(|row| {
            let count: i64 = row.try_get("n")?;
            Ok((
                row.try_get("username_key")?,
                (
                    u32::try_from(count).unwrap_or(u32::MAX),
                    row.try_get("latest")?,
                ),
            ))
        })
        .collect()
}

/// Forgets the failed sign-ins of one user, from known phones and others (a new password lifts the lockout);
/// answers the user name.
pub async fn clear_failures_of_user(
    conn: &mut AnyConnection,
    user_id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    let username: Option<String> = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(username) = &username {
        sqlx::query("DELETE FROM sign_in_failures WHERE username_key = $1 OR username_key = $2")
            .bind(username)
            .bind(crate::server::throttle::known_key(username))
            .execute(&mut *conn)
            .await?;
    }
    Ok(username)
}

pub async fn clear_failures(db: &Db, username_key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_failures WHERE username_key = $1")
        .bind(username_key)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn count_users(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await
}

/// Inserts a validated user with an already hashed password. A taken user name is a unique violation.
pub async fn insert_user(
    conn: &mut AnyConnection,
    user: &NewUser,
    password_hash: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let version = bump_version(conn).await?;
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, locale, active, created_at, version)
         VALUES ($1, $2, $3, $4, 'zh', 1, $5, $6)",
    )
    .bind(id.to_string())
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(password_hash)
    .bind(now_ms())
    .bind(version)
    .execute(&mut *conn)
    .await?;
    replace_roles(conn, id, &user.roles).await?;
    Ok(id)
}

pub async fn replace_roles(
    conn: &mut AnyConnection,
    user_id: Uuid,
    roles: &[Role],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user_id.to_string())
            .bind(role.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether `username` is already used (checked before insert so the admin gets a field error).
pub async fn username_taken(conn: &mut AnyConnection, username: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn set_locale(db: &Db, user_id: Uuid, locale: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let version = bump_version(&mut tx).await?;
    sqlx::query("UPDATE users SET locale = $1, version = $2 WHERE id = $3")
        .bind(locale)
        .bind(version)
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub async fn set_password_hash(
    conn: &mut AnyConnection,
    user_id: Uuid,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    let version = bump_version(conn).await?;
    let done = sqlx::query("UPDATE users SET password_hash = $1, password_set = 1, code_expires_at = NULL, version = $2 WHERE id = $3")
        .bind(hash)
        .bind(version)
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Stamps a user's row with a new version (for a change stored beside it, such as roles); `false` if no such user.
pub async fn stamp_user(conn: &mut AnyConnection, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let version = bump_version(conn).await?;
    let done = sqlx::query("UPDATE users SET version = $1 WHERE id = $2")
        .bind(version)
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn user_exists(conn: &mut AnyConnection, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Every user, with roles, ordered by display name: the admin's list and the people pickers.
pub async fn list_users(db: &Db) -> Result<Vec<UserSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, username, display_name, active, password_set, code_expires_at FROM users ORDER BY display_name, username",
    )
    .fetch_all(&db.pool)
    .await?;
    let role_rows = sqlx::query("SELECT user_id, role FROM user_roles")
        .fetch_all(&db.pool)
        .await?;
    let mut roles: std::collections::HashMap<String, Vec<Role>> = std::collections::HashMap::new();
    for row in role_rows {
        let code: String = row.try_get("role")?;
        if let Some(role) = Role::from_code(&code) {
            roles.entry(row.try_get("user_id")?).or_default().push(role);
        }
    }
    let now = now_ms();
    rows.into_iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let mut user_roles = roles.remove(&id).unwrap_or_default();
            user_roles.sort();
            let display_name: String = row.try_get("display_name")?;
            Ok(UserSummary {
                id: uuid(&id)?,
                username: row.try_get("username")?,
                initials: crate::domain::search::initials(&display_name),
                display_name,
                roles: user_roles,
                active: row.try_get::<i64, _>("active")? == 1,
                locked_for_secs: 0,
                awaiting_first_sign_in: row.try_get::<i64, _>("password_set")? == 0,
                has_code: row
                    .try_get::<Option<i64>, _>("code_expires_at")?
                    .is_some_and(|until| until >= now),
            })
        })
        .collect()
}
