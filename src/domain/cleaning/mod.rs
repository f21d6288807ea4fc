//! Cleaning-zone scores (卫生评比): rubrics per kind of zone, immutable scored checks, appeals, and the league
//! (weekly for classes, monthly for teachers' offices).
//!
//! A check is never changed: a mistake is corrected by a new check of the same zone that supersedes it, and an
//! appeal the admin accepts takes a check out of the league. Each check keeps the rubric version it was scored
//! with, so editing a rubric never changes a past score.
//!
//! ## How the league is computed ([`standings`])
//!
//! 1. Only checks in force count: not superseded by a correction, not withdrawn by an accepted appeal.
//! 2. Each check's score is put on a 10-point scale (score ÷ full score × 10), so rubrics of other sizes compare.
//! 3. **Daily checks** (at the fixed times): a day's score is the mean of that day's daily checks of the class
//!    (every slot, every zone it keeps). Each school day with a daily check counts once.
//! 4. **Spot checks** count one by one, each weighing `spot_weight_pct` ÷ 100 days (2 by default: a random
//!    check shows the zone as it really is).
//! 5. The period's score = (Σ day scores + weight × Σ spot scores) ÷ (days + weight × spot checks), in hundredths.
//! 6. **Missing days** are left out: a day nobody checked neither helps nor hurts a class (the gap is the
//!    inspectors', not the class's). A class with no check in force in the period is listed unranked.
//! 7. **Ties**: a higher score first; then fewer checks below the threshold; then the higher lowest check; a
//!    tie on all three shares the rank (1, 1, 3).
//! 8. The class ranked first holds the red flag (流动红旗) — all of them if tied — unless its score is below the
//!    threshold; every class below the threshold (6.00 by default) is flagged to re-clean (需重新打扫).

use super::coded_enum;
use super::photo::{PHOTOS_MAX, PhotoRef};
use crate::error::{AppError, Checks, Problem};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

mod league;
mod rows;

pub use league::*;
pub use rows::*;

/// The mutations of this job, by name and version.
pub const CHECK: &str = "cleaning.check@1";
pub const APPEAL: &str = "cleaning.appeal@1";
pub const NOTE_MAX: u32 = 200;
pub const REASON_MAX: u32 = 300;
pub const ITEM_LABEL_MAX: u32 = 40;
pub const ITEMS_MAX: usize = 20;
/// Scores on the league's 10-point scale, in hundredths.
pub const SCALE_CENTI: i64 = 1000;

coded_enum! {
    /// Which rubric a zone is scored with.
    pub enum ZoneKind {
        Outdoor = "outdoor",
        Indoor = "indoor",
        Office = "office",
    }
}

coded_enum! {
    /// The two leagues: classes weekly, teachers' offices monthly.
    pub enum League {
        Class = "class",
        Office = "office",
    }
}

coded_enum! {
    /// 好 / 中 / 差.
    pub enum Grade {
        Good = "good",
        Fair = "fair",
        Poor = "poor",
    }
}

coded_enum! {
    /// A daily check at one of the day's fixed times, or a random spot check (抽查).
    pub enum CheckKind {
        Daily = "daily",
        Spot = "spot",
    }
}

coded_enum! {
    pub enum AppealStatus {
        Open = "open",
        Accepted = "accepted",
        Rejected = "rejected",
    }
}

/// One line of a rubric and what each grade deducts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricItem {
    pub key: String,
    pub label: String,
    pub good: i64,
    pub fair: i64,
    pub poor: i64,
}

impl RubricItem {
    pub fn deduction(&self, grade: Grade) -> i64 {
        match grade {
            Grade::Good => self.good,
            Grade::Fair => self.fair,
            Grade::Poor => self.poor,
        }
    }
}

/// The rubric of one kind of zone, at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubric {
    pub kind: ZoneKind,
    pub version: i64,
    pub full_score: i64,
    pub items: Vec<RubricItem>,
}

fn item(key: &str, label: &str) -> RubricItem {
    RubricItem {
        key: key.into(),
        label: label.into(),
        good: 0,
        fair: 1,
        poor: 2,
    }
}

/// The rubrics the school starts with (version 1): five items, 好/中/差 deducting 0/1/2 from 10.
pub fn default_items(kind: ZoneKind) -> Vec<RubricItem> {
    match kind {
        ZoneKind::Outdoor => vec![
            item("litter", "纸屑、垃圾"),
            item("leaves", "落叶、杂草"),
            item("drains", "排水沟、窨井"),
            item("walls", "墙面、栏杆"),
            item("bins", "垃圾桶及周边"),
        ],
        ZoneKind::Indoor => vec![
            item("floor", "地面"),
            item("walls", "墙面、门窗"),
            item("railings", "扶手、栏杆"),
            item("bins", "垃圾桶"),
            item("corners", "卫生死角"),
        ],
        ZoneKind::Office => vec![
            item("floor", "地面"),
            item("desks", "桌面、物品摆放"),
            item("windows", "门窗、玻璃"),
            item("bins", "垃圾桶"),
            item("air", "通风、绿植"),
        ],
    }
}

pub const FULL_SCORE: i64 = 10;

impl Rubric {
    /// Checks a rubric the admin edited: 1–20 items with unique keys and labels, deductions between 0 and the
    /// full score that grow from 好 to 差, a full score of 1–100.
    pub fn validate(self) -> Result<Rubric, AppError> {
        let mut checks = Checks::new();
        if !(1..=100).contains(&self.full_score) {
            checks.add("full_score", Problem::Invalid);
        }
        if self.items.is_empty() {
            checks.add("items", Problem::Required);
        }
        if self.items.len() > ITEMS_MAX {
            checks.add("items", Problem::Invalid);
        }
        let mut keys = HashSet::new();
        let mut items = Vec::with_capacity(self.items.len());
        for (n, item) in self.items.iter().enumerate() {
            let field = format!("items.{n}");
            let label = checks.text(&field, &item.label, ITEM_LABEL_MAX);
            let key = item.key.trim().to_owned();
            let in_range = |d: i64| (0..=self.full_score.max(0)).contains(&d);
            if key.is_empty()
                || key.len() > 40
                || !keys.insert(key.clone())
                || ![item.good, item.fair, item.poor].into_iter().all(in_range)
                || item.good > item.fair
                || item.fair > item.poor
            {
                checks.add(&field, Problem::Invalid);
            }
            items.push(RubricItem {
                key,
                label,
                ..item.clone()
            });
        }
        checks.finish()?;
        Ok(Rubric { items, ..self })
    }
}

/// One rated item of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub key: String,
    pub grade: Grade,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
}

/// `cleaning.check@1`: one scored check of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckArgs {
    pub check_id: Uuid,
    pub zone_id: Uuid,
    pub rubric_version: i64,
    pub kind: CheckKind,
    /// The fixed time (`08:00`) a daily check was made for; the drawn time of a spot check, if any.
    #[serde(default)]
    pub slot: Option<String>,
    pub ratings: Vec<Rating>,
    /// The phone's clock when the check was saved.
    pub checked_at_ms: i64,
    /// The earlier check of this zone that this one corrects.
    #[serde(default)]
    pub supersedes: Option<Uuid>,
}

/// `HH:MM`, 00:00–23:59.
pub fn valid_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 5
        && bytes[2] == b':'
        && text[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && text[3..].parse::<u32>().is_ok_and(|m| m < 60)
        && bytes[..2].iter().chain(&bytes[3..]).all(u8::is_ascii_digit)
}

impl CheckArgs {
    /// Checks the ratings against the rubric they claim: every item rated once, no other item, a photo with
    /// every deduction, notes within bounds, a fixed time for a daily check. Reports every problem at once
    /// (field `ratings.<key>`). Answers the checked arguments and the score.
    pub fn validate(self, rubric: &Rubric) -> Result<(CheckArgs, i64), AppError> {
        let mut checks = Checks::new();
        let mut ratings = Vec::with_capacity(self.ratings.len());
        let mut deducted = 0;
        for item in &rubric.items {
            let field = format!("ratings.{}", item.key);
            let mut given = self.ratings.iter().filter(|r| r.key == item.key);
            match (given.next(), given.next()) {
                (None, _) => checks.add(&field, Problem::Required),
                (Some(_), Some(_)) => checks.add(&field, Problem::Invalid),
                (Some(rating), None) => {
                    let note = checks
                        .optional_text(&field, &rating.note, NOTE_MAX)
                        .unwrap_or_default();
                    let deduction = item.deduction(rating.grade);
                    if deduction > 0 && rating.photos.is_empty() {
                        checks.add(&field, Problem::Required);
                    }
                    if rating.photos.len() > PHOTOS_MAX || rating.photos.iter().any(|p| !p.valid())
                    {
                        checks.add(&field, Problem::Invalid);
                    }
                    deducted += deduction;
                    ratings.push(Rating {
                        note,
                        // Photos prove a deduction; a 好 keeps none.
                        photos: if deduction > 0 {
                            rating.photos.clone()
                        } else {
                            Vec::new()
                        },
                        ..rating.clone()
                    });
                }
            }
        }
        if self
            .ratings
            .iter()
            .any(|r| !rubric.items.iter().any(|i| i.key == r.key))
        {
            checks.add("ratings", Problem::Invalid);
        }
        let slot = self
            .slot
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        match (self.kind, slot) {
            (CheckKind::Daily, None) => checks.add("slot", Problem::Required),
            (_, Some(time)) if !valid_time(time) => checks.add("slot", Problem::Invalid),
            _ => {}
        }
        checks.finish()?;
        let score = (rubric.full_score - deducted).max(0);
        Ok((
            CheckArgs {
                ratings,
                slot: slot.map(str::to_owned),
                ..self
            },
            score,
        ))
    }

    /// Every photo of the check.
    pub fn photos(&self) -> Vec<PhotoRef> {
        self.ratings
            .iter()
            .flat_map(|r| r.photos.iter().cloned())
            .collect()
    }
}

/// The score as the phone shows it while the inspector rates (items not rated yet deduct nothing).
pub fn running_score(rubric: &Rubric, grades: &[(String, Grade)]) -> i64 {
    let deducted: i64 = rubric
        .items
        .iter()
        .filter_map(|item| {
            grades
                .iter()
                .find(|(key, _)| *key == item.key)
                .map(|(_, g)| item.deduction(*g))
        })
        .sum();
    (rubric.full_score - deducted).max(0)
}

/// `cleaning.appeal@1`: a class teacher disputes a check of their class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealArgs {
    pub appeal_id: Uuid,
    pub check_id: Uuid,
    pub reason: String,
    /// The phone's clock when the appeal was written.
    pub filed_at_ms: i64,
}

impl AppealArgs {
    pub fn validate(self) -> Result<AppealArgs, AppError> {
        let mut checks = Checks::new();
        let reason = checks.text("reason", &self.reason, REASON_MAX);
        checks.finish()?;
        Ok(AppealArgs { reason, ..self })
    }
}

/// Until when a check may be appealed: the window opens when the check reaches the server (a phone may send it
/// days after it was made) and lasts `hours`.
pub fn appeal_deadline(checked_at: i64, received_at: i64, hours: i64) -> i64 {
    checked_at.max(received_at) + hours * 3_600_000
}

/// What the admin sets for the league and the rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The day's fixed check times, `HH:MM`, in order.
    pub daily_times: Vec<String>,
    /// How many days one spot check weighs, in percent (200: two days).
    pub spot_weight_pct: i64,
    /// Below this score (hundredths on the 10-point scale) a class must clean again.
    pub threshold_centi: i64,
    /// How long a class teacher may appeal a check, in hours.
    pub appeal_hours: i64,
    /// The first day of the term (`YYYY-MM-DD`), where the trend chart starts.
    pub term_start: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            daily_times: vec!["08:00".into(), "14:00".into()],
            spot_weight_pct: 200,
            threshold_centi: 600,
            appeal_hours: 24,
            term_start: "2026-09-01".into(),
        }
    }
}

impl Settings {
    pub fn validate(self) -> Result<Settings, AppError> {
        let mut checks = Checks::new();
        let mut times: Vec<String> = self
            .daily_times
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        if times.is_empty() {
            checks.add("daily_times", Problem::Required);
        } else if times.len() > 6 || times.iter().any(|t| !valid_time(t)) {
            checks.add("daily_times", Problem::Invalid);
        }
        times.sort();
        times.dedup();
        if !(50..=500).contains(&self.spot_weight_pct) {
            checks.add("spot_weight_pct", Problem::Invalid);
        }
        if !(0..=SCALE_CENTI).contains(&self.threshold_centi) {
            checks.add("threshold_centi", Problem::Invalid);
        }
        if !(1..=168).contains(&self.appeal_hours) {
            checks.add("appeal_hours", Problem::Invalid);
        }
        if super::clock::day_range(&self.term_start, 0).is_none() {
            checks.add("term_start", Problem::Invalid);
        }
        checks.finish()?;
        Ok(Settings {
            daily_times: times,
            term_start: self.term_start.trim().to_owned(),
            ..self
        })
    }
}

/// The fixed time a daily check made at `minute` of the day belongs to: the latest one already begun, or the
/// first of the day before it.
pub fn current_slot(times: &[String], minute: i64) -> Option<String> {
    let minutes = |t: &String| -> Option<i64> {
        let (h, m) = t.split_once(':')?;
        Some(h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?)
    };
    times
        .iter()
        .filter(|t| minutes(t).is_some_and(|m| m <= minute))
        .max_by_key(|t| minutes(t))
        .or_else(|| times.iter().min_by_key(|t| minutes(t)))
        .cloned()
}

/// A spot check the app draws for the inspector: one of the zones checked least by spot checks lately, at a
/// random minute between five minutes from now and `end_minute` (to the five minutes). `random` are two numbers
/// in 0..1. `None` when there is no zone.
pub fn draw_spot(
    zones: &[(Uuid, u32)],
    now_minute: i64,
    end_minute: i64,
    random: (f64, f64),
) -> Option<(Uuid, i64)> {
    let fewest = zones.iter().map(|(_, n)| *n).min()?;
    let candidates: Vec<Uuid> = zones
        .iter()
        .filter(|(_, n)| *n == fewest)
        .map(|(id, _)| *id)
        .collect();
    let pick =
        ((random.0.clamp(0.0, 1.0) * candidates.len() as f64) as usize).min(candidates.len() - 1);
    let from = now_minute + 5;
    let minute = if end_minute > from {
        let span = (end_minute - from) as f64;
        from + (random.1.clamp(0.0, 1.0) * span) as i64
    } else {
        from
    };
    Some((candidates[pick], (minute + 4) / 5 * 5))
}

// The tables these rows are synced in (`domain::sync::Synced`).
crate::domain::sync::synced! {
    Rubric => "cleaning_rubrics",
    Settings => "cleaning_settings",
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: LeagueRules = LeagueRules {
        spot_weight_pct: 200,
        threshold_centi: 600,
        red_flag: true,
    };

    fn rubric() -> Rubric {
        Rubric {
            kind: ZoneKind::Outdoor,
            version: 1,
            full_score: FULL_SCORE,
            items: default_items(ZoneKind::Outdoor),
        }
    }

    fn photo() -> PhotoRef {
        PhotoRef {
            id: Uuid::now_v7(),
            sha256: "a".repeat(64),
            size: 1000,
        }
    }

    fn args(grades: &[Grade]) -> CheckArgs {
        CheckArgs {
            check_id: Uuid::now_v7(),
            zone_id: Uuid::now_v7(),
            rubric_version: 1,
            kind: CheckKind::Daily,
            slot: Some("08:00".into()),
            ratings: rubric()
                .items
                .iter()
                .zip(grades)
                .map(|(item, grade)| Rating {
                    key: item.key.clone(),
                    grade: *grade,
                    note: String::new(),
                    photos: if *grade == Grade::Good {
                        vec![]
                    } else {
                        vec![photo()]
                    },
                })
                .collect(),
            checked_at_ms: 0,
            supersedes: None,
        }
    }

    /// A daily check scored `centi` out of 1000 (the 10-point scale in hundredths).
    fn daily(subject: Uuid, day: i64, centi: i64) -> Scored {
        Scored {
            subject,
            day,
            kind: CheckKind::Daily,
            score: centi,
            full_score: SCALE_CENTI,
        }
    }

    fn spot(subject: Uuid, day: i64, centi: i64) -> Scored {
        Scored {
            kind: CheckKind::Spot,
            ..daily(subject, day, centi)
        }
    }

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    use Grade::{Fair, Good, Poor};

    #[test]
    fn a_score_is_the_full_score_less_each_grades_deduction() {
        let (_, score) = args(&[Good, Good, Good, Good, Good])
            .validate(&rubric())
            .unwrap();
        assert_eq!(score, 10);
        let (_, score) = args(&[Fair, Poor, Good, Fair, Good])
            .validate(&rubric())
            .unwrap();
        assert_eq!(score, 6);
        let (_, score) = args(&[Poor; 5]).validate(&rubric()).unwrap();
        assert_eq!(score, 0);
        let mut harsh = rubric();
        harsh.items[0].poor = 9;
        let (_, score) = args(&[Poor, Poor, Good, Good, Good])
            .validate(&harsh)
            .unwrap();
        assert_eq!(score, 0, "never below zero");
        assert_eq!(
            running_score(&rubric(), &[("litter".into(), Poor), ("bins".into(), Fair)]),
            7
        );
    }

    #[test]
    fn a_deduction_needs_a_photo_and_every_item_a_grade() {
        let mut no_photo = args(&[Fair, Good, Good, Good, Good]);
        no_photo.ratings[0].photos.clear();
        let error = no_photo.validate(&rubric()).unwrap_err();
        assert_eq!(
            error.field_problem("ratings.litter"),
            Some(Problem::Required)
        );
        let mut missing = args(&[Good; 5]);
        missing.ratings.pop();
        assert_eq!(
            missing
                .validate(&rubric())
                .unwrap_err()
                .field_problem("ratings.bins"),
            Some(Problem::Required)
        );
        let mut outside = args(&[Good; 5]);
        outside.ratings[0].key = "graffiti".into();
        let error = outside.validate(&rubric()).unwrap_err();
        assert_eq!(error.field_problem("ratings"), Some(Problem::Invalid));
        let mut unslotted = args(&[Good; 5]);
        unslotted.slot = None;
        assert_eq!(
            unslotted
                .validate(&rubric())
                .unwrap_err()
                .field_problem("slot"),
            Some(Problem::Required)
        );
        let mut spot = args(&[Good; 5]);
        spot.kind = CheckKind::Spot;
        spot.slot = None;
        assert!(spot.validate(&rubric()).is_ok());
        let mut good_with_photo = args(&[Good; 5]);
        good_with_photo.ratings[0].photos.push(photo());
        let (checked, _) = good_with_photo.validate(&rubric()).unwrap();
        assert!(checked.photos().is_empty(), "a 好 keeps no photo");
    }

    #[test]
    fn rubrics_and_settings_refuse_what_cannot_be_scored() {
        let mut r = rubric();
        r.items[1].fair = 3;
        r.items[1].poor = 2;
        assert_eq!(
            r.validate().unwrap_err().field_problem("items.1"),
            Some(Problem::Invalid)
        );
        let mut r = rubric();
        r.items[2].key = "litter".into();
        assert!(r.validate().is_err());
        assert!(rubric().validate().is_ok());
        let s = Settings {
            daily_times: vec!["25:00".into()],
            ..Settings::default()
        };
        assert_eq!(
            s.validate().unwrap_err().field_problem("daily_times"),
            Some(Problem::Invalid)
        );
        let s = Settings {
            daily_times: vec!["14:00".into(), " 08:00".into(), "08:00".into()],
            ..Settings::default()
        };
        assert_eq!(s.validate().unwrap().daily_times, vec!["08:00", "14:00"]);
    }

    #[test]
    fn missing_days_neither_help_nor_hurt() {
        let [a, b] = ids(2)[..] else { unreachable!() };
        // a: checked every day of the week at 8; b: checked twice at 8, three days missed.
        let mut checks: Vec<Scored> = (0..5).map(|d| daily(a, d, 800)).collect();
        checks.extend([daily(b, 0, 800), daily(b, 3, 800)]);
        let table = standings(&[a, b], &checks, RULES);
        assert_eq!(table[0].score, Some(800));
        assert_eq!(table[1].score, Some(800));
        assert_eq!(table[1].days, 2);
        // Several checks in one day make one day: their mean.
        let table = standings(
            &[a],
            &[daily(a, 0, 900), daily(a, 0, 500), daily(a, 1, 1000)],
            RULES,
        );
        assert_eq!(table[0].score, Some(850));
        assert_eq!(table[0].days, 2);
    }

    #[test]
    fn a_spot_check_weighs_as_two_days() {
        let [a] = ids(1)[..] else { unreachable!() };
        // Two days at 10, one spot check at 7: (10 + 10 + 2 × 7) / 4 = 8.5.
        let checks = [daily(a, 0, 1000), daily(a, 1, 1000), spot(a, 1, 700)];
        assert_eq!(standings(&[a], &checks, RULES)[0].score, Some(850));
        let heavier = LeagueRules {
            spot_weight_pct: 300,
            ..RULES
        };
        // (10 + 10 + 3 × 7) / 5 = 8.2.
        assert_eq!(standings(&[a], &checks, heavier)[0].score, Some(820));
        // Only spot checks (the offices): their plain mean.
        let office = [spot(a, 0, 900), spot(a, 9, 600)];
        assert_eq!(standings(&[a], &office, RULES)[0].score, Some(750));
    }

    #[test]
    fn ties_break_on_low_checks_then_the_lowest_then_share_the_rank() {
        let [a, b, c, d, e] = ids(5)[..] else {
            unreachable!()
        };
        let checks = [
            // a and b: both 7.50, but b had a check below 6.
            daily(a, 0, 750),
            daily(a, 1, 750),
            daily(b, 0, 1000),
            daily(b, 1, 500),
            // c and d: 9.00 each, no low check, c's lowest is higher.
            daily(c, 0, 900),
            daily(c, 1, 900),
            daily(d, 0, 1000),
            daily(d, 1, 800),
        ];
        let table = standings(&[a, b, c, d, e], &checks, RULES);
        let order: Vec<Uuid> = table.iter().map(|s| s.subject).collect();
        assert_eq!(order, vec![c, d, a, b, e]);
        let ranks: Vec<Option<u32>> = table.iter().map(|s| s.rank).collect();
        assert_eq!(ranks, vec![Some(1), Some(2), Some(3), Some(4), None]);
        assert!(table[0].red_flag && !table[1].red_flag);
        assert_eq!(table[4].score, None, "no check: unranked");
        // A full tie shares the rank and the flag; the next rank skips.
        let table = standings(
            &[a, b, c],
            &[daily(a, 0, 900), daily(b, 0, 900), daily(c, 0, 800)],
            RULES,
        );
        let ranks: Vec<Option<u32>> = table.iter().map(|s| s.rank).collect();
        assert_eq!(ranks, vec![Some(1), Some(1), Some(3)]);
        assert_eq!(table.iter().filter(|s| s.red_flag).count(), 2);
    }

    #[test]
    fn below_the_threshold_cleans_again_and_never_holds_the_flag() {
        let [a, b] = ids(2)[..] else { unreachable!() };
        let table = standings(&[a, b], &[daily(a, 0, 590), daily(b, 0, 400)], RULES);
        assert!(table.iter().all(|s| s.reclean));
        assert!(table.iter().all(|s| !s.red_flag));
        let offices = LeagueRules {
            red_flag: false,
            ..RULES
        };
        let table = standings(&[a], &[spot(a, 0, 1000)], offices);
        assert!(!table[0].red_flag, "offices hold no flag");
    }

    #[test]
    fn corrections_and_accepted_appeals_take_a_check_out() {
        let [first, correction, again, other, appealed] = ids(5)[..] else {
            unreachable!()
        };
        let checks = [
            (first, None),
            (correction, Some(first)),
            (again, Some(correction)),
            (other, None),
            (appealed, None),
        ];
        let counted = in_force(&checks, &[appealed].into());
        assert_eq!(counted, [again, other].into());
        // The league follows: the withdrawn 3.00 no longer pulls the class down.
        let class = Uuid::now_v7();
        let scored =
            |id: Uuid, centi| (id, daily(class, if id == appealed { 1 } else { 0 }, centi));
        let all = [scored(other, 900), scored(appealed, 300)];
        let before: Vec<Scored> = all.iter().map(|(_, s)| *s).collect();
        let after: Vec<Scored> = all
            .iter()
            .filter(|(id, _)| counted.contains(id))
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(standings(&[class], &before, RULES)[0].score, Some(600));
        assert_eq!(standings(&[class], &after, RULES)[0].score, Some(900));
    }

    #[test]
    fn the_period_score_is_rounded_once() {
        let [a] = ids(1)[..] else { unreachable!() };
        // On a 3-point rubric: 1, 1 and 3 points over three days is 5/9 of 10 = 5.5556 → 5.56. Rounding each
        // check first (3.33, 3.33, 10.00) would give 5.55.
        let third = |day, score| Scored {
            subject: a,
            day,
            kind: CheckKind::Daily,
            score,
            full_score: 3,
        };
        let table = standings(&[a], &[third(0, 1), third(1, 1), third(2, 3)], RULES);
        assert_eq!(table[0].score, Some(556));
    }

    #[test]
    fn scores_of_other_rubric_sizes_compare_on_ten_points() {
        assert_eq!(centi(10, 10), 1000);
        assert_eq!(centi(17, 20), 850);
        assert_eq!(centi(2, 3), 667);
        assert_eq!(centi(-1, 10), 0);
        assert_eq!(score_text(785), "7.85");
        assert_eq!(score_text(1000), "10.00");
    }

    #[test]
    fn slots_and_spot_draws() {
        let times = vec!["08:00".to_string(), "14:00".to_string()];
        assert_eq!(current_slot(&times, 7 * 60).as_deref(), Some("08:00"));
        assert_eq!(current_slot(&times, 9 * 60).as_deref(), Some("08:00"));
        assert_eq!(current_slot(&times, 15 * 60).as_deref(), Some("14:00"));
        let [a, b, c] = ids(3)[..] else {
            unreachable!()
        };
        let zones = [(a, 2), (b, 0), (c, 0)];
        let (zone, minute) = draw_spot(&zones, 9 * 60, 17 * 60, (0.99, 0.5)).unwrap();
        assert_eq!(zone, c, "among the least spot-checked");
        assert_eq!(draw_spot(&zones, 9 * 60, 17 * 60, (0.0, 0.0)).unwrap().0, b);
        assert!((9 * 60 + 5..=17 * 60).contains(&minute) && minute % 5 == 0);
        assert_eq!(
            draw_spot(&zones, 18 * 60, 17 * 60, (0.3, 0.3)).unwrap().1,
            18 * 60 + 5
        );
        assert_eq!(draw_spot(&[], 0, 0, (0.0, 0.0)), None);
        assert!(valid_time("07:45") && !valid_time("7:45") && !valid_time("12:60"));
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_offices_by_month() {
        // 2026-11-26 is a Thursday.
        let week = period_of(League::Class, "2026-11-26", 480).unwrap();
        assert_eq!(week.key, "2026-11-23");
        assert_eq!(week.last_day, "2026-11-29");
        assert_eq!(week.to_ms - week.from_ms, 7 * 86_400_000);
        assert_eq!(
            week.from_ms,
            super::super::clock::day_range("2026-11-23", 480).unwrap().0
        );
        let month = period_of(League::Office, "2026-02", 480).unwrap();
        assert_eq!(
            (month.first_day.as_str(), month.last_day.as_str()),
            ("2026-02-01", "2026-02-28")
        );
        assert_eq!(
            period_of(League::Office, "2026-11-30", 480).unwrap().key,
            "2026-11"
        );
        assert_eq!(period_of(League::Class, "2026-13-01", 480), None);
        assert_eq!(
            period_of(League::Office, "2026-2", 480).unwrap().key,
            "2026-02"
        );
        assert_eq!(period_of(League::Office, "2026-0一-01", 480), None);
    }

    #[test]
    fn the_appeal_window_opens_when_the_server_has_the_check() {
        let hour = 3_600_000;
        assert_eq!(appeal_deadline(0, 5 * hour, 24), 29 * hour);
        assert_eq!(appeal_deadline(2 * hour, hour, 24), 26 * hour);
        let blank = AppealArgs {
            appeal_id: Uuid::now_v7(),
            check_id: Uuid::now_v7(),
            reason: "  ".into(),
            filed_at_ms: 0,
        };
        assert_eq!(
            blank.validate().unwrap_err().field_problem("reason"),
            Some(Problem::Required)
        );
    }
}
