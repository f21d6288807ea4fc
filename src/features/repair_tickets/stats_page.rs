//! `/admin/repair-tickets`: counts by category and status as a bar chart, the median time to fix, photos that
//! never arrived, and the rules that assign new tickets by category. From the server.

use super::local_view::{category_name, status_name};
use super::{load_repair_stats, load_ticket_rules, set_ticket_rule};
use crate::components::{ErrorNotice, Page, this_month_text, use_query_or};
use crate::domain::ticket::{Category, Status};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

fn hours(ms: Option<i64>) -> String {
    ms.map(|ms| format!("{:.1} h", ms as f64 / 3_600_000.0))
        .unwrap_or_else(|| "—".into())
}

#[component]
pub fn RepairStatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let chosen = use_query_or("month", this_month_text);
    let stats = Resource::new(move || chosen.get(), load_repair_stats);
    view! {
        <Page title=move || t_string!(i18n, repair.stats).to_string()>
            <form class="row-actions no-print" method="get" action="/admin/repair-tickets">
                <input type="month" name="month" value=move || chosen.get() aria-label=move || t_string!(i18n, repair.month).to_string() />
                <button type="submit" class="button button-secondary">{t!(i18n, gate.show)}</button>
                <A href=move || format!("/repair-tickets/log?month={}", chosen.get()) attr:class="button button-secondary">{t!(i18n, repair.log)}</A>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match stats.await {
                        Ok(stats) => {
                            let largest = stats.counts.iter().map(|(_, s)| s.iter().map(|(_, n)| *n).sum::<i64>()).max().unwrap_or(0).max(1);
                            let medians = stats.median_fix_ms.clone();
                            view! {
                                <dl class="facts">
                                    <dt>{t!(i18n, repair.median_fix)}</dt><dd data-testid="median">{hours(stats.overall_median_fix_ms)}</dd>
                                    <dt>{t!(i18n, repair.overdue_open)}</dt><dd>{stats.overdue_open}</dd>
                                    <dt>{t!(i18n, repair.missing_photos)}</dt><dd>{stats.missing_photos.len()}</dd>
                                </dl>
                                <div class="bar-legend">
                                    {Status::ALL.iter().map(|s| {
                                        let s = *s;
                                        view! { <span class=format!("legend status-{}", s.code())>{move || status_name(i18n.get_locale(), s)}</span> }
                                    }).collect_view()}
                                </div>
                                <ul class="bars" data-testid="chart">
                                    {stats.counts.into_iter().map(|(category, per_status)| {
                                        let total: i64 = per_status.iter().map(|(_, n)| *n).sum();
                                        let median = medians.iter().find(|(c, _)| *c == category).and_then(|(_, m)| *m);
                                        view! {
                                            <li class="bar-row">
                                                <span class="bar-label">{move || category_name(i18n.get_locale(), category)}</span>
                                                <span class="bar" title=total.to_string()>
                                                    {per_status.into_iter().filter(|(_, n)| *n > 0).map(|(status, n)| view! {
                                                        <span class=format!("bar-part status-{}", status.code())
                                                            style=format!("width: {:.1}%", n as f64 * 100.0 / largest as f64)>{n}</span>
                                                    }).collect_view()}
                                                </span>
                                                <span class="bar-total">{total} " · " {hours(median)}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {(!stats.missing_photos.is_empty()).then(|| view! {
                                    <h2>{t!(i18n, repair.missing_photos)}</h2>
                                    <ul class="list">
                                        {stats.missing_photos.into_iter().map(|(photo, ticket)| view! {
                                            <li><A href=format!("/repair-tickets/{ticket}")>{photo.to_string()}</A></li>
                                        }).collect_view()}
                                    </ul>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
            <Rules />
        </Page>
    }
}

/// Who gets new tickets of each category.
#[component]
fn Rules() -> impl IntoView {
    let i18n = use_i18n();
    let rules = Resource::new(|| (), |_| load_ticket_rules());
    let save = Action::new(|(category, assignee): &(Category, Option<Uuid>)| {
        let (category, assignee) = (*category, *assignee);
        async move { set_ticket_rule(category, assignee).await }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <h2>{t!(i18n, repair.rules)}</h2>
        <ErrorNotice error />
        <Show when=move || matches!(save.value().get(), Some(Ok(())))>
            <p class="notice notice-ok">{t!(i18n, repair.rule_saved)}</p>
        </Show>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(view_) => {
                        let workers = view_.workers.clone();
                        view! {
                            <ul class="list" data-testid="rules">
                                {view_.rules.into_iter().map(|(category, assignee)| {
                                    let workers = workers.clone();
                                    view! {
                                        <li class="rule">
                                            <span>{move || category_name(i18n.get_locale(), category)}</span>
                                            <select aria-label=move || category_name(i18n.get_locale(), category)
                                                on:change=move |ev| {
                                                    let chosen = Uuid::parse_str(&event_target_value(&ev)).ok();
                                                    save.dispatch((category, chosen));
                                                }>
                                                <option value="" selected=assignee.is_none()>{t!(i18n, repair.rule_none)}</option>
                                                {workers.into_iter().map(|(id, name)| view! {
                                                    <option value=id.to_string() selected=assignee == Some(id)>{name}</option>
                                                }).collect_view()}
                                            </select>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}
