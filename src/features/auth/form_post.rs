//! `POST /sign-in`: the sign-in form as the browser posts it before the wasm has loaded, or without JavaScript.
//!
//! The same check as the server function (`handlers::sign_in`, lockout included). Success: the session cookie
//! and a redirect home. Failure: a redirect back to the form with the error and the user name, so the password
//! is never in an address, a history entry or a log.

use super::server_fns::handlers;
use crate::error::{AppError, Problem};
use crate::server::state::AppState;
use axum::Extension;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use std::net::SocketAddr;

/// The longest user name sent back in the address; anything longer is not a user name anyway.
const USERNAME_ECHO_MAX: usize = 64;

#[derive(Debug, serde::Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    connection: Option<Extension<ConnectInfo<SocketAddr>>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    // A form on another site must not sign this browser in to an account of its choosing.
    if !crate::server::guard::same_origin(&headers, &uri) {
        return back_to_form(&AppError::Forbidden, "");
    }
    let Ok(Form(form)) = form else {
        return back_to_form(&AppError::invalid("request", Problem::Invalid), "");
    };
    let jar = CookieJar::from_headers(&headers);
    let address = crate::server::throttle::client_address(
        connection.map(|Extension(ConnectInfo(peer))| peer.ip()),
        &headers,
    );
    match handlers::sign_in(&state, &form.username, form.password, &jar, address).await {
        Ok((_, cookies)) => {
            let mut headers = HeaderMap::new();
            headers.insert(LOCATION, HeaderValue::from_static("/"));
            for cookie in cookies {
                if let Ok(cookie) = HeaderValue::from_str(&cookie) {
                    headers.append(SET_COOKIE, cookie);
                }
            }
            (StatusCode::SEE_OTHER, headers).into_response()
        }
        Err(error) => back_to_form(&error, &form.username),
    }
}

fn back_to_form(error: &AppError, username: &str) -> Response {
    let username: String = username.chars().take(USERNAME_ECHO_MAX).collect();
    let error = serde_json::to_string(error).unwrap_or_default();
    let query = serde_urlencoded::to_string([("error", error.as_str()), ("username", &username)])
        .unwrap_or_default();
    let location = format!("/sign-in?{query}");
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        Err(_) => (
            StatusCode::SEE_OTHER,
            [(LOCATION, HeaderValue::from_static("/sign-in"))],
        )
            .into_response(),
    }
}
