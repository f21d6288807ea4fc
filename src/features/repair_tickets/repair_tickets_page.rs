//! `/repair-tickets`: the maintenance worker's queue (urgent first, then the oldest), the admin's open tickets,
//! and everyone's own reports. Read from this phone's data, so it works offline; overdue tickets stand out.

use super::local_view::{
    Tickets, category_name, people, place_paths, status_name, use_local_tickets,
};
use crate::components::{Page, phone_now_ms, use_user};
use crate::domain::Role;
use crate::domain::ticket::{LocalTicket, Status, queue_order};
use crate::i18n::*;
use crate::sync::local::use_local_data;
use leptos::prelude::*;
use leptos_router::components::A;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// How many of the user's own closed reports the page lists.
const RECENT_LIMIT: usize = 30;

#[component]
pub fn RepairTicketsPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let user = use_user();
    let has = move |role: Role| user.with(|u| u.as_ref().is_some_and(|u| u.has(role)));
    let admin = Signal::derive(move || has(Role::Admin));
    let worker = Signal::derive(move || has(Role::Maintenance));
    let tickets = use_local_tickets(local, admin);
    let places = Memo::new(move |_| place_paths(local).into_iter().collect::<HashMap<_, _>>());
    let names = Memo::new(move |_| {
        people(local)
            .into_iter()
            .map(|(id, p)| (id, p.display_name))
            .collect::<HashMap<_, _>>()
    });
    let me = local.user_id();
    let select = move |keep: fn(&LocalTicket, Uuid) -> bool| {
        Memo::new_with_compare(
            move |_| {
                let mut list: Tickets =
                    tickets.with(|t| t.iter().filter(|t| keep(t, me)).cloned().collect());
                list.sort_by(|a, b| queue_order(&a.ticket, &b.ticket));
                list
            },
            |_, _| true,
        )
    };
    let queue = select(|t, me| t.ticket.assignee_id == Some(me) && t.ticket.status.open());
    let open = select(|t, _| t.ticket.status.open() || t.ticket.status == Status::Done);
    let mine = Memo::new_with_compare(
        move |_| {
            let mut list: Tickets = tickets.with(|t| {
                t.iter()
                    .filter(|t| t.ticket.reporter_id == me)
                    .cloned()
                    .collect()
            });
            list.sort_by_key(|t| std::cmp::Reverse(t.ticket.reported_at));
            let (open, closed): (Tickets, Tickets) = list
                .into_iter()
                .partition(|t| t.ticket.status.open() || t.ticket.status == Status::Done);
            open.into_iter()
                .chain(closed.into_iter().take(RECENT_LIMIT))
                .collect::<Tickets>()
        },
        |_, _| true,
    );
    let list = move |items: Memo<Tickets>, test_id: &'static str| {
        view! {
            <Show when=move || !items.with(Vec::is_empty) fallback=move || view! { <p class="muted">{t!(i18n, repair.nothing)}</p> }>
                <ul class="list" data-testid=test_id>
                    <For each=move || items.get() key=|t| (t.ticket.id, t.ticket.status, t.ticket.assignee_id, t.pending, t.timeline.len(), t.photos_uploading()) let:item>
                        <TicketRow item places names />
                    </For>
                </ul>
            </Show>
        }
    };
    view! {
        <Page title=move || t_string!(i18n, jobs.repair_tickets).to_string()>
            <div class="row-actions">
                <A href="/repair-tickets/new" attr:class="button button-primary" attr:data-testid="new-report">{t!(i18n, repair.new_title)}</A>
                <Show when=move || admin.get() || worker.get()>
                    <A href="/repair-tickets/log" attr:class="button button-secondary">{t!(i18n, repair.log)}</A>
                </Show>
                <Show when=move || admin.get()>
                    <A href="/admin/repair-tickets" attr:class="button button-secondary">{t!(i18n, repair.stats)}</A>
                </Show>
            </div>
            <Show when=move || worker.get()>
                <section class="section">
                    <h2>{t!(i18n, repair.my_queue)} " " <span class="count">{move || queue.with(Vec::len)}</span></h2>
                    {list(queue, "my-queue")}
                </section>
            </Show>
            <Show when=move || admin.get()>
                <section class="section">
                    <h2>{t!(i18n, repair.all_open)} " " <span class="count">{move || open.with(Vec::len)}</span></h2>
                    {list(open, "all-open")}
                </section>
            </Show>
            <section class="section">
                <h2>{t!(i18n, repair.my_reports)}</h2>
                {list(mine, "my-reports")}
            </section>
        </Page>
    }
}

#[component]
fn TicketRow(
    item: Arc<LocalTicket>,
    places: Memo<HashMap<Uuid, String>>,
    names: Memo<HashMap<Uuid, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ticket = item.ticket.clone();
    let overdue = ticket.overdue(phone_now_ms());
    let uploading = item.photos_uploading();
    let place = places.with_untracked(|p| p.get(&ticket.place_id).cloned().unwrap_or_default());
    let assignee = ticket
        .assignee_id
        .and_then(|a| names.with_untracked(|n| n.get(&a).cloned()));
    let status = ticket.status;
    let category = ticket.category;
    view! {
        <li class=if overdue { "ticket ticket-overdue" } else { "ticket" }>
            <A href=format!("/repair-tickets/{}", ticket.id) attr:class="ticket-link">
                <span class="ticket-title">
                    <strong>{move || category_name(i18n.get_locale(), category)}</strong>
                    " · " {place}
                </span>
                <span class="ticket-description">{ticket.description.clone()}</span>
                <span class="ticket-badges">
                    <span class=format!("badge status-{}", status.code())>{move || status_name(i18n.get_locale(), status)}</span>
                    {(ticket.urgency == crate::domain::ticket::Urgency::Urgent).then(|| view! {
                        <span class="badge badge-warn">{t!(i18n, repair.urg_urgent)}</span>
                    })}
                    {overdue.then(|| view! { <span class="badge badge-warn" data-testid="overdue">{t!(i18n, repair.overdue)}</span> })}
                    {item.pending.then(|| view! { <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
                    {(uploading > 0).then(|| view! { <span class="badge badge-pending">{t!(i18n, repair.photo_uploading)}</span> })}
                    {assignee.map(|name| view! { <span class="muted">{name}</span> })}
                </span>
            </A>
        </li>
    }
}
