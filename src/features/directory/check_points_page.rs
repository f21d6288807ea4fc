//! The admin's check points: place, kind of equipment, label, and the person responsible (责任到人).

use super::editing::{RowActions, SaveButtons, activation, last_error};
use super::{Entry, PersonOptions, PlaceOptions, save_check_point};
use crate::components::{
    ErrorNotice, Field, Page, UndoBar, check_point_kind_name, problem_of, use_directory,
};
use crate::domain::{CheckPointInput, CheckPointKind};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

#[component]
pub fn CheckPointsPage() -> impl IntoView {
    let i18n = use_i18n();
    let form = NodeRef::<leptos::html::Form>::new();
    let directory = use_directory();
    let editing = RwSignal::new(None::<Uuid>);
    let place = RwSignal::new(String::new());
    let kind = RwSignal::new(CheckPointKind::Extinguisher.code().to_owned());
    let label = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let save = Action::new(|(id, input): &(Option<Uuid>, CheckPointInput)| {
        let (id, input) = (*id, input.clone());
        async move { save_check_point(id, input).await }
    });
    let toggle = activation(Entry::CheckPoint);
    let saved = save.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = saved.get() {
            editing.set(None);
            label.set(String::new());
            directory.refetch();
        }
    });
    let error = last_error(saved, toggle);
    view! {
        <Page title=move || t_string!(i18n, admin.check_points).to_string()>
            <UndoBar held=toggle.held />
            <form class="form card" node_ref=form on:submit=move |ev| {
                ev.prevent_default();
                let input = CheckPointInput {
                    // An unparsable choice becomes the nil id, which the server reports as an unknown place.
                    place_id: Uuid::parse_str(&place.get_untracked()).unwrap_or_default(),
                    kind: CheckPointKind::from_code(&kind.get_untracked()).unwrap_or(CheckPointKind::Extinguisher),
                    label: label.get_untracked(),
                    responsible_id: Uuid::parse_str(&responsible.get_untracked()).ok(),
                };
                save.dispatch((editing.get_untracked(), input));
            }>
                <h2>{move || if editing.get().is_some() { t_string!(i18n, common.edit) } else { t_string!(i18n, check_points.add) }}</h2>
                <Field label=move || t_string!(i18n, fields.check_point_label).to_string() problem=problem_of(saved, "label")>
                    <input bind:value=label />
                </Field>
                <Field label=move || t_string!(i18n, fields.check_point_kind).to_string()>
                    <select prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        {CheckPointKind::ALL.iter().map(|k| view! {
                            <option value=k.code() selected=move || kind.get() == k.code()>{move || check_point_kind_name(i18n.get_locale(), *k)}</option>
                        }).collect_view()}
                    </select>
                </Field>
                <Field label=move || t_string!(i18n, fields.place).to_string() problem=problem_of(saved, "place_id")>
                    <select prop:value=move || place.get() on:change=move |ev| place.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, common.choose)}</option>
                        <PlaceOptions selected=place />
                    </select>
                </Field>
                <Field label=move || t_string!(i18n, fields.responsible).to_string() problem=problem_of(saved, "responsible_id")>
                    <select prop:value=move || responsible.get() on:change=move |ev| responsible.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, common.nobody)}</option>
                        <PersonOptions selected=responsible />
                    </select>
                </Field>
                <ErrorNotice error />
                <SaveButtons editing pending=save.pending() />
            </form>
            <Transition>
                {move || Suspend::new(async move {
                    let directory = directory.await.unwrap_or_default();
                    view! {
                        <ul class="list">
                            {directory.check_points.into_iter().map(|point| {
                                let (id, active, point_kind) = (point.id, point.active, point.kind);
                                let edit = point.clone();
                                let name = point.label.clone();
                                view! {
                                    <li class:inactive=!active>
                                        <A href=format!("/check-points/{id}")><strong>{point.label.clone()}</strong></A>
                                        <span class="muted">{move || check_point_kind_name(i18n.get_locale(), point_kind)} " · "
                                            {point.responsible_name.clone()}</span>
                                        <RowActions id active form name toggle on_edit=move |()| {
                                                editing.set(Some(edit.id));
                                                place.set(edit.place_id.to_string());
                                                kind.set(edit.kind.code().to_owned());
                                                label.set(edit.label.clone());
                                                responsible.set(edit.responsible_id.map(|r| r.to_string()).unwrap_or_default());
                                            } label_href=format!("/check-points/{id}/label") />
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </Page>
    }
}
