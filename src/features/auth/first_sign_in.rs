//! The first sign-in of a person imported from the school's sheet. They have no password: the admin prints a slip
//! with a one-time code (`features::users::slips`), whose Argon2 hash is kept as the password hash until it
//! expires. Signing in with it starts no session; it gives a ticket (a cookie on `/sign-in` for 15 minutes,
//! signed with the session key over the person and their current hash, so it is good once) with which
//! `/sign-in` shows the new-password form, and `POST /sign-in/new-password` sets the person's own password and
//! signs them in. The code no longer signs in after that, nor does the ticket.

use super::form_post::{back_to_form, see_other, signed_in, to_clean_form};
use super::{db, session};
use crate::domain::user::check_password;
use crate::error::{AppError, Problem};
use crate::server::db::now_ms;
use crate::server::state::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use axum_extra::extract::CookieJar;
use uuid::Uuid;

const TICKET_COOKIE: &str = "houqin_first_sign_in";
const TICKET_MINUTES: i64 = 15;

fn mac(state: &AppState, id: Uuid, until: i64, name: &str, hash: &str) -> String {
    crate::server::sessions::token_hash(
        &state.config.session_key,
        &format!("first-sign-in\n{id}\n{until}\n{name}\n{hash}"),
    )
}

/// The ticket cookie with `value`, or (`max_age_secs` 0) its removal.
fn ticket_cookie_with(value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{TICKET_COOKIE}={value}; Path=/sign-in; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}"
    )
}

/// The `Set-Cookie` of the ticket for the person `id`, whose name is `name` and whose hash (the code's) is `hash`.
pub fn ticket_cookie(state: &AppState, id: Uuid, name: &str, hash: &str) -> String {
    let until = now_ms() + TICKET_MINUTES * 60_000;
    let fields = serde_urlencoded::to_string([
        ("id", id.to_string()),
        ("until", until.to_string()),
        ("name", name.to_owned()),
        ("mac", mac(state, id, until, name, hash)),
    ])
    .unwrap_or_default();
    // Base64 (URL-safe): a cookie's value is decoded once by the jar, and a name may hold any character.
    use base64::Engine;
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(fields);
    ticket_cookie_with(&value, TICKET_MINUTES * 60, state.config.secure_cookies)
}

/// A ticket's fields, as sent back: (id, until, name, mac).
fn read_ticket(jar: &CookieJar) -> Option<(Uuid, i64, String, String)> {
    use base64::Engine;
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jar.get(TICKET_COOKIE)?.value())
        .ok()?;
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_str(std::str::from_utf8(&value).ok()?).ok()?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    Some((
        field("id")?.parse().ok()?,
        field("until")?.parse().ok()?,
        field("name")?,
        field("mac")?,
    ))
}

/// For the sign-in page: the name of the person a ticket (not yet past its time) lets set a password. The form
/// post checks the ticket itself.
pub fn page_ticket() -> Option<String> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let (_, until, name, _) = read_ticket(&CookieJar::from_headers(&parts.headers))?;
    (until >= now_ms()).then_some(name)
}

#[derive(Debug, serde::Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
    /// "Sign in as someone else": the ticket is dropped and the sign-in form comes back.
    #[serde(default)]
    cancel: Option<String>,
}

/// `POST /sign-in/new-password`: the person holding a good ticket sets their password and is signed in; or, with
/// `cancel`, the ticket is dropped (a shared office computer goes back to the plain sign-in form).
pub async fn new_password_form(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    form: Result<Form<NewPasswordForm>, FormRejection>,
) -> Response {
    if !crate::server::guard::same_origin(&headers, &uri) {
        return to_clean_form();
    }
    let Ok(Form(form)) = form else {
        return back_to_form(&AppError::invalid("request", Problem::Invalid), "");
    };
    if form.cancel.is_some() {
        return see_other(
            "/sign-in",
            &[ticket_cookie_with("", 0, state.config.secure_cookies)],
        );
    }
    match set_password(&state, &CookieJar::from_headers(&headers), form).await {
        Ok(response) => response,
        Err(error) => back_to_form(&error, ""),
    }
}

async fn set_password(
    state: &AppState,
    jar: &CookieJar,
    form: NewPasswordForm,
) -> Result<Response, AppError> {
    // A ticket that is missing, past its time, forged or already used sends the person back to sign in.
    let secure = state.config.secure_cookies;
    let stale = || {
        let mut response = back_to_form(&AppError::Unauthorized, "");
        if let Ok(clear) = HeaderValue::from_str(&ticket_cookie_with("", 0, secure)) {
            response.headers_mut().append(SET_COOKIE, clear);
        }
        response
    };
    let Some((id, until, name, given)) = read_ticket(jar) else {
        return Ok(stale());
    };
    let Some((hash, active)) = db::hash_and_active(&state.db, id).await? else {
        return Ok(stale());
    };
    let expected = mac(state, id, until, &name, &hash);
    if until < now_ms() || !active || !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        return Ok(stale());
    }
    check_password(&form.password).map_err(|problem| AppError::invalid("password", problem))?;
    if form.again != form.password {
        return Err(AppError::invalid("again", Problem::Mismatch));
    }
    let new_hash = session::hash_password(form.password).await?;
    let mut tx = state.db.begin_write().await?;
    // Checked again in the write: of two posts with one ticket, the second finds the code spent.
    if !db::set_own_password(&mut tx, id, &hash, &new_hash).await? {
        return Ok(stale());
    }
    crate::server::audit::record(&mut tx, Some(id), "first_sign_in", Some(id), &name).await?;
    tx.commit().await?;
    let (user, session_cookie) = super::server_fns::handlers::start_session(state, id).await?;
    Ok(signed_in(
        &user,
        vec![session_cookie, ticket_cookie_with("", 0, secure)],
    ))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
