//! The sync routes: plain, versioned JSON under `/api/sync/`, not hashed server-function URLs, because an
//! offline phone may run an old build for days.

mod hints;
mod marks;
pub mod photo_batch;
pub mod pull;
mod push;
pub mod registry;

pub use hints::Hints;
pub use push::content_hash;

use crate::domain::SessionUser;
use crate::domain::sync::{OLDEST_PROTOCOL, SyncError};
use crate::server::sessions;
use crate::server::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/sync/push", post(push::push))
        .route("/api/sync/pull", post(pull::pull))
        .route("/api/sync/events", get(hints::events))
        .layer(DefaultBodyLimit::max(
            crate::domain::sync::PUSH_MAX_BYTES + 4096,
        ))
}

impl IntoResponse for SyncError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self)).into_response()
    }
}

impl From<sqlx::Error> for SyncError {
    fn from(cause: sqlx::Error) -> Self {
        tracing::warn!(%cause, "sync: database error; the batch is rolled back");
        SyncError::Unavailable
    }
}

/// The session's user, from the cookie.
pub(crate) async fn signed_in(state: &AppState, jar: &CookieJar) -> Result<SessionUser, SyncError> {
    let token = jar
        .get(sessions::COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or(SyncError::Unauthorized)?;
    let hash = sessions::token_hash(&state.config.session_key, &token);
    sessions::session_user(&state.db, &hash)
        .await?
        .ok_or(SyncError::Unauthorized)
}

fn check_protocol(protocol: u32) -> Result<(), SyncError> {
    if protocol < OLDEST_PROTOCOL {
        Err(SyncError::UpgradeRequired {
            oldest_protocol: OLDEST_PROTOCOL,
        })
    } else {
        Ok(())
    }
}

/// Reads a JSON body, answering a malformed one with `bad_request` in the contract's shape.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, SyncError> {
    serde_json::from_slice(body).map_err(|e| SyncError::BadRequest {
        message: e.to_string(),
    })
}
