//! The sign-in page's forms as the browser posts them: the page is plain HTML with no wasm (`app::PLAIN_PAGES`),
//! so a weak link downloads the form alone.
//!
//! - `POST /sign-in`: the same check as the server function (`handlers::sign_in`, lockout included). Success:
//!   the session cookie, the user's own language, and a redirect home. Failure: a redirect back to the form
//!   with the error and the user name in a cookie read once ([`take_flash`]), so the address stays `/sign-in`
//!   and the password is never in an address, a history entry or a log.
//! - `POST /locale`: the language switch; sets the language cookie and goes back to the page.

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

/// The longest user name sent back to the form; anything longer is not a user name anyway.
const USERNAME_ECHO_MAX: usize = 64;

/// Carries a failed sign-in's error and user name to the next rendering of the form, once.
const FLASH_COOKIE: &str = "houqin_sign_in";

/// The language cookie leptos_i18n reads (its default name), as `app::language_cookie` sets it.
const LOCALE_COOKIE: &str = "i18n_pref_locale";

pub(super) fn locale_cookie(code: &str) -> String {
    let max_age_secs = crate::app::LANGUAGE_COOKIE_MAX_AGE_MS / 1000;
    format!("{LOCALE_COOKIE}={code}; Path=/; Max-Age={max_age_secs}; SameSite=Lax")
}

/// The flash cookie with `value`, or (`max_age_secs` 0) its removal.
fn flash_cookie(value: &str, max_age_secs: u32) -> String {
    format!("{FLASH_COOKIE}={value}; Path=/sign-in; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax")
}

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
    if !crate::server::guard::same_origin(&headers, &uri) {
        return to_clean_form();
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
        // A one-time code: back to `/sign-in`, which the ticket turns into the new-password form.
        Ok(handlers::SignedIn::NewPassword(ticket)) => see_other("/sign-in", &[ticket]),
        Ok(handlers::SignedIn::Session(user, cookies)) => signed_in(&user, cookies),
        Err(error) => back_to_form(&error, &form.username),
    }
}

/// A form posted from another site must not sign this browser in to an account of its choosing, nor leave a
/// message on its sign-in page: back to a clean form.
pub(super) fn to_clean_form() -> Response {
    see_other("/sign-in", &[])
}

/// A redirect to `location` that sets `cookies` (each a `Set-Cookie` value).
pub(super) fn see_other(location: &'static str, cookies: &[String]) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(LOCATION, HeaderValue::from_static(location));
    for cookie in cookies {
        if let Ok(cookie) = HeaderValue::from_str(cookie) {
            headers.append(SET_COOKIE, cookie);
        }
    }
    (StatusCode::SEE_OTHER, headers).into_response()
}

/// Signed in: home, with the session's cookies and, from the first page on, the language this user chose on
/// any phone.
pub(super) fn signed_in(user: &crate::domain::SessionUser, mut cookies: Vec<String>) -> Response {
    if let Ok(locale) = user.locale.parse::<crate::i18n::Locale>() {
        cookies.push(locale_cookie(locale.as_ref()));
    }
    see_other(user.home_path(), &cookies)
}

pub(super) fn back_to_form(error: &AppError, username: &str) -> Response {
    let username: String = username.chars().take(USERNAME_ECHO_MAX).collect();
    let error = serde_json::to_string(error).unwrap_or_default();
    let value = serde_urlencoded::to_string([("error", error.as_str()), ("username", &username)])
        .unwrap_or_default();
    let cookie = flash_cookie(&value, 60);
    let mut headers = HeaderMap::new();
    headers.insert(LOCATION, HeaderValue::from_static("/sign-in"));
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        headers.insert(SET_COOKIE, cookie);
    }
    (StatusCode::SEE_OTHER, headers).into_response()
}

/// What a failed form post left for this rendering of the form (the error, the user name typed), taken once:
/// the answer clears the cookie.
pub fn take_flash() -> Option<(Option<AppError>, String)> {
    use leptos::prelude::use_context;
    let parts = use_context::<axum::http::request::Parts>()?;
    let jar = CookieJar::from_headers(&parts.headers);
    let value = jar.get(FLASH_COOKIE)?.value().to_owned();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(clear) = HeaderValue::from_str(&flash_cookie("", 0))
    {
        response.append_header(SET_COOKIE, clear);
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&value).ok()?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let error = field("error").and_then(|e| serde_json::from_str::<AppError>(&e).ok());
    Some((error, field("username").unwrap_or_default()))
}

#[derive(Debug, serde::Deserialize)]
pub struct LocaleForm {
    #[serde(default)]
    locale: String,
    #[serde(default)]
    back: String,
}

/// `POST /locale`: the language switch on a page with no wasm. Sets the language cookie and goes back to the
/// page it was on (an address on this site only).
pub async fn locale_form(
    uri: axum::http::Uri,
    headers: HeaderMap,
    form: Result<Form<LocaleForm>, FormRejection>,
) -> Response {
    let back = |path: &str| {
        let path = if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') {
            path
        } else {
            "/"
        };
        HeaderValue::from_str(path).unwrap_or(HeaderValue::from_static("/"))
    };
    let Ok(Form(form)) = form else {
        return (StatusCode::SEE_OTHER, [(LOCATION, back("/"))]).into_response();
    };
    let mut answer = HeaderMap::new();
    answer.insert(LOCATION, back(&form.back));
    if crate::server::guard::same_origin(&headers, &uri)
        && let Ok(locale) = form.locale.parse::<crate::i18n::Locale>()
        && let Ok(cookie) = HeaderValue::from_str(&locale_cookie(locale.as_ref()))
    {
        answer.insert(SET_COOKIE, cookie);
    }
    (StatusCode::SEE_OTHER, answer).into_response()
}
