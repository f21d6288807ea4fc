//! Signing in and out, the first administrator, and the session every other feature checks.
//!
//! `session` (server only) is where every server function starts: `require_user()` or `require_role(…)`.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod form_post;
pub mod on_phone;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod session;
mod setup_page;
mod sign_in_page;
#[cfg(feature = "ssr")]
pub mod throttle;

pub use server_fns::*;
pub use setup_page::SetupPage;
pub use sign_in_page::SignInPage;
