//! `/repair-tickets/log?month=YYYY-MM`: the printable repair log (维修台账) with its CSV, for the admin and the
//! maintenance staff. From the server.

use super::load_repair_log;
use super::local_view::{category_name, status_name};
use crate::components::{
    ErrorNotice, Page, SignatureLines, now_anywhere_ms, this_month_text, use_query_or,
};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date_time};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn RepairLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let chosen = use_query_or("month", this_month_text);
    let log = Resource::new(move || chosen.get(), load_repair_log);
    let at = |ms: i64| date_time(ms, SCHOOL_UTC_OFFSET_MINUTES);
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    view! {
        <Page title=move || t_string!(i18n, repair.log).to_string()>
            <form class="row-actions no-print" method="get" action="/repair-tickets/log">
                <input type="month" name="month" value=move || chosen.get() aria-label=move || t_string!(i18n, repair.month).to_string() />
                <button type="submit" class="button button-secondary">{t!(i18n, gate.show)}</button>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(log) => {
                            let csv = format!("/api/repair-tickets/log.csv?month={}", log.month);
                            let xlsx = csv.replace(".csv?", ".xlsx?");
                            view! {
                                <p class="muted printable-title">{format!("{} · {}", log.month, log.rows.len())}</p>
                                <table class="table register stack" data-testid="repair-log">
                                    <thead><tr>
                                        <th>{t!(i18n, repair.reported_at)}</th><th>{t!(i18n, repair.place)}</th>
                                        <th>{t!(i18n, repair.category)}</th><th>{t!(i18n, repair.description)}</th>
                                        <th>{t!(i18n, repair.reporter)}</th><th>{t!(i18n, repair.assignee)}</th>
                                        <th>{t!(i18n, sync.state)}</th><th>{t!(i18n, repair.done_at)}</th>
                                        <th>{t!(i18n, repair.hours)}</th><th>{t!(i18n, repair.rating)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {log.rows.into_iter().map(|row| {
                                            let t = row.ticket;
                                            let late = t.done_at.unwrap_or(now_anywhere_ms()) > t.due_at && t.status != crate::domain::ticket::Status::Cancelled;
                                            view! {
                                                <tr class=if late { "late" } else { "" }>
                                                    <td data-label=move || t_string!(i18n, repair.reported_at).to_string()>{at(t.reported_at)}</td>
                                                    <td data-label=move || t_string!(i18n, repair.place).to_string()>{row.place}</td>
                                                    <td data-label=move || t_string!(i18n, repair.category).to_string()>{move || category_name(i18n.get_locale(), t.category)}</td>
                                                    <td data-label=move || t_string!(i18n, repair.description).to_string()>{t.description.clone()}</td>
                                                    <td data-label=move || t_string!(i18n, repair.reporter).to_string()>{row.reporter}</td>
                                                    <td data-label=move || t_string!(i18n, repair.assignee).to_string()>{row.assignee}</td>
                                                    <td data-label=move || t_string!(i18n, sync.state).to_string()>{move || status_name(i18n.get_locale(), t.status)}{late.then(|| view! { " " <span class="badge badge-warn">{t!(i18n, repair.overdue)}</span> })}</td>
                                                    <td data-label=move || t_string!(i18n, repair.done_at).to_string()>{t.done_at.map(at)}</td>
                                                    <td data-label=move || t_string!(i18n, repair.hours).to_string()>{t.done_at.map(|d| format!("{:.1}", (d - t.reported_at) as f64 / 3_600_000.0))}</td>
                                                    <td data-label=move || t_string!(i18n, repair.rating).to_string()>{t.rating.map(|r| "★".repeat(r.clamp(0, 5) as usize))}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <SignatureLines who=Signal::derive(move || vec![t_string!(i18n, common.sign_maintenance).to_string(), t_string!(i18n, common.sign_responsible).to_string()]) />
                                <div class="row-actions no-print">
                                    <button type="button" class="button" on:click=print>{t!(i18n, common.print)}</button>
                                    <a class="button button-secondary" href=csv download>{t!(i18n, repair.csv)}</a>
                                    <a class="button button-secondary" href=xlsx download>{t!(i18n, common.xlsx)}</a>
                                </div>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}
