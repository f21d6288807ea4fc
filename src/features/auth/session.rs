//! The session cookie, password hashing, and the checks every server function starts with.
//!
//! A session is a random token in an HttpOnly, SameSite=Lax cookie; the server keeps only its keyed hash, so
//! sessions live in the database and every app instance on one PostgreSQL shares them.

use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use crate::server::state::AppState;
use axum::http::{HeaderValue, header::SET_COOKIE};
use axum_extra::extract::CookieJar;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use rand::RngCore;

pub use crate::server::sessions::{COOKIE, token_hash};

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
    Ok(crate::server::sessions::session_user(
        &state.db,
        &token_hash(&state.config.session_key, &token),
    )
    .await?)
}

/// The cookies and client address of the request a server function answers (read with no await, so the
/// context cannot be lost; see `app_state`).
pub fn request_client() -> (CookieJar, Option<std::net::IpAddr>) {
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return (CookieJar::new(), None);
    };
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    let address = crate::server::throttle::client_address(peer, &parts.headers);
    (CookieJar::from_headers(&parts.headers), address)
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

/// The `Set-Cookie` value of a new session.
pub fn session_cookie(token: &str, days: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = days * 86_400;
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that ends the session cookie in the browser.
pub fn cleared_session_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

pub fn clear_session_cookie() {
    append_cookie(&cleared_session_cookie());
}

/// Adds a `Set-Cookie` header to the answer of the server function being run.
pub fn append_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// Hashes a password with Argon2id (the crate's recommended parameters) on a blocking thread, when its turn
/// comes (see `throttle::argon2_turn`).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    // The turn goes with the job: a request dropped mid-hash does not free it while the hash still runs.
    let turn = crate::server::throttle::argon2_turn().await?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
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

/// Checks a password against a stored hash on a blocking thread, when its turn comes. A malformed hash (a person
/// imported, who has no password yet) never matches, and takes as long as a real one, so the answer's time does
/// not tell such a person from anyone else.
pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    let turn = crate::server::throttle::argon2_turn().await?;
    let decoy = decoy_hash();
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        let verify = |parsed: &PasswordHash<'_>| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), parsed)
                .is_ok()
        };
        match PasswordHash::new(&hash) {
            Ok(parsed) => verify(&parsed),
            Err(_) => {
                if let Ok(decoy) = PasswordHash::new(&decoy) {
                    verify(&decoy);
                }
                false
            }
        }
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

/// Keeps a language chosen on a phone with no network (see `on_phone::UNSAVED_LOCALE_COOKIE`): the first request
/// that reaches the server with the marker saves it for the session's user before anything reads the user, so
/// the page rendered now, and every phone after, is in that language; the answer clears the marker.
pub async fn save_unsaved_locale(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use super::on_phone::UNSAVED_LOCALE_COOKIE;
    let jar = CookieJar::from_headers(request.headers());
    let Some(locale) = jar.get(UNSAVED_LOCALE_COOKIE).map(|c| c.value().to_owned()) else {
        return next.run(request).await;
    };
    if locale.parse::<crate::i18n::Locale>().is_ok()
        && let Some(token) = jar.get(COOKIE)
    {
        let hash = token_hash(&state.config.session_key, token.value());
        match crate::server::sessions::session_user(&state.db, &hash).await {
            Ok(Some(user)) => {
                if let Err(cause) = super::db::set_locale(&state.db, user.id, &locale).await {
                    tracing::warn!(%cause, "could not keep a language chosen offline");
                    return next.run(request).await;
                }
            }
            // Signed out: the choice stays this phone's (its language cookie), nobody's to keep.
            Ok(None) => {}
            Err(cause) => {
                tracing::warn!(%cause, "could not read the session to keep a language chosen offline");
                return next.run(request).await;
            }
        }
    }
    let mut response = next.run(request).await;
    if let Ok(clear) = HeaderValue::from_str(&format!(
        "{UNSAVED_LOCALE_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0"
    )) {
        response.headers_mut().append(SET_COOKIE, clear);
    }
    response
}

/// Ends the session of a phone that signed out with no network (see `on_phone`): a request carrying the
/// marker cookie has its session deleted and its session cookie taken out before anything reads it, and the
/// answer clears both cookies in the browser (unless it starts a new session, as a sign-in does).
pub async fn revoke_signed_out(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use super::on_phone::SIGNED_OUT_COOKIE;
    use axum::http::header::COOKIE as COOKIE_HEADER;
    let jar = CookieJar::from_headers(request.headers());
    if jar.get(SIGNED_OUT_COOKIE).is_none() {
        return next.run(request).await;
    }
    if let Some(token) = jar.get(COOKIE) {
        let hash = token_hash(&state.config.session_key, token.value());
        // Should this fail, the browser still loses the token below, and the row expires on its own.
        if let Err(cause) = super::db::delete_session(&state.db, &hash).await {
            tracing::warn!(%cause, "could not delete a session signed out on the phone");
        }
    }
    let kept: Vec<String> = jar
        .iter()
        .filter(|c| c.name() != COOKIE && c.name() != SIGNED_OUT_COOKIE)
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect();
    request.headers_mut().remove(COOKIE_HEADER);
    if let Ok(value) = HeaderValue::from_str(&kept.join("; "))
        && !kept.is_empty()
    {
        request.headers_mut().insert(COOKIE_HEADER, value);
    }
    let mut response = next.run(request).await;
    let starts_session = response.headers().get_all(SET_COOKIE).iter().any(|v| {
        v.as_bytes().starts_with(format!("{COOKIE}=").as_bytes())
            && !v.as_bytes().ends_with(b"Max-Age=0")
    });
    let headers = response.headers_mut();
    if !starts_session && let Ok(clear) = HeaderValue::from_str(&cleared_session_cookie()) {
        headers.append(SET_COOKIE, clear);
    }
    if let Ok(clear) = HeaderValue::from_str(&format!(
        "{SIGNED_OUT_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0"
    )) {
        headers.append(SET_COOKIE, clear);
    }
    response
}
