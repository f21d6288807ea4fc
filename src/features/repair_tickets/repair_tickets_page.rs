//! Finding a place on campus: the top of the tree, each linking to its place page.

use crate::components::{Page, place_kind_name, use_directory};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn RepairTicketsPage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    view! {
        <Page title=move || t_string!(i18n, jobs.repair_tickets).to_string()>
            <p class="notice">{t!(i18n, jobs.coming_next)}</p>
            <h2>{t!(i18n, repair.find_place)}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    let directory = directory.await.unwrap_or_default();
                    view! {
                        <ul class="list">
                            {directory.places.into_iter().filter(|p| p.active && p.parent_id.is_none()).map(|place| {
                                let kind = place.kind;
                                view! {
                                    <li>
                                        <A href=format!("/places/{}", place.id)><strong>{place.name}</strong></A>
                                        <span class="muted">{move || place_kind_name(i18n.get_locale(), kind)}</span>
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
