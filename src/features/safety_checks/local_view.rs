//! The safety rounds as the phone holds them: the points due today with their state, from the snapshot ⊕ the
//! outbox, and the names of states and results.
use crate::components::{phone_now_ms, phone_utc_offset};
use crate::domain::clock::DAY_MS;
use crate::domain::safety::{CHECK, CheckArgs, ItemResult, PointState, day_number, point_state};
use crate::i18n::*;
use crate::sync::local::LocalData;
use std::collections::HashMap;
use uuid::Uuid;

/// A check point as this phone holds it.
pub type LocalPoint = crate::domain::safety::PointRow;
pub(super) use crate::domain::safety::CheckRow;
use crate::domain::safety::HolidayRow as Holiday;

/// What the day's state needs of a check, synced or still waiting on this phone.
struct CheckFacts {
    id: Uuid,
    point_id: Uuid,
    checked_at: i64,
    supersedes: Option<Uuid>,
    failed: bool,
}

/// A point and where it stands today on this phone (synced checks ⊕ pending ones).
#[derive(Debug, Clone, PartialEq)]
pub struct PointToday {
    pub point: LocalPoint,
    pub state: PointState,
    pub pending: bool,
}

pub(super) fn today_number() -> i64 {
    (phone_now_ms() + phone_utc_offset() * 60_000).div_euclid(DAY_MS)
}

/// Every point this phone holds, with its state today.
pub(super) fn points_today(local: LocalData) -> Vec<PointToday> {
    let points: Vec<LocalPoint> = local.rows();
    let mut checks: Vec<CheckFacts> = local
        .rows::<CheckRow>()
        .into_iter()
        .map(|c| CheckFacts {
            id: c.id,
            point_id: c.point_id,
            checked_at: c.checked_at,
            supersedes: c.supersedes,
            failed: c.failed,
        })
        .collect();
    let pending: Vec<CheckArgs> = local.pending_args(CHECK);
    for args in &pending {
        checks.push(CheckFacts {
            id: args.check_id,
            point_id: args.point_id,
            checked_at: args.checked_at_ms,
            supersedes: args.supersedes,
            failed: args.failed(),
        });
    }
    let superseded: std::collections::HashSet<Uuid> =
        checks.iter().filter_map(|c| c.supersedes).collect();
    let holidays: Vec<i64> = local
        .rows::<Holiday>()
        .iter()
        .filter_map(|h| day_number(&h.day))
        .collect();
    let offset = phone_utc_offset() * 60_000;
    let today = today_number();
    // In the order they were made: the latest check of a period decides.
    checks.sort_by_key(|c| c.checked_at);
    let mut by_point: HashMap<Uuid, Vec<(i64, bool)>> = HashMap::new();
    for check in checks.iter().filter(|c| !superseded.contains(&c.id)) {
        by_point
            .entry(check.point_id)
            .or_default()
            .push(((check.checked_at + offset).div_euclid(DAY_MS), check.failed));
    }
    let mut list: Vec<PointToday> = points
        .into_iter()
        .map(|point| {
            let days = by_point.get(&point.id).cloned().unwrap_or_default();
            PointToday {
                state: point_state(
                    point.rule,
                    today,
                    &holidays,
                    &days,
                    (point.created_at + offset).div_euclid(DAY_MS),
                ),
                pending: pending.iter().any(|p| p.point_id == point.id),
                point,
            }
        })
        .collect();
    list.sort_by(|a, b| (rank(a.state), &a.point.label).cmp(&(rank(b.state), &b.point.label)));
    list
}

/// The home card's count: the points still owed a check today or overdue, of those this person answers for (all
/// of them for someone who answers for none, such as the admin).
pub fn due_now(local: LocalData) -> usize {
    let me = local.user_id();
    let points = points_today(local);
    let mine = points.iter().any(|p| p.point.responsible_id == Some(me));
    points
        .iter()
        .filter(|p| !mine || p.point.responsible_id == Some(me))
        .filter(|p| matches!(p.state, PointState::DueToday | PointState::Overdue))
        .count()
}

pub(super) fn rank(state: PointState) -> u8 {
    match state {
        PointState::Overdue => 0,
        PointState::DueToday => 1,
        PointState::Failed => 2,
        PointState::NotYet => 3,
        PointState::Done => 4,
        PointState::NotDue => 5,
    }
}

pub fn state_name(locale: Locale, state: PointState) -> String {
    match state {
        PointState::Done => td_string!(locale, safety.done),
        PointState::Failed => td_string!(locale, safety.failed),
        PointState::DueToday => td_string!(locale, safety.due_today),
        PointState::NotYet => td_string!(locale, safety.not_yet),
        PointState::Overdue => td_string!(locale, safety.overdue),
        PointState::NotDue => td_string!(locale, safety.not_due),
    }
    .to_string()
}

pub fn state_class(state: PointState) -> &'static str {
    match state {
        PointState::Done => "badge state-done",
        PointState::Failed | PointState::Overdue => "badge badge-warn",
        PointState::DueToday => "badge badge-pending",
        PointState::NotYet | PointState::NotDue => "badge",
    }
}

pub fn result_name(locale: Locale, result: ItemResult) -> String {
    match result {
        ItemResult::Pass => td_string!(locale, safety.pass),
        ItemResult::Fail => td_string!(locale, safety.fail),
        ItemResult::NotApplicable => td_string!(locale, safety.na),
    }
    .to_string()
}
