//! The sign-in page: user name, password, and the language switch before anyone is known.

use super::sign_in;
use crate::components::{ErrorNotice, Field, LanguageSwitch, problem_of};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = Action::new(|(username, password): &(String, String)| {
        let (username, password) = (username.clone(), password.clone());
        async move { sign_in(username, password).await }
    });
    let result = submit.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(user)) = result.get() {
            if let Ok(locale) = user.locale.parse::<Locale>() {
                i18n.set_locale(locale);
            }
            navigate("/", Default::default());
        }
    });
    let error = Signal::derive(move || {
        result
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, crate::error::AppError::Invalid { .. }))
    });
    view! {
        <main class="sign-in">
            <div class="sign-in-card">
                <p class="brand-mark" aria-hidden="true">"后勤"</p>
                <h1>{t!(i18n, sign_in.title)}</h1>
                <p class="muted">{t!(i18n, sign_in.subtitle)}</p>
                <form
                    class="form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit.dispatch((username.get_untracked(), password.get_untracked()));
                    }
                >
                    <Field label=Signal::derive(move || t_string!(i18n, fields.username).to_string()) problem=problem_of(result, "username")>
                        <input name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required
                            bind:value=username />
                    </Field>
                    <Field label=Signal::derive(move || t_string!(i18n, fields.password).to_string()) problem=problem_of(result, "password")>
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
