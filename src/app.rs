//! The HTML shell, the `<App/>` root and the route table.

use crate::components::AdminOnly;
use crate::features::auth::{SetupPage, SignInPage};
use crate::features::cleaning_scores::{CleaningScoresRoutes, ScreenRoutes};
use crate::features::directory::DirectoryRoutes;
use crate::features::gate_visits::GateVisitsRoutes;
use crate::features::home::AppLayout;
use crate::features::home::{AdminPage, HomePage};
use crate::features::profile::ProfilePage;
use crate::features::repair_tickets::RepairTicketsRoutes;
use crate::features::safety_checks::SafetyChecksRoutes;
use crate::features::users::UsersRoutes;
use crate::i18n::*;
use crate::sync::SyncPage;
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// Pages the server sends as plain HTML, with no wasm: their forms post (`features::auth::form_post`), so the
/// first contact on a weak link downloads the form alone; the app's code comes with the first page after it.
pub const PLAIN_PAGES: &[&str] = &["/sign-in"];

/// Whether the page being rendered is one of [`PLAIN_PAGES`] (the shell renders on the server only).
fn plain_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .is_some_and(|parts| PLAIN_PAGES.contains(&parts.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let scripts = (!plain_page()).then(|| {
        view! {
            <AutoReload options=options.clone() />
            <HydrationScripts options />
        }
    });
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#0f5f58" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                {scripts}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// How long the language cookie lasts (milliseconds, as leptos_i18n takes it); the sign-in page's plain form
/// sets the same cookie (`features::auth::form_post`).
pub const LANGUAGE_COOKIE_MAX_AGE_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// The language cookie lasts a year and covers the whole site.
fn language_cookie() -> CookieOptions<Locale> {
    CookieOptions::<Locale>::default()
        .path("/")
        .max_age(LANGUAGE_COOKIE_MAX_AGE_MS)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <I18nContextProvider cookie_options=language_cookie()>
            <Stylesheet id="leptos" href="/pkg/houqin.css" />
            <AppTitle />
            <Router>
                <Routes fallback=NotFound>
                    <Route path=path!("/sign-in") view=SignInPage />
                    <Route path=path!("/setup") view=SetupPage />
                    <ScreenRoutes />
                    // Rendered only after the session is known, so a signed-out visitor gets a redirect, not a flash.
                    <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::Async>
                        <Route path=path!("") view=HomePage />
                        <Route path=path!("/sync") view=SyncPage />
                        <Route path=path!("/me") view=ProfilePage />
                        <Route path=path!("/admin") view=|| view! { <AdminOnly><AdminPage /></AdminOnly> } />
                        <DirectoryRoutes />
                        <UsersRoutes />
                        // Each job's pages are a piece of the wasm of their own, fetched when first opened.
                        <GateVisitsRoutes />
                        <SafetyChecksRoutes />
                        <CleaningScoresRoutes />
                        <RepairTicketsRoutes />
                    </ParentRoute>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn AppTitle() -> impl IntoView {
    let i18n = use_i18n();
    // A plain string, not a closure: leptos_axum reads the title after the page's reactive owner is gone, and a
    // closure reading the locale then panicked in the server (seen in the end-to-end logs).
    let title = t_string!(i18n, app.title).to_string();
    view! { <Title text=title /> }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="page">
            <h1 class="page-title">{t!(i18n, errors.not_found)}</h1>
            <a class="button" href="/">{t!(i18n, nav.home)}</a>
        </main>
    }
}
