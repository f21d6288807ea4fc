//! `/repair-tickets/:id`: one ticket, its timeline and what this person may do next. Every change is saved on
//! the phone, made from the state shown here (`from`), and sent when there is a network; a change that loses to
//! another phone's stays in the timeline, marked not applied.

use super::local_view::{
    action_name, category_name, people, place_paths, status_name, urgency_name, use_local_tickets,
};
use crate::components::PhotoPicker;
use crate::components::PhotoThumb;
use crate::components::{
    Field, NotOnThisPhone, Page, StorageErrorNotice, phone_now_ms, phone_utc_offset,
    reveal_first_problem, use_user,
};
use crate::domain::Role;
use crate::domain::clock::{date, time};
use crate::domain::ticket::{Action, Actor, EVENT, EventArgs, LocalTicket, transition};
use crate::error::AppError;
use crate::i18n::*;
use crate::sync::local::{LocalData, PreparedPhoto, SaveError, use_local_data};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

fn at(ms: i64) -> String {
    let offset = phone_utc_offset();
    format!("{} {}", date(ms, offset), time(ms, offset))
}

#[component]
pub fn TicketPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let user = use_user();
    let admin =
        Signal::derive(move || user.with(|u| u.as_ref().is_some_and(|u| u.has(Role::Admin))));
    let tickets = use_local_tickets(local, admin);
    let inspects = Signal::derive(move || {
        user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.has_any(&[Role::Admin, Role::SafetyInspector]))
        })
    });
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let ticket = Memo::new_with_compare(
        move |_| {
            let id = id.get()?;
            tickets.with(|t| t.iter().find(|t| t.ticket.id == id).cloned())
        },
        |_, _| true,
    );
    let names = Memo::new(move |_| people(local));
    let draft = Draft::new();
    // What was being written belongs to one ticket: opening another starts over.
    Effect::watch(
        move || id.get(),
        move |_, _, _| {
            draft.clear();
            draft.saved.set(false);
        },
        false,
    );
    let places = Memo::new(move |_| place_paths(local).into_iter().collect::<HashMap<_, _>>());
    let name_of = move |id: Option<Uuid>| {
        id.and_then(|id| names.with(|n| n.get(&id).map(|p| p.display_name.clone())))
            .unwrap_or_default()
    };
    view! {
        <Page title=move || t_string!(i18n, jobs.repair_tickets).to_string()>
            {move || match ticket.get() {
                None if local.settled() => view! { <NotOnThisPhone /> }.into_any(),
                None => view! { <p class="loading">{t!(i18n, common.loading)}</p> }.into_any(),
                Some(item) => {
                    let t = item.ticket.clone();
                    let overdue = t.overdue(phone_now_ms());
                    let status = t.status;
                    let report_photos = item.timeline.first().map(|e| e.photos.clone()).unwrap_or_default();
                    view! {
                        <article class="card" data-testid="ticket">
                            <h2>
                                {move || category_name(i18n.get_locale(), t.category)} " · "
                                {places.with(|p| p.get(&t.place_id).cloned().unwrap_or_default())}
                            </h2>
                            <p class="ticket-badges">
                                <span class=format!("badge status-{}", status.code()) data-testid="status">{move || status_name(i18n.get_locale(), status)}</span>
                                <span class="badge">{move || urgency_name(i18n.get_locale(), t.urgency)}</span>
                                {overdue.then(|| view! { <span class="badge badge-warn">{t!(i18n, repair.overdue)}</span> })}
                                {item.pending.then(|| view! { <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
                            </p>
                            <p class="ticket-text">{t.description.clone()}</p>
                            <div class="photos">
                                {report_photos.into_iter().map(|(id, stored)| view! { <PhotoThumb local id stored /> }).collect_view()}
                            </div>
                            <dl class="facts">
                                <dt>{t!(i18n, repair.reporter)}</dt><dd>{name_of(Some(t.reporter_id))}</dd>
                                <dt>{t!(i18n, repair.assignee)}</dt><dd data-testid="assignee">{name_of(t.assignee_id)}</dd>
                                <dt>{t!(i18n, repair.reported_at)}</dt><dd>{at(t.reported_at)}</dd>
                                <dt>{t!(i18n, repair.due)}</dt><dd>{at(t.due_at)}</dd>
                                {t.source_check_id.map(|check| view! {
                                    <dt>{t!(i18n, repair.source)}</dt>
                                    <dd data-testid="source-check">
                                        // The check's history is for inspectors and the admin; others read where it came from.
                                        {if inspects.get_untracked() {
                                            view! { <a href=format!("/admin/safety/point?check={check}#check-{check}")>{t!(i18n, repair.source_check)}</a> }.into_any()
                                        } else {
                                            view! { <span>{t!(i18n, repair.source_check)}</span> }.into_any()
                                        }}
                                    </dd>
                                })}
                            </dl>
                        </article>
                    }.into_any()
                }
            }}
            // Outside the closure above: a sync redraws the ticket, never the form being filled in (a photo
            // being chosen would otherwise land on an input that is gone).
            <Show when=move || ticket.with(Option::is_some)>
                <Actions local ticket admin draft />
            </Show>
            {move || match ticket.get() {
                None => ().into_any(),
                Some(item) => {
                    view! {
                        <h2>{t!(i18n, repair.timeline)}</h2>
                        <ol class="list timeline" data-testid="timeline">
                            // The report heads it; its photos are on the ticket above.
                            {item.timeline.iter().enumerate().map(|(n, entry)| {
                                let photos = if n == 0 { Vec::new() } else { entry.photos.clone() };
                                let action = entry.action;
                                let applied = entry.applied;
                                let pending = entry.pending;
                                let who = entry.actor_id.map(|a| name_of(Some(a)));
                                let assignee = entry.assignee_id.map(|a| name_of(Some(a)));
                                let rating = entry.rating;
                                view! {
                                    <li class=if applied { "event" } else { "event event-lost" } data-action=action.code() data-applied=applied.to_string()>
                                        <span class="event-head">
                                            <strong>{move || action_name(i18n.get_locale(), action)}</strong>
                                            {assignee.map(|name| view! { " → " {name} })}
                                            " · "
                                            {match who {
                                                Some(name) => name,
                                                None => t_string!(i18n, repair.by_rule).to_string(),
                                            }}
                                            <span class="muted">" " {at(entry.at)}</span>
                                        </span>
                                        {rating.map(|stars| view! { <span class="stars">{"★".repeat(stars.clamp(0, 5) as usize)}</span> })}
                                        {(!entry.note.is_empty()).then(|| view! { <span class="event-note">{entry.note.clone()}</span> })}
                                        {(!applied).then(|| view! { <span class="badge badge-warn" data-testid="not-applied">{t!(i18n, repair.not_applied)}</span> })}
                                        {pending.then(|| view! { <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
                                        <span class="photos">
                                            {photos.into_iter().map(|(id, stored)| view! { <PhotoThumb local id stored /> }).collect_view()}
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
        </Page>
    }
}

/// What the person is writing: kept by the page, so a sync that redraws the ticket loses none of it.
#[derive(Clone, Copy)]
struct Draft {
    /// The change's id, born when the form opens and kept until it is saved (a retry reuses it).
    event_id: RwSignal<Uuid>,
    chosen: RwSignal<Option<Action>>,
    note: RwSignal<String>,
    rating: RwSignal<i64>,
    assignee: RwSignal<String>,
    photos: RwSignal<Vec<PreparedPhoto>>,
    preparing: RwSignal<usize>,
    problems: RwSignal<Option<AppError>>,
    storage_error: RwSignal<Option<SaveError>>,
    saved: RwSignal<bool>,
    saving: RwSignal<bool>,
}

impl Draft {
    /// Starts over (another ticket, or the change was saved).
    fn clear(&self) {
        self.event_id.set(Uuid::now_v7());
        self.chosen.set(None);
        self.note.set(String::new());
        self.rating.set(0);
        self.assignee.set(String::new());
        self.photos.set(Vec::new());
        self.problems.set(None);
        self.storage_error.set(None);
    }

    fn new() -> Draft {
        Draft {
            event_id: RwSignal::new(Uuid::now_v7()),
            chosen: RwSignal::new(None),
            note: RwSignal::new(String::new()),
            rating: RwSignal::new(0),
            assignee: RwSignal::new(String::new()),
            photos: RwSignal::new(Vec::new()),
            preparing: RwSignal::new(0),
            problems: RwSignal::new(None),
            storage_error: RwSignal::new(None),
            saved: RwSignal::new(false),
            saving: RwSignal::new(false),
        }
    }
}

/// The changes this person may make from the state shown, and a comment box.
#[component]
fn Actions(
    local: LocalData,
    ticket: Memo<Option<Arc<LocalTicket>>>,
    admin: Signal<bool>,
    draft: Draft,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = Actor {
        id: local.user_id(),
        admin: admin.get_untracked(),
    };
    // What this person may do from the state shown, recomputed when the ticket changes.
    let possible = move || -> Vec<Action> {
        ticket.with(|t| {
            t.as_ref()
                .map(|t| {
                    [
                        Action::Assign,
                        Action::Start,
                        Action::Hold,
                        Action::Done,
                        Action::Confirm,
                        Action::Reopen,
                        Action::Cancel,
                    ]
                    .into_iter()
                    .filter(|a| {
                        transition(t.ticket.base(), t.ticket.reporter_id, me, *a, Some(me.id))
                            .is_ok()
                    })
                    .collect()
                })
                .unwrap_or_default()
        })
    };
    let Draft {
        event_id,
        chosen,
        note,
        rating,
        assignee,
        photos,
        preparing,
        problems,
        storage_error,
        saved,
        saving,
    } = draft;
    let workers = Memo::new(move |_| {
        let mut list: Vec<(Uuid, String)> = people(local)
            .into_values()
            .filter(|p| p.maintenance)
            .map(|p| (p.id, p.display_name))
            .collect();
        list.sort_by(|a, b| a.1.cmp(&b.1));
        list
    });
    let problem = move |field: &'static str| {
        Signal::derive(move || problems.with(|p| p.as_ref().and_then(|e| e.field_problem(field))))
    };
    let send = move |action: Action| {
        if saving.get_untracked() || preparing.get_untracked() > 0 {
            return;
        }
        saved.set(false);
        storage_error.set(None);
        // The change is made from the state shown right now.
        let Some(shown) = ticket.get_untracked() else {
            return;
        };
        let args = EventArgs {
            event_id: event_id.get_untracked(),
            ticket_id: shown.ticket.id,
            action,
            from: shown.ticket.base(),
            note: note.get_untracked(),
            rating: (action == Action::Confirm)
                .then(|| rating.get_untracked())
                .filter(|r| *r > 0),
            assignee_id: (action == Action::Assign)
                .then(|| Uuid::parse_str(&assignee.get_untracked()).ok())
                .flatten(),
            photos: photos.with_untracked(|p| p.iter().map(|p| p.reference.clone()).collect()),
        };
        if let Err(error) = args.clone().validate() {
            problems.set(Some(error));
            return;
        }
        problems.set(None);
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = local
                .save_with_photos(EVENT, &args, &photos.get_untracked())
                .await;
            saving.set(false);
            match result {
                Ok(_) => {
                    draft.clear();
                    saved.set(true);
                }
                Err(error) => storage_error.set(Some(error)),
            }
        });
    };
    let note_label = move || {
        let locale = i18n.get_locale();
        match chosen.get() {
            Some(Action::Hold) => td_string!(locale, repair.hold_reason),
            Some(Action::Reopen) => td_string!(locale, repair.reopen_reason),
            Some(Action::Done) => td_string!(locale, repair.completion_note),
            _ => td_string!(locale, repair.note),
        }
        .to_string()
    };
    let button_name = move |action: Action| {
        let locale = i18n.get_locale();
        match action {
            Action::Assign => td_string!(locale, repair.do_assign),
            Action::Start => td_string!(locale, repair.do_start),
            Action::Hold => td_string!(locale, repair.do_hold),
            Action::Done => td_string!(locale, repair.do_done),
            Action::Confirm => td_string!(locale, repair.do_confirm),
            Action::Reopen => td_string!(locale, repair.do_reopen),
            Action::Cancel => td_string!(locale, repair.do_cancel),
            Action::Report | Action::Comment => td_string!(locale, repair.do_comment),
        }
        .to_string()
    };
    let form = NodeRef::<leptos::html::Form>::new();
    // One tap sends an action with what is filled in above it; what it still needs is marked and brought into view.
    let tap = move |action: Action| {
        chosen.set(Some(action));
        send(action);
        if problems.with_untracked(Option::is_some) {
            reveal_first_problem(form);
        }
    };
    let can = move |action: Action| possible().contains(&action);
    view! {
        <section class="card actions" data-testid="actions">
            <form class="form" novalidate node_ref=form on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                tap(Action::Comment);
            }>
                <Show when=move || can(Action::Assign)>
                    <Field label=move || t_string!(i18n, repair.choose_worker).to_string() problem=problem("assignee_id")>
                        <select name="assignee" bind:value=assignee>
                            <option value="">{t!(i18n, common.choose)}</option>
                            {move || workers.get().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </Field>
                </Show>
                <Show when=move || can(Action::Confirm)>
                    <fieldset class="field" class:field-invalid=move || problem("rating").get().is_some()>
                        <legend class="field-label">{t!(i18n, repair.rating)}</legend>
                        <div class="segmented segmented-5" data-testid="rating">
                            {(1..=5i64).map(|stars| view! {
                                <button type="button" class="segment" aria-pressed=move || (rating.get() == stars).to_string()
                                    on:click=move |_| rating.set(stars)>{"★".repeat(stars as usize)}</button>
                            }).collect_view()}
                        </div>
                        <Show when=move || problem("rating").get().is_some()>
                            <p class="field-problem" role="alert">{t!(i18n, problems.required)}</p>
                        </Show>
                    </fieldset>
                </Show>
                <Field label=Signal::derive(note_label) problem=problem("note")>
                    <textarea name="note" rows="2" bind:value=note></textarea>
                </Field>
                <PhotoPicker photos preparing missing=Signal::derive(move || problem("photos").get().is_some()) />
                <StorageErrorNotice error=storage_error />
                <Show when=move || saved.get()>
                    <p class="notice notice-ok" role="status" data-testid="change-saved">{t!(i18n, repair.change_saved)}</p>
                </Show>
                <div class="action-buttons">
                    {move || possible().into_iter().map(|action| view! {
                        <button type="button" data-action=action.code()
                            class=if matches!(action, Action::Cancel) { "button button-secondary" } else { "button button-primary" }
                            disabled=move || { saving.get() || preparing.get() > 0 }
                            on:click=move |_| tap(action)>
                            {move || button_name(action)}
                        </button>
                    }).collect_view()}
                    <button type="submit" class="button button-secondary" data-action="comment"
                        disabled=move || { saving.get() || preparing.get() > 0 }>
                        {move || button_name(Action::Comment)}
                    </button>
                </div>
            </form>
        </section>
    }
}
