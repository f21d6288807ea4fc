//! The admin's watch list (关注名单): people the guard is warned about, by phone number or ID number. The ID
//! number is kept only as a keyed hash and a masked copy; a match warns, it never blocks by itself.

use super::gate_visits_page::id_type_name;
use super::{add_watch_entry, load_watch_list, set_watch_entry_active};
use crate::components::{ErrorNotice, Field, HeldSwitchOff, Page, UndoBar, problem_of};
use crate::domain::visit::{IdType, WatchEntryInput};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn WatchListPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |()| load_watch_list());
    let phone = RwSignal::new(String::new());
    let id_type = RwSignal::new(IdType::ResidentCard);
    let id_number = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let add = Action::new(|input: &WatchEntryInput| add_watch_entry(input.clone()));
    let added = add.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = added.get() {
            phone.set(String::new());
            id_number.set(String::new());
            note.set(String::new());
            list.refetch();
        }
    });
    let toggle = Action::new(move |(id, active): &(uuid::Uuid, bool)| {
        let (id, active) = (*id, *active);
        async move {
            let result = set_watch_entry_active(id, active).await;
            list.refetch();
            result
        }
    });
    let held = HeldSwitchOff::new();
    let switch = move |id, active, name: String| {
        if active {
            toggle.dispatch((id, true));
        } else {
            held.hold(name, move || {
                toggle.dispatch((id, false));
            });
        }
    };
    let add_error = Signal::derive(move || {
        added
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, crate::error::AppError::Invalid { .. }))
    });
    view! {
        <Page title=move || t_string!(i18n, gate.watch_list).to_string()>
            <UndoBar held />
            <p class="muted">{t!(i18n, gate.watch_list_help)}</p>
            <form class="form card" on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(WatchEntryInput { phone: phone.get_untracked(), id_type: Some(id_type.get_untracked()), id_number: id_number.get_untracked(), note: note.get_untracked() });
            }>
                <Field label=move || t_string!(i18n, gate.phone).to_string() problem=problem_of(added, "phone")>
                    <input type="tel" bind:value=phone />
                </Field>
                <Field label=move || t_string!(i18n, gate.id_type).to_string()>
                    <select on:change=move |ev| { if let Some(kind) = IdType::from_code(&event_target_value(&ev)) { id_type.set(kind) } }>
                        {[IdType::ResidentCard, IdType::Passport, IdType::Other].into_iter().map(|kind| view! {
                            <option value=kind.code() selected=move || id_type.get() == kind>{move || id_type_name(i18n.get_locale(), kind)}</option>
                        }).collect_view()}
                    </select>
                </Field>
                <Field label=move || t_string!(i18n, gate.id_number).to_string() problem=problem_of(added, "id_number")>
                    <input type="text" autocapitalize="characters" bind:value=id_number />
                </Field>
                <Field label=move || t_string!(i18n, gate.watch_note).to_string() problem=problem_of(added, "note")>
                    <input type="text" bind:value=note />
                </Field>
                <ErrorNotice error=add_error />
                <button type="submit" class="button" disabled=move || add.pending().get()>{t!(i18n, gate.watch_add)}</button>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) => view! {
                            <ul class="list" data-testid="watch-list">
                                {rows.into_iter().map(|row| {
                                    let (id, active) = (row.id, row.active);
                                    let name = row.note.clone();
                                    view! {
                                        <li class:inactive=!active>
                                            <strong>{row.note}</strong>
                                            <span class="muted">{[row.phone.unwrap_or_default(), row.id_masked.unwrap_or_default()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</span>
                                            <button type="button" class="button button-small button-secondary" on:click=move |_| switch(id, !active, name.clone())>
                                                {move || if active { t_string!(i18n, common.deactivate) } else { t_string!(i18n, common.reactivate) }}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}
