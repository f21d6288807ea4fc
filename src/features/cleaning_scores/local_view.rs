//! The cleaning scores as this phone holds them (synced rows ⊕ pending checks and appeals), shared by the
//! inspector's list, the scoring form and the class teacher's page.

use crate::components::{ServerPhoto, class_name, phone_now_ms, phone_utc_offset};
use crate::domain::cleaning::{
    APPEAL, AppealArgs, AppealRow, AppealStatus, CHECK, CheckArgs, CheckKind, CheckRow, League,
    RatingRow, Rubric, Settings, ZoneRow,
};
use crate::domain::clock::DAY_MS;
use crate::i18n::*;
use crate::sync::local::LocalData;
use std::collections::HashMap;

/// A check on this phone, and whether it still waits to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalCheck {
    pub check: CheckRow,
    pub pending: bool,
}

/// The settings the phone last received (the defaults before the first sync).
pub fn settings(local: LocalData) -> Settings {
    local
        .rows::<Settings>()
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Active zones, the class league first in school order, then the offices.
pub fn zones(local: LocalData) -> Vec<ZoneRow> {
    let mut zones: Vec<ZoneRow> = local.rows();
    zones.retain(|z| z.active);
    zones.sort_by(|a, b| (a.league, a.class, &a.name).cmp(&(b.league, b.class, &b.name)));
    zones
}

/// The latest rubric of each kind.
pub fn latest_rubrics(local: LocalData) -> Vec<Rubric> {
    let mut latest: HashMap<crate::domain::cleaning::ZoneKind, Rubric> = HashMap::new();
    for rubric in local.rows::<Rubric>() {
        if latest
            .get(&rubric.kind)
            .is_none_or(|r| r.version < rubric.version)
        {
            latest.insert(rubric.kind, rubric);
        }
    }
    latest.into_values().collect()
}

/// Every check this phone holds, synced and pending, oldest first. A pending check's score is worked out here
/// with the rubric it names, as the server will.
pub fn checks(local: LocalData, zones: &[ZoneRow]) -> Vec<LocalCheck> {
    let rubrics: Vec<Rubric> = local.rows();
    let mut list: Vec<LocalCheck> = local
        .rows::<CheckRow>()
        .into_iter()
        .map(|check| LocalCheck {
            check,
            pending: false,
        })
        .collect();
    for args in local.pending_args::<CheckArgs>(CHECK) {
        let Some(zone) = zones.iter().find(|z| z.id == args.zone_id) else {
            continue;
        };
        let Some(rubric) = rubrics
            .iter()
            .find(|r| r.kind == zone.kind && r.version == args.rubric_version)
        else {
            continue;
        };
        let Ok((args, score)) = args.validate(rubric) else {
            continue;
        };
        let ratings = args
            .ratings
            .iter()
            .map(|r| {
                let item = rubric.items.iter().find(|i| i.key == r.key);
                RatingRow {
                    key: r.key.clone(),
                    label: item.map(|i| i.label.clone()).unwrap_or_default(),
                    grade: r.grade,
                    deduction: item.map_or(0, |i| i.deduction(r.grade)),
                    note: r.note.clone(),
                    photos: r.photos.iter().map(|p| p.id).collect(),
                }
            })
            .collect();
        list.push(LocalCheck {
            check: CheckRow {
                id: args.check_id,
                zone_id: zone.id,
                league: zone.league,
                class_id: (zone.league == League::Class)
                    .then_some(zone.class_id)
                    .flatten(),
                kind: args.kind,
                slot: args.slot.clone(),
                rubric_version: args.rubric_version,
                full_score: rubric.full_score,
                score,
                inspector_id: local.user_id(),
                checked_at: args.checked_at_ms,
                received_at: args.checked_at_ms,
                supersedes: args.supersedes,
                ratings,
            },
            pending: true,
        });
    }
    list.sort_by_key(|c| c.check.checked_at);
    list
}

/// Appeals on this phone, synced and pending.
pub fn appeals(local: LocalData) -> Vec<(AppealRow, bool)> {
    let mut list: Vec<(AppealRow, bool)> = local
        .rows::<AppealRow>()
        .into_iter()
        .map(|a| (a, false))
        .collect();
    for args in local.pending_args::<AppealArgs>(APPEAL) {
        list.push((
            AppealRow {
                id: args.appeal_id,
                check_id: args.check_id,
                class_id: None,
                teacher_id: local.user_id(),
                reason: args.reason,
                filed_at: args.filed_at_ms,
                status: AppealStatus::Open,
                resolution: String::new(),
                resolved_at: None,
            },
            true,
        ));
    }
    list
}

/// The class zones with today's daily check at fixed time `slot` (the latest, if corrected), unchecked first.
pub fn slot_rows(
    zones: &[ZoneRow],
    checks: &[LocalCheck],
    slot: Option<&str>,
) -> Vec<(ZoneRow, Option<LocalCheck>)> {
    let today = today();
    let mut rows: Vec<(ZoneRow, Option<LocalCheck>)> = zones
        .iter()
        .filter(|z| z.league == League::Class)
        .map(|zone| {
            let done = checks
                .iter()
                .rfind(|c| {
                    c.check.zone_id == zone.id
                        && c.check.kind == CheckKind::Daily
                        && c.check.slot.as_deref() == slot
                        && day_of(c.check.checked_at) == today
                })
                .cloned();
            (zone.clone(), done)
        })
        .collect();
    rows.sort_by_key(|(_, done)| done.is_some());
    rows
}

/// The home card's count: the class zones this phone holds still unchecked at the current fixed time today.
pub fn zones_left_now(local: LocalData) -> usize {
    let slot = crate::domain::cleaning::current_slot(&settings(local).daily_times, minute_now());
    let zones = zones(local);
    let checks = checks(local, &zones);
    slot_rows(&zones, &checks, slot.as_deref())
        .iter()
        .filter(|(_, done)| done.is_none())
        .count()
}

/// Today's day number on this phone.
pub fn today() -> i64 {
    day_of(phone_now_ms())
}

pub fn day_of(ms: i64) -> i64 {
    (ms + phone_utc_offset() * 60_000).div_euclid(DAY_MS)
}

/// The minute of the day on this phone.
pub fn minute_now() -> i64 {
    (phone_now_ms() + phone_utc_offset() * 60_000).rem_euclid(DAY_MS) / 60_000
}

/// 三年级2班 · 南门广场, or an office's name.
pub fn zone_title(locale: Locale, zone: &ZoneRow) -> String {
    match zone.class {
        Some((grade, number)) => format!("{} · {}", class_name(locale, grade, number), zone.name),
        None => zone.name.clone(),
    }
}

pub fn grade_name(locale: Locale, grade: crate::domain::cleaning::Grade) -> String {
    use crate::domain::cleaning::Grade;
    match grade {
        Grade::Good => td_string!(locale, cleaning.good),
        Grade::Fair => td_string!(locale, cleaning.fair),
        Grade::Poor => td_string!(locale, cleaning.poor),
    }
    .to_string()
}

pub fn kind_name(locale: Locale, kind: CheckKind) -> String {
    match kind {
        CheckKind::Daily => td_string!(locale, cleaning.daily),
        CheckKind::Spot => td_string!(locale, cleaning.spot),
    }
    .to_string()
}

pub fn appeal_status_name(locale: Locale, status: AppealStatus) -> String {
    match status {
        AppealStatus::Open => td_string!(locale, cleaning.appeal_open),
        AppealStatus::Accepted => td_string!(locale, cleaning.appeal_accepted),
        AppealStatus::Rejected => td_string!(locale, cleaning.appeal_rejected),
    }
    .to_string()
}

pub fn zone_kind_name(locale: Locale, kind: crate::domain::cleaning::ZoneKind) -> String {
    use crate::domain::cleaning::ZoneKind;
    match kind {
        ZoneKind::Outdoor => td_string!(locale, cleaning.kind_outdoor),
        ZoneKind::Indoor => td_string!(locale, cleaning.kind_indoor),
        ZoneKind::Office => td_string!(locale, cleaning.kind_office),
    }
    .to_string()
}

/// The score as a badge's text and class: a check below the threshold stands out.
pub fn score_badge(score: i64, full: i64, threshold_centi: i64) -> (String, &'static str) {
    let low = crate::domain::cleaning::centi(score, full) < threshold_centi;
    (
        format!("{score}/{full}"),
        if low {
            "badge badge-warn"
        } else {
            "badge state-done"
        },
    )
}

/// The deductions of a stored check: item, grade, points, note and photos (pages read online).
#[leptos::component]
pub fn Deductions(ratings: Vec<RatingRow>) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let i18n = use_i18n();
    view! {
        <ul class="deductions">
            {ratings.into_iter().filter(|r| r.deduction > 0).map(|r| view! {
                <li>
                    {r.label.clone()} " · " {move || grade_name(i18n.get_locale(), r.grade)} " −" {r.deduction}
                    {(!r.note.is_empty()).then(|| format!(" {}", r.note))}
                    <span class="photos">
                        {r.photos.iter().map(|id| view! { <ServerPhoto id=*id /> }).collect_view()}
                    </span>
                </li>
            }).collect_view()}
        </ul>
    }
}
