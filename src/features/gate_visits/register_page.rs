//! The printable daily register (访客登记簿), from the server, with its CSV download. Opening it is audited.

use super::gate_visits_page::id_type_name;
use super::load_register;
use crate::components::{ErrorNotice, Page, today_text, use_query_or};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, time};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn VisitRegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let day = use_query_or("date", today_text);
    let register = Resource::new(move || day.get(), load_register);
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    view! {
        <Page title=move || t_string!(i18n, gate.register).to_string()>
            <form class="row-actions no-print" method="get" action="/gate-visits/register">
                <input type="date" name="date" value=move || day.get() aria-label=move || t_string!(i18n, gate.date).to_string() />
                <button type="submit" class="button button-secondary">{t!(i18n, gate.show)}</button>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match register.await {
                        Ok(register) => {
                            let people: i64 = register.rows.iter().map(|(v, _)| v.party_size).sum();
                            let csv = format!("/api/gate-visits/register.csv?date={}", register.date);
                            view! {
                                <p class="muted printable-title">{format!("{} · {} {} / {} {}", register.date, register.rows.len(), t_string!(i18n, gate.entries), people, t_string!(i18n, gate.people))}</p>
                                <table class="table register" data-testid="register">
                                    <thead><tr>
                                        <th>{t!(i18n, gate.time_in)}</th><th>{t!(i18n, gate.time_out)}</th>
                                        <th>{t!(i18n, gate.visitor_name)}</th><th>{t!(i18n, gate.id_number)}</th>
                                        <th>{t!(i18n, gate.organisation)}</th><th>{t!(i18n, gate.host)}</th>
                                        <th>{t!(i18n, gate.reason)}</th><th>{t!(i18n, gate.party_size)}</th><th>{t!(i18n, gate.plate)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {register.rows.into_iter().map(|(visit, out)| view! {
                                            <tr>
                                                <td>{time(visit.corrected_time_in(), SCHOOL_UTC_OFFSET_MINUTES)}</td>
                                                <td>{out.map(|t| time(t, SCHOOL_UTC_OFFSET_MINUTES)).unwrap_or_else(|| "—".into())}</td>
                                                <td>{visit.visitor_name}<br/><span class="muted">{visit.phone}</span></td>
                                                <td>{move || id_type_name(i18n.get_locale(), visit.id_type)}<br/>{visit.id_masked.clone().unwrap_or_default()}</td>
                                                <td>{visit.organisation}</td>
                                                <td>{visit.host_name}</td>
                                                <td>{visit.reason}</td>
                                                <td>{visit.party_size}</td>
                                                <td>{visit.plate}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <div class="row-actions no-print">
                                    <button type="button" class="button" on:click=print>{t!(i18n, common.print)}</button>
                                    <a class="button button-secondary" href=csv download>{t!(i18n, gate.csv)}</a>
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
