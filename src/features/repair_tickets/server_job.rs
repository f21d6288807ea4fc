//! Repair tickets' server side: their mutations, the tickets each phone is sent (everyone their own, the admin
//! all), who sees a ticket's photos, and the repair log's CSV.

use super::db as tickets;
use super::mutations::{self, TicketBatch};
use crate::domain::sync::{Op, SyncError};
use crate::domain::{Role, SessionUser, ticket};
use crate::server::job::{Handler, Part, Prefetch, Scope, ServerJob, Span};
use crate::server::state::AppState;
use crate::sync::job::{Job, window_ms};
use crate::sync::server::pull::{leave, put};
use crate::sync::server::registry::Context;
use sqlx::AnyConnection;
use uuid::Uuid;

pub struct RepairTickets;

#[async_trait::async_trait]
impl Part for TicketBatch {
    async fn flush(
        self: Box<Self>,
        conn: &mut AnyConnection,
        context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        TicketBatch::flush(*self, conn, context).await
    }
}

static MUTATIONS: &[(&str, Handler)] = &[
    (ticket::REPORT, |c, b, m| {
        mutations::report(c, b.parts.get(), &mut b.photos, m)
    }),
    (ticket::EVENT, |c, b, m| {
        mutations::event(c, b.parts.get(), &mut b.photos, m)
    }),
];

#[async_trait::async_trait]
impl ServerJob for RepairTickets {
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
        // Another job's entries (a failed safety check) open tickets by the same assignment rules.
        let part = TicketBatch::prefetch(conn, batch.mutations, batch.for_others).await?;
        Ok(Some(Box::new(part)))
    }

    /// Everyone holds the tickets they reported or work on; the admin holds all.
    async fn pull_scope(
        &self,
        _conn: &mut AnyConnection,
        user: &SessionUser,
    ) -> Result<Option<Scope>, sqlx::Error> {
        Ok(Some(Scope::new(if user.has(Role::Admin) {
            ".all_tickets"
        } else {
            ""
        })))
    }

    /// Also the photos, and who may see which ticket.
    fn pull_reads(&self) -> Vec<&'static str> {
        let mut reads: Vec<&str> = super::JOB.table_names().collect();
        reads.extend(["photos", "ticket_access"]);
        reads
    }

    async fn pull_changes(
        &self,
        conn: &mut AnyConnection,
        user: &SessionUser,
        _scope: &Scope,
        span: Span,
    ) -> Result<Vec<(i64, Op)>, SyncError> {
        // Only a snapshot started over leaves out long-closed tickets: a change to a ticket the phone holds
        // always reaches it, however long it was offline.
        let closed_since = if span.reset() {
            span.now - window_ms(&super::JOB, "tickets")
        } else {
            i64::MIN
        };
        let admin = user.has(Role::Admin);
        let changes =
            tickets::changes_for(conn, user.id, admin, span.after, span.up_to, closed_since)
                .await?;
        let mut ops = Vec::new();
        for (version, ticket) in changes.tickets {
            ops.push((version, put(ticket.id, &ticket)?));
        }
        for event in changes.events {
            ops.push((event.version, put(event.id, &event)?));
        }
        for (version, photo) in changes.photos {
            ops.push((version, put(photo.id, &photo)?));
        }
        for (version, id) in changes.left {
            ops.push((version, leave::<crate::domain::ticket::Ticket>(id)));
        }
        Ok(ops)
    }

    fn photo_owner(&self) -> Option<&'static str> {
        Some("ticket")
    }

    async fn may_see_photo(
        &self,
        conn: &mut AnyConnection,
        owner_id: Uuid,
        user: &SessionUser,
    ) -> Result<bool, sqlx::Error> {
        tickets::may_see(conn, owner_id, user.id, user.has(Role::Admin)).await
    }

    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new()
            .route(
                "/api/repair-tickets/log.csv",
                axum::routing::get(super::export::log_csv),
            )
            .route(
                "/api/repair-tickets/log.xlsx",
                axum::routing::get(super::export::log_xlsx),
            )
    }
}
