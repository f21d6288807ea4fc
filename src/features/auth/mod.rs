//! Signing in and out, the first administrator, and the session every other feature checks.
//!
//! `session` (server only) is where every server function starts: `require_user()` or `require_role(…)`.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod first_sign_in;
#[cfg(feature = "ssr")]
pub mod form_post;
mod language_switch;
pub mod on_phone;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod server_job;
#[cfg(feature = "ssr")]
pub mod session;
mod setup_page;
mod sign_in_page;

pub use language_switch::LanguageSwitch;
pub use server_fns::*;
pub use setup_page::SetupPage;
pub use sign_in_page::SignInPage;

/// Signing in syncs no table of its own; it is listed for its routes and middleware.
pub const JOB: crate::sync::job::Job = crate::sync::job::Job {
    key: "auth",
    tables: &[],
    offline_pages: &[],
};
