//! The session cookie, password hashing, and the checks every server function starts with.
//!
//! A session is a random token in an HttpOnly, SameSite=Lax cookie; the server keeps only its keyed hash, so
//! sessions live in the database and every app instance on one PostgreSQL shares them.

use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use crate::server::config::SecretKey;
use crate::server::state::AppState;
use axum::http::{HeaderValue, header::SET_COOKIE};
use axum_extra::extract::CookieJar;
use hmac::{Hmac, Mac};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use rand::RngCore;
use sha2::Sha256;

pub const COOKIE: &str = "houqin_session";

/// The app's state, from the server function's context. Take it before the function's first `.await`: while a
/// page renders on the server, a resource's server function can lose its reactive context across an await (its
/// log line below), and the page then hydrates with an error the server never showed, which stops hydration
/// (seen on the admin pages right after signing in). `require_user` and `require_role` take it first and hand it
/// back with the user, so a server function that starts with them has it.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// The signed-in user, or `None` for a visitor without a valid session.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    session_user(&app_state()?).await
}

/// The user whose session cookie this request carries.
async fn session_user(state: &AppState) -> Result<Option<SessionUser>, AppError> {
    let Some(token) = session_token().await else {
        return Ok(None);
    };
    Ok(super::db::session_user(&state.db, &token_hash(&state.config.session_key, &token)).await?)
}

pub async fn session_token() -> Option<String> {
    let jar: CookieJar = leptos_axum::extract().await.ok()?;
    jar.get(COOKIE).map(|cookie| cookie.value().to_owned())
}

/// Who calls a server function, and the app's state, taken before any await (see `app_state`).
pub struct Caller {
    pub state: AppState,
    pub user: SessionUser,
}

pub async fn require_user() -> Result<Caller, AppError> {
    let state = app_state()?;
    let user = session_user(&state).await?.ok_or(AppError::Unauthorized)?;
    Ok(Caller { state, user })
}

/// The signed-in user, if they hold one of `roles`; the admin holds every role's rights.
pub async fn require_role(roles: &[Role]) -> Result<Caller, AppError> {
    let caller = require_user().await?;
    if caller.user.has(Role::Admin) || caller.user.has_any(roles) {
        Ok(caller)
    } else {
        Err(AppError::Forbidden)
    }
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(key: &SecretKey, token: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn set_session_cookie(token: &str, days: i64, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = days * 86_400;
    append_cookie(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ));
}

pub fn clear_session_cookie() {
    append_cookie(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    ));
}

fn append_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// Hashes a password with Argon2id (the crate's recommended parameters) on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|cause| {
        tracing::error!(%cause, "password hashing task failed");
        AppError::Internal
    })?
    .map_err(|cause| {
        tracing::error!(%cause, "password hashing failed");
        AppError::Internal
    })
}

/// Checks a password against a stored hash on a blocking thread; a malformed hash never matches.
pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        PasswordHash::new(&hash)
            .map(|parsed| {
                argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|cause| {
        tracing::error!(%cause, "password check task failed");
        AppError::Internal
    })
}

/// A hash of a random password nobody knows, checked when the user name is unknown so that an unknown name
/// and a wrong password take equally long to answer.
pub fn decoy_hash() -> String {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(new_token().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    });
    DECOY.clone()
}
