//! The home of a signed-in person: a card per job their roles allow, and what is theirs in the directory
//! (the check points they answer for, the class they teach).

use crate::components::{
    Icon, IconSvg, Page, class_name, entries_for, role_name, use_directory, use_user,
};
use crate::domain::Role;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    let directory = use_directory();
    let local = crate::sync::local::use_local_data();
    let greeting = move || {
        let name = user.get().map(|u| u.display_name).unwrap_or_default();
        t_string!(i18n, home.greeting, name = name).to_string()
    };
    let roles = move || {
        let locale = i18n.get_locale();
        user.get()
            .map(|u| {
                u.roles
                    .iter()
                    .map(|r| role_name(locale, *r))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    };
    let jobs = move || {
        user.get()
            .map(|u| entries_for(crate::jobs::NAV, &u.roles))
            .unwrap_or_default()
    };
    view! {
        <Page title=greeting>
            <p class="muted">{roles}</p>
            <h2>{t!(i18n, home.workbench)}</h2>
            <div class="cards workbench">
                {move || {
                    jobs()
                        .into_iter()
                        .map(|job| {
                            view! {
                                <A href=job.path attr:class="card card-link">
                                    <IconSvg icon=job.icon />
                                    <strong>{move || (job.name)(i18n.get_locale())}</strong>
                                    {match &job.home_count {
                                        // Counted from the phone's data once it is read (the server renders no number).
                                        Some(count) => view! {
                                            <span class="home-count" data-testid="home-count">
                                                {move || local.settled().then(|| view! {
                                                    <span class="big-number">{(count.count)(local)}</span>
                                                    " " {(count.label)(i18n.get_locale())}
                                                })}
                                            </span>
                                        }.into_any(),
                                        None => view! { <span class="muted">{move || (job.summary)(i18n.get_locale())}</span> }.into_any(),
                                    }}
                                </A>
                            }
                        })
                        .collect_view()
                }}
                <Show when=move || user.get().is_some_and(|u| u.has(Role::Admin))>
                    <A href="/admin" attr:class="card card-link">
                        <IconSvg icon=Icon::Grid />
                        <strong>{t!(i18n, jobs.admin)}</strong>
                        <span class="muted">{t!(i18n, jobs.admin_summary)}</span>
                    </A>
                </Show>
            </div>
            <Transition>
                {move || Suspend::new(async move {
                    let Ok(directory) = directory.await else { return ().into_any() };
                    let Some(me) = user.get_untracked() else { return ().into_any() };
                    let my_points = directory.check_points.iter().filter(|c| c.active && c.responsible_id == Some(me.id)).count();
                    let my_classes: Vec<_> = directory.school_classes.iter().filter(|c| c.active && c.teacher_id == Some(me.id)).cloned().collect();
                    view! {
                        <Show when=move || { my_points > 0 }>
                            <A href="/safety-checks" attr:class="card card-link">
                                <strong>{move || t_string!(i18n, home.my_check_points, count = my_points).to_string()}</strong>
                            </A>
                        </Show>
                        {my_classes
                            .into_iter()
                            .map(|class| {
                                let zone = class.zone_path.clone().unwrap_or_default();
                                view! {
                                    <div class="card">
                                        <strong>{move || class_name(i18n.get_locale(), class.grade, class.number)}</strong>
                                        <span class="muted">{t!(i18n, classes.zone)} ": " {zone}</span>
                                    </div>
                                }
                            })
                            .collect_view()}
                    }
                    .into_any()
                })}
            </Transition>
            <Show when=move || user.get().is_some_and(|u| u.has(Role::Admin))>
                <A href="/admin" attr:class="button">{t!(i18n, home.to_admin)}</A>
            </Show>
        </Page>
    }
}
