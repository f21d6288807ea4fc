//! Sign-in, sign-out, who am I, the first administrator, and the user's own settings.

use crate::domain::{NewUser, SessionUser};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Who is signed in on this browser, if anyone. Also tells a fresh installation that it needs its first admin.
#[server(endpoint = "auth/whoami", input = Json)]
pub async fn whoami() -> Result<SessionInfo, AppError> {
    use super::{db, session};
    crate::server::respond(
        async {
            let state = session::app_state()?;
            let user = session::current_user().await?;
            let needs_setup =
                user.is_none() && db::count_users(&mut *state.db.pool.acquire().await?).await? == 0;
            let https_url = state
                .config
                .public_url
                .clone()
                .filter(|url| url.starts_with("https://"));
            Ok(SessionInfo {
                user,
                needs_setup,
                https_url,
            })
        }
        .await,
    )
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionInfo {
    pub user: Option<SessionUser>,
    pub needs_setup: bool,
    /// The school's https address, for the warning shown on a plain-http address.
    #[serde(default)]
    pub https_url: Option<String>,
}

#[server(endpoint = "auth/sign_in", input = Json)]
pub async fn sign_in(username: String, password: String) -> Result<SessionUser, AppError> {
    crate::server::respond(
        async {
            let state = super::session::app_state()?;
            let (jar, address) = super::session::request_client();
            match handlers::sign_in(&state, &username, password, &jar, address).await? {
                handlers::SignedIn::Session(user, cookies) => {
                    for cookie in &cookies {
                        super::session::append_cookie(cookie);
                    }
                    Ok(user)
                }
                // The page goes to `/sign-in`, which the ticket turns into the new-password form.
                handlers::SignedIn::NewPassword(ticket) => {
                    super::session::append_cookie(&ticket);
                    Err(AppError::NewPasswordNeeded)
                }
            }
        }
        .await,
    )
}

#[server(endpoint = "auth/sign_out", input = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    use super::{db, session};
    crate::server::respond(
        async {
            let state = session::app_state()?;
            if let Some(token) = session::session_token().await {
                db::delete_session(
                    &state.db,
                    &session::token_hash(&state.config.session_key, &token),
                )
                .await?;
            }
            session::clear_session_cookie();
            Ok(())
        }
        .await,
    )
}

/// Creates the first administrator of an empty installation and signs them in.
#[server(endpoint = "auth/setup", input = Json)]
pub async fn setup_first_admin(user: NewUser) -> Result<SessionUser, AppError> {
    crate::server::respond(handlers::setup_first_admin(user).await)
}

/// Remembers the user's language on the server, so it follows them to any phone.
#[server(endpoint = "auth/set_locale", input = Json)]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    use super::{db, session};
    crate::server::respond(
        async {
            let session::Caller { state, user } = session::require_user().await?;
            if locale.parse::<crate::i18n::Locale>().is_err() {
                return Err(AppError::invalid("locale", crate::error::Problem::Invalid));
            }
            db::set_locale(&state.db, user.id, &locale).await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "auth/change_password", input = Json)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    crate::server::respond(handlers::change_password(current, new).await)
}

#[cfg(feature = "ssr")]
pub(super) mod handlers {
    use super::super::{db, session};
    use crate::domain::user::{
        FAILURE_WINDOW_SECS, PASSWORD_MAX, USERNAME_MAX, check_password, username_key,
    };
    use crate::domain::{NewUser, Role, SessionUser};
    use crate::error::{AppError, Problem};
    use crate::server::db::now_ms;
    use crate::server::state::AppState;
    use crate::server::throttle;
    use axum_extra::extract::CookieJar;
    use std::net::IpAddr;

    /// What a right user name and password lead to.
    pub enum SignedIn {
        /// The user, and the `Set-Cookie` values of the session and the device cookie.
        Session(SessionUser, Vec<String>),
        /// A one-time code from a printed slip: no session yet, but the `Set-Cookie` of the ticket that lets
        /// the person set their own password (`first_sign_in`).
        NewPassword(String),
    }

    /// Checks a user name and password (with the lockout, see `throttle`) and starts a session, or, for a
    /// one-time code, lets the person set their password first. Shared by the server function and the plain
    /// form post that works before the wasm.
    pub async fn sign_in(
        state: &AppState,
        username: &str,
        password: String,
        jar: &CookieJar,
        address: Option<IpAddr>,
    ) -> Result<SignedIn, AppError> {
        // Nothing from outside is kept or hashed before it is known to be a possible user name and password.
        let key = username_key(username);
        if key.is_empty() {
            return Err(AppError::invalid("username", Problem::Required));
        }
        if key.chars().count() > USERNAME_MAX as usize {
            return Err(AppError::invalid(
                "username",
                Problem::TooLong { max: USERNAME_MAX },
            ));
        }
        if key.chars().any(char::is_control) {
            return Err(AppError::invalid("username", Problem::Invalid));
        }
        if password.is_empty() {
            return Err(AppError::invalid("password", Problem::Required));
        }
        if password.chars().count() > PASSWORD_MAX as usize {
            return Err(AppError::invalid(
                "password",
                Problem::TooLong { max: PASSWORD_MAX },
            ));
        }
        let credentials = db::credentials(&state.db, &key).await?;
        // A phone that signed in to this name (with this password) before is counted apart from strangers.
        let known_device = credentials.as_ref().is_some_and(|c| {
            throttle::known_device(jar, &state.config.session_key, &key, &c.password_hash)
        });
        let counted_as = if known_device {
            throttle::known_key(&key)
        } else {
            key.clone()
        };
        let hash = credentials
            .as_ref()
            .map_or_else(session::decoy_hash, |c| c.password_hash.clone());
        // A code is typed from paper: case, spaces and the dash in the middle do not matter.
        let password = match &credentials {
            Some(c) if !c.password_set => crate::domain::user::code_as_typed(&password),
            _ => password,
        };
        let client = throttle::Client {
            address,
            known_device,
        };
        let matches = throttled_check(state, &counted_as, &client, password, hash).await?;
        let Some(credentials) = credentials.filter(|_| matches) else {
            tracing::info!(username = %key, "failed sign-in");
            return Err(AppError::WrongCredentials);
        };
        if !credentials.active {
            return Err(AppError::AccountDisabled);
        }
        if !credentials.password_set
            && credentials
                .code_expires_at
                .is_none_or(|expires| expires < now_ms())
        {
            return Err(AppError::CodeExpired);
        }
        db::clear_failures(&state.db, &key).await?;
        db::clear_failures(&state.db, &throttle::known_key(&key)).await?;
        state.sign_ins.forget(&key);
        if !credentials.password_set {
            return Ok(SignedIn::NewPassword(
                super::super::first_sign_in::ticket_cookie(
                    state,
                    credentials.id,
                    &credentials.display_name,
                    &credentials.password_hash,
                ),
            ));
        }
        let (user, session_cookie) = start_session(state, credentials.id).await?;
        let device = throttle::device_cookie(
            jar,
            &state.config.session_key,
            &key,
            &credentials.password_hash,
            state.config.secure_cookies,
        );
        Ok(SignedIn::Session(user, vec![session_cookie, device]))
    }

    /// Checks `password` against `hash` under the throttle, counted as `counted_as`: refused while locked, a
    /// failure recorded (in the database and in the throttle), the throttle's count forgotten on success.
    async fn throttled_check(
        state: &AppState,
        counted_as: &str,
        client: &throttle::Client,
        password: String,
        hash: String,
    ) -> Result<bool, AppError> {
        let now = now_ms();
        let (failures, latest_ms) =
            db::recent_failures(&state.db, counted_as, now - FAILURE_WINDOW_SECS * 1000).await?;
        let attempt = state.sign_ins.admit(
            counted_as,
            client,
            throttle::Recorded {
                failures,
                latest_ms,
            },
            now,
        )?;
        let matches = session::verify_password(password, hash).await?;
        if matches {
            attempt.succeeded();
        } else {
            db::record_failure(&state.db, counted_as).await?;
            attempt.failed(now);
        }
        Ok(matches)
    }

    pub(in crate::features::auth) async fn start_session(
        state: &AppState,
        user_id: uuid::Uuid,
    ) -> Result<(SessionUser, String), AppError> {
        let token = session::new_token();
        let hash = session::token_hash(&state.config.session_key, &token);
        db::create_session(&state.db, &hash, user_id, state.config.session_days).await?;
        let cookie = session::session_cookie(
            &token,
            state.config.session_days,
            state.config.secure_cookies,
        );
        let user = crate::server::sessions::session_user(&state.db, &hash)
            .await?
            .ok_or(AppError::Internal)?;
        Ok((user, cookie))
    }

    pub async fn setup_first_admin(user: NewUser) -> Result<SessionUser, AppError> {
        let state = session::app_state()?;
        let mut user = user;
        if !user.roles.contains(&Role::Admin) {
            user.roles.push(Role::Admin);
        }
        let user = user.validate()?;
        let hash = session::hash_password(user.password.clone()).await?;
        let mut tx = state.db.begin_write().await?;
        // Checked inside the write transaction after taking the version row's lock (PostgreSQL's BEGIN locks
        // nothing), so two browsers racing to set up cannot both win.
        crate::server::db::bump_version(&mut tx).await?;
        if db::count_users(&mut tx).await? > 0 {
            return Err(AppError::SetupDone);
        }
        let id = db::insert_user(&mut tx, &user, &hash).await?;
        tx.commit().await?;
        tracing::info!(username = %user.username, "first administrator created");
        let (user, cookie) = start_session(&state, id).await?;
        session::append_cookie(&cookie);
        Ok(user)
    }

    pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
        let session::Caller { state, user } = session::require_user().await?;
        check_password(&new).map_err(|problem| AppError::invalid("new", problem))?;
        if current.chars().count() > PASSWORD_MAX as usize {
            return Err(AppError::invalid("current", Problem::Invalid));
        }
        // Guessing the current password from a session left open is throttled like signing in.
        let key = format!("change-password:{}", user.id);
        let (_, address) = session::request_client();
        let client = throttle::Client {
            address,
            known_device: false,
        };
        let hash = db::password_hash(&state.db, user.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !throttled_check(&state, &key, &client, current, hash).await? {
            return Err(AppError::invalid("current", Problem::Invalid));
        }
        db::clear_failures(&state.db, &key).await?;
        let new_hash = session::hash_password(new).await?;
        let keep = session::session_token()
            .await
            .map(|t| session::token_hash(&state.config.session_key, &t));
        let mut tx = state.db.begin_write().await?;
        db::set_password_hash(&mut tx, user.id, &new_hash).await?;
        // Other phones signed in with the old password are signed out.
        db::delete_sessions_of(&mut tx, user.id, keep.as_deref()).await?;
        tx.commit().await?;
        Ok(())
    }
}
