//! What every request handler and server function can reach: options, database, configuration, sync hints.

use super::config::Config;
use super::db::Db;
use crate::sync::server::Hints;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Wakes phones listening on `/api/sync/events` when data changed.
    pub hints: Hints,
    /// Photo bytes of every job.
    pub photos: super::photos::DiskPhotos,
    /// Sign-in attempts being checked, per user name and client address.
    pub sign_ins: super::throttle::Throttle,
    /// The data folder's lock while a SQLite server runs (`server::backup::hold_server_lock`).
    pub data_lock: Option<Arc<std::fs::File>>,
}
