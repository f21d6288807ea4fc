//! The directory's server side: every phone is sent the people (names, and who does repairs) and the places;
//! the demo school's people and places are seeded here.

use crate::domain::PlaceKind;
use crate::domain::SessionUser;
use crate::domain::directory::{PersonRow, PlaceRow};
use crate::domain::search::initials;
use crate::domain::sync::{Op, SyncError};
use crate::error::AppError;
use crate::server::db::{opt_uuid, uuid};
use crate::server::job::{Scope, ServerJob, Span};
use crate::sync::job::Job;
use crate::sync::server::pull::put_or_leave;
use sqlx::{AnyConnection, Row};

pub struct Directory;

#[async_trait::async_trait]
impl ServerJob for Directory {
    fn job(&self) -> &'static Job {
        &super::JOB
    }

    /// The import templates.
    fn routes(&self) -> axum::Router<crate::server::state::AppState> {
        axum::Router::new().route(
            "/api/import/{file}",
            axum::routing::get(super::import::template::download),
        )
    }

    async fn pull_scope(
        &self,
        _conn: &mut AnyConnection,
        _user: &SessionUser,
    ) -> Result<Option<Scope>, sqlx::Error> {
        Ok(Some(Scope::new("")))
    }

    /// The people are the users table.
    fn pull_reads(&self) -> Vec<&'static str> {
        vec!["users", "places"]
    }

    async fn pull_changes(
        &self,
        conn: &mut AnyConnection,
        _user: &SessionUser,
        _scope: &Scope,
        span: Span,
    ) -> Result<Vec<(i64, Op)>, SyncError> {
        let mut ops = Vec::new();
        let people = sqlx::query(
            "SELECT id, display_name, active, version, \
             EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'maintenance') AS maintenance, \
             EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id \
                     AND r.role IN ('admin', 'staff', 'class_teacher')) AS host \
             FROM users WHERE version > $1 AND version <= $2",
        )
        .bind(span.after)
        .bind(span.up_to)
        .fetch_all(&mut *conn)
        .await?;
        for row in people {
            let id = uuid(row.try_get("id")?)?;
            // PostgreSQL answers EXISTS with a boolean, SQLite with 0 or 1.
            let flag = |column: &str| match row.try_get::<bool, _>(column) {
                Ok(flag) => Ok(flag),
                Err(_) => row.try_get::<i64, _>(column).map(|n| n == 1),
            };
            let display_name: String = row.try_get("display_name")?;
            let person = PersonRow {
                id,
                initials: initials(&display_name),
                display_name,
                maintenance: flag("maintenance")?,
                host: flag("host")?,
            };
            ops.push((
                row.try_get("version")?,
                put_or_leave(id, row.try_get::<i64, _>("active")? == 1, &person)?,
            ));
        }
        let places = sqlx::query(
            "SELECT id, parent_id, kind, name, active, version FROM places WHERE version > $1 AND version <= $2",
        )
        .bind(span.after)
        .bind(span.up_to)
        .fetch_all(&mut *conn)
        .await?;
        for row in places {
            let id = uuid(row.try_get("id")?)?;
            let kind: String = row.try_get("kind")?;
            let name: String = row.try_get("name")?;
            let place = PlaceRow {
                id,
                parent_id: opt_uuid(row.try_get("parent_id")?)?,
                kind: PlaceKind::from_code(&kind)
                    .ok_or_else(|| sqlx::Error::Decode(format!("place kind {kind}").into()))?,
                initials: initials(&name),
                name,
            };
            ops.push((
                row.try_get("version")?,
                put_or_leave(id, row.try_get::<i64, _>("active")? == 1, &place)?,
            ));
        }
        Ok(ops)
    }

    async fn seed_demo(&self, conn: &mut AnyConnection) -> Result<(), AppError> {
        super::demo::seed(conn).await
    }
}
