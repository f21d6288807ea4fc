//! Friday fire-safety and anti-theft rounds (消防、防盗设施检查): checklists per kind of check point, schedules,
//! and the state of each point on a given day.
//!
//! A completed check is immutable: a mistake is corrected by a new check of the same point that supersedes it.
//! Each check keeps the template version it was made with, so editing a template never changes a past check.

use super::check_point::CheckPointKind;
use super::clock::{DAY_MS, day_range};
use super::coded_enum;
use super::photo::PhotoRef;
use super::ticket::Category;
use crate::error::{AppError, Checks, Problem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The mutation of this job, by name and version.
pub const CHECK: &str = "safety.check@1";
pub const NOTE_MAX: u32 = 200;
pub const ITEM_LABEL_MAX: u32 = 60;
/// A signature drawn on the screen, as a PNG data URL.
pub const SIGNATURE_MAX_BYTES: usize = 200 * 1024;
pub const SIGNATURE_PREFIX: &str = "data:image/png;base64,";

coded_enum! {
    pub enum ItemResult {
        Pass = "pass",
        Fail = "fail",
        NotApplicable = "not_applicable",
    }
}

/// One line of a checklist: what to look at, and which kind of repair a failure calls for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateItem {
    pub key: String,
    pub label: String,
    pub category: Category,
}

/// The checklist of one kind of check point, at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub kind: CheckPointKind,
    pub version: i64,
    pub items: Vec<TemplateItem>,
}

fn item(key: &str, label: &str, category: Category) -> TemplateItem {
    TemplateItem {
        key: key.into(),
        label: label.into(),
        category,
    }
}

/// The checklists the school starts with (version 1), in the words of a Chinese school's fire-safety ledger.
pub fn default_items(kind: CheckPointKind) -> Vec<TemplateItem> {
    use Category::{Building, DoorsLocks, Electrical, ItAv, Other, Plumbing};
    match kind {
        CheckPointKind::Extinguisher => vec![
            item("pressure", "压力表指针在绿区", Other),
            item("seal", "铅封、保险销完好", Other),
            item("expiry", "在有效期内", Other),
            item("access", "放置位置明显、取用无遮挡", Other),
            item("label", "标签、检查卡齐全", Other),
        ],
        CheckPointKind::Hydrant => vec![
            item("hose", "水带、水枪齐全完好", Plumbing),
            item("valve", "阀门开关灵活、无漏水", Plumbing),
            item("door", "箱门开启顺畅、无遮挡", Building),
        ],
        CheckPointKind::FireAlarm => vec![
            item("power", "电源指示正常", Electrical),
            item("test", "按钮或探测器测试正常", Electrical),
        ],
        CheckPointKind::EmergencyLight => vec![
            item("light", "断电后能正常点亮", Electrical),
            item("battery", "充电指示正常", Electrical),
        ],
        CheckPointKind::ExitSign => vec![
            item("lit", "标志灯常亮、清晰", Electrical),
            item("direction", "指示方向正确", Building),
        ],
        CheckPointKind::EscapeRoute => vec![
            item("clear", "通道畅通、无杂物堆放", Other),
            item("stairs", "楼梯扶手、台阶完好", Building),
        ],
        CheckPointKind::FireDoor => vec![
            item("closer", "闭门器完好、能自行关闭", DoorsLocks),
            item("unlocked", "未上锁、未被堵塞", DoorsLocks),
        ],
        CheckPointKind::Lock => vec![
            item("works", "锁具开关灵活", DoorsLocks),
            item("keys", "钥匙管理到位", DoorsLocks),
        ],
        CheckPointKind::AntiTheft => vec![
            item("door", "防盗门完好、锁闭正常", DoorsLocks),
            item("bars", "防盗窗栏牢固无松动", Building),
        ],
        CheckPointKind::Camera => vec![
            item("image", "画面清晰、角度正确", ItAv),
            item("recording", "录像保存正常", ItAv),
        ],
    }
}

/// One answer of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub key: String,
    pub result: ItemResult,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
}

/// `safety.check@1`: one completed, signed check of one point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckArgs {
    pub check_id: Uuid,
    pub point_id: Uuid,
    pub template_version: i64,
    pub answers: Vec<Answer>,
    /// The inspector's signature drawn on the screen (PNG data URL).
    pub signature: String,
    /// Opened by scanning the point's QR label (proof of presence).
    #[serde(default)]
    pub opened_by_scan: bool,
    /// The phone's clock when the check was signed.
    pub checked_at_ms: i64,
    /// The earlier check of this point that this one corrects.
    #[serde(default)]
    pub supersedes: Option<Uuid>,
}

impl CheckArgs {
    /// Checks the answers against the template they claim: every item answered once, no other item, a note or a
    /// photo with every failure, a signature. Reports every problem at once (field `answers.<key>`).
    pub fn validate(self, template: &Template) -> Result<CheckArgs, AppError> {
        let mut checks = Checks::new();
        let mut answers = Vec::with_capacity(self.answers.len());
        for item in &template.items {
            let field = format!("answers.{}", item.key);
            let mut given = self.answers.iter().filter(|a| a.key == item.key);
            match (given.next(), given.next()) {
                (None, _) => checks.add(&field, Problem::Required),
                (Some(_), Some(_)) => checks.add(&field, Problem::Invalid),
                (Some(answer), None) => {
                    let note = checks
                        .optional_text(&field, &answer.note, NOTE_MAX)
                        .unwrap_or_default();
                    if answer.result == ItemResult::Fail
                        && note.is_empty()
                        && answer.photos.is_empty()
                    {
                        checks.add(&field, Problem::Required);
                    }
                    if answer.photos.len() > super::photo::PHOTOS_MAX
                        || answer.photos.iter().any(|p| !p.valid())
                    {
                        checks.add(&field, Problem::Invalid);
                    }
                    answers.push(Answer {
                        note,
                        ..answer.clone()
                    });
                }
            }
        }
        if self
            .answers
            .iter()
            .any(|a| !template.items.iter().any(|i| i.key == a.key))
        {
            checks.add("answers", Problem::Invalid);
        }
        if !self.signature.starts_with(SIGNATURE_PREFIX)
            || self.signature.len() <= SIGNATURE_PREFIX.len()
        {
            checks.add("signature", Problem::Required);
        } else if self.signature.len() > SIGNATURE_MAX_BYTES {
            checks.add("signature", Problem::Invalid);
        }
        checks.finish()?;
        Ok(CheckArgs { answers, ..self })
    }

    pub fn failed(&self) -> bool {
        self.answers.iter().any(|a| a.result == ItemResult::Fail)
    }
}

/// When a point is due: on `weekday` (1 Monday … 7 Sunday) every `every_weeks` weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub weekday: u32,
    pub every_weeks: u32,
}

impl Default for Rule {
    /// Friday is safety inspection day, every week.
    fn default() -> Rule {
        Rule {
            weekday: 5,
            every_weeks: 1,
        }
    }
}

impl Rule {
    pub fn valid(self) -> bool {
        (1..=7).contains(&self.weekday) && (1..=4).contains(&self.every_weeks)
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date; `None` if there is no such day.
pub fn day_number(date: &str) -> Option<i64> {
    day_range(date, 0).map(|(start, _)| start.div_euclid(DAY_MS))
}

/// Monday of the week containing `day` (1970-01-01 was a Thursday).
pub fn week_start(day: i64) -> i64 {
    day - (day + 3).rem_euclid(7)
}

/// Where a point stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointState {
    /// Checked in this period, everything passed.
    Done,
    /// Checked in this period, something failed (a repair ticket exists).
    Failed,
    /// Due today and not checked yet.
    DueToday,
    /// Due later in this period.
    NotYet,
    /// The due day has passed unchecked.
    Overdue,
    /// Nothing due this period (another week of a fortnightly rule, or the due day is a holiday).
    NotDue,
}

/// The state of a point on `today`, from its rule, the holidays the admin marked, and its checks in force (not
/// superseded) as (day, failed) in the order they were made. Days are day numbers at the school's offset;
/// `since` is the first day the point counts (when it was added), so a new point is not overdue for before.
///
/// A period is the `every_weeks` weeks starting on a Monday whose week number is a multiple of `every_weeks`;
/// the point is due on `weekday` of its first week. The latest check in the period decides Done or Failed (a
/// passing re-check after a repair clears a failure). Unchecked, it is overdue from the day after its due day to
/// the end of the period, and a missed period stays overdue into the next one until a check is made there or the
/// next due day comes; a due day that is a holiday is skipped.
pub fn point_state(
    rule: Rule,
    today: i64,
    holidays: &[i64],
    checks: &[(i64, bool)],
    since: i64,
) -> PointState {
    let every = i64::from(rule.every_weeks.clamp(1, 4));
    let weekday = i64::from(rule.weekday.clamp(1, 7));
    let monday = week_start(today);
    let start = monday - 7 * monday.div_euclid(7).rem_euclid(every);
    let end = start + 7 * every;
    let latest = |from: i64, to: i64| {
        checks
            .iter()
            .rfind(|(day, _)| (from..to).contains(day))
            .map(|(_, failed)| *failed)
    };
    if let Some(failed) = latest(start, end) {
        return if failed {
            PointState::Failed
        } else {
            PointState::Done
        };
    }
    let due = start + weekday - 1;
    let counts = |day: i64| day >= since && !holidays.contains(&day);
    if counts(due) {
        match today.cmp(&due) {
            std::cmp::Ordering::Equal => return PointState::DueToday,
            std::cmp::Ordering::Greater => return PointState::Overdue,
            std::cmp::Ordering::Less => {}
        }
    }
    // Before this period's due day (or it does not count): last period's miss still shows.
    let previous = start - 7 * every;
    if counts(previous + weekday - 1) && latest(previous, start).is_none() {
        return PointState::Overdue;
    }
    if counts(due) {
        PointState::NotYet
    } else {
        PointState::NotDue
    }
}

// The tables these rows are synced in (`domain::sync::Synced`).
crate::domain::sync::synced! {
    PointRow => "check_points",
    Template => "safety_templates",
    HolidayRow => "safety_holidays",
    CheckRow => "safety_checks",
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str) -> i64 {
        day_number(date).unwrap()
    }

    fn template() -> Template {
        Template {
            kind: CheckPointKind::Extinguisher,
            version: 1,
            items: default_items(CheckPointKind::Extinguisher),
        }
    }

    fn answers(result: ItemResult) -> Vec<Answer> {
        template()
            .items
            .iter()
            .map(|i| Answer {
                key: i.key.clone(),
                result,
                note: String::new(),
                photos: vec![],
            })
            .collect()
    }

    fn args(answers: Vec<Answer>) -> CheckArgs {
        CheckArgs {
            check_id: Uuid::now_v7(),
            point_id: Uuid::now_v7(),
            template_version: 1,
            answers,
            signature: format!("{SIGNATURE_PREFIX}iVBORw0KGgo="),
            opened_by_scan: true,
            checked_at_ms: 0,
            supersedes: None,
        }
    }

    #[test]
    fn fridays_are_due_and_become_overdue() {
        let rule = Rule::default();
        let since = day("2026-11-01");
        let none: &[(i64, bool)] = &[];
        // 2026-11-27 is a Friday; the Friday before was checked.
        let last_week = [(day("2026-11-20"), false)];
        assert_eq!(
            point_state(rule, day("2026-11-24"), &[], &last_week, since),
            PointState::NotYet
        );
        assert_eq!(
            point_state(rule, day("2026-11-27"), &[], &last_week, since),
            PointState::DueToday
        );
        assert_eq!(
            point_state(rule, day("2026-11-28"), &[], &last_week, since),
            PointState::Overdue
        );
        // Missed: still overdue on Monday, until checked.
        assert_eq!(
            point_state(rule, day("2026-11-30"), &[], &last_week, since),
            PointState::Overdue
        );
        assert_eq!(
            point_state(
                rule,
                day("2026-12-01"),
                &[],
                &[(day("2026-11-30"), false)],
                since
            ),
            PointState::Done
        );
        // A check earlier in the week counts for the week; the latest check decides.
        let tuesday = day("2026-11-24");
        assert_eq!(
            point_state(rule, day("2026-11-28"), &[], &[(tuesday, false)], since),
            PointState::Done
        );
        assert_eq!(
            point_state(rule, day("2026-11-28"), &[], &[(tuesday, true)], since),
            PointState::Failed
        );
        assert_eq!(
            point_state(
                rule,
                day("2026-11-28"),
                &[],
                &[(tuesday, true), (day("2026-11-27"), false)],
                since
            ),
            PointState::Done,
            "a passing re-check after the repair"
        );
        // A point added this week owes nothing for last week.
        assert_eq!(
            point_state(rule, day("2026-11-24"), &[], none, day("2026-11-23")),
            PointState::NotYet
        );
        assert_eq!(
            point_state(rule, day("2026-11-24"), &[], none, since),
            PointState::Overdue
        );
    }

    #[test]
    fn holidays_and_fortnights() {
        let rule = Rule::default();
        let since = day("2026-11-23");
        assert_eq!(
            point_state(rule, day("2026-11-28"), &[day("2026-11-27")], &[], since),
            PointState::NotDue
        );
        let fortnightly = Rule {
            weekday: 3,
            every_weeks: 2,
        };
        let since = day("2026-11-01");
        let (a, b) = (day("2026-11-25"), day("2026-12-02"));
        // One of two consecutive Wednesdays is the due day; a check on it covers the whole fortnight.
        let due = if point_state(fortnightly, a, &[], &[(a - 14, false)], since)
            == PointState::DueToday
        {
            a
        } else {
            b
        };
        assert_eq!(
            point_state(fortnightly, due, &[], &[(due - 14, false)], since),
            PointState::DueToday
        );
        assert_eq!(
            point_state(fortnightly, due + 7, &[], &[(due, false)], since),
            PointState::Done
        );
        assert_eq!(
            point_state(fortnightly, due + 7, &[], &[(due - 14, false)], since),
            PointState::Overdue
        );
        assert!(
            !Rule {
                weekday: 8,
                every_weeks: 1
            }
            .valid()
        );
        assert_eq!(day_number("2026-11-31"), None);
    }

    #[test]
    fn a_check_answers_every_item_and_explains_each_failure() {
        assert!(
            args(answers(ItemResult::Pass))
                .validate(&template())
                .is_ok()
        );
        let mut missing = answers(ItemResult::Pass);
        missing.pop();
        let error = args(missing).validate(&template()).unwrap_err();
        assert_eq!(
            error.field_problem("answers.label"),
            Some(Problem::Required)
        );
        let mut failed = answers(ItemResult::Pass);
        failed[0].result = ItemResult::Fail;
        let error = args(failed.clone()).validate(&template()).unwrap_err();
        assert_eq!(
            error.field_problem("answers.pressure"),
            Some(Problem::Required)
        );
        failed[0].note = "指针在红区".into();
        let checked = args(failed).validate(&template()).unwrap();
        assert!(checked.failed());
        let mut unsigned = args(answers(ItemResult::NotApplicable));
        unsigned.signature.clear();
        assert_eq!(
            unsigned
                .validate(&template())
                .unwrap_err()
                .field_problem("signature"),
            Some(Problem::Required)
        );
        let mut extra = answers(ItemResult::Pass);
        extra.push(Answer {
            key: "nozzle".into(),
            result: ItemResult::Pass,
            note: String::new(),
            photos: vec![],
        });
        assert_eq!(
            args(extra)
                .validate(&template())
                .unwrap_err()
                .field_problem("answers"),
            Some(Problem::Invalid)
        );
    }
}

/// A check point as the rounds need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointRow {
    pub id: Uuid,
    pub place_id: Uuid,
    pub kind: CheckPointKind,
    pub label: String,
    pub responsible_id: Option<Uuid>,
    pub rule: Rule,
    pub active: bool,
    /// When the point was added (ms): it owes no check for before.
    #[serde(default)]
    pub created_at: i64,
}

/// One answer of a check as phones and the ledger see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRow {
    pub key: String,
    pub label: String,
    pub result: ItemResult,
    pub note: String,
    pub ticket_id: Option<Uuid>,
}

/// A check as phones and the board see it (the signature only on the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    pub id: Uuid,
    pub point_id: Uuid,
    pub template_version: i64,
    pub inspector_id: Uuid,
    pub checked_at: i64,
    pub opened_by_scan: bool,
    pub supersedes: Option<Uuid>,
    pub failed: bool,
    pub answers: Vec<AnswerRow>,
}

/// A day without rounds (`safety_holidays`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRow {
    pub id: Uuid,
    pub day: String,
}
