//! The gate log's server side: its mutations, what a guard's phone is sent, its CSV, and the nightly purge.

use super::db as visits;
use super::mutations::{self, GateBatch};
use crate::domain::sync::{Mutation, Op, SyncError, Synced};
use crate::domain::{Role, SessionUser, visit};
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::job::{Handler, Part, Prefetch, Scope, ServerJob, Span};
use crate::server::state::AppState;
use crate::sync::job::{Job, window_ms};
use crate::sync::server::pull::{put, put_or_leave};
use crate::sync::server::registry::Context;
use sqlx::AnyConnection;

pub struct GateVisits;

#[async_trait::async_trait]
impl Part for GateBatch {
    async fn flush(
        self: Box<Self>,
        conn: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        GateBatch::flush(*self, conn, context).await
    }
}

fn args(mutation: &Mutation) -> &serde_json::Value {
    &mutation.args
}

static MUTATIONS: &[(&str, Handler)] = &[
    (visit::SIGN_IN, |c, b, m| {
        mutations::sign_in(c, b.parts.get(), args(m))
    }),
    (visit::SIGN_OUT, |c, b, m| {
        mutations::sign_out(c, b.parts.get(), args(m))
    }),
    (visit::WATCH_DECIDE, |c, b, m| {
        mutations::watch_decision(c, b.parts.get(), args(m))
    }),
];

#[async_trait::async_trait]
impl ServerJob for GateVisits {
    fn job(&self) -> &'static Job {
        &super::JOB
    }

    fn mutations(&self) -> &'static [(&'static str, Handler)] {
        MUTATIONS
    }

    async fn prefetch(
        &self,
        conn: &mut AnyConnection,
        batch: &Prefetch<'_>,
    ) -> Result<Option<Box<dyn Part>>, sqlx::Error> {
        Ok(Some(Box::new(
            GateBatch::prefetch(conn, batch.mutations).await?,
        )))
    }

    /// Guards and the admin hold the gate log.
    async fn pull_scope(
        &self,
        _conn: &mut AnyConnection,
        user: &SessionUser,
    ) -> Result<Option<Scope>, sqlx::Error> {
        Ok((user.has(Role::GateGuard) || user.has(Role::Admin)).then(|| Scope::new(".gate")))
    }

    async fn pull_changes(
        &self,
        conn: &mut AnyConnection,
        _user: &SessionUser,
        _scope: &Scope,
        span: Span,
    ) -> Result<Vec<(i64, Op)>, SyncError> {
        let Span { after, up_to, now } = span;
        let since = now - window_ms(&super::JOB, "visits");
        let mut ops = Vec::new();
        for change in visits::visits_changed(conn, after, up_to, since).await? {
            ops.push((
                change.version,
                match change.visit {
                    Some(visit) => put(change.id, &visit)?,
                    None => Op::Delete {
                        table: <crate::domain::visit::Visit as Synced>::TABLE.into(),
                        id: change.id,
                    },
                },
            ));
        }
        for (version, sign_out) in visits::sign_outs_changed(conn, after, up_to, since).await? {
            ops.push((version, put(sign_out.id, &sign_out)?));
        }
        for (version, active, entry) in visits::watch_entries_changed(conn, after, up_to).await? {
            ops.push((version, put_or_leave(entry.id, active, &entry)?));
        }
        Ok(ops)
    }

    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new()
            .route(
                "/api/gate-visits/register.csv",
                axum::routing::get(super::export::register_csv),
            )
            .route(
                "/api/gate-visits/register.xlsx",
                axum::routing::get(super::export::register_xlsx),
            )
    }

    async fn start(&self, db: &Db, config: &Config) -> Result<(), sqlx::Error> {
        super::retention::start(db.clone(), config.visit_retention_days);
        Ok(())
    }
}
