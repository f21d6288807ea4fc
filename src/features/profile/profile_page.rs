//! The user's own page: roles, language (remembered on the server), password change, sign-out.

use crate::components::{ErrorNotice, Field, Page, problem_of, role_name, use_user};
use crate::features::auth::LanguageSwitch;
use crate::features::auth::{change_password, sign_out};
use crate::i18n::*;
use crate::sync::local::use_local_data;
use leptos::prelude::*;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let change = Action::new(|(current, new): &(String, String)| {
        let (current, new) = (current.clone(), new.clone());
        async move { change_password(current, new).await }
    });
    let changed = change.value();
    Effect::new(move |_| {
        if let Some(Ok(())) = changed.get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let leave = Action::new(|(): &()| sign_out());
    let local = use_local_data();
    let confirm_leave = RwSignal::new(false);
    let pending = move || local.status.with(|s| s.pending);
    // Signing out works with no network (the phone is handed over at shift change): this phone forgets the
    // session at once, then asks the server; with no answer within a few seconds it goes on, and the server
    // ends the session at the next contact. Unsent entries stay in this user's outbox for their next sign-in.
    let sign_out_now = move || {
        crate::features::auth::on_phone::sign_out_here();
        leave.dispatch(());
        set_timeout(go_to_sign_in, std::time::Duration::from_secs(3));
    };
    Effect::new(move |_| {
        if leave.value().get().is_some() {
            go_to_sign_in();
        }
    });
    let change_error = Signal::derive(move || {
        changed
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, crate::error::AppError::Invalid { .. }))
    });
    view! {
        <Page title=move || t_string!(i18n, profile.title).to_string()>
            <div class="card">
                <strong>{move || user.get().map(|u| u.display_name).unwrap_or_default()}</strong>
                <span class="muted">{move || user.get().map(|u| u.username).unwrap_or_default()}</span>
                <span class="muted">
                    {move || {
                        let locale = i18n.get_locale();
                        user.get().map(|u| u.roles.iter().map(|r| role_name(locale, *r)).collect::<Vec<_>>().join(" · ")).unwrap_or_default()
                    }}
                </span>
            </div>
            <h2>{t!(i18n, common.language)}</h2>
            <LanguageSwitch remember=true />
            <h2>{t!(i18n, profile.change_password)}</h2>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                change.dispatch((current.get_untracked(), new.get_untracked()));
            }>
                <Field label=move || t_string!(i18n, fields.current_password).to_string() problem=problem_of(changed, "current")>
                    <input type="password" autocomplete="current-password" bind:value=current />
                </Field>
                <Field label=move || t_string!(i18n, fields.new_password).to_string() problem=problem_of(changed, "new")>
                    <input type="password" autocomplete="new-password" bind:value=new />
                </Field>
                <ErrorNotice error=change_error />
                <Show when=move || matches!(changed.get(), Some(Ok(())))>
                    <p class="notice notice-ok" role="status">{t!(i18n, profile.password_changed)}</p>
                </Show>
                <button type="submit" class="button" disabled=move || change.pending().get()>{t!(i18n, profile.change_password)}</button>
            </form>
            <Show when=move || confirm_leave.get()>
                <div class="notice notice-warn sheet" role="alertdialog" aria-modal="true" data-testid="sign-out-warning">
                    <p>{move || t_string!(i18n, sync.sign_out_pending, count = pending()).to_string()}</p>
                    <div class="row-actions">
                        <button type="button" class="button" on:click=move |_| local.sync_now()>{t!(i18n, sync.sync_now)}</button>
                        <button type="button" class="button button-secondary" on:click=move |_| local.download_pending()>{t!(i18n, sync.download)}</button>
                        <button type="button" class="button button-danger" on:click=move |_| sign_out_now()>{t!(i18n, sync.sign_out_anyway)}</button>
                        <button type="button" class="button button-secondary" on:click=move |_| confirm_leave.set(false)>{t!(i18n, common.cancel)}</button>
                    </div>
                </div>
            </Show>
            <button type="button" class="button button-danger" on:click=move |_| {
                if pending() > 0 { confirm_leave.set(true); } else { sign_out_now(); }
            }>
                {t!(i18n, profile.sign_out)}
            </button>
        </Page>
    }
}

/// A full load of the sign-in page, so nothing of this user stays in memory on a shared phone. Called only
/// from click handlers and effects, which run only in the browser, where there is a window.
fn go_to_sign_in() {
    let _ = window().location().assign("/sign-in");
}
