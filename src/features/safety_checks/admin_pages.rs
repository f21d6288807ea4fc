//! `/admin/safety/point?id=…`: one point's history — every check, newest first, with the repair tickets its
//! failures opened and whether they were fixed. `/admin/safety/templates`: the checklists, edited as new
//! versions (a check keeps the version it was made with).

use super::local_view::result_name;
use super::{load_point_history, load_safety_templates, save_safety_template};
use crate::components::{ErrorNotice, Page, check_point_kind_name};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, time};
use crate::domain::safety::{ItemResult, Template, TemplateItem};
use crate::domain::ticket::Category;
use crate::features::repair_tickets::{category_name, status_name};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

#[component]
pub fn PointHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param =
        move |name: &str| query.with(|q| q.get(name).and_then(|id| Uuid::parse_str(&id).ok()));
    let id = Memo::new(move |_| param("id"));
    // A ticket's link names the check that opened it: that check is marked in the history.
    let linked = Memo::new(move |_| param("check"));
    let history = Resource::new(
        move || (id.get(), linked.get()),
        |(id, check)| load_point_history(id, check),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(history) => {
                        let kind = history.kind;
                        let tickets = history.tickets.clone();
                        view! {
                            <Page title=move || history.label.clone()>
                                <p class="muted">{move || check_point_kind_name(i18n.get_locale(), kind)}</p>
                                <ol class="list" data-testid="point-history">
                                    {history.checks.into_iter().map(|check| {
                                        let tickets = tickets.clone();
                                        view! {
                                            <li class:superseded=check.superseded class:linked=move || linked.get() == Some(check.check_id)
                                                id=format!("check-{}", check.check_id)>
                                                <strong>{format!("{} {}", date(check.checked_at, SCHOOL_UTC_OFFSET_MINUTES), time(check.checked_at, SCHOOL_UTC_OFFSET_MINUTES))}</strong>
                                                <span class="muted">{check.inspector.clone()} {check.superseded.then(|| view! { " · " {t!(i18n, safety.superseded)} })}</span>
                                                {check.answers.into_iter().filter(|a| a.1 == ItemResult::Fail).map(|(label, result, note, ticket)| {
                                                    let state = ticket.and_then(|t| tickets.iter().find(|x| x.0 == t).cloned());
                                                    view! {
                                                        <span>
                                                            <span class="badge badge-warn">{move || result_name(i18n.get_locale(), result)}</span> " " {label} " " {note}
                                                            {state.map(|(t, status, _)| view! {
                                                                " → " <A href=format!("/repair-tickets/{t}")>{t!(i18n, safety.ticket)}</A> " "
                                                                <span class=format!("badge status-{}", status.code())>{move || status_name(i18n.get_locale(), status)}</span>
                                                            })}
                                                        </span>
                                                    }
                                                }).collect_view()}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ol>
                            </Page>
                        }.into_any()
                    }
                    Err(error) => view! { <section class="page"><ErrorNotice error=Signal::derive(move || Some(error.clone())) /></section> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let templates = Resource::new(|| (), |_| load_safety_templates());
    view! {
        <Page title=move || t_string!(i18n, safety.templates).to_string()>
            <p class="muted">{t!(i18n, safety.templates_hint)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match templates.await {
                        Ok(list) => list.into_iter().map(|template| view! { <TemplateEditor template /> }).collect_view().into_any(),
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

/// One kind's checklist: labels and categories editable, items added or removed, saved as the next version.
#[component]
fn TemplateEditor(template: Template) -> impl IntoView {
    let i18n = use_i18n();
    let kind = template.kind;
    let version = RwSignal::new(template.version);
    let items = RwSignal::new(
        template
            .items
            .into_iter()
            .map(|i| {
                (
                    RwSignal::new(i.key),
                    RwSignal::new(i.label),
                    RwSignal::new(i.category),
                )
            })
            .collect::<Vec<_>>(),
    );
    let save = Action::new(move |list: &Vec<TemplateItem>| {
        let list = list.clone();
        async move { save_safety_template(kind, list).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            version.set(saved);
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = items.with_untracked(|items| {
            items
                .iter()
                .map(|(key, label, category)| TemplateItem {
                    key: key.get_untracked(),
                    label: label.get_untracked(),
                    category: category.get_untracked(),
                })
                .collect()
        });
        save.dispatch(list);
    };
    view! {
        <form class="form card" on:submit=submit novalidate data-kind=kind.code()>
            <h2>{move || check_point_kind_name(i18n.get_locale(), kind)} " · " {t!(i18n, safety.template_version)} " " {move || version.get()}</h2>
            <For each=move || items.get() key=|(key, _, _)| key.get_untracked() let:item>
                {
                    let (key, label, category) = item;
                    view! {
                        <div class="editor-row">
                            <input type="text" bind:value=label aria-label=move || t_string!(i18n, safety.item).to_string() />
                            <select aria-label=move || t_string!(i18n, repair.category).to_string() on:change=move |ev| {
                                if let Some(c) = Category::from_code(&event_target_value(&ev)) {
                                    category.set(c);
                                }
                            }>
                                {Category::ALL.iter().map(|c| {
                                    let c = *c;
                                    view! { <option value=c.code() selected=move || category.get() == c>{move || category_name(i18n.get_locale(), c)}</option> }
                                }).collect_view()}
                            </select>
                            <button type="button" class="link" on:click=move |_| items.update(|list| list.retain(|(k, _, _)| k.get_untracked() != key.get_untracked()))>
                                {t!(i18n, safety.remove_item)}
                            </button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button button-secondary" on:click=move |_| items.update(|list| {
                list.push((RwSignal::new(format!("i{}", Uuid::now_v7().simple())), RwSignal::new(String::new()), RwSignal::new(Category::Other)));
            })>{t!(i18n, safety.add_item)}</button>
            <ErrorNotice error />
            <Show when=move || matches!(save.value().get(), Some(Ok(_)))>
                <p class="notice notice-ok">{t!(i18n, repair.rule_saved)}</p>
            </Show>
            <button type="submit" class="button button-primary">{t!(i18n, safety.save_template)}</button>
        </form>
    }
}
