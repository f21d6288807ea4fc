//! The frame of every signed-in page: a header, the page, and the bottom navigation with the jobs the user's
//! roles allow. It also loads who is signed in (once) and sends everyone else to sign in or to first-run setup.

use crate::components::{
    CurrentUser, DirectoryResource, Icon, IconSvg, InsecureNotice, NavEntry, entries_for,
    error_text,
};
use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use crate::features::auth::SessionInfo;
use crate::features::auth::on_phone::{directory_here, remember, whoami_here};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};

type WhoamiResource = Resource<Result<SessionInfo, AppError>>;

#[component]
pub fn AppLayout() -> impl IntoView {
    let i18n = use_i18n();
    // With no network (the app opened from the service worker's shell), both answer from this phone's copy.
    let whoami: WhoamiResource = Resource::new(|| (), |()| whoami_here());
    let directory: DirectoryResource = Resource::new(|| (), |()| directory_here());
    provide_context(CurrentUser(Signal::derive(move || {
        whoami.get().and_then(Result::ok).and_then(|w| w.user)
    })));
    provide_context(directory);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match whoami.await {
                    Ok(SessionInfo { user: Some(user), https_url, .. }) => {
                        // The language remembered for this user wins over this phone's last choice (one made here
                        // with no network reached the server first: `session::save_unsaved_locale`).
                        if let Ok(locale) = user.locale.parse::<Locale>()
                            && locale != i18n.get_locale_untracked()
                        {
                            i18n.set_locale(locale);
                        }
                        view! { <SignedIn user https_url /> }.into_any()
                    }
                    Ok(SessionInfo { needs_setup: true, .. }) => view! { <Redirect path="/setup" /> }.into_any(),
                    Ok(_) | Err(AppError::Unauthorized) => view! { <Redirect path="/sign-in" /> }.into_any(),
                    Err(error) => {
                        view! { <p class="notice notice-error" role="alert">{move || error_text(i18n.get_locale(), &error)}</p> }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn(user: SessionUser, https_url: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    crate::sync::local::provide_local_data(&user);
    // Kept on the phone for the next time it opens with no network (effects run only in the browser).
    let directory = crate::components::use_directory();
    let remembered = user.clone();
    Effect::new(move |_| {
        directory.with(|d| remember(&remembered, d.as_ref().and_then(|d| d.as_ref().ok())));
    });
    let is_admin = user.has(Role::Admin);
    // The pages of the user's own jobs are kept for offline use, and with them the code of those jobs.
    #[cfg(feature = "hydrate")]
    crate::sync::browser::keep_pages_for_offline(
        crate::components::pages_for(
            crate::jobs::NAV,
            &user.roles,
            crate::jobs::ALL
                .iter()
                .flat_map(|job| job.offline_pages.iter().copied()),
        ),
        is_admin,
    );
    let (jobs, more) = bar_entries(entries_for(crate::jobs::NAV, &user.roles));
    let home = if is_admin {
        ("/admin", Icon::Grid)
    } else {
        ("/", Icon::Home)
    };
    let home_label = move || {
        if is_admin {
            t_string!(i18n, jobs.admin)
        } else {
            t_string!(i18n, nav.home)
        }
    };
    view! {
        <div class="app">
            <header class="app-header">
                <A href="/" attr:class="brand">{t!(i18n, app.name)}</A>
                <crate::sync::SyncChip />
                <span class="who">{user.display_name.clone()}</span>
            </header>
            <InsecureNotice https_url />
            <SchoolName />
            <main class="app-main" id="main">
                <Outlet />
            </main>
            <nav class="bottom-nav" aria-label=move || t_string!(i18n, nav.label)>
                <A href=home.0 exact=!is_admin attr:class="nav-item">
                    <IconSvg icon=home.1 />
                    <span>{home_label}</span>
                </A>
                {jobs
                    .into_iter()
                    .map(|job| {
                        view! {
                            <A href=job.path attr:class="nav-item">
                                <IconSvg icon=job.icon />
                                <span>{move || (job.name)(i18n.get_locale())}</span>
                            </A>
                        }
                    })
                    .collect_view()}
                // The rest are on the 工作台 grid of the home page.
                {more.then(|| view! {
                    <A href="/" exact=true attr:class="nav-item">
                        <IconSvg icon=Icon::Grid />
                        <span>{t!(i18n, nav.more)}</span>
                    </A>
                })}
                <A href="/me" attr:class="nav-item">
                    <IconSvg icon=Icon::User />
                    <span>{t!(i18n, nav.me)}</span>
                </A>
            </nav>
        </div>
    }
}

/// The school's name: in the window title, and at the head of every printed page (a register, a ledger, a label).
#[component]
fn SchoolName() -> impl IntoView {
    let i18n = use_i18n();
    let directory = crate::components::use_directory();
    view! {
        <Transition>
            {move || {
                // The language is read here, before the await: after it this future's owner may be gone (the server
                // panicked once on such a read, "already disposed", and the page's stream never finished).
                let locale = i18n.get_locale();
                Suspend::new(async move {
                let school = directory.await.map(|d| d.school_name).unwrap_or_default();
                (!school.is_empty()).then(|| {
                    // A plain string, as in `AppTitle`: the server reads the title after this owner is gone.
                    let title = format!("{school} · {}", td_string!(locale, app.title));
                    view! {
                        <leptos_meta::Title text=title />
                        <p class="print-only print-school" data-testid="print-school">{school}</p>
                    }
                })
            })
            }}
        </Transition>
    }
}

/// The jobs in the bottom bar, at most [`BAR_JOBS`]; with more, one fewer and a 更多 tab to the home grid.
const BAR_JOBS: usize = 4;

fn bar_entries(mut entries: Vec<&'static NavEntry>) -> (Vec<&'static NavEntry>, bool) {
    if entries.len() > BAR_JOBS {
        entries.truncate(BAR_JOBS - 1);
        (entries, true)
    } else {
        (entries, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn the_bar_holds_four_jobs_then_more() {
        let all = entries_for(crate::jobs::NAV, &[Role::Admin]);
        let (jobs, more) = bar_entries(all.clone());
        assert_eq!(
            (jobs.len(), more),
            (all.len().min(BAR_JOBS), all.len() > BAR_JOBS)
        );
        let six: Vec<&'static NavEntry> = all.iter().chain(all.iter()).take(6).copied().collect();
        let (jobs, more) = bar_entries(six);
        assert_eq!((jobs.len(), more), (BAR_JOBS - 1, true));
    }
}
