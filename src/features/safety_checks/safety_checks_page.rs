//! `/safety-checks`: the inspector's points due today (and overdue) first, then the rest of the week, from this
//! phone's data so it works offline (the checklist itself is `check_form`).

pub use super::check_form::CheckFormPage;
use super::local_view::*;
use crate::components::{Page, check_point_kind_name, use_user};
use crate::domain::Role;
use crate::domain::safety::PointState;
use crate::i18n::*;
use crate::sync::local::use_local_data;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SafetyChecksPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let user = use_user();
    let admin =
        Signal::derive(move || user.with(|u| u.as_ref().is_some_and(|u| u.has(Role::Admin))));
    let me = local.user_id();
    let points = Memo::new(move |_| points_today(local));
    let mine = Memo::new(move |_| {
        points.with(|p| {
            p.iter()
                .filter(|p| p.point.responsible_id == Some(me))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let others = Memo::new(move |_| {
        points.with(|p| {
            p.iter()
                .filter(|p| p.point.responsible_id != Some(me))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Page title=move || t_string!(i18n, jobs.safety_checks).to_string()>
            <div class="row-actions">
                <A href="/safety-checks/ledger" attr:class="button button-secondary">{t!(i18n, safety.ledger)}</A>
                <Show when=move || admin.get()>
                    <A href="/admin/safety" attr:class="button button-secondary">{t!(i18n, safety.board)}</A>
                </Show>
            </div>
            <h2>{move || t_string!(i18n, safety.mine, count = mine.with(Vec::len)).to_string()}</h2>
            <PointList points=mine test_id="my-points" />
            <h2>{t!(i18n, safety.others)}</h2>
            <PointList points=others test_id="other-points" />
        </Page>
    }
}

#[component]
fn PointList(points: Memo<Vec<PointToday>>, test_id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !points.with(Vec::is_empty) fallback=move || view! { <p class="muted">{t!(i18n, repair.nothing)}</p> }>
            <ul class="list" data-testid=test_id>
                <For each=move || points.get() key=|p| (p.point.id, p.state, p.pending) let:item>
                    {
                        let kind = item.point.kind;
                        let state = item.state;
                        view! {
                            <li class=if matches!(state, PointState::Overdue) { "ticket ticket-overdue" } else { "ticket" }>
                                <A href=format!("/safety-checks/check?point={}", item.point.id) attr:class="ticket-link">
                                    <strong>{item.point.label.clone()}</strong>
                                    <span class="ticket-badges">
                                        <span class=state_class(state)>{move || state_name(i18n.get_locale(), state)}</span>
                                        <span class="muted">{move || check_point_kind_name(i18n.get_locale(), kind)}</span>
                                        {item.pending.then(|| view! { <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
                                    </span>
                                </A>
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}
