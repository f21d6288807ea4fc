//! The sign-in page: user name, password, and the language switch before anyone is known.
//!
//! The server sends this page as plain HTML, with no wasm (`app::PLAIN_PAGES`): the first contact on a weak link
//! downloads the form alone. The form posts to `POST /sign-in` (`form_post.rs`), which answers with the session
//! cookie and a redirect home, or sends the browser back here with the error and the user name (never the
//! password). Where the wasm runs anyway (the page reached inside the app, or from the offline shell), it signs
//! in through the server function instead and stays on the page.

use super::LanguageSwitch;
use super::sign_in;
use crate::components::{ErrorNotice, Field};
use crate::error::{AppError, Problem};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// What a failed form post sent back, read on the server (the page comes with no wasm); nothing where the wasm
/// renders the page (inside the app, or from the offline shell), which signs in through the server function.
fn posted() -> (Option<AppError>, String) {
    #[cfg(feature = "ssr")]
    if let Some(flash) = super::form_post::take_flash() {
        return flash;
    }
    (None, String::new())
}

/// The name of the person who has just signed in with a one-time code and now sets a password (read on the
/// server from the ticket the code gave, see `first_sign_in`).
fn setting_password() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        super::first_sign_in::page_ticket()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    // What the form post sent back: the error and the user name typed, so nothing but the password is retyped.
    let (posted_error, posted_username) = posted();
    match setting_password() {
        Some(name) => view! { <NewPasswordForm name posted_error /> }.into_any(),
        None => view! { <SignInForm posted_error posted_username /> }.into_any(),
    }
}

/// The first sign-in's second step: the person chooses their own password, twice. A plain form, like sign-in.
#[component]
fn NewPasswordForm(name: String, posted_error: Option<AppError>) -> impl IntoView {
    let i18n = use_i18n();
    let problem = |field: &'static str| -> Signal<Option<Problem>> {
        let problem = posted_error.as_ref().and_then(|e| e.field_problem(field));
        Signal::derive(move || problem)
    };
    let error = posted_error
        .clone()
        .filter(|e| !matches!(e, AppError::Invalid { .. }));
    let error = Signal::derive(move || error.clone());
    view! {
        <main class="sign-in">
            <div class="sign-in-card">
                <p class="brand-mark" aria-hidden="true">"后勤"</p>
                <h1>{t!(i18n, sign_in.new_password_title)}</h1>
                <p class="muted" data-testid="new-password-for">{t!(i18n, sign_in.new_password_intro, name = name.clone())}</p>
                <form class="form" method="post" action="/sign-in/new-password" data-testid="new-password-form">
                    <Field label=Signal::derive(move || t_string!(i18n, sign_in.new_password).to_string()) problem=problem("password")>
                        <input name="password" type="password" autocomplete="new-password" minlength="8" required />
                    </Field>
                    <Field label=Signal::derive(move || t_string!(i18n, sign_in.new_password_again).to_string()) problem=problem("again")>
                        <input name="again" type="password" autocomplete="new-password" minlength="8" required />
                    </Field>
                    <ErrorNotice error />
                    <button type="submit" class="button button-primary">{t!(i18n, sign_in.new_password_submit)}</button>
                </form>
                // A shared office computer: someone else may sign in instead.
                <form class="form" method="post" action="/sign-in/new-password">
                    <button type="submit" name="cancel" value="1" class="button button-secondary">{t!(i18n, sign_in.someone_else)}</button>
                </form>
            </div>
        </main>
    }
}

#[component]
fn SignInForm(posted_error: Option<AppError>, posted_username: String) -> impl IntoView {
    let i18n = use_i18n();
    let username = RwSignal::new(posted_username);
    let password = RwSignal::new(String::new());
    let submit = Action::new(|(username, password): &(String, String)| {
        let (username, password) = (username.clone(), password.clone());
        async move { sign_in(username, password).await }
    });
    let result = submit.value();
    let navigate = use_navigate();
    Effect::new(move |_| match result.get() {
        Some(Ok(user)) => {
            if let Ok(locale) = user.locale.parse::<Locale>() {
                i18n.set_locale(locale);
            }
            navigate(user.home_path(), Default::default());
        }
        // A one-time code: the server renders the new-password form for the ticket it just gave.
        Some(Err(AppError::NewPasswordNeeded)) => {
            let _ = window().location().set_href("/sign-in");
        }
        _ => {}
    });
    // The latest answer: the server function's once it ran, else the form post's.
    let answer = Signal::derive(move || match result.get() {
        Some(Ok(_)) => None,
        Some(Err(error)) => Some(error),
        None => posted_error.clone(),
    });
    let problem = move |field: &'static str| -> Signal<Option<Problem>> {
        Signal::derive(move || answer.with(|e| e.as_ref().and_then(|e| e.field_problem(field))))
    };
    let error = Signal::derive(move || {
        answer
            .get()
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
    });
    view! {
        <main class="sign-in">
            <div class="sign-in-card">
                <p class="brand-mark" aria-hidden="true">"后勤"</p>
                <h1>{t!(i18n, sign_in.title)}</h1>
                <p class="muted">{t!(i18n, sign_in.subtitle)}</p>
                <form
                    class="form"
                    method="post"
                    action="/sign-in"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit.dispatch((username.get_untracked(), password.get_untracked()));
                    }
                >
                    <Field label=Signal::derive(move || t_string!(i18n, fields.username).to_string()) problem=problem("username")>
                        // An attribute, not only a property: the server's HTML carries the name sent back by the form post.
                        <input name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required
                            value=move || username.get() on:input:target=move |ev| username.set(ev.target().value()) />
                    </Field>
                    <Field label=Signal::derive(move || t_string!(i18n, fields.password).to_string()) problem=problem("password")>
                        <input name="password" type="password" autocomplete="current-password" required bind:value=password />
                    </Field>
                    <ErrorNotice error />
                    <button type="submit" class="button button-primary" disabled=move || submit.pending().get()>
                        {move || if submit.pending().get() { t_string!(i18n, sign_in.signing_in) } else { t_string!(i18n, sign_in.submit) }}
                    </button>
                </form>
                <LanguageSwitch />
            </div>
        </main>
    }
}
