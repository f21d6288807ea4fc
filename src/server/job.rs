//! A job's server side, implemented once in its own folder: its mutations and the part of a push batch they
//! read and write, what a pull sends a user of it, who may see its photos, its plain routes, what it needs at
//! start and its part of the demo school. `crate::jobs::SERVER` lists the implementations; the push, the pull,
//! the photo route and the router read that list and name no job.

use crate::domain::SessionUser;
use crate::domain::sync::Outcome;
use crate::domain::sync::{Mutation, Op, SyncError};
use crate::error::AppError;
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::state::AppState;
use crate::sync::job::Job;
use crate::sync::server::registry::{Batch, Context};
use axum::Router;
use sqlx::AnyConnection;
use std::any::Any;
use uuid::Uuid;

/// A mutation's handler: decides it against the batch's reads and queues its rows, with no IO.
pub type Handler = fn(&Context<'_>, &mut Batch, &Mutation) -> Outcome;

/// What a job's handlers read before a batch is decided and write after: one per job present in the batch.
#[async_trait::async_trait]
pub trait Part: Any + Send {
    /// Writes the rows its handlers queued.
    async fn flush(
        self: Box<Self>,
        conn: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), sqlx::Error>;
}

/// What a prefetch is told of the batch.
pub struct Prefetch<'a> {
    pub mutations: &'a [&'a Mutation],
    pub user: &'a SessionUser,
    /// A job that uses this one's part (see [`ServerJob::uses`]) has mutations in the batch.
    pub for_others: bool,
}

/// What part of a job a user's phone holds: `key` joins the snapshot's scope (a change starts the phone's
/// snapshot over), `state` is what the job's pull needs to select the rows (a teacher's classes).
pub struct Scope {
    pub key: String,
    state: Box<dyn Any + Send + Sync>,
}

impl Scope {
    pub fn new(key: impl Into<String>) -> Scope {
        Scope::with(key, ())
    }

    pub fn with(key: impl Into<String>, state: impl Any + Send + Sync) -> Scope {
        Scope {
            key: key.into(),
            state: Box::new(state),
        }
    }

    /// The state the job's scope put here. Panics on another type: the job reads back what it wrote.
    pub fn state<T: Any>(&self) -> &T {
        self.state
            .downcast_ref()
            .unwrap_or_else(|| panic!("scope {} holds another type", self.key))
    }
}

/// The versions one pull page covers.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// The phone's cursor (0 after a reset): changes after it are sent.
    pub after: i64,
    /// The page's end, inclusive.
    pub up_to: i64,
    /// The server's clock for retention windows.
    pub now: i64,
}

impl Span {
    /// Whether the phone's snapshot starts over with this page.
    pub fn reset(&self) -> bool {
        self.after == 0
    }
}

/// A job's server side. Everything has a default, so a job implements only what it has.
#[async_trait::async_trait]
pub trait ServerJob: Sync {
    /// Its declaration shared with the phone (tables, pages kept offline).
    fn job(&self) -> &'static Job;

    /// Its mutations, by name and version. Old versions stay for as long as a phone may stay offline with them.
    fn mutations(&self) -> &'static [(&'static str, Handler)] {
        &[]
    }

    /// Keys of the jobs whose parts its handlers also write (a failed safety check opens repair tickets): they
    /// are prefetched along with its own.
    fn uses(&self) -> &'static [&'static str] {
        &[]
    }

    /// Keys of the jobs whose rows its rows point at: their parts are written first.
    fn flush_after(&self) -> &'static [&'static str] {
        &[]
    }

    /// Reads what its handlers need for this batch; `None` when it has no part.
    async fn prefetch(
        &self,
        _conn: &mut AnyConnection,
        _batch: &Prefetch<'_>,
    ) -> Result<Option<Box<dyn Part>>, sqlx::Error> {
        Ok(None)
    }

    /// What this user's phone holds of it; `None`: nothing.
    async fn pull_scope(
        &self,
        _conn: &mut AnyConnection,
        _user: &SessionUser,
    ) -> Result<Option<Scope>, sqlx::Error> {
        Ok(None)
    }

    /// The database tables whose `version` tells the pull that this job has changes: by default its synced
    /// tables (their wire names are their tables' names).
    fn pull_reads(&self) -> Vec<&'static str> {
        self.job().table_names().collect()
    }

    /// Its changes within `span` for `scope`, each with its version.
    async fn pull_changes(
        &self,
        _conn: &mut AnyConnection,
        _user: &SessionUser,
        _scope: &Scope,
        _span: Span,
    ) -> Result<Vec<(i64, Op)>, SyncError> {
        Ok(Vec::new())
    }

    /// The owner kind its records declare photos under (`domain::photo`), if any.
    fn photo_owner(&self) -> Option<&'static str> {
        None
    }

    /// Whether `user` may see the photos of its record `owner_id`.
    async fn may_see_photo(
        &self,
        _conn: &mut AnyConnection,
        _owner_id: Uuid,
        _user: &SessionUser,
    ) -> Result<bool, sqlx::Error> {
        Ok(false)
    }

    /// Its plain routes (downloads, form posts) beside its pages.
    fn routes(&self) -> Router<AppState> {
        Router::new()
    }

    /// Wraps the whole router (a middleware every request passes).
    fn wrap(&self, router: Router<AppState>, _state: &AppState) -> Router<AppState> {
        router
    }

    /// Runs once at start, after the migrations: the defaults it needs, its background tasks.
    async fn start(&self, _db: &Db, _config: &Config) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// Demo mode, on an empty database: its part of the demo school, in the demo's transaction. Jobs seed in the
    /// list's order.
    async fn seed_demo(&self, _conn: &mut AnyConnection) -> Result<(), AppError> {
        Ok(())
    }
}

/// The job whose key is `key` among `jobs`.
pub fn find(jobs: &[&'static dyn ServerJob], key: &str) -> Option<&'static dyn ServerJob> {
    jobs.iter().copied().find(|job| job.job().key == key)
}

/// The jobs in the order their parts are written: each after those its rows point at. Panics on a cycle or an
/// unknown key: a programming error the tests catch at once.
pub fn flush_order(jobs: &[&'static dyn ServerJob]) -> Vec<&'static str> {
    fn visit(
        jobs: &[&'static dyn ServerJob],
        key: &'static str,
        path: &mut Vec<&'static str>,
        order: &mut Vec<&'static str>,
    ) {
        if order.contains(&key) {
            return;
        }
        assert!(
            !path.contains(&key),
            "flush order has a cycle: {path:?} → {key}"
        );
        let job = find(jobs, key).unwrap_or_else(|| panic!("no job {key}"));
        path.push(key);
        for before in job.flush_after() {
            visit(jobs, before, path, order);
        }
        path.pop();
        order.push(key);
    }
    let mut order = Vec::new();
    for job in jobs {
        visit(jobs, job.job().key, &mut Vec::new(), &mut order);
    }
    order
}
