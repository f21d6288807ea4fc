//! The home of a signed-in person: a card per job their roles allow, and what is theirs in the directory
//! (the check points they answer for, the class they teach).

use crate::components::{Page, class_name, job_name, role_name, use_directory, use_user};
use crate::domain::role::jobs_for;
use crate::domain::{Job, Role};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    let directory = use_directory();
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
    let jobs = move || user.get().map(|u| jobs_for(&u.roles)).unwrap_or_default();
    view! {
        <Page title=greeting>
            <p class="muted">{roles}</p>
            <div class="cards">
                {move || {
                    jobs()
                        .into_iter()
                        .map(|job| {
                            view! {
                                <A href=job.path() attr:class="card card-link">
                                    <strong>{move || job_name(i18n.get_locale(), job)}</strong>
                                    <span class="muted">{move || job_summary(i18n.get_locale(), job)}</span>
                                </A>
                            }
                        })
                        .collect_view()
                }}
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

fn job_summary(locale: Locale, job: Job) -> &'static str {
    match job {
        Job::GateVisits => td_string!(locale, jobs.gate_visits_summary),
        Job::SafetyChecks => td_string!(locale, jobs.safety_checks_summary),
        Job::CleaningScores => td_string!(locale, jobs.cleaning_scores_summary),
        Job::RepairTickets => td_string!(locale, jobs.repair_tickets_summary),
        Job::Admin => td_string!(locale, jobs.admin_summary),
    }
}
