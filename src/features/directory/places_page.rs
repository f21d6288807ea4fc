//! The admin's place tree: add, rename, move, deactivate and bring back places; print their QR labels.

use super::editing::{RowActions, SaveButtons, activation, last_error};
use super::{Entry, PlaceOptions, save_place};
use crate::components::{
    ErrorNotice, Field, Page, UndoBar, place_kind_name, problem_of, use_directory,
};
use crate::domain::{PlaceInput, PlaceKind};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

#[component]
pub fn PlacesPage() -> impl IntoView {
    let i18n = use_i18n();
    let form = NodeRef::<leptos::html::Form>::new();
    let directory = use_directory();
    let editing = RwSignal::new(None::<Uuid>);
    let parent = RwSignal::new(String::new());
    let kind = RwSignal::new(PlaceKind::Building.code().to_owned());
    let name = RwSignal::new(String::new());
    let save = Action::new(|(id, input): &(Option<Uuid>, PlaceInput)| {
        let (id, input) = (*id, input.clone());
        async move { save_place(id, input).await }
    });
    let toggle = activation(Entry::Place);
    let saved = save.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = saved.get() {
            name.set(String::new());
            editing.set(None);
            directory.refetch();
        }
    });
    let start_edit = move |place: crate::domain::Place| {
        editing.set(Some(place.id));
        parent.set(place.parent_id.map(|p| p.to_string()).unwrap_or_default());
        kind.set(place.kind.code().to_owned());
        name.set(place.name);
    };
    let error = last_error(saved, toggle);
    view! {
        <Page title=move || t_string!(i18n, admin.places).to_string()>
            <UndoBar held=toggle.held />
            <form class="form card" node_ref=form on:submit=move |ev| {
                ev.prevent_default();
                let input = PlaceInput {
                    parent_id: Uuid::parse_str(&parent.get_untracked()).ok(),
                    kind: PlaceKind::from_code(&kind.get_untracked()).unwrap_or(PlaceKind::Area),
                    name: name.get_untracked(),
                };
                save.dispatch((editing.get_untracked(), input));
            }>
                <h2>{move || if editing.get().is_some() { t_string!(i18n, common.edit) } else { t_string!(i18n, places.add) }}</h2>
                <Field label=move || t_string!(i18n, fields.place_name).to_string() problem=problem_of(saved, "name")>
                    <input name="name" bind:value=name />
                </Field>
                <Field label=move || t_string!(i18n, fields.place_kind).to_string()>
                    <select name="kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        {PlaceKind::ALL.iter().map(|k| view! {
                            <option value=k.code() selected=move || kind.get() == k.code()>{move || place_kind_name(i18n.get_locale(), *k)}</option>
                        }).collect_view()}
                    </select>
                </Field>
                <Field label=move || t_string!(i18n, fields.parent_place).to_string() problem=problem_of(saved, "parent_id")>
                    <select name="parent" prop:value=move || parent.get() on:change=move |ev| parent.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, places.top_level)}</option>
                        <PlaceOptions selected=parent />
                    </select>
                </Field>
                <ErrorNotice error />
                <SaveButtons editing pending=save.pending() />
            </form>
            <Transition>
                {move || Suspend::new(async move {
                    let directory = directory.await.unwrap_or_default();
                    view! {
                        <ul class="list tree">
                            {directory.places.into_iter().map(|place| {
                                let depth = place.path.matches(" · ").count();
                                let (id, active, kind) = (place.id, place.active, place.kind);
                                let edit = place.clone();
                                let name = place.name.clone();
                                view! {
                                    <li class:inactive=!active style=format!("--depth: {depth}")>
                                        <A href=format!("/places/{id}")><strong>{place.name.clone()}</strong></A>
                                        <span class="muted">{move || place_kind_name(i18n.get_locale(), kind)}
                                            {(!active).then(|| view! { " · " {t!(i18n, common.inactive)} })}</span>
                                        <RowActions id active form name toggle on_edit=move |()| start_edit(edit.clone()) label_href=format!("/places/{id}/label") />
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
