//! The safety rounds' server side: the check mutation (whose failures open repair tickets), what an
//! inspector's phone is sent, the ledger's CSV, and the default checklists every school starts with.

use super::db as safety_db;
use super::mutations::{self, SafetyBatch};
use crate::domain::sync::{Op, SyncError};
use crate::domain::{Role, SessionUser, safety};
use crate::features::repair_tickets::mutations::TicketBatch;
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::job::{Handler, Part, Prefetch, Scope, ServerJob, Span};
use crate::server::state::AppState;
use crate::sync::job::{Job, window_ms};
use crate::sync::server::pull::{put, put_or_leave};
use crate::sync::server::registry::Context;
use sqlx::AnyConnection;

pub struct SafetyChecks;

#[async_trait::async_trait]
impl Part for SafetyBatch {
    async fn flush(
        self: Box<Self>,
        conn: &mut AnyConnection,
        _context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        SafetyBatch::flush(*self, conn).await
    }
}

static MUTATIONS: &[(&str, Handler)] = &[(safety::CHECK, |c, b, m| {
    let (checks, tickets) = b.parts.two::<SafetyBatch, TicketBatch>();
    mutations::check(c, checks, tickets, &mut b.photos, m)
})];

#[async_trait::async_trait]
impl ServerJob for SafetyChecks {
    fn job(&self) -> &'static Job {
        &super::JOB
    }

    fn mutations(&self) -> &'static [(&'static str, Handler)] {
        MUTATIONS
    }

    /// A failed item opens a repair ticket.
    fn uses(&self) -> &'static [&'static str] {
        &[crate::features::repair_tickets::JOB.key]
    }

    /// An answer names the ticket its failure opened.
    fn flush_after(&self) -> &'static [&'static str] {
        &[crate::features::repair_tickets::JOB.key]
    }

    async fn prefetch(
        &self,
        conn: &mut AnyConnection,
        batch: &Prefetch<'_>,
    ) -> Result<Option<Box<dyn Part>>, sqlx::Error> {
        Ok(Some(Box::new(
            SafetyBatch::prefetch(conn, batch.mutations).await?,
        )))
    }

    /// Safety inspectors and the admin hold the check points, their checklists and recent checks.
    async fn pull_scope(
        &self,
        _conn: &mut AnyConnection,
        user: &SessionUser,
    ) -> Result<Option<Scope>, sqlx::Error> {
        Ok((user.has(Role::SafetyInspector) || user.has(Role::Admin))
            .then(|| Scope::new(".safety")))
    }

    async fn pull_changes(
        &self,
        conn: &mut AnyConnection,
        _user: &SessionUser,
        _scope: &Scope,
        span: Span,
    ) -> Result<Vec<(i64, Op)>, SyncError> {
        let Span { after, up_to, now } = span;
        let mut ops = Vec::new();
        for (version, point) in safety_db::points_changed(conn, after, up_to).await? {
            let active = point.active;
            ops.push((version, put_or_leave(point.id, active, &point)?));
        }
        for (version, id, template) in safety_db::templates_changed(conn, after, up_to).await? {
            ops.push((version, put(id, &template)?));
        }
        for (version, id, day, active) in safety_db::holidays_changed(conn, after, up_to).await? {
            let row = crate::domain::safety::HolidayRow { id, day };
            ops.push((version, put_or_leave(id, active, &row)?));
        }
        let since = now - window_ms(&super::JOB, "safety_checks");
        for (version, check) in safety_db::checks_changed(conn, after, up_to, since).await? {
            ops.push((version, put(check.id, &check)?));
        }
        Ok(ops)
    }

    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new()
            .route(
                "/api/safety/ledger.csv",
                axum::routing::get(super::export::ledger_csv),
            )
            .route(
                "/api/safety/ledger.xlsx",
                axum::routing::get(super::export::ledger_xlsx),
            )
    }

    async fn start(&self, db: &Db, _config: &Config) -> Result<(), sqlx::Error> {
        safety_db::ensure_default_templates(db).await
    }
}
