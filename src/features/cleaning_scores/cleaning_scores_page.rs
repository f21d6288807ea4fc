//! `/cleaning-scores`: for inspectors, today's zones at the current fixed time (checked or not) and a random
//! spot check drawn on request; for class teachers, their class's checks with photos and an appeal button. All
//! from this phone's data, so it works offline.

use super::local_view::{
    self, LocalCheck, appeal_status_name, grade_name, kind_name, score_badge, zone_title,
};
use crate::components::PhotoThumb;
use crate::components::{Page, StorageErrorNotice, phone_now_ms, use_user};
use crate::domain::Role;
use crate::domain::cleaning::{
    APPEAL, AppealArgs, CheckKind, REASON_MAX, ZoneRow, appeal_deadline, current_slot, draw_spot,
};
use crate::domain::clock::{date, time};
use crate::i18n::*;
use crate::sync::local::{SaveError, use_local_data};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

#[component]
pub fn CleaningScoresPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    let has = move |role: Role| user.with(|u| u.as_ref().is_some_and(|u| u.has(role)));
    let inspector = Signal::derive(move || has(Role::CleaningInspector) || has(Role::Admin));
    let teacher = Signal::derive(move || has(Role::ClassTeacher));
    let admin = Signal::derive(move || has(Role::Admin));
    view! {
        <Page title=move || t_string!(i18n, jobs.cleaning_scores).to_string()>
            <div class="row-actions">
                <A href="/cleaning-scores/board" attr:class="button button-secondary">{t!(i18n, cleaning.board)}</A>
                <Show when=move || admin.get()>
                    <A href="/admin/cleaning" attr:class="button button-secondary">{t!(i18n, cleaning.admin)}</A>
                </Show>
            </div>
            <Show when=move || inspector.get()>
                <InspectorRound />
            </Show>
            <Show when=move || teacher.get()>
                <MyClassChecks />
            </Show>
        </Page>
    }
}

/// The zones at the chosen fixed time today, unchecked first, and the spot-check draw.
#[component]
fn InspectorRound() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let settings = Memo::new(move |_| local_view::settings(local));
    let chosen = RwSignal::new(None::<String>);
    // The phone's clock is known only in the browser: the server renders no time chosen, and hydration then
    // picks the current one (a value read while hydrating would keep the server's).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let slot = Memo::new(move |_| {
        if !hydrated.get() {
            return None;
        }
        chosen
            .get()
            .or_else(|| settings.with(|s| current_slot(&s.daily_times, local_view::minute_now())))
    });
    let zones = Memo::new(move |_| local_view::zones(local));
    let checks = Memo::new(move |_| zones.with(|z| local_view::checks(local, z)));
    // Each zone with today's check at this fixed time (the latest, if corrected).
    let rows = Memo::new(move |_| {
        let slot = slot.get();
        zones.with(|zones| {
            checks.with(|checks| local_view::slot_rows(zones, checks, slot.as_deref()))
        })
    });
    let left = Memo::new(move |_| rows.with(|r| r.iter().filter(|(_, d)| d.is_none()).count()));
    // Offices are spot-checked and ranked by month: each with its latest spot check this month.
    let offices = Memo::new(move |_| {
        let month = date(phone_now_ms(), crate::components::phone_utc_offset())[..7].to_owned();
        let offset = crate::components::phone_utc_offset();
        zones.with(|zones| {
            checks.with(|checks| {
                zones
                    .iter()
                    .filter(|z| z.league == crate::domain::cleaning::League::Office)
                    .map(|zone| {
                        let last = checks
                            .iter()
                            .rfind(|c| {
                                c.check.zone_id == zone.id
                                    && date(c.check.checked_at, offset).starts_with(&month)
                            })
                            .cloned();
                        (zone.clone(), last)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    // Each row with the time it links to, so choosing another time redraws every link.
    let slotted = move || {
        let slot = slot.get();
        rows.get()
            .into_iter()
            .map(|row| (slot.clone(), row))
            .collect::<Vec<_>>()
    };
    let drawn = RwSignal::new(None::<(ZoneRow, i64)>);
    let draw = move |_| {
        let week_ago = phone_now_ms() - 7 * crate::domain::clock::DAY_MS;
        let candidates: Vec<(Uuid, u32)> = zones.with(|zones| {
            checks.with(|checks| {
                zones
                    .iter()
                    .map(|z| {
                        let n = checks
                            .iter()
                            .filter(|c| {
                                c.check.zone_id == z.id
                                    && c.check.kind == CheckKind::Spot
                                    && c.check.checked_at >= week_ago
                            })
                            .count();
                        (z.id, n as u32)
                    })
                    .collect()
            })
        });
        #[cfg(feature = "hydrate")]
        let random = (js_sys::Math::random(), js_sys::Math::random());
        #[cfg(not(feature = "hydrate"))]
        let random = (0.0, 0.0);
        // School ends at five; a draw after that is for right away.
        let picked = draw_spot(&candidates, local_view::minute_now(), 17 * 60, random);
        drawn.set(picked.and_then(|(id, minute)| {
            zones.with(|z| z.iter().find(|z| z.id == id).cloned().map(|z| (z, minute)))
        }));
    };
    view! {
        <section class="card" data-testid="spot-draw">
            <h2>{t!(i18n, cleaning.spot_title)}</h2>
            <p class="muted">{t!(i18n, cleaning.spot_hint)}</p>
            <button type="button" class="button button-secondary" on:click=draw>{t!(i18n, cleaning.draw)}</button>
            {move || drawn.get().map(|(zone, minute)| {
                let at = format!("{:02}:{:02}", minute / 60, minute % 60);
                let href = format!("/cleaning-scores/check?zone={}&kind=spot&slot={at}", zone.id);
                view! {
                    <p class="notice" data-testid="drawn">
                        <strong>{move || zone_title(i18n.get_locale(), &zone)}</strong> " · " {at.clone()}
                    </p>
                    <A href=href attr:class="button">{t!(i18n, cleaning.start_spot)}</A>
                }
            })}
        </section>
        <h2>{t!(i18n, cleaning.daily_title)}</h2>
        <div class="segmented" role="group">
            {move || settings.get().daily_times.into_iter().map(|time| {
                let value = time.clone();
                let pressed = move || (slot.get().as_deref() == Some(value.as_str())).to_string();
                let pick = time.clone();
                view! {
                    <button type="button" class="segment" aria-pressed=pressed on:click=move |_| chosen.set(Some(pick.clone()))>
                        {time.clone()}
                    </button>
                }
            }).collect_view()}
        </div>
        <p class="muted" data-testid="zones-left">{move || t_string!(i18n, cleaning.left, count = left.get()).to_string()}</p>
        <ul class="list" data-testid="zones">
            <For each=slotted
                key=|(slot, (z, d))| (slot.clone(), z.id, d.as_ref().map(|d| (d.check.id, d.pending))) let:item>
                {
                    let (slot, (zone, done)) = item;
                    let href = format!(
                        "/cleaning-scores/check?zone={}&kind=daily&slot={}",
                        zone.id,
                        slot.unwrap_or_default()
                    );
                    let threshold = settings.with_untracked(|s| s.threshold_centi);
                    view! {
                        <li class="ticket">
                            <A href=href attr:class="ticket-link">
                                <strong>{let zone = zone.clone(); move || zone_title(i18n.get_locale(), &zone)}</strong>
                                <span class="ticket-badges">
                                    {match done {
                                        Some(done) => {
                                            let (text, class) = score_badge(done.check.score, done.check.full_score, threshold);
                                            view! {
                                                <span class=class data-testid="zone-score">{text}</span>
                                                {done.pending.then(|| view! { <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
                                            }.into_any()
                                        }
                                        None => view! { <span class="badge badge-pending">{t!(i18n, cleaning.to_check)}</span> }.into_any(),
                                    }}
                                </span>
                            </A>
                        </li>
                    }
                }
            </For>
        </ul>
        <Show when=move || !offices.with(Vec::is_empty)>
            <h2>{t!(i18n, cleaning.offices_title)}</h2>
            <ul class="list" data-testid="offices">
                <For each=move || offices.get() key=|(z, d)| (z.id, d.as_ref().map(|d| (d.check.id, d.pending))) let:row>
                    {
                        let (zone, last) = row;
                        let href = format!("/cleaning-scores/check?zone={}&kind=spot", zone.id);
                        let threshold = settings.with_untracked(|s| s.threshold_centi);
                        view! {
                            <li class="ticket">
                                <A href=href attr:class="ticket-link">
                                    <strong>{zone.name.clone()}</strong>
                                    <span class="ticket-badges">
                                        {last.map(|last| {
                                            let (text, class) = score_badge(last.check.score, last.check.full_score, threshold);
                                            view! { <span class=class>{text}</span> }
                                        })}
                                    </span>
                                </A>
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}

/// A class teacher's class: its checks on this phone, newest first, with photos, appeals and their outcome.
#[component]
fn MyClassChecks() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let me = local.user_id();
    let zones = Memo::new(move |_| local_view::zones(local));
    let settings = Memo::new(move |_| local_view::settings(local));
    // Checks of my classes by the class each was made for (a zone may have changed hands since).
    let mine = Memo::new(move |_| {
        let zones = zones.get();
        let my_classes: Vec<Uuid> = zones
            .iter()
            .filter(|z| z.teacher_id == Some(me))
            .filter_map(|z| z.class_id)
            .collect();
        let mut list: Vec<(ZoneRow, LocalCheck)> = local_view::checks(local, &zones)
            .into_iter()
            .filter(|c| c.check.class_id.is_some_and(|id| my_classes.contains(&id)))
            .filter_map(|c| {
                zones
                    .iter()
                    .find(|z| z.id == c.check.zone_id)
                    .map(|z| (z.clone(), c))
            })
            .collect();
        list.reverse();
        list
    });
    let appeals = Memo::new(move |_| local_view::appeals(local));
    let classes = Memo::new(move |_| {
        let mut ids: Vec<(Uuid, (i64, i64))> = zones.with(|z| {
            z.iter()
                .filter(|z| z.teacher_id == Some(me))
                .filter_map(|z| z.class_id.zip(z.class))
                .collect()
        });
        ids.dedup();
        ids
    });
    view! {
        <h2>{t!(i18n, cleaning.my_class)}</h2>
        <div class="row-actions">
            {move || classes.get().into_iter().map(|(id, (grade, number))| view! {
                <A href=format!("/cleaning-scores/class?id={id}") attr:class="button button-secondary">
                    {move || crate::components::class_name(i18n.get_locale(), grade, number)} " · " {t!(i18n, cleaning.trend)}
                </A>
            }).collect_view()}
        </div>
        <Show when=move || !mine.with(Vec::is_empty) fallback=move || view! { <p class="muted">{t!(i18n, cleaning.no_checks)}</p> }>
            <ul class="list" data-testid="class-checks">
                <For each=move || mine.get() key=|(_, c)| (c.check.id, c.pending) let:item>
                    {
                        let (zone, check) = item;
                        let check_id = check.check.id;
                        let appeal = Signal::derive(move || {
                            appeals.with(|a| a.iter().rfind(|(a, _)| a.check_id == check_id).cloned())
                        });
                        view! { <ClassCheck zone check=check appeal settings /> }
                    }
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn ClassCheck(
    zone: ZoneRow,
    check: LocalCheck,
    appeal: Signal<Option<(crate::domain::cleaning::AppealRow, bool)>>,
    settings: Memo<crate::domain::cleaning::Settings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let offset = crate::components::phone_utc_offset();
    let row = check.check.clone();
    let (text, class) = score_badge(
        row.score,
        row.full_score,
        settings.with_untracked(|s| s.threshold_centi),
    );
    let deadline = appeal_deadline(
        row.checked_at,
        row.received_at,
        settings.with_untracked(|s| s.appeal_hours),
    );
    let withdrawn = move || {
        appeal.with(|a| {
            a.as_ref()
                .is_some_and(|(a, _)| a.status == crate::domain::cleaning::AppealStatus::Accepted)
        })
    };
    let writing = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(false);
    let storage_error = RwSignal::new(None::<SaveError>);
    let check_id = row.id;
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = AppealArgs {
            appeal_id: Uuid::now_v7(),
            check_id,
            reason: reason.get_untracked(),
            filed_at_ms: phone_now_ms(),
        };
        let Ok(args) = args.validate() else {
            problem.set(true);
            return;
        };
        problem.set(false);
        match serde_json::to_value(&args) {
            Ok(value) => match local.save(APPEAL, value) {
                Ok(_) => writing.set(false),
                Err(error) => storage_error.set(Some(error)),
            },
            Err(_) => storage_error.set(Some(SaveError::Unavailable)),
        }
    };
    let deductions: Vec<_> = row
        .ratings
        .iter()
        .filter(|r| r.deduction > 0)
        .cloned()
        .collect();
    view! {
        <li class="card class-check" data-testid="class-check">
            <div class="ticket-badges">
                // A check withdrawn on appeal no longer counts: its score is shown struck through, not as a grade.
                <span class=move || if withdrawn() { "badge badge-withdrawn".to_owned() } else { class.to_owned() } data-testid="check-score">{text}</span>
                <span class="badge">{move || kind_name(i18n.get_locale(), row.kind)}</span>
                {check.pending.then(|| view! { <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
            </div>
            <p class="muted">
                {date(row.checked_at, offset)} " " {time(row.checked_at, offset)} " · " {zone.name.clone()}
            </p>
            {(!deductions.is_empty()).then(|| view! {
                <ul class="deductions">
                    {deductions.into_iter().map(|r| view! {
                        <li>
                            <span>{r.label.clone()} " · " {move || grade_name(i18n.get_locale(), r.grade)} " −" {r.deduction}</span>
                            {(!r.note.is_empty()).then(|| view! { <span class="muted">" " {r.note.clone()}</span> })}
                            <span class="photos">
                                {r.photos.iter().map(|id| view! { <PhotoThumb local id=*id stored=true /> }).collect_view()}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {move || match appeal.get() {
                Some((appeal, pending)) => view! {
                    <p class="notice" data-testid="appeal-state">
                        {t!(i18n, cleaning.appeal)} ": " {move || appeal_status_name(i18n.get_locale(), appeal.status)}
                        {pending.then(|| view! { " · " {t!(i18n, sync.pending_badge)} })}
                        {(!appeal.resolution.is_empty()).then(|| view! { " · " {appeal.resolution.clone()} })}
                    </p>
                    // What the teacher wrote stays in view once sent.
                    <p class="muted appeal-reason" data-testid="appeal-reason">{t!(i18n, cleaning.appeal_reason)} ": " {appeal.reason.clone()}</p>
                }.into_any(),
                None if phone_now_ms() <= deadline && !check.pending => view! {
                    <Show when=move || writing.get() fallback=move || view! {
                        <button type="button" class="button button-secondary" on:click=move |_| writing.set(true)>
                            {t!(i18n, cleaning.appeal_button)}
                        </button>
                        <span class="muted">" " {t!(i18n, cleaning.appeal_until)} " " {time(deadline, offset)} " " {date(deadline, offset)}</span>
                    }>
                        <form class="form" on:submit=send novalidate data-testid="appeal-form">
                            <label class="field">
                                <span class="field-label">{t!(i18n, cleaning.appeal_reason)}</span>
                                <textarea maxlength=REASON_MAX bind:value=reason></textarea>
                            </label>
                            <Show when=move || problem.get()>
                                <p class="field-problem" role="alert">{t!(i18n, cleaning.reason_needed)}</p>
                            </Show>
                            <StorageErrorNotice error=storage_error />
                            <button type="submit" class="button">{t!(i18n, cleaning.appeal_send)}</button>
                        </form>
                    </Show>
                }.into_any(),
                None => ().into_any(),
            }}
        </li>
    }
}
