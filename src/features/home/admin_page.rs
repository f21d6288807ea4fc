//! The admin's overview: the size of the directory and the way into each part of it, and each job's own
//! administration (the cards its navigation entry declares).

use crate::components::{IconSvg, Page, use_directory};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    // Counted inside a Transition, so the server and the browser render the same numbers.
    let count = move |pick: fn(&crate::domain::directory::Directory) -> usize| {
        view! {
            <Transition>
                {move || Suspend::new(async move { directory.await.map(|d| pick(&d)).unwrap_or_default() })}
            </Transition>
        }
    };
    view! {
        <Page title=move || t_string!(i18n, admin.title).to_string()>
            <div class="cards cards-grid">
                <A href="/admin/users" attr:class="card card-link">
                    <span class="big-number">{count(|d| d.people.iter().filter(|p| p.active).count())}</span>
                    <strong>{t!(i18n, admin.users)}</strong>
                </A>
                <A href="/admin/places" attr:class="card card-link">
                    <span class="big-number">{count(|d| d.places.iter().filter(|p| p.active).count())}</span>
                    <strong>{t!(i18n, admin.places)}</strong>
                </A>
                <A href="/admin/classes" attr:class="card card-link">
                    <span class="big-number">{count(|d| d.school_classes.iter().filter(|c| c.active).count())}</span>
                    <strong>{t!(i18n, admin.classes)}</strong>
                </A>
                <A href="/admin/check-points" attr:class="card card-link">
                    <span class="big-number">{count(|d| d.check_points.iter().filter(|c| c.active).count())}</span>
                    <strong>{t!(i18n, admin.check_points)}</strong>
                </A>
                {crate::jobs::NAV
                    .iter()
                    .flat_map(|job| job.admin.iter().map(move |link| (job.icon, link)))
                    .map(|(icon, link)| {
                        view! {
                            <A href=link.path attr:class="card card-link">
                                <IconSvg icon />
                                <strong>{move || (link.name)(i18n.get_locale())}</strong>
                            </A>
                        }
                    })
                    .collect_view()}
            </div>
            <A href="/" attr:class="button">{t!(i18n, admin.my_home)}</A>
        </Page>
    }
}
