//! The printable daily register (访客登记簿), from the server, with its CSV download. Opening it is audited.

use super::gate_visits_page::id_type_name;
use super::load_register;
use crate::components::{ErrorNotice, Page, SignatureLines, today_text, use_query_or};
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
                            let xlsx = csv.replace(".csv?", ".xlsx?");
                            view! {
                                <p class="muted printable-title">{format!("{} · {} {} / {} {}", register.date, register.rows.len(), t_string!(i18n, gate.entries), people, t_string!(i18n, gate.people))}</p>
                                <table class="table register stack" data-testid="register">
                                    <thead><tr>
                                        <th>{t!(i18n, gate.time_in)}</th><th>{t!(i18n, gate.time_out)}</th>
                                        <th>{t!(i18n, gate.visitor_name)}</th><th>{t!(i18n, gate.id_number)}</th>
                                        <th>{t!(i18n, gate.organisation)}</th><th>{t!(i18n, gate.host)}</th>
                                        <th>{t!(i18n, gate.reason)}</th><th>{t!(i18n, gate.party_size)}</th><th>{t!(i18n, gate.plate)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {register.rows.into_iter().map(|(visit, out)| view! {
                                            <tr>
                                                <td data-label=move || t_string!(i18n, gate.time_in).to_string()>{time(visit.corrected_time_in(), SCHOOL_UTC_OFFSET_MINUTES)}</td>
                                                <td data-label=move || t_string!(i18n, gate.time_out).to_string()>{out.map(|t| time(t, SCHOOL_UTC_OFFSET_MINUTES)).unwrap_or_else(|| "—".into())}</td>
                                                <td data-label=move || t_string!(i18n, gate.visitor_name).to_string()>{visit.visitor_name}<br/><span class="muted">{visit.phone}</span></td>
                                                <td data-label=move || t_string!(i18n, gate.id_number).to_string()>{move || id_type_name(i18n.get_locale(), visit.id_type)}<br/>{visit.id_masked.clone().unwrap_or_default()}</td>
                                                <td data-label=move || t_string!(i18n, gate.organisation).to_string()>{visit.organisation}</td>
                                                <td data-label=move || t_string!(i18n, gate.host).to_string()>{visit.host_name}</td>
                                                <td data-label=move || t_string!(i18n, gate.reason).to_string()>{visit.reason}</td>
                                                <td data-label=move || t_string!(i18n, gate.party_size).to_string()>{visit.party_size}</td>
                                                <td data-label=move || t_string!(i18n, gate.plate).to_string()>{visit.plate}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <SignatureLines who=Signal::derive(move || vec![t_string!(i18n, common.sign_guard).to_string(), t_string!(i18n, common.sign_responsible).to_string()]) />
                                <div class="row-actions no-print">
                                    <button type="button" class="button" on:click=print>{t!(i18n, common.print)}</button>
                                    <a class="button button-secondary" href=csv download>{t!(i18n, gate.csv)}</a>
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
