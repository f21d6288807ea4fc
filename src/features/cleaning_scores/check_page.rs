//! `/cleaning-scores/check?zone=…&kind=daily|spot&slot=08:00`: one screen to score a zone, made for a student
//! inspector (文明监督岗) with no training: every item starts at 好, one tap on 中 or 差 deducts and asks for a
//! photo, the score shows as it changes, one big button saves on the phone.

use super::local_view::{self, grade_name, kind_name, zone_title};
use crate::components::PhotoPicker;
use crate::components::{NotOnThisPhone, Page, StorageErrorNotice, phone_now_ms};
use crate::domain::cleaning::{
    CHECK, CheckArgs, CheckKind, Grade, Rating, Rubric, ZoneRow, running_score,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::sync::local::{LocalData, PreparedPhoto, SaveError, use_local_data};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

#[component]
pub fn CleaningCheckPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let query = use_query_map();
    let zone_id =
        Memo::new(move |_| query.with(|q| q.get("zone").and_then(|z| Uuid::parse_str(&z).ok())));
    let kind = query.with_untracked(|q| {
        q.get("kind")
            .and_then(|k| CheckKind::from_code(&k))
            .unwrap_or(CheckKind::Daily)
    });
    let slot = query.with_untracked(|q| q.get("slot").filter(|s| !s.is_empty()));
    // Taken once when the form opens: a sync that brings a new rubric must not wipe what is being scored.
    let found = RwSignal::new(None::<(ZoneRow, Option<Rubric>)>);
    Effect::new(move |_| {
        let Some(id) = zone_id.get() else {
            return;
        };
        // Looked up again only while the rubric has not arrived (a first sync may bring it in a later page).
        if found.with_untracked(|f| f.as_ref().is_some_and(|(z, r)| z.id == id && r.is_some())) {
            return;
        }
        let Some(zone) = local_view::zones(local).into_iter().find(|z| z.id == id) else {
            return;
        };
        let rubric = local_view::latest_rubrics(local)
            .into_iter()
            .find(|r| r.kind == zone.kind);
        found.set(Some((zone, rubric)));
    });
    view! {
        <Page title=move || t_string!(i18n, cleaning.check_title).to_string()>
            {move || match found.get() {
                None if local.settled() => view! { <NotOnThisPhone /> }.into_any(),
                None => view! { <p class="loading">{t!(i18n, common.loading)}</p> }.into_any(),
                Some((zone, None)) => view! {
                    <h2>{zone.name}</h2>
                    <p class="notice">{t!(i18n, cleaning.no_rubric)}</p>
                }.into_any(),
                Some((zone, Some(rubric))) => {
                    let time_slot = slot.clone();
                    view! { <ScoreForm local zone rubric kind time_slot /> }.into_any()
                }
            }}
        </Page>
    }
}

#[derive(Clone, Copy)]
struct ItemDraft {
    grade: RwSignal<Grade>,
    note: RwSignal<String>,
    photos: RwSignal<Vec<PreparedPhoto>>,
    preparing: RwSignal<usize>,
}

#[component]
fn ScoreForm(
    local: LocalData,
    zone: ZoneRow,
    rubric: Rubric,
    kind: CheckKind,
    time_slot: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let slot = time_slot;
    let drafts: Vec<(crate::domain::cleaning::RubricItem, ItemDraft)> = rubric
        .items
        .iter()
        .map(|item| {
            (
                item.clone(),
                ItemDraft {
                    grade: RwSignal::new(Grade::Good),
                    note: RwSignal::new(String::new()),
                    photos: RwSignal::new(Vec::new()),
                    preparing: RwSignal::new(0),
                },
            )
        })
        .collect();
    // The check a correction replaces: the latest of this zone today, of the same kind and time.
    let zone_id = zone.id;
    let slot_for_last = slot.clone();
    let last = Memo::new(move |_| {
        let today = local_view::today();
        let zones = local_view::zones(local);
        local_view::checks(local, &zones)
            .into_iter()
            .rfind(|c| {
                c.check.zone_id == zone_id
                    && c.check.kind == kind
                    && (kind == CheckKind::Spot || c.check.slot == slot_for_last)
                    && local_view::day_of(c.check.checked_at) == today
            })
            .map(|c| (c.check.id, c.check.score))
    });
    // A zone scored a few minutes ago (on this phone or another, any kind of check) is asked about first: a
    // second score is rarely meant, and a double tap must never make one silently.
    let minutes_since_last = {
        let zones = local_view::zones(local);
        local_view::checks(local, &zones)
            .into_iter()
            .filter(|c| c.check.zone_id == zone_id)
            .map(|c| (phone_now_ms() - c.check.checked_at) / 60_000)
            .filter(|m| (0..RESCORE_ASK_MINUTES).contains(m))
            .min()
    };
    let confirmed_rescore = RwSignal::new(minutes_since_last.is_none());
    let correcting = RwSignal::new(false);
    let problems = RwSignal::new(None::<AppError>);
    let storage_error = RwSignal::new(None::<SaveError>);
    let saved = RwSignal::new(None::<i64>);
    let saving = RwSignal::new(false);
    let check_id = RwSignal::new(Uuid::now_v7());
    let full = rubric.full_score;
    let score_drafts = drafts.clone();
    let score_rubric = rubric.clone();
    let score = Memo::new(move |_| {
        let grades: Vec<(String, Grade)> = score_drafts
            .iter()
            .map(|(item, d)| (item.key.clone(), d.grade.get()))
            .collect();
        running_score(&score_rubric, &grades)
    });
    let form_drafts = drafts.clone();
    let version = rubric.version;
    let slot_shown = slot.clone().map(|s| format!(" · {s}"));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked()
            || saved.get_untracked().is_some()
            || form_drafts
                .iter()
                .any(|(_, d)| d.preparing.get_untracked() > 0)
        {
            return;
        }
        saved.set(None);
        let ratings: Vec<Rating> = form_drafts
            .iter()
            .map(|(item, d)| Rating {
                key: item.key.clone(),
                grade: d.grade.get_untracked(),
                note: d.note.get_untracked(),
                photos: d
                    .photos
                    .with_untracked(|p| p.iter().map(|p| p.reference.clone()).collect()),
            })
            .collect();
        let args = CheckArgs {
            check_id: check_id.get_untracked(),
            zone_id,
            rubric_version: version,
            kind,
            slot: slot.clone(),
            ratings,
            checked_at_ms: phone_now_ms(),
            supersedes: if correcting.get_untracked() {
                last.get_untracked().map(|(id, _)| id)
            } else {
                None
            },
        };
        let (args, score) = match args.validate(&rubric) {
            Ok(checked) => checked,
            Err(error) => {
                problems.set(Some(error));
                return;
            }
        };
        problems.set(None);
        let photos: Vec<PreparedPhoto> = form_drafts
            .iter()
            .filter(|(item, d)| item.deduction(d.grade.get_untracked()) > 0)
            .flat_map(|(_, d)| d.photos.get_untracked())
            .collect();
        saving.set(true);
        let reset = form_drafts.clone();
        leptos::task::spawn_local(async move {
            let result = local.save_with_photos(CHECK, &args, &photos).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    saved.set(Some(score));
                    correcting.set(false);
                    check_id.set(Uuid::now_v7());
                    for (_, d) in &reset {
                        d.grade.set(Grade::Good);
                        d.note.set(String::new());
                        d.photos.set(Vec::new());
                    }
                }
                Err(error) => storage_error.set(Some(error)),
            }
        });
    };
    let problem_of = move |field: String| {
        Signal::derive(move || problems.with(|p| p.as_ref().and_then(|e| e.field_problem(&field))))
    };
    let title_zone = zone.clone();
    view! {
        <h2 data-testid="zone-title">{move || zone_title(i18n.get_locale(), &title_zone)}</h2>
        <p class="muted">
            {move || kind_name(i18n.get_locale(), kind)}
            {slot_shown}
        </p>
        <p class="score-now" data-testid="score-now" aria-live="polite">
            <strong>{move || score.get()}</strong> " / " {full}
        </p>
        {minutes_since_last.map(|minutes| view! {
            <Show when=move || !confirmed_rescore.get()>
                <div class="notice notice-warn" role="alert" data-testid="rescore-warning">
                    <p>{move || t_string!(i18n, cleaning.scored_minutes_ago, minutes = minutes).to_string()}</p>
                    <div class="row-actions">
                        <button type="button" class="button" on:click=move |_| confirmed_rescore.set(true)>{t!(i18n, cleaning.score_again)}</button>
                        <A href="/cleaning-scores" attr:class="button button-secondary">{t!(i18n, cleaning.next_zone)}</A>
                    </div>
                </div>
            </Show>
        })}
        <form class="form card" on:submit=submit novalidate data-testid="score-form"
            style:display=move || if confirmed_rescore.get() { "" } else { "none" }>
            // Once saved, the form gives way to the score and where to go next: the grades are back to 好, and a
            // second tap must not save a full score for the same zone.
            {move || saved.get().map(|score| view! {
                <p class="notice notice-ok" role="status" data-testid="saved">
                    {t!(i18n, cleaning.saved)} " " {score} " / " {full}
                </p>
                <div class="row-actions">
                    <A href="/cleaning-scores" attr:class="button button-primary" attr:data-testid="next-zone">{t!(i18n, cleaning.next_zone)}</A>
                    <button type="button" class="button button-secondary" on:click=move |_| saved.set(None)>{t!(i18n, cleaning.score_again)}</button>
                </div>
            })}
            <div class="form" style:display=move || if saved.get().is_some() { "none" } else { "" }>
            {drafts.into_iter().map(|(item, draft)| {
                let problem = problem_of(format!("ratings.{}", item.key));
                let needs_photo = {
                    let item = item.clone();
                    move || item.deduction(draft.grade.get()) > 0
                };
                let shown = needs_photo.clone();
                view! {
                    <fieldset class="field check-item" data-item=item.key.clone()>
                        <legend class="field-label">{item.label.clone()}</legend>
                        <div class="segmented segmented-3">
                            {[Grade::Good, Grade::Fair, Grade::Poor].into_iter().map(|grade| {
                                let off = item.deduction(grade);
                                view! {
                                    <button type="button" class=format!("segment grade-{}", grade.code())
                                        aria-pressed=move || (draft.grade.get() == grade).to_string()
                                        on:click=move |_| draft.grade.set(grade)>
                                        {move || grade_name(i18n.get_locale(), grade)}
                                        {(off > 0).then(|| format!(" −{off}"))}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                        <Show when=shown.clone()>
                            <input type="text" placeholder=move || t_string!(i18n, cleaning.note).to_string()
                                aria-label=move || t_string!(i18n, cleaning.note).to_string() bind:value=draft.note />
                            // The item's own message below says what is missing; the picker's generic one would say it twice.
                            <PhotoPicker photos=draft.photos preparing=draft.preparing missing=Signal::stored(false) />
                        </Show>
                        <Show when=move || problem.get().is_some()>
                            <p class="field-problem" role="alert">{t!(i18n, cleaning.photo_needed)}</p>
                        </Show>
                    </fieldset>
                }
            }).collect_view()}
            {move || last.get().map(|(_, earlier)| view! {
                <label class="check">
                    <input type="checkbox" bind:checked=correcting />
                    {t!(i18n, cleaning.correct_last)} " (" {earlier} ")"
                </label>
            })}
            <StorageErrorNotice error=storage_error />
            <Show when=move || problem_of("slot".into()).get().is_some()>
                <p class="field-problem" role="alert">{t!(i18n, cleaning.slot_needed)}</p>
            </Show>
            <button type="submit" class="button button-big" disabled=move || saving.get() || saved.get().is_some()>{t!(i18n, cleaning.save)}</button>
            </div>
        </form>
    }
}

/// How recent a score of the same zone must be for the form to ask before scoring it again.
const RESCORE_ASK_MINUTES: i64 = 10;
