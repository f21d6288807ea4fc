//! The admin's people: create a user with roles, change roles, reset a password, disable or enable.

use super::{create_user, list_users, reset_password, set_user_active, set_user_roles};
use crate::components::{
    ErrorNotice, Field, HeldSwitchOff, Page, UndoBar, problem_of, role_name, use_directory,
};
use crate::domain::search::matches;
use crate::domain::{NewUser, Role, UserSummary};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use uuid::Uuid;

/// One change the admin makes to an existing user.
#[derive(Debug, Clone)]
enum Change {
    Roles(Uuid, Vec<Role>),
    Password(Uuid, String),
    Active(Uuid, bool),
}

impl Change {
    fn user(&self) -> Uuid {
        match self {
            Change::Roles(id, _) | Change::Password(id, _) | Change::Active(id, _) => *id,
        }
    }

    /// What the admin is told once the server has it.
    fn done_text(&self, locale: Locale) -> &'static str {
        match self {
            Change::Roles(..) => td_string!(locale, users.roles_saved),
            Change::Password(..) => td_string!(locale, users.password_was_reset),
            Change::Active(_, false) => td_string!(locale, users.now_disabled),
            Change::Active(_, true) => td_string!(locale, users.now_enabled),
        }
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let users = Resource::new(|| (), |()| list_users());
    let directory = use_directory();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let roles = RwSignal::new(Vec::<Role>::new());
    let create = Action::new(|user: &NewUser| {
        let user = user.clone();
        async move { create_user(user).await }
    });
    let change = Action::new(|change: &Change| {
        let change = change.clone();
        async move {
            match change {
                Change::Roles(id, roles) => set_user_roles(id, roles).await,
                Change::Password(id, password) => reset_password(id, password).await,
                Change::Active(id, active) => set_user_active(id, active).await,
            }
        }
    });
    // The last change sent, so its row (rebuilt once the list reloads) says how it went.
    let last_change = RwSignal::new(None::<Change>);
    let search = RwSignal::new(String::new());
    let created = create.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = created.get() {
            username.set(String::new());
            display_name.set(String::new());
            password.set(String::new());
            roles.set(Vec::new());
            users.refetch();
            directory.refetch();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            users.refetch();
        }
    });
    let create_error = Signal::derive(move || {
        created
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
    });
    let held = HeldSwitchOff::new();
    let created_name = RwSignal::new(String::new());
    view! {
        <Page title=move || t_string!(i18n, admin.users).to_string()>
            <UndoBar held />
            <form class="form card" on:submit=move |ev| {
                ev.prevent_default();
                created_name.set(display_name.get_untracked());
                create.dispatch(NewUser {
                    username: username.get_untracked(),
                    display_name: display_name.get_untracked(),
                    password: password.get_untracked(),
                    roles: roles.get_untracked(),
                });
            }>
                <h2>{t!(i18n, users.add)}</h2>
                <Field label=move || t_string!(i18n, fields.display_name).to_string() problem=problem_of(created, "display_name")>
                    <input name="display_name" bind:value=display_name />
                </Field>
                <Field label=move || t_string!(i18n, fields.username).to_string() problem=problem_of(created, "username")>
                    <input name="username" autocapitalize="none" spellcheck="false" bind:value=username />
                </Field>
                <Field label=move || t_string!(i18n, fields.initial_password).to_string() problem=problem_of(created, "password")>
                    <input name="password" type="text" autocomplete="off" bind:value=password />
                </Field>
                <RolePicker roles problem=problem_of(created, "roles") />
                <ErrorNotice error=create_error />
                <Show when=move || matches!(created.get(), Some(Ok(_)))>
                    <p class="notice notice-ok" role="status" data-testid="user-created">
                        {move || t_string!(i18n, users.created, name = created_name.get()).to_string()}
                    </p>
                </Show>
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>{t!(i18n, users.add)}</button>
            </form>
            <label class="field">
                <span class="field-label">{t!(i18n, users.search)}</span>
                <input type="search" autocomplete="off" bind:value=search />
            </label>
            <Transition>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => {
                            let list = StoredValue::new(list);
                            let shown = move || list.with_value(|list| {
                                let query = search.get();
                                list.iter()
                                    .filter(|u| matches(&query, &u.display_name, &u.initials) || matches(&query, &u.username, ""))
                                    .cloned()
                                    .collect::<Vec<_>>()
                            });
                            view! {
                                <p class="muted">{move || t_string!(i18n, users.count, count = shown().len()).to_string()}</p>
                                <ul class="list">
                                    <For each=shown key=|user| (user.id, user.roles.clone(), user.active, user.locked_for_secs) let:user>
                                        <UserRow user change last_change held />
                                    </For>
                                </ul>
                                <Show when=move || shown().is_empty()>
                                    <p class="muted">{t!(i18n, users.none_found)}</p>
                                </Show>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

#[component]
fn RolePicker(
    roles: RwSignal<Vec<Role>>,
    #[prop(into)] problem: Signal<Option<crate::error::Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="field role-picker" class:field-invalid=move || problem.get().is_some()>
            <legend class="field-label">{t!(i18n, fields.roles)}</legend>
            {Role::ALL.iter().map(|role| {
                let role = *role;
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || roles.get().contains(&role)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                roles.update(|r| { r.retain(|x| *x != role); if on { r.push(role); } });
                            } />
                        <span>{move || role_name(i18n.get_locale(), role)}</span>
                    </label>
                }
            }).collect_view()}
            <Show when=move || problem.get().is_some()>
                <span class="field-problem" role="alert">{move || problem.get().map(|p| crate::components::problem_text(i18n.get_locale(), p))}</span>
            </Show>
        </fieldset>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    change: Action<Change, Result<(), AppError>>,
    last_change: RwSignal<Option<Change>>,
    held: HeldSwitchOff,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let roles = RwSignal::new(user.roles.clone());
    let new_password = RwSignal::new(String::new());
    let (id, active) = (user.id, user.active);
    let role_list = user.roles.clone();
    let name = user.display_name.clone();
    let send = move |what: Change| {
        last_change.set(Some(what.clone()));
        change.dispatch(what);
    };
    // How this row's last change went, once the server has answered.
    let mine = move || {
        last_change.with(|c| c.as_ref().is_some_and(|c| c.user() == id)) && !change.pending().get()
    };
    let outcome = move || if mine() { change.value().get() } else { None };
    let row_error = Signal::derive(move || outcome().and_then(Result::err));
    view! {
        <li class:inactive=!active>
            <strong>{user.display_name.clone()}</strong>
            <span class="muted">{user.username.clone()} " · "
                {move || role_list.iter().map(|r| role_name(i18n.get_locale(), *r)).collect::<Vec<_>>().join(" · ")}
                {(!active).then(|| view! { " · " {t!(i18n, users.disabled)} })}
                {user.awaiting_first_sign_in.then(|| view! { " · " <span class="badge badge-pending">{t!(i18n, slips.waiting)}</span> })}
                {(user.locked_for_secs > 0).then(|| {
                    let minutes = user.locked_for_secs.div_ceil(60);
                    view! { " · " <span class="badge badge-warn" data-testid="locked">{move || t_string!(i18n, users.locked, minutes = minutes).to_string()}</span> }
                })}
            </span>
            <div class="row">
                <button type="button" class="button button-small" aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)>{t!(i18n, common.edit)}</button>
                <button type="button" class="button button-small" on:click=move |_| {
                    if active {
                        held.hold(name.clone(), move || send(Change::Active(id, false)));
                    } else {
                        send(Change::Active(id, true));
                    }
                }>
                    {move || if active { t_string!(i18n, users.disable) } else { t_string!(i18n, users.enable) }}
                </button>
            </div>
            <Show when=move || matches!(outcome(), Some(Ok(())))>
                <p class="notice notice-ok" role="status" data-testid="user-changed">
                    {move || last_change.get().map(|c| c.done_text(i18n.get_locale()))}
                </p>
            </Show>
            <ErrorNotice error=row_error />
            <Show when=move || open.get()>
                <div class="card">
                    <RolePicker roles problem=Signal::derive(|| None) />
                    <button type="button" class="button" on:click=move |_| send(Change::Roles(id, roles.get_untracked()))>
                        {t!(i18n, users.save_roles)}
                    </button>
                    <Field label=move || t_string!(i18n, fields.new_password).to_string()>
                        <input type="text" autocomplete="off" bind:value=new_password />
                    </Field>
                    <button type="button" class="button" on:click=move |_| send(Change::Password(id, new_password.get_untracked()))>
                        {t!(i18n, users.reset_password)}
                    </button>
                </div>
            </Show>
        </li>
    }
}
