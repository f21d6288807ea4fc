//! The frame of every signed-in page: a header, the page, and the bottom navigation with the jobs the user's
//! roles allow. It also loads who is signed in (once) and sends everyone else to sign in or to first-run setup.

use super::icons::{Icon, IconSvg};
use super::names::{error_text, job_name};
use crate::domain::role::jobs_for;
use crate::domain::{Job, Role, SessionUser};
use crate::error::AppError;
use crate::features::auth::SessionInfo;
use crate::features::auth::on_phone::{directory_here, remember, whoami_here};
use crate::features::directory::Directory;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};

type WhoamiResource = Resource<Result<SessionInfo, AppError>>;
type DirectoryResource = Resource<Result<Directory, AppError>>;

/// The signed-in user. Pages render inside `AppLayout` only once this is known.
pub fn use_user() -> Signal<Option<SessionUser>> {
    let whoami = expect_context::<WhoamiResource>();
    Signal::derive(move || whoami.get().and_then(Result::ok).and_then(|w| w.user))
}

/// The campus directory, loaded once for all pages of a visit; `refetch()` after a change.
pub fn use_directory() -> DirectoryResource {
    expect_context::<DirectoryResource>()
}

#[component]
pub fn AppLayout() -> impl IntoView {
    let i18n = use_i18n();
    // With no network (the app opened from the service worker's shell), both answer from this phone's copy.
    let whoami: WhoamiResource = Resource::new(|| (), |()| whoami_here());
    let directory: DirectoryResource = Resource::new(|| (), |()| directory_here());
    provide_context(whoami);
    provide_context(directory);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match whoami.await {
                    Ok(SessionInfo { user: Some(user), https_url, .. }) => {
                        // The language remembered for this user wins over this phone's last choice.
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
    let directory = use_directory();
    let remembered = user.clone();
    Effect::new(move |_| {
        directory.with(|d| remember(&remembered, d.as_ref().and_then(|d| d.as_ref().ok())));
    });
    let is_admin = user.has(Role::Admin);
    let jobs: Vec<Job> = jobs_for(&user.roles)
        .into_iter()
        .filter(|job| *job != Job::Admin)
        .collect();
    let home = if is_admin {
        (Job::Admin.path(), Icon::Grid)
    } else {
        ("/", Icon::Home)
    };
    let home_label = move || {
        if is_admin {
            job_name(i18n.get_locale(), Job::Admin)
        } else {
            t_string!(i18n, nav.home)
        }
    };
    let job_icon = |job: Job| match job {
        Job::GateVisits => Icon::Gate,
        Job::SafetyChecks => Icon::Shield,
        Job::CleaningScores => Icon::Sparkle,
        Job::RepairTickets => Icon::Wrench,
        Job::Admin => Icon::Grid,
    };
    view! {
        <div class="app">
            <header class="app-header">
                <A href="/" attr:class="brand">{t!(i18n, app.name)}</A>
                <crate::sync::SyncChip />
                <span class="who">{user.display_name.clone()}</span>
            </header>
            <super::InsecureNotice https_url />
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
                            <A href=job.path() attr:class="nav-item">
                                <IconSvg icon=job_icon(job) />
                                <span>{move || job_name(i18n.get_locale(), job)}</span>
                            </A>
                        }
                    })
                    .collect_view()}
                <A href="/me" attr:class="nav-item">
                    <IconSvg icon=Icon::User />
                    <span>{t!(i18n, nav.me)}</span>
                </A>
            </nav>
        </div>
    }
}

/// Shows its children only to the admin; anyone else reads that their role does not allow it.
/// (The server refuses their calls anyway; this spares them a form that cannot work.)
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let user = use_user();
    let forbidden = Signal::derive(|| Some(AppError::Forbidden));
    view! {
        <Show
            when=move || user.get().is_some_and(|u| u.has(Role::Admin))
            fallback=move || view! { <section class="page"><super::form::ErrorNotice error=forbidden /></section> }
        >
            {children()}
        </Show>
    }
}
