//! Printable QR labels. The QR holds the app URL of the place or check point, so any phone camera opens it.
//! One label on its own page (`/places/:id/label`), or a sheet of stickers for many (`/admin/labels`), each
//! with the school's name.

use super::{Entry, Labels, load_labels};
use crate::components::{ErrorNotice, Page, use_directory};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeSet;
use uuid::Uuid;

#[component]
pub fn PlaceLabelPage() -> impl IntoView {
    view! { <OneLabel entry=Entry::Place /> }
}

#[component]
pub fn CheckPointLabelPage() -> impl IntoView {
    view! { <OneLabel entry=Entry::CheckPoint /> }
}

#[component]
fn OneLabel(entry: Entry) -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|params| params.get("id"))
        .and_then(|id| Uuid::parse_str(&id).ok());
    // Loaded in the browser only: the server sends the page without the sheet. A resource carried over from the
    // server render left the page half hydrated now and then (a panic in tachys' hydration, about one load in
    // three, seen by the every-page test), and a label is printed from a phone that has the app running anyway.
    let sheet = LocalResource::new(move || async move {
        match id {
            Some(id) => load_labels(entry, vec![id]).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(sheet) => view! {
                        <article class="label-sheet">
                            <Stickers sheet />
                            <PrintButton />
                        </article>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Labels as stickers: on paper as many to an A4 sheet as fit (3 × 4), each headed by the school's name.
#[component]
fn Stickers(sheet: Labels) -> impl IntoView {
    let i18n = use_i18n();
    let school = sheet.school_name;
    sheet
        .labels
        .into_iter()
        .map(|label| {
            let school = school.clone();
            view! {
                <div class="label">
                    <p class="label-school">
                        {if school.is_empty() { t_string!(i18n, app.name).to_string() } else { school }}
                    </p>
                    <div class="label-qr" inner_html=label.qr_svg></div>
                    <p class="label-title">{label.title}</p>
                    {(!label.subtitle.is_empty()).then(|| view! { <p class="label-subtitle">{label.subtitle}</p> })}
                    <p class="label-hint">{t!(i18n, label.scan_hint)}</p>
                    <p class="label-url">{label.url}</p>
                </div>
            }
        })
        .collect_view()
}

#[component]
fn PrintButton() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="button" class="button button-primary no-print" on:click=move |_| { let _ = window().print(); }>
            {t!(i18n, label.print)}
        </button>
    }
}

/// The admin's sticker sheet: choose places or check points (all at once, or one by one), then print.
#[component]
pub fn LabelsPage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    let entry = RwSignal::new(Entry::CheckPoint);
    let chosen = RwSignal::new(BTreeSet::<Uuid>::new());
    // What can be labelled: (id, name, where), the active ones of the chosen kind.
    let choices = Memo::new(move |_| {
        let Some(Ok(d)) = directory.get() else {
            return Vec::new();
        };
        match entry.get() {
            Entry::Place => d
                .active_places()
                .map(|p| (p.id, p.name.clone(), p.path.clone()))
                .collect::<Vec<_>>(),
            _ => d
                .check_points
                .iter()
                .filter(|c| c.active)
                .map(|c| (c.id, c.label.clone(), c.place_path.clone()))
                .collect(),
        }
    });
    let make = Action::new(|(entry, ids): &(Entry, Vec<Uuid>)| load_labels(*entry, ids.clone()));
    let sheet = make.value();
    let error = Signal::derive(move || sheet.get().and_then(Result::err));
    let kind_button = move |kind: Entry, name: fn(Locale) -> &'static str| {
        view! {
            <button type="button" class="chip" aria-pressed=move || (entry.get() == kind).to_string()
                on:click=move |_| {
                    entry.set(kind);
                    chosen.set(BTreeSet::new());
                }>
                {move || name(i18n.get_locale())}
            </button>
        }
    };
    view! {
        <Page title=move || t_string!(i18n, label.sheet_title).to_string()>
            <form class="form card no-print" data-testid="label-choice" on:submit=move |ev| {
                ev.prevent_default();
                let ids: Vec<Uuid> = choices.with_untracked(|c| {
                    chosen.with_untracked(|chosen| c.iter().map(|c| c.0).filter(|id| chosen.contains(id)).collect())
                });
                make.dispatch((entry.get_untracked(), ids));
            }>
                <div class="chips" role="group">
                    {kind_button(Entry::CheckPoint, |l| td_string!(l, admin.check_points))}
                    {kind_button(Entry::Place, |l| td_string!(l, admin.places))}
                </div>
                <div class="row">
                    <button type="button" class="button button-small" on:click=move |_| {
                        chosen.set(choices.with_untracked(|c| c.iter().map(|c| c.0).collect()));
                    }>{t!(i18n, label.choose_all)}</button>
                    <button type="button" class="button button-small" on:click=move |_| chosen.set(BTreeSet::new())>
                        {t!(i18n, label.choose_none)}
                    </button>
                </div>
                // Inside a Transition, as the directory is read: the server and the hydrating page then render
                // the same list (read outside one, the page hydrated against an empty list and panicked).
                <Transition>
                    {move || Suspend::new(async move {
                        let _ = directory.await;
                        view! {
                            <ul class="list choice-list">
                                {move || choices.get().into_iter().map(|(id, name, place)| view! {
                                    <li>
                                        <label class="check-row">
                                            <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                                                } />
                                            <span>{name.clone()} {(place != name).then(|| view! { <span class="muted">" · " {place.clone()}</span> })}</span>
                                        </label>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }
                    })}
                </Transition>
                <ErrorNotice error />
                <button type="submit" class="button button-primary"
                    disabled=move || chosen.with(BTreeSet::is_empty) || make.pending().get()>
                    {move || t_string!(i18n, label.make, count = chosen.with(BTreeSet::len)).to_string()}
                </button>
            </form>
            {move || sheet.get().and_then(Result::ok).map(|sheet| view! {
                <PrintButton />
                <div class="sticker-sheet" data-testid="sticker-sheet">
                    <Stickers sheet />
                </div>
            })}
        </Page>
    }
}
