//! The admin's overview: the size of the directory and the way into each part of it, and each job's own
//! administration (the cards its navigation entry declares).

use crate::components::{ErrorNotice, Field, IconSvg, Page, problem_of, use_directory};
use crate::features::directory::save_school_name;
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
            <super::backup_card::BackupCard />
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
                <A href="/admin/import" attr:class="card card-link">
                    <IconSvg icon=crate::components::Icon::Path("M12 3v12M7 10l5 5 5-5M5 21h14") />
                    <strong>{t!(i18n, admin.import)}</strong>
                </A>
                <A href="/admin/sign-in-slips" attr:class="card card-link">
                    <span class="big-number">{count(|d| d.people.iter().filter(|p| p.active && p.awaiting_first_sign_in && !p.has_code).count())}</span>
                    <strong>{t!(i18n, admin.sign_in_slips)}</strong>
                </A>
                <A href="/admin/term" attr:class="card card-link">
                    <IconSvg icon=crate::components::Icon::Path("M12 20V6M6 12l6-6 6 6M5 3h14") />
                    <strong>{t!(i18n, term.title)}</strong>
                </A>
                <A href="/admin/audit" attr:class="card card-link">
                    <IconSvg icon=crate::components::Icon::Path("M9 5h11M9 12h11M9 19h11M4 5h1M4 12h1M4 19h1") />
                    <strong>{t!(i18n, admin.audit)}</strong>
                </A>
                <A href="/admin/labels" attr:class="card card-link">
                    <IconSvg icon=crate::components::Icon::Path("M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h2v2h-2zM18 18h2v2h-2z") />
                    <strong>{t!(i18n, label.sheet_title)}</strong>
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
            <SchoolNameForm />
            <A href="/" attr:class="button">{t!(i18n, admin.my_home)}</A>
        </Page>
    }
}

/// The school's name, at the head of every printout, QR label and page title.
#[component]
fn SchoolNameForm() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    let name = RwSignal::new(String::new());
    // The saved name fills the field once the directory is read, unless the admin has begun typing already.
    Effect::new(move |_| {
        if let Some(Ok(d)) = directory.get()
            && name.get_untracked().is_empty()
        {
            name.set(d.school_name);
        }
    });
    let save = Action::new(|name: &String| save_school_name(name.clone()));
    let saved = save.value();
    Effect::new(move |_| {
        if let Some(Ok(())) = saved.get() {
            directory.refetch();
        }
    });
    let error = Signal::derive(move || {
        saved
            .get()
            .and_then(Result::err)
            .filter(|e| e.field_problem("school_name").is_none())
    });
    view! {
        <form class="form card" data-testid="school-name-form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(name.get_untracked());
        }>
            <Field label=move || t_string!(i18n, admin.school_name).to_string() problem=problem_of(saved, "school_name")>
                <input type="text" name="school_name" autocomplete="organization" bind:value=name
                    placeholder=move || t_string!(i18n, admin.school_name_hint).to_string() />
            </Field>
            <ErrorNotice error />
            <Show when=move || matches!(saved.get(), Some(Ok(())))>
                <p class="notice notice-ok" role="status">{t!(i18n, admin.school_name_saved)}</p>
            </Show>
            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                {t!(i18n, common.save)}
            </button>
        </form>
    }
}
