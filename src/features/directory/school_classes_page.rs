//! The admin's classes: grade and number, class teacher, and the cleaning zone (包干区) each keeps.

use super::editing::{RowActions, SaveButtons, activation, last_error};
use super::{Entry, PersonOptions, PlaceOptions, save_school_class};
use crate::components::{ErrorNotice, Field, Page, UndoBar, class_name, problem_of, use_directory};
use crate::domain::SchoolClassInput;
use crate::domain::school_class::GRADES;
use crate::i18n::*;
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn SchoolClassesPage() -> impl IntoView {
    let i18n = use_i18n();
    let form = NodeRef::<leptos::html::Form>::new();
    let directory = use_directory();
    let editing = RwSignal::new(None::<Uuid>);
    let grade = RwSignal::new("1".to_owned());
    let number = RwSignal::new("1".to_owned());
    let teacher = RwSignal::new(String::new());
    let zone = RwSignal::new(String::new());
    let save = Action::new(|(id, input): &(Option<Uuid>, SchoolClassInput)| {
        let (id, input) = (*id, input.clone());
        async move { save_school_class(id, input).await }
    });
    let toggle = activation(Entry::SchoolClass);
    let saved = save.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = saved.get() {
            editing.set(None);
            directory.refetch();
        }
    });
    let error = last_error(saved, toggle);
    view! {
        <Page title=move || t_string!(i18n, admin.classes).to_string()>
            <UndoBar held=toggle.held />
            <form class="form card" node_ref=form on:submit=move |ev| {
                ev.prevent_default();
                let input = SchoolClassInput {
                    grade: grade.get_untracked().trim().parse().unwrap_or(0),
                    number: number.get_untracked().trim().parse().unwrap_or(0),
                    teacher_id: Uuid::parse_str(&teacher.get_untracked()).ok(),
                    zone_id: Uuid::parse_str(&zone.get_untracked()).ok(),
                };
                save.dispatch((editing.get_untracked(), input));
            }>
                <h2>{move || if editing.get().is_some() { t_string!(i18n, common.edit) } else { t_string!(i18n, classes.add) }}</h2>
                <div class="row">
                    <Field label=move || t_string!(i18n, fields.grade).to_string() problem=problem_of(saved, "grade")>
                        <select prop:value=move || grade.get() on:change=move |ev| grade.set(event_target_value(&ev))>
                            {GRADES.map(|g| view! { <option value=g.to_string() selected=move || grade.get() == g.to_string()>{g}</option> }).collect_view()}
                        </select>
                    </Field>
                    <Field label=move || t_string!(i18n, fields.number).to_string() problem=problem_of(saved, "number")>
                        <input type="number" inputmode="numeric" min="1" max="30" bind:value=number />
                    </Field>
                </div>
                <Field label=move || t_string!(i18n, fields.teacher).to_string() problem=problem_of(saved, "teacher_id")>
                    <select prop:value=move || teacher.get() on:change=move |ev| teacher.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, common.nobody)}</option>
                        <PersonOptions selected=teacher />
                    </select>
                </Field>
                <Field label=move || t_string!(i18n, fields.zone).to_string() problem=problem_of(saved, "zone_id")>
                    <select prop:value=move || zone.get() on:change=move |ev| zone.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, common.none)}</option>
                        <PlaceOptions selected=zone />
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
                            {directory.school_classes.into_iter().map(|class| {
                                let (id, active) = (class.id, class.active);
                                let edit = class.clone();
                                view! {
                                    <li class:inactive=!active>
                                        <strong>{move || class_name(i18n.get_locale(), class.grade, class.number)}</strong>
                                        <span class="muted">{class.teacher_name.clone()} " · " {class.zone_path.clone()}</span>
                                        <RowActions id active form name=class_name(i18n.get_locale_untracked(), class.grade, class.number) toggle on_edit=move |()| {
                                                editing.set(Some(edit.id));
                                                grade.set(edit.grade.to_string());
                                                number.set(edit.number.to_string());
                                                teacher.set(edit.teacher_id.map(|t| t.to_string()).unwrap_or_default());
                                                zone.set(edit.zone_id.map(|z| z.to_string()).unwrap_or_default());
                                            } />
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
