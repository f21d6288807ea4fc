//! The offline sync engine shared by all four jobs (the contract is `shared/design/sync.md`).
//!
//! `server` (ssr) answers `/api/sync/push`, `/api/sync/pull` and the `/api/sync/events` hint stream, and
//! dispatches each named mutation to its job's handler. `local` is the phone's side as pages see it: the
//! snapshot ⊕ pending view and the status signals; its storage and loop live in `browser` (hydrate), so server
//! rendering never touches storage. `photos` (hydrate) shrinks photos and keeps them in IndexedDB until uploaded.

#[cfg(feature = "hydrate")]
pub mod browser;
pub mod job;
pub mod local;
#[cfg(feature = "hydrate")]
pub mod photos;
mod sync_page;

pub use sync_page::{SyncChip, SyncPage};
#[cfg(feature = "ssr")]
pub mod server;
