//! First run outside demo mode: an empty installation asks for its first administrator (后勤主任).

use super::LanguageSwitch;
use super::setup_first_admin;
use crate::components::{ErrorNotice, Field, problem_of};
use crate::domain::{NewUser, Role};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = Action::new(|user: &NewUser| {
        let user = user.clone();
        async move { setup_first_admin(user).await }
    });
    let result = submit.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            navigate("/admin", Default::default());
        }
    });
    let error = Signal::derive(move || result.get().and_then(Result::err));
    view! {
        <main class="sign-in">
            <div class="sign-in-card">
                <p class="brand-mark" aria-hidden="true">"后勤"</p>
                <h1>{t!(i18n, setup.title)}</h1>
                <p class="muted">{t!(i18n, setup.explain)}</p>
                <form
                    class="form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit.dispatch(NewUser {
                            username: username.get_untracked(),
                            display_name: display_name.get_untracked(),
                            password: password.get_untracked(),
                            roles: vec![Role::Admin, Role::Staff],
                        });
                    }
                >
                    <Field label=Signal::derive(move || t_string!(i18n, fields.display_name).to_string()) problem=problem_of(result, "display_name")>
                        <input name="display_name" autocomplete="name" bind:value=display_name />
                    </Field>
                    <Field label=Signal::derive(move || t_string!(i18n, fields.username).to_string()) problem=problem_of(result, "username")>
                        <input name="username" autocomplete="username" autocapitalize="none" bind:value=username />
                    </Field>
                    <Field label=Signal::derive(move || t_string!(i18n, fields.new_password).to_string()) problem=problem_of(result, "password")>
                        <input name="password" type="password" autocomplete="new-password" bind:value=password />
                    </Field>
                    <ErrorNotice error />
                    <button type="submit" class="button button-primary" disabled=move || submit.pending().get()>
                        {t!(i18n, setup.submit)}
                    </button>
                </form>
                <LanguageSwitch />
            </div>
        </main>
    }
}
