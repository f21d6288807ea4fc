//! The safety rounds' server functions, for pages used online by the admin: the safety-day board, a point's
//! history, the ledger (消防安全检查记录表), holidays, schedules and checklists. Checks themselves are sync
//! mutations (`mutations.rs`).

use crate::domain::CheckPointKind;
use crate::domain::safety::{PointState, Rule, Template, TemplateItem};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One point on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardRow {
    pub point_id: Uuid,
    pub label: String,
    pub kind: CheckPointKind,
    /// The top of the place's tree (the building).
    pub building: String,
    pub place: String,
    pub responsible: Option<String>,
    pub rule: Rule,
    pub state: PointState,
    /// The check in force this period: (id, when, inspector, repair tickets its failures opened).
    pub last_check: Option<(Uuid, i64, String, Vec<Uuid>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub date: String,
    pub rows: Vec<BoardRow>,
    pub holidays: Vec<String>,
}

/// One line of the ledger: a check with who made it, when, and its signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub check_id: Uuid,
    pub point_id: Uuid,
    pub point: String,
    pub kind: CheckPointKind,
    pub place: String,
    pub inspector: String,
    pub checked_at: i64,
    pub opened_by_scan: bool,
    pub superseded: bool,
    /// (item label, result, note, ticket)
    pub answers: Vec<(
        String,
        crate::domain::safety::ItemResult,
        String,
        Option<Uuid>,
    )>,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub from: String,
    pub to: String,
    pub rows: Vec<LedgerRow>,
}

#[server(endpoint = "safety/board", input = Json)]
pub async fn load_safety_board(date: String) -> Result<Board, AppError> {
    crate::server::respond(handlers::board(date).await)
}

#[server(endpoint = "safety/ledger", input = Json)]
pub async fn load_safety_ledger(month: String) -> Result<Ledger, AppError> {
    crate::server::respond(handlers::ledger(month).await)
}

/// Every check of one point, newest first, with the repair tickets its failures opened and where they stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointHistory {
    pub label: String,
    pub kind: CheckPointKind,
    pub checks: Vec<LedgerRow>,
    /// ticket id → (status, done at)
    pub tickets: Vec<(Uuid, crate::domain::ticket::Status, Option<i64>)>,
}

/// A point's history, by the point or by one of its checks (a repair ticket links to the check that opened it).
#[server(endpoint = "safety/point_history", input = Json)]
pub async fn load_point_history(
    point_id: Option<Uuid>,
    check_id: Option<Uuid>,
) -> Result<PointHistory, AppError> {
    crate::server::respond(handlers::point_history(point_id, check_id).await)
}

#[server(endpoint = "safety/set_holiday", input = Json)]
pub async fn set_safety_holiday(day: String, holiday: bool) -> Result<(), AppError> {
    crate::server::respond(handlers::set_holiday(day, holiday).await)
}

#[server(endpoint = "safety/set_rule", input = Json)]
pub async fn set_point_rule(point_id: Uuid, rule: Rule) -> Result<(), AppError> {
    crate::server::respond(handlers::set_rule(point_id, rule).await)
}

#[server(endpoint = "safety/templates", input = Json)]
pub async fn load_safety_templates() -> Result<Vec<Template>, AppError> {
    crate::server::respond(handlers::templates().await)
}

#[server(endpoint = "safety/save_template", input = Json)]
pub async fn save_safety_template(
    kind: CheckPointKind,
    items: Vec<TemplateItem>,
) -> Result<i64, AppError> {
    crate::server::respond(handlers::save_template(kind, items).await)
}

#[cfg(feature = "ssr")]
pub(crate) mod handlers {
    use super::super::db;
    use super::{Board, BoardRow, Ledger, LedgerRow};
    use crate::domain::clock::{DAY_MS, SCHOOL_UTC_OFFSET_MINUTES, date, day_range, month_range};
    use crate::domain::safety::{
        ITEM_LABEL_MAX, Rule, Template, TemplateItem, day_number, point_state, week_start,
    };
    use crate::domain::{CheckPointKind, Role};
    use crate::error::{AppError, Checks, Problem};
    use crate::features::auth::session;
    use crate::features::directory::db::places::names_and_places;
    use crate::server::db::bump_version;
    use sqlx::AnyConnection;
    use std::collections::{HashMap, HashSet};
    use uuid::Uuid;

    /// Names of people, and each place as (path, building: the top of its tree).
    async fn names(
        conn: &mut AnyConnection,
    ) -> Result<(HashMap<Uuid, String>, HashMap<Uuid, (String, String)>), sqlx::Error> {
        let (people, places) = names_and_places(conn).await?;
        let paths = places
            .values()
            .map(|place| {
                let mut top = place;
                // The admin pages never make a cycle; the bound is for safety only.
                for _ in 0..8 {
                    match top.parent_id.and_then(|p| places.get(&p)) {
                        Some(parent) => top = parent,
                        None => break,
                    }
                }
                (place.id, (place.path.clone(), top.name.clone()))
            })
            .collect();
        Ok((people, paths))
    }

    /// Every point and its state on `date` (YYYY-MM-DD, today at the school by default). The admin only.
    pub async fn board(date_text: String) -> Result<Board, AppError> {
        let state = session::require_role(&[]).await?.state;
        let today_text = if date_text.trim().is_empty() {
            date(crate::server::db::now_ms(), SCHOOL_UTC_OFFSET_MINUTES)
        } else {
            date_text.trim().to_owned()
        };
        let today =
            day_number(&today_text).ok_or_else(|| AppError::invalid("date", Problem::Invalid))?;
        let (day_start, _) = day_range(&today_text, SCHOOL_UTC_OFFSET_MINUTES)
            .ok_or_else(|| AppError::invalid("date", Problem::Invalid))?;
        let mut conn = state.db.pool.acquire().await?;
        let holidays = db::holidays(&mut conn).await?;
        let holiday_days: Vec<i64> = holidays.iter().filter_map(|d| day_number(d)).collect();
        // Checks from the start of the period before the longest one (2 × 4 weeks) until the end of today.
        let from = day_start - (today - week_start(today) + 56) * DAY_MS;
        let checks = db::checks_between(&mut conn, from, day_start + DAY_MS).await?;
        let superseded: HashSet<Uuid> = checks.iter().filter_map(|(c, _)| c.supersedes).collect();
        let (people, places) = names(&mut conn).await?;
        let offset_ms = SCHOOL_UTC_OFFSET_MINUTES * 60_000;
        let mut rows: Vec<BoardRow> = db::all_points(&mut conn)
            .await?
            .into_iter()
            .filter(|p| p.active)
            .map(|point| {
                let in_force: Vec<_> = checks
                    .iter()
                    .filter(|(c, _)| c.point_id == point.id && !superseded.contains(&c.id))
                    .collect();
                let days: Vec<(i64, bool)> = in_force
                    .iter()
                    .map(|(c, _)| ((c.checked_at + offset_ms).div_euclid(DAY_MS), c.failed))
                    .collect();
                let since = (point.created_at + offset_ms).div_euclid(DAY_MS);
                let state = point_state(point.rule, today, &holiday_days, &days, since);
                let (place, building) = places.get(&point.place_id).cloned().unwrap_or_default();
                BoardRow {
                    point_id: point.id,
                    label: point.label,
                    kind: point.kind,
                    building,
                    place,
                    responsible: point.responsible_id.and_then(|r| people.get(&r).cloned()),
                    rule: point.rule,
                    state,
                    last_check: in_force.last().map(|(c, _)| {
                        (
                            c.id,
                            c.checked_at,
                            people.get(&c.inspector_id).cloned().unwrap_or_default(),
                            c.answers.iter().filter_map(|a| a.ticket_id).collect(),
                        )
                    }),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            use crate::domain::safety::PointState::*;
            let rank = |s| match s {
                Overdue => 0,
                Failed => 1,
                DueToday => 2,
                NotYet => 3,
                Done => 4,
                NotDue => 5,
            };
            (rank(a.state), &a.building, &a.label).cmp(&(rank(b.state), &b.building, &b.label))
        });
        Ok(Board {
            date: today_text,
            rows,
            holidays,
        })
    }

    /// A month (`YYYY-MM`) or the Monday-to-Sunday week containing a day (`YYYY-MM-DD`), as a UTC range.
    pub fn period_range(period: &str) -> Result<(i64, i64), AppError> {
        let period = period.trim();
        let range = if period.len() == 10 {
            day_number(period).map(|day| {
                let monday = week_start(day);
                let offset = SCHOOL_UTC_OFFSET_MINUTES * 60_000;
                (monday * DAY_MS - offset, (monday + 7) * DAY_MS - offset)
            })
        } else {
            month_range(period, SCHOOL_UTC_OFFSET_MINUTES)
        };
        range.ok_or_else(|| AppError::invalid("month", Problem::Invalid))
    }

    /// The checks of a month or a week, with signatures, for the printed ledger and the CSV.
    pub async fn ledger_rows(
        conn: &mut AnyConnection,
        month: &str,
    ) -> Result<Vec<LedgerRow>, AppError> {
        let (from, to) = period_range(month)?;
        ledger_between(conn, from, to).await
    }

    async fn ledger_between(
        conn: &mut AnyConnection,
        from: i64,
        to: i64,
    ) -> Result<Vec<LedgerRow>, AppError> {
        let checks = db::checks_between(conn, from, to).await?;
        ledger_of(conn, checks).await
    }

    /// Ledger lines for checks, with names.
    async fn ledger_of(
        conn: &mut AnyConnection,
        checks: Vec<(db::CheckRow, String)>,
    ) -> Result<Vec<LedgerRow>, AppError> {
        let superseded: HashSet<Uuid> = checks.iter().filter_map(|(c, _)| c.supersedes).collect();
        let points: HashMap<Uuid, db::PointRow> = db::all_points(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let (people, places) = names(conn).await?;
        Ok(checks
            .into_iter()
            .map(|(check, signature)| {
                let point = points.get(&check.point_id);
                LedgerRow {
                    check_id: check.id,
                    point_id: check.point_id,
                    point: point.map(|p| p.label.clone()).unwrap_or_default(),
                    kind: point.map_or(CheckPointKind::Extinguisher, |p| p.kind),
                    place: point
                        .and_then(|p| places.get(&p.place_id))
                        .map(|(path, _)| path.clone())
                        .unwrap_or_default(),
                    inspector: people.get(&check.inspector_id).cloned().unwrap_or_default(),
                    checked_at: check.checked_at,
                    opened_by_scan: check.opened_by_scan,
                    superseded: superseded.contains(&check.id),
                    answers: check
                        .answers
                        .into_iter()
                        .map(|a| (a.label, a.result, a.note, a.ticket_id))
                        .collect(),
                    signature,
                }
            })
            .collect())
    }

    pub async fn ledger(month: String) -> Result<Ledger, AppError> {
        let state = session::require_role(&[Role::SafetyInspector]).await?.state;
        let mut conn = state.db.pool.acquire().await?;
        let rows = ledger_rows(&mut conn, &month).await?;
        Ok(Ledger {
            from: month.clone(),
            to: month,
            rows,
        })
    }

    pub async fn point_history(
        point: Option<Uuid>,
        check: Option<Uuid>,
    ) -> Result<super::PointHistory, AppError> {
        let state = session::require_role(&[Role::SafetyInspector]).await?.state;
        let mut conn = state.db.pool.acquire().await?;
        let point = match (point, check) {
            (Some(point), _) => point,
            (None, Some(check)) => db::point_of_check(&mut conn, check)
                .await?
                .ok_or(AppError::NotFound)?,
            (None, None) => return Err(AppError::NotFound),
        };
        let ids: HashSet<Uuid> = [point].into();
        let found = db::points_by_id(&mut conn, &ids).await?;
        let row = found.get(&point).ok_or(AppError::NotFound)?;
        let (label, kind) = (row.label.clone(), row.kind);
        let of_point = db::checks_of_point(&mut conn, point).await?;
        let mut checks = ledger_of(&mut conn, of_point).await?;
        checks.reverse();
        let ticket_ids: HashSet<Uuid> = checks
            .iter()
            .flat_map(|c| c.answers.iter().filter_map(|a| a.3))
            .collect();
        let tickets = crate::features::repair_tickets::db::tickets_by_id(&mut conn, &ticket_ids)
            .await?
            .into_values()
            .map(|t| (t.id, t.status, t.done_at))
            .collect();
        Ok(super::PointHistory {
            label,
            kind,
            checks,
            tickets,
        })
    }

    pub async fn set_holiday(day: String, holiday: bool) -> Result<(), AppError> {
        let state = session::require_role(&[]).await?.state;
        if day_number(&day).is_none() {
            return Err(AppError::invalid("day", Problem::Invalid));
        }
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        db::set_holiday(&mut tx, day.trim(), holiday, version).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_rule(point: Uuid, rule: Rule) -> Result<(), AppError> {
        let state = session::require_role(&[]).await?.state;
        if !rule.valid() {
            return Err(AppError::invalid("rule", Problem::Invalid));
        }
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        if !db::set_rule(&mut tx, point, rule, version).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The latest version of each kind's checklist.
    pub async fn templates() -> Result<Vec<Template>, AppError> {
        let state = session::require_role(&[Role::SafetyInspector]).await?.state;
        let mut conn = state.db.pool.acquire().await?;
        let mut latest: HashMap<CheckPointKind, Template> = HashMap::new();
        for (_, template) in db::templates(&mut conn).await? {
            if latest
                .get(&template.kind)
                .is_none_or(|t| t.version < template.version)
            {
                latest.insert(template.kind, template);
            }
        }
        let mut list: Vec<Template> = latest.into_values().collect();
        list.sort_by_key(|t| t.kind);
        Ok(list)
    }

    /// Saves a kind's checklist as a new version; checks made with the old one keep it.
    pub async fn save_template(
        kind: CheckPointKind,
        items: Vec<TemplateItem>,
    ) -> Result<i64, AppError> {
        let state = session::require_role(&[]).await?.state;
        let mut checks = Checks::new();
        let mut keys = HashSet::new();
        let mut clean = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let label = checks.text(&format!("items.{n}"), &item.label, ITEM_LABEL_MAX);
            let key = item.key.trim().to_owned();
            if key.is_empty() || key.len() > 40 || !keys.insert(key.clone()) {
                checks.add(&format!("items.{n}"), Problem::Invalid);
            }
            clean.push(TemplateItem {
                key,
                label,
                category: item.category,
            });
        }
        if clean.is_empty() {
            checks.add("items", Problem::Required);
        }
        checks.finish()?;
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        let number = db::add_template(&mut tx, kind, &clean, version).await?;
        tx.commit().await?;
        Ok(number)
    }
}
