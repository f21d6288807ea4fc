//! What this phone remembers of who is signed in, so the app opens with no network (a QR label scanned in a
//! basement renders from the phone's data) and a guard can hand the phone over at shift change with none.
//!
//! - The last signed-in user and the campus directory are kept in localStorage when a page shows them. With no
//!   network, `whoami_here` and `directory_here` answer from that copy instead of failing.
//! - Signing out with no network sets a marker cookie (`houqin_signed_out`) the wasm can write. From then on
//!   this phone is signed out: the copy is forgotten, and the first request that reaches the server carries the
//!   marker, so the server revokes the session (`session::revoke_signed_out`) before it answers anything.
//!
//! On the server every function here is the plain server call.

use super::{SessionInfo, whoami};
use crate::domain::SessionUser;
use crate::error::AppError;
use crate::features::directory::{Directory, load_directory};

/// The cookie that says "someone signed out on this phone"; its value means nothing.
pub const SIGNED_OUT_COOKIE: &str = "houqin_signed_out";

/// Who is signed in: the server's answer when it can be reached, else this phone's copy.
pub async fn whoami_here() -> Result<SessionInfo, AppError> {
    let answer = whoami().await;
    #[cfg(feature = "hydrate")]
    {
        // A signed-in answer is remembered by the page that shows it (`remember`); a signed-out one ends the copy.
        match &answer {
            Ok(SessionInfo { user: None, .. }) => browser::forget(),
            Ok(_) => {}
            Err(AppError::Transport { .. }) => {
                return Ok(SessionInfo {
                    user: browser::remembered_user(),
                    needs_setup: false,
                    https_url: None,
                });
            }
            Err(_) => {}
        }
    }
    answer
}

/// The campus directory: the server's, or this phone's copy of it when the server cannot be reached.
pub async fn directory_here() -> Result<Directory, AppError> {
    let answer = load_directory().await;
    #[cfg(feature = "hydrate")]
    if let Err(AppError::Transport { .. }) = &answer
        && let Some(directory) = browser::remembered_directory()
    {
        return Ok(directory);
    }
    answer
}

/// Keeps what a signed-in page shows, for the next time the phone opens with no network.
pub fn remember(user: &SessionUser, directory: Option<&Directory>) {
    #[cfg(feature = "hydrate")]
    {
        browser::remember_user(user);
        if let Some(directory) = directory {
            browser::remember_directory(user, directory);
        }
    }
    let _ = (user, directory);
}

/// Keeps a new language choice in this phone's copy of the user too, so a page opened later with no network
/// (or from a page the service worker kept) does not bring the old language back; and marks it unsaved until
/// the server has it, so a page loaded before the answer (a reload cancels the request) keeps it on the server
/// first.
pub fn remember_locale(locale: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(mut user) = browser::remembered_user() {
            user.locale = locale.to_string();
            browser::remember_user(&user);
        }
        browser::mark_locale_unsaved(locale);
    }
    let _ = locale;
}

/// The cookie that says "this phone chose this language, and the server has not confirmed keeping it" (no
/// network, or the answer not back yet): the next request that reaches the server keeps it for the user
/// (`session::save_unsaved_locale`) before the page is rendered, so the server's older choice cannot bring the
/// old language back.
pub const UNSAVED_LOCALE_COOKIE: &str = "houqin_locale_unsaved";

/// After the server was asked to keep a language choice: kept, the marker cookie goes; not reached (no network),
/// it stays for the next request that does.
pub fn locale_sent(locale: &str, saved: bool) {
    #[cfg(feature = "hydrate")]
    if saved {
        browser::clear_locale_unsaved();
    } else {
        browser::mark_locale_unsaved(locale);
    }
    let _ = (locale, saved);
}

/// Signs out on this phone at once, with or without a network: the copy is forgotten and the marker cookie
/// set. The caller still asks the server to end the session; if it cannot, the marker does it later.
pub fn sign_out_here() {
    #[cfg(feature = "hydrate")]
    browser::sign_out();
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Directory, SIGNED_OUT_COOKIE, SessionUser};
    use gloo_storage::{LocalStorage, Storage};

    const USER_KEY: &str = "hq1.session";

    fn directory_key(user: &SessionUser) -> String {
        format!("hq1.{}.directory", user.id)
    }

    fn document_cookie() -> String {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| js_sys::Reflect::get(&d, &"cookie".into()).ok())
            .and_then(|c| c.as_string())
            .unwrap_or_default()
    }

    fn set_document_cookie(cookie: &str) {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = js_sys::Reflect::set(&document, &"cookie".into(), &cookie.into());
        }
    }

    pub fn signed_out_here() -> bool {
        document_cookie()
            .split(';')
            .any(|c| c.trim_start().starts_with(&format!("{SIGNED_OUT_COOKIE}=")))
    }

    pub fn remember_user(user: &SessionUser) {
        // A full storage only costs the offline copy; the page itself is unaffected.
        let _ = LocalStorage::set(USER_KEY, user);
    }

    pub fn remembered_user() -> Option<SessionUser> {
        if signed_out_here() {
            return None;
        }
        LocalStorage::get(USER_KEY).ok()
    }

    pub fn remember_directory(user: &SessionUser, directory: &Directory) {
        let _ = LocalStorage::set(directory_key(user), directory);
    }

    pub fn remembered_directory() -> Option<Directory> {
        let user = remembered_user()?;
        LocalStorage::get(directory_key(&user)).ok()
    }

    pub fn mark_locale_unsaved(locale: &str) {
        set_document_cookie(&format!(
            "{}={locale}; Path=/; Max-Age=31536000; SameSite=Strict",
            super::UNSAVED_LOCALE_COOKIE
        ));
    }

    pub fn clear_locale_unsaved() {
        set_document_cookie(&format!(
            "{}=; Path=/; Max-Age=0; SameSite=Strict",
            super::UNSAVED_LOCALE_COOKIE
        ));
    }

    pub fn forget() {
        if let Ok(user) = LocalStorage::get::<SessionUser>(USER_KEY) {
            LocalStorage::delete(directory_key(&user));
        }
        LocalStorage::delete(USER_KEY);
    }

    pub fn sign_out() {
        forget();
        crate::sync::browser::forget_pages();
        set_document_cookie(&format!(
            "{SIGNED_OUT_COOKIE}=1; Path=/; Max-Age=31536000; SameSite=Strict"
        ));
    }
}
