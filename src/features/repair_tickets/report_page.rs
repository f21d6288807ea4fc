//! `/repair-tickets/new?place=…`: report a fault. Works offline: the report and its photos are kept on the
//! phone and sent when there is a network. A place's QR label links here with the place filled in.

use super::local_view::{category_name, place_paths, urgency_name};
use crate::components::PhotoPicker;
use crate::components::{Field, Page, StorageErrorNotice, phone_now_ms};
use crate::domain::ticket::{Category, REPORT, ReportArgs, Urgency};
use crate::error::{AppError, Problem};
use crate::i18n::*;
use crate::sync::local::{PreparedPhoto, SaveError, use_local_data};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

#[component]
pub fn ReportTicketPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let query = use_query_map();
    let ticket_id = RwSignal::new(Uuid::now_v7());
    let place = RwSignal::new(query.with_untracked(|q| q.get("place").unwrap_or_default()));
    let category = RwSignal::new(None::<Category>);
    let urgency = RwSignal::new(Urgency::Normal);
    let description = RwSignal::new(String::new());
    let photos = RwSignal::new(Vec::<PreparedPhoto>::new());
    let preparing = RwSignal::new(0usize);
    let problems = RwSignal::new(None::<AppError>);
    let storage_error = RwSignal::new(None::<SaveError>);
    let saved = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let places = Memo::new(move |_| place_paths(local));
    let problem = move |field: &'static str| {
        Signal::derive(move || problems.with(|p| p.as_ref().and_then(|e| e.field_problem(field))))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() || preparing.get_untracked() > 0 {
            return;
        }
        saved.set(false);
        storage_error.set(None);
        let place_id = Uuid::parse_str(&place.get_untracked()).ok();
        let mut fields = Vec::new();
        if place_id.is_none() {
            fields.push(("place_id", Problem::Required));
        }
        if category.get_untracked().is_none() {
            fields.push(("category", Problem::Required));
        }
        let args = ReportArgs {
            ticket_id: ticket_id.get_untracked(),
            place_id: place_id.unwrap_or_default(),
            category: category.get_untracked().unwrap_or(Category::Other),
            urgency: urgency.get_untracked(),
            description: description.get_untracked(),
            photos: photos.with_untracked(|p| p.iter().map(|p| p.reference.clone()).collect()),
            reported_at_ms: phone_now_ms(),
        };
        let mut checked = args.clone().validate().err();
        if !fields.is_empty() {
            let mut all = match checked.take() {
                Some(AppError::Invalid { fields }) => fields,
                _ => Vec::new(),
            };
            all.extend(
                fields
                    .into_iter()
                    .map(|(field, problem)| crate::error::FieldError {
                        field: field.into(),
                        problem,
                    }),
            );
            checked = Some(AppError::Invalid { fields: all });
        }
        if let Some(error) = checked {
            problems.set(Some(error));
            return;
        }
        problems.set(None);
        saving.set(true);
        leptos::task::spawn_local(async move {
            // The photos first: a saved report never points at photos the phone does not hold.
            let result = local
                .save_with_photos(REPORT, &args, &photos.get_untracked())
                .await;
            saving.set(false);
            match result {
                Ok(_) => {
                    saved.set(true);
                    ticket_id.set(Uuid::now_v7());
                    description.set(String::new());
                    category.set(None);
                    urgency.set(Urgency::Normal);
                    photos.set(Vec::new());
                }
                // Everything typed and every photo stays in the form.
                Err(error) => storage_error.set(Some(error)),
            }
        });
    };
    view! {
        <Page title=move || t_string!(i18n, repair.new_title).to_string()>
            <form class="form card" on:submit=submit novalidate data-testid="report-form">
                <Field label=move || t_string!(i18n, repair.place).to_string() problem=problem("place_id")>
                    <select name="place" bind:value=place>
                        <option value="">{t!(i18n, common.choose)}</option>
                        {move || places.get().into_iter().map(|(id, path)| view! {
                            <option value=id.to_string()>{path}</option>
                        }).collect_view()}
                    </select>
                </Field>
                <fieldset class="field">
                    <legend class="field-label">{t!(i18n, repair.category)}</legend>
                    <div class="chips" data-testid="categories">
                        {Category::ALL.iter().map(|c| {
                            let c = *c;
                            view! {
                                <button type="button" class="chip" aria-pressed=move || (category.get() == Some(c)).to_string()
                                    on:click=move |_| category.set(Some(c))>{move || category_name(i18n.get_locale(), c)}</button>
                            }
                        }).collect_view()}
                    </div>
                    <Show when=move || problem("category").get().is_some()>
                        <p class="field-problem">{t!(i18n, problems.required)}</p>
                    </Show>
                </fieldset>
                <fieldset class="field">
                    <legend class="field-label">{t!(i18n, repair.urgency)}</legend>
                    <div class="segmented segmented-3">
                        {Urgency::ALL.iter().map(|u| {
                            let u = *u;
                            view! {
                                <button type="button" class="segment" aria-pressed=move || (urgency.get() == u).to_string()
                                    on:click=move |_| urgency.set(u)>{move || urgency_name(i18n.get_locale(), u)}</button>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <Field label=move || t_string!(i18n, repair.description).to_string() problem=problem("description")>
                    <textarea name="description" rows="3" placeholder=move || t_string!(i18n, repair.description_hint).to_string()
                        bind:value=description></textarea>
                </Field>
                <PhotoPicker photos preparing missing=Signal::derive(|| false) />
                <Show when=move || problems.get().is_some()>
                    <p class="notice notice-error" role="alert">{t!(i18n, repair.fix_fields)}</p>
                </Show>
                <StorageErrorNotice error=storage_error />
                <Show when=move || saved.get()>
                    <p class="notice notice-ok" role="status" data-testid="saved">{t!(i18n, repair.saved)}</p>
                </Show>
                <button type="submit" class="button button-big" disabled=move || { saving.get() || preparing.get() > 0 }>
                    {t!(i18n, repair.submit)}
                </button>
            </form>
        </Page>
    }
}
