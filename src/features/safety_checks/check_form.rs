//! One point's check on the phone: the checklist with photos, the signature, saved offline.
use super::local_view::*;
use super::signature_pad::SignaturePad;
use crate::components::PhotoPicker;
use crate::components::{
    NotOnThisPhone, Page, StorageErrorNotice, check_point_kind_name, phone_now_ms,
};
use crate::domain::safety::{Answer, CHECK, CheckArgs, ItemResult, Template};
use crate::error::AppError;
use crate::i18n::*;
use crate::sync::local::{LocalData, PreparedPhoto, SaveError, use_local_data};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

/// One item's answer as the form holds it.
#[derive(Clone, Copy)]
struct ItemDraft {
    result: RwSignal<Option<ItemResult>>,
    note: RwSignal<String>,
    photos: RwSignal<Vec<PreparedPhoto>>,
    preparing: RwSignal<usize>,
}

/// `/safety-checks/check?point=…[&scan=1]`: the point's checklist, one tap per item, signed at the end.
#[component]
pub fn CheckFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let query = use_query_map();
    let point_id =
        Memo::new(move |_| query.with(|q| q.get("point").and_then(|p| Uuid::parse_str(&p).ok())));
    let scanned = query.with_untracked(|q| q.get("scan").is_some_and(|s| s == "1"));
    // Taken once when the form opens (and again only for another point): a sync that brings a new checklist
    // version or another check must not wipe what the inspector is filling in.
    let found = RwSignal::new(None::<(LocalPoint, Option<Template>, Option<(i64, Uuid)>)>);
    Effect::new(move |_| {
        let Some(id) = point_id.get() else {
            return;
        };
        if found.with_untracked(|f| f.as_ref().is_some_and(|(p, _, _)| p.id == id)) {
            return;
        }
        let Some(point) = local.rows::<LocalPoint>().into_iter().find(|p| p.id == id) else {
            return;
        };
        let template = local
            .rows::<Template>()
            .into_iter()
            .filter(|t| t.kind == point.kind)
            .max_by_key(|t| t.version);
        // The check a correction replaces: the latest of this point, sent or still waiting on this phone.
        let mut made: Vec<(i64, Uuid)> = local
            .rows::<CheckRow>()
            .into_iter()
            .filter(|c| c.point_id == id)
            .map(|c| (c.checked_at, c.id))
            .collect();
        made.extend(
            local
                .pending_args::<CheckArgs>(CHECK)
                .into_iter()
                .filter(|c| c.point_id == id)
                .map(|c| (c.checked_at_ms, c.check_id)),
        );
        let last = made.into_iter().max();
        found.set(Some((point, template, last)));
    });
    view! {
        <Page title=move || t_string!(i18n, safety.start_check).to_string()>
            {move || match found.get() {
                None if local.settled() => view! { <NotOnThisPhone /> }.into_any(),
                None => view! { <p class="loading">{t!(i18n, common.loading)}</p> }.into_any(),
                Some((point, None, _)) => view! {
                    <h2>{point.label}</h2>
                    <p class="notice">{t!(i18n, safety.no_template)}</p>
                }.into_any(),
                Some((point, Some(template), last)) => view! {
                    <CheckForm local point template last scanned />
                }.into_any(),
            }}
        </Page>
    }
}

#[component]
fn CheckForm(
    local: LocalData,
    point: LocalPoint,
    template: Template,
    last: Option<(i64, Uuid)>,
    scanned: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    // A point checked a few minutes ago (on this phone or another) is asked about first: a second check is
    // rarely meant, and a double tap must never make one silently.
    let minutes_since_last = last
        .map(|(at, _)| (phone_now_ms() - at) / 60_000)
        .filter(|m| (0..RECHECK_ASK_MINUTES).contains(m));
    let confirmed_recheck = RwSignal::new(minutes_since_last.is_none());
    let last = last.map(|(_, id)| id);
    let check_id = RwSignal::new(Uuid::now_v7());
    let drafts: Vec<(crate::domain::safety::TemplateItem, ItemDraft)> = template
        .items
        .iter()
        .map(|item| {
            (
                item.clone(),
                ItemDraft {
                    result: RwSignal::new(None),
                    note: RwSignal::new(String::new()),
                    photos: RwSignal::new(Vec::new()),
                    preparing: RwSignal::new(0),
                },
            )
        })
        .collect();
    let correcting = RwSignal::new(false);
    let signature = RwSignal::new(String::new());
    let problems = RwSignal::new(None::<AppError>);
    let storage_error = RwSignal::new(None::<SaveError>);
    let saved = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let point_id = point.id;
    let version = template.version;
    let all = drafts.clone();
    let all_pass = move |_| {
        for (_, draft) in &all {
            if draft.result.get_untracked().is_none() {
                draft.result.set(Some(ItemResult::Pass));
            }
        }
    };
    let form_drafts = drafts.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked()
            || saved.get_untracked()
            || form_drafts
                .iter()
                .any(|(_, d)| d.preparing.get_untracked() > 0)
        {
            return;
        }
        saved.set(false);
        let answers: Vec<Answer> = form_drafts
            .iter()
            .filter_map(|(item, d)| {
                d.result.get_untracked().map(|result| Answer {
                    key: item.key.clone(),
                    result,
                    note: d.note.get_untracked(),
                    photos: if result == ItemResult::Fail {
                        d.photos
                            .with_untracked(|p| p.iter().map(|p| p.reference.clone()).collect())
                    } else {
                        Vec::new()
                    },
                })
            })
            .collect();
        let args = CheckArgs {
            check_id: check_id.get_untracked(),
            point_id,
            template_version: version,
            answers,
            signature: signature.get_untracked(),
            opened_by_scan: scanned,
            checked_at_ms: phone_now_ms(),
            supersedes: if correcting.get_untracked() {
                last
            } else {
                None
            },
        };
        if let Err(error) = args.clone().validate(&template) {
            problems.set(Some(error));
            return;
        }
        problems.set(None);
        let photos: Vec<PreparedPhoto> = form_drafts
            .iter()
            .filter(|(_, d)| d.result.get_untracked() == Some(ItemResult::Fail))
            .flat_map(|(_, d)| d.photos.get_untracked())
            .collect();
        saving.set(true);
        let reset = form_drafts.clone();
        leptos::task::spawn_local(async move {
            let result = local.save_with_photos(CHECK, &args, &photos).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    saved.set(true);
                    check_id.set(Uuid::now_v7());
                    correcting.set(false);
                    signature.set(String::new());
                    for (_, d) in &reset {
                        d.result.set(None);
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
    let kind = point.kind;
    view! {
        <h2 data-testid="point-label">{point.label.clone()}</h2>
        <p class="muted">
            {move || check_point_kind_name(i18n.get_locale(), kind)} " · " {t!(i18n, safety.template_version)} " " {version}
            {scanned.then(|| view! { " · " <span class="badge state-done">{t!(i18n, safety.scanned)}</span> })}
        </p>
        {minutes_since_last.map(|minutes| view! {
            <Show when=move || !confirmed_recheck.get()>
                <div class="notice notice-warn" role="alert" data-testid="recheck-warning">
                    <p>{move || t_string!(i18n, safety.checked_minutes_ago, minutes = minutes).to_string()}</p>
                    <div class="row-actions">
                        <button type="button" class="button" on:click=move |_| confirmed_recheck.set(true)>{t!(i18n, safety.check_again)}</button>
                        <a class="button button-secondary" href="/safety-checks">{t!(i18n, safety.next_point)}</a>
                    </div>
                </div>
            </Show>
        })}
        <form class="form card" on:submit=submit novalidate data-testid="check-form"
            style:display=move || if confirmed_recheck.get() { "" } else { "none" }>
            // Once saved, the form gives way to what was saved and where to go next: a second tap cannot save
            // the same check again.
            <Show when=move || saved.get()>
                <p class="notice notice-ok" role="status" data-testid="saved">{t!(i18n, safety.saved)}</p>
                <div class="row-actions">
                    <a class="button button-primary" href="/safety-checks" data-testid="next-point">{t!(i18n, safety.next_point)}</a>
                    <button type="button" class="button button-secondary" on:click=move |_| saved.set(false)>{t!(i18n, safety.check_again)}</button>
                </div>
            </Show>
            <div class="form" style:display=move || if saved.get() { "none" } else { "" }>
            <button type="button" class="button button-secondary" on:click=all_pass>{t!(i18n, safety.rest_pass)}</button>
            {drafts.into_iter().map(|(item, draft)| {
                let problem = problem_of(format!("answers.{}", item.key));
                let key = item.key.clone();
                view! {
                    <fieldset class="field check-item" data-item=key>
                        <legend class="field-label">{item.label.clone()}</legend>
                        <div class="segmented segmented-3">
                            {[ItemResult::Pass, ItemResult::Fail, ItemResult::NotApplicable].into_iter().map(|result| view! {
                                <button type="button" class=format!("segment result-{}", result.code())
                                    aria-pressed=move || (draft.result.get() == Some(result)).to_string()
                                    on:click=move |_| draft.result.set(Some(result))>
                                    {move || result_name(i18n.get_locale(), result)}
                                </button>
                            }).collect_view()}
                        </div>
                        <Show when=move || draft.result.get() == Some(ItemResult::Fail)>
                            <input type="text" placeholder=move || t_string!(i18n, safety.fail_note).to_string()
                                aria-label=move || t_string!(i18n, safety.fail_note).to_string() bind:value=draft.note />
                            <PhotoPicker photos=draft.photos preparing=draft.preparing missing=Signal::derive(|| false) />
                        </Show>
                        <Show when=move || problem.get().is_some()>
                            <p class="field-problem" role="alert">
                                {move || if draft.result.get() == Some(ItemResult::Fail) {
                                    t_string!(i18n, safety.fail_needs).to_string()
                                } else {
                                    t_string!(i18n, safety.answer_needed).to_string()
                                }}
                            </p>
                        </Show>
                    </fieldset>
                }
            }).collect_view()}
            <fieldset class="field">
                <legend class="field-label">{t!(i18n, safety.signature)}</legend>
                <SignaturePad signature />
                <Show when=move || problem_of("signature".into()).get().is_some()>
                    <p class="field-problem" role="alert">{t!(i18n, safety.sign_here)}</p>
                </Show>
            </fieldset>
            {last.map(|_| view! {
                <label class="check">
                    <input type="checkbox" bind:checked=correcting />
                    {t!(i18n, safety.correct_last)}
                </label>
            })}
            <StorageErrorNotice error=storage_error />
            <button type="submit" class="button button-big" disabled=move || saving.get() || saved.get()>{t!(i18n, safety.submit)}</button>
            </div>
        </form>
    }
}

/// How recent a check of the same point must be for a new one to be asked about first.
const RECHECK_ASK_MINUTES: i64 = 10;
