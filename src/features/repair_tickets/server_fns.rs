//! The repair tickets' server functions, for pages used online: the repair log (维修台账), the statistics and
//! the assignment rules. Reports and ticket changes are not here: they are sync mutations (`mutations.rs`).

use crate::domain::ticket::{Category, Status, Ticket};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One line of the repair log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRow {
    pub ticket: Ticket,
    pub place: String,
    pub reporter: String,
    pub assignee: Option<String>,
}

/// The tickets reported in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepairLog {
    pub month: String,
    pub rows: Vec<LogRow>,
}

/// Counts and times for the admin's chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepairStats {
    pub month: String,
    /// Per category: how many tickets are in each status.
    pub counts: Vec<(Category, Vec<(Status, i64)>)>,
    /// Per category: the median time from report to done, in ms, over the tickets done.
    pub median_fix_ms: Vec<(Category, Option<i64>)>,
    pub overall_median_fix_ms: Option<i64>,
    pub overdue_open: i64,
    /// Photos a record declared more than a day ago whose bytes never arrived: (photo, ticket).
    pub missing_photos: Vec<(Uuid, Uuid)>,
}

/// The assignment rules and who can be assigned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesView {
    pub rules: Vec<(Category, Option<Uuid>)>,
    pub workers: Vec<(Uuid, String)>,
}

#[server(endpoint = "repair_tickets/log", input = Json)]
pub async fn load_repair_log(month: String) -> Result<RepairLog, AppError> {
    crate::server::respond(handlers::log(month).await)
}

#[server(endpoint = "repair_tickets/stats", input = Json)]
pub async fn load_repair_stats(month: String) -> Result<RepairStats, AppError> {
    crate::server::respond(handlers::stats(month).await)
}

#[server(endpoint = "repair_tickets/rules", input = Json)]
pub async fn load_ticket_rules() -> Result<RulesView, AppError> {
    crate::server::respond(handlers::rules().await)
}

#[server(endpoint = "repair_tickets/set_rule", input = Json)]
pub async fn set_ticket_rule(category: Category, assignee: Option<Uuid>) -> Result<(), AppError> {
    crate::server::respond(handlers::set_rule(category, assignee).await)
}

#[cfg(feature = "ssr")]
pub(crate) mod handlers {
    use super::super::db;
    use super::{LogRow, RepairLog, RepairStats, RulesView};
    use crate::domain::Role;
    use crate::domain::clock::{DAY_MS, SCHOOL_UTC_OFFSET_MINUTES, month_range};
    use crate::domain::ticket::{Category, Status, median};
    use crate::error::{AppError, Problem};
    use crate::features::auth::session;
    use crate::features::directory::db::places::names_and_places;
    use crate::server::db::{bump_version, now_ms, uuid};
    use sqlx::AnyConnection;
    use std::collections::HashSet;
    use uuid::Uuid;

    /// The month's tickets with names, for the log page and the CSV. Admin and maintenance staff.
    pub async fn log_rows(conn: &mut AnyConnection, month: &str) -> Result<Vec<LogRow>, AppError> {
        let (from, to) = month_range(month, SCHOOL_UTC_OFFSET_MINUTES)
            .ok_or_else(|| AppError::invalid("month", Problem::Invalid))?;
        let tickets = db::tickets_between(conn, from, to).await?;
        let (people, places) = names_and_places(conn).await?;
        Ok(tickets
            .into_iter()
            .map(|ticket| LogRow {
                place: places
                    .get(&ticket.place_id)
                    .map(|p| p.path.clone())
                    .unwrap_or_default(),
                reporter: people.get(&ticket.reporter_id).cloned().unwrap_or_default(),
                assignee: ticket.assignee_id.and_then(|a| people.get(&a).cloned()),
                ticket,
            })
            .collect())
    }

    pub async fn log(month: String) -> Result<RepairLog, AppError> {
        let state = session::require_role(&[Role::Maintenance]).await?.state;
        let mut conn = state.db.pool.acquire().await?;
        let rows = log_rows(&mut conn, &month).await?;
        Ok(RepairLog { month, rows })
    }

    pub async fn stats(month: String) -> Result<RepairStats, AppError> {
        let state = session::require_role(&[]).await?.state;
        let (from, to) = month_range(&month, SCHOOL_UTC_OFFSET_MINUTES)
            .ok_or_else(|| AppError::invalid("month", Problem::Invalid))?;
        let mut conn = state.db.pool.acquire().await?;
        let tickets = db::tickets_between(&mut conn, from, to).await?;
        let now = now_ms();
        let fix_time = |t: &crate::domain::ticket::Ticket| t.done_at.map(|d| d - t.reported_at);
        let counts = Category::ALL
            .iter()
            .map(|category| {
                let per_status = Status::ALL
                    .iter()
                    .map(|status| {
                        let n = tickets
                            .iter()
                            .filter(|t| t.category == *category && t.status == *status)
                            .count() as i64;
                        (*status, n)
                    })
                    .collect();
                (*category, per_status)
            })
            .collect();
        let median_fix_ms = Category::ALL
            .iter()
            .map(|category| {
                (
                    *category,
                    median(
                        tickets
                            .iter()
                            .filter(|t| t.category == *category)
                            .filter_map(fix_time)
                            .collect(),
                    ),
                )
            })
            .collect();
        let missing = db::missing_photos(&mut conn, now - DAY_MS).await?;
        Ok(RepairStats {
            month,
            counts,
            median_fix_ms,
            overall_median_fix_ms: median(tickets.iter().filter_map(fix_time).collect()),
            overdue_open: tickets.iter().filter(|t| t.overdue(now)).count() as i64,
            missing_photos: missing.into_iter().map(|(p, t, _)| (p, t)).collect(),
        })
    }

    /// Active users holding the maintenance role, by name.
    async fn workers(conn: &mut AnyConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        sqlx::query_as::<_, (String, String)>(
            "SELECT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id \
             AND r.role = 'maintenance' WHERE u.active = 1 ORDER BY u.display_name",
        )
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, name)| Ok((uuid(&id)?, name)))
        .collect()
    }

    pub async fn rules() -> Result<RulesView, AppError> {
        let state = session::require_role(&[]).await?.state;
        let mut conn = state.db.pool.acquire().await?;
        let rules = db::rules(&mut conn).await?;
        Ok(RulesView {
            rules: Category::ALL
                .iter()
                .map(|c| (*c, rules.get(c).copied()))
                .collect(),
            workers: workers(&mut conn).await?,
        })
    }

    pub async fn set_rule(category: Category, assignee: Option<Uuid>) -> Result<(), AppError> {
        let db = session::require_role(&[]).await?.state.db;
        let mut tx = db.begin_write().await?;
        if let Some(assignee) = assignee {
            let ids: HashSet<Uuid> = [assignee].into();
            if db::maintenance_flags(&mut tx, &ids).await?.get(&assignee) != Some(&true) {
                return Err(AppError::invalid("assignee", Problem::Unknown));
            }
        }
        let version = bump_version(&mut tx).await?;
        db::set_rule(&mut tx, category, assignee, version).await?;
        tx.commit().await?;
        Ok(())
    }
}
