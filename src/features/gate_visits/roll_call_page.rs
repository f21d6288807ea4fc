//! Evacuation roll call (疏散点名): everyone on campus now, from this phone's data, ready to print or read out
//! at the assembly point even with no network.

use super::local_view::{use_local_visits, visits_memo};
use crate::components::{SignatureLines, phone_utc_offset};
use crate::domain::clock::{date, time};
use crate::i18n::*;
use crate::sync::local::use_local_data;
use leptos::prelude::*;

#[component]
pub fn RollCallPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let visits = use_local_visits(local);
    let on_campus = visits_memo(move || {
        visits.with(|v| {
            v.iter()
                .filter(|v| v.on_campus())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let people = move || on_campus.with(|v| v.iter().map(|v| v.visit.party_size).sum::<i64>());
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    view! {
        <section class="page printable">
            <h1 class="page-title">{t!(i18n, gate.roll_call)}</h1>
            <p class="muted" data-testid="roll-call-summary">
                {move || format!("{} {} / {} {}", on_campus.with(Vec::len), t_string!(i18n, gate.entries), people(), t_string!(i18n, gate.people))}
                {move || local.status.with(|s| s.last_sync_ms).map(|t| {
                    let offset = phone_utc_offset();
                    format!(" · {} {} {}", t_string!(i18n, sync.last_sync), date(t, offset), time(t, offset))
                })}
            </p>
            <table class="table stack">
                <thead><tr>
                    <th>{t!(i18n, gate.visitor_name)}</th><th>{t!(i18n, gate.party_size)}</th>
                    <th>{t!(i18n, gate.host)}</th><th>{t!(i18n, gate.time_in)}</th><th>{t!(i18n, gate.phone)}</th><th>"✓"</th>
                </tr></thead>
                <tbody>
                    <For each=move || on_campus.get() key=|v| v.visit.id let:item>
                        <tr>
                            <td data-label=move || t_string!(i18n, gate.visitor_name).to_string()>{item.visit.visitor_name.clone()}</td>
                            <td data-label=move || t_string!(i18n, gate.party_size).to_string()>{item.visit.party_size}</td>
                            <td data-label=move || t_string!(i18n, gate.host).to_string()>{item.visit.host_name.clone()}</td>
                            <td data-label=move || t_string!(i18n, gate.time_in).to_string()>{time(item.visit.corrected_time_in(), phone_utc_offset())}</td>
                            <td data-label=move || t_string!(i18n, gate.phone).to_string()>{item.visit.phone.clone()}</td>
                            <td class="tick-box" data-label="✓"></td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <SignatureLines who=Signal::derive(move || vec![t_string!(i18n, common.sign_caller).to_string()]) />
            <button type="button" class="button no-print" on:click=print>{t!(i18n, common.print)}</button>
        </section>
    }
}
