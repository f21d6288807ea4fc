//! A session as every request sees it: the cookie that carries its token, the keyed hash the database keeps,
//! and the signed-in user behind it. Signing in and out (the auth feature) builds on this.

use crate::domain::{Role, SessionUser};
use crate::server::config::SecretKey;
use crate::server::db::{Db, now_ms, uuid};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{AnyConnection, Row};

pub const COOKIE: &str = "houqin_session";

pub fn token_hash(key: &SecretKey, token: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn roles_of(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Role>, sqlx::Error> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(user_id)
            .fetch_all(conn)
            .await?;
    let mut roles: Vec<Role> = codes
        .iter()
        .filter_map(|code| Role::from_code(code))
        .collect();
    roles.sort();
    Ok(roles)
}

/// The active user behind an unexpired session token hash.
pub async fn session_user(db: &Db, token_hash: &str) -> Result<Option<SessionUser>, sqlx::Error> {
    let mut conn = db.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.locale FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get("id")?;
    Ok(Some(SessionUser {
        id: uuid(&id)?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        locale: row.try_get("locale")?,
        roles: roles_of(&mut conn, &id).await?,
    }))
}
