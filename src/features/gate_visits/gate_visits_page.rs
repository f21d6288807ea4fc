//! The guard's page: the school's gates and the staff directory visitors ask for.

use crate::components::{Page, role_name, use_directory};
use crate::domain::PlaceKind;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn GateVisitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    view! {
        <Page title=move || t_string!(i18n, jobs.gate_visits).to_string()>
            <p class="notice">{t!(i18n, jobs.coming_next)}</p>
            <Transition>
                {move || Suspend::new(async move {
                    let directory = directory.await.unwrap_or_default();
                    let gates: Vec<_> = directory.active_places().filter(|p| p.kind == PlaceKind::Gate).cloned().collect();
                    let people: Vec<_> = directory.active_people().cloned().collect();
                    view! {
                        <h2>{t!(i18n, gate.gates)}</h2>
                        <ul class="list">
                            {gates.into_iter().map(|gate| view! {
                                <li><A href=format!("/places/{}", gate.id)>{gate.name}</A></li>
                            }).collect_view()}
                        </ul>
                        <h2>{t!(i18n, gate.hosts)}</h2>
                        <ul class="list">
                            {people.into_iter().map(|person| {
                                let roles = person.roles.clone();
                                view! {
                                    <li>
                                        <strong>{person.display_name}</strong>
                                        <span class="muted">{move || roles.iter().map(|r| role_name(i18n.get_locale(), *r)).collect::<Vec<_>>().join(" · ")}</span>
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
