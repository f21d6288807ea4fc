//! Cleaning scores' server side: the check and appeal mutations, what each phone is sent (an inspector every
//! zone's recent checks, a class teacher their classes' with the appeals), who sees a check's photos, the CSV,
//! and the rubrics every school starts with.

use super::db as cleaning_db;
use super::mutations::{self, CleaningBatch};
use crate::domain::clock::DAY_MS;
use crate::domain::sync::{Op, SyncError};
use crate::domain::{Role, SessionUser, cleaning};
use crate::error::AppError;
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::job::{Handler, Part, Prefetch, Scope, ServerJob, Span};
use crate::server::state::AppState;
use crate::sync::job::{Job, window_ms};
use crate::sync::server::pull::{put, put_or_leave};
use crate::sync::server::registry::Context;
use sqlx::AnyConnection;
use uuid::Uuid;

pub struct CleaningScores;

#[async_trait::async_trait]
impl Part for CleaningBatch {
    async fn flush(
        self: Box<Self>,
        conn: &mut AnyConnection,
        _context: &Context<'_>,
    ) -> Result<(), sqlx::Error> {
        CleaningBatch::flush(*self, conn).await
    }
}

static MUTATIONS: &[(&str, Handler)] = &[
    (cleaning::CHECK, |c, b, m| {
        mutations::check(c, b.parts.get(), &mut b.photos, m)
    }),
    (cleaning::APPEAL, |c, b, m| {
        mutations::appeal(c, b.parts.get(), m)
    }),
];

/// Which checks a phone holds: every zone's recent ones (inspectors, the admin), or a class teacher's classes'.
enum Classes {
    All,
    Taught(Vec<Uuid>),
}

#[async_trait::async_trait]
impl ServerJob for CleaningScores {
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
            CleaningBatch::prefetch(conn, batch.mutations, batch.user.id).await?,
        )))
    }

    async fn pull_scope(
        &self,
        conn: &mut AnyConnection,
        user: &SessionUser,
    ) -> Result<Option<Scope>, sqlx::Error> {
        if user.has(Role::CleaningInspector) || user.has(Role::Admin) {
            Ok(Some(Scope::with(".cleaning", Classes::All)))
        } else if user.has(Role::ClassTeacher) {
            let classes = cleaning_db::classes_of_teacher(conn, user.id).await?;
            let ids: Vec<String> = classes.iter().map(|c| c.simple().to_string()).collect();
            Ok(Some(Scope::with(
                format!(".classes:{}", ids.join(",")),
                Classes::Taught(classes),
            )))
        } else {
            Ok(None)
        }
    }

    async fn pull_changes(
        &self,
        conn: &mut AnyConnection,
        user: &SessionUser,
        scope: &Scope,
        span: Span,
    ) -> Result<Vec<(i64, Op)>, SyncError> {
        let Span { after, up_to, now } = span;
        let mut ops = Vec::new();
        for (version, zone) in cleaning_db::zones_changed(conn, after, up_to).await? {
            ops.push((version, put_or_leave(zone.id, zone.active, &zone)?));
        }
        for (version, id, rubric) in cleaning_db::rubrics_changed(conn, after, up_to).await? {
            ops.push((version, put(id, &rubric)?));
        }
        if let Some((version, settings)) = cleaning_db::settings_changed(conn, after, up_to).await?
        {
            ops.push((version, put(Uuid::nil(), &settings)?));
        }
        let (classes, window) = match scope.state::<Classes>() {
            Classes::Taught(classes) => (
                Some(classes.as_slice()),
                window_ms(&super::JOB, "cleaning_checks"),
            ),
            Classes::All => (None, super::INSPECTOR_WINDOW_DAYS * DAY_MS),
        };
        let since = now - window;
        for (version, check) in
            cleaning_db::checks_changed(conn, after, up_to, since, classes).await?
        {
            ops.push((version, put(check.id, &check)?));
        }
        // Appeals carry a teacher's words: the admin and the class's own teacher only, not the inspectors.
        if user.has(Role::Admin) || classes.is_some() {
            for (version, appeal) in
                cleaning_db::appeals_changed(conn, after, up_to, classes).await?
            {
                ops.push((version, put(appeal.id, &appeal)?));
            }
        }
        Ok(ops)
    }

    fn photo_owner(&self) -> Option<&'static str> {
        Some("cleaning")
    }

    async fn may_see_photo(
        &self,
        conn: &mut AnyConnection,
        owner_id: Uuid,
        user: &SessionUser,
    ) -> Result<bool, sqlx::Error> {
        cleaning_db::may_see_check(conn, owner_id, user).await
    }

    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new()
            .route(
                "/api/cleaning/checks.csv",
                axum::routing::get(super::export::checks_csv),
            )
            .route(
                "/api/cleaning/checks.xlsx",
                axum::routing::get(super::export::checks_xlsx),
            )
    }

    /// The default rubrics, and a zone for every class's outdoor area.
    async fn start(&self, db: &Db, _config: &Config) -> Result<(), sqlx::Error> {
        cleaning_db::ensure_defaults(db).await
    }

    /// The demo school's offices, scored in their own league, monthly (the classes' zones join theirs at start).
    async fn seed_demo(&self, conn: &mut AnyConnection) -> Result<(), AppError> {
        const OFFICES: [&str; 4] = ["总务处", "财务室", "教师办公室一", "教师办公室二"];
        let version = crate::server::db::bump_version(conn).await?;
        for name in OFFICES {
            let id: String =
                sqlx::query_scalar("SELECT id FROM places WHERE name = $1 AND kind = 'room'")
                    .bind(name)
                    .fetch_one(&mut *conn)
                    .await?;
            cleaning_db::insert_zone(
                conn,
                crate::server::db::uuid(&id)?,
                cleaning::ZoneKind::Office,
                cleaning::League::Office,
                None,
                version,
            )
            .await?;
        }
        Ok(())
    }
}
