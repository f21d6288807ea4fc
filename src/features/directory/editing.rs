//! What the three directory admin pages share: the activation switch, the last error, the form's buttons and
//! each row's actions.

use super::{Entry, set_active};
use crate::components::{HeldSwitchOff, use_directory};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

/// Deactivating or restoring records of one kind. A deactivation is held back for a few seconds so it can be
/// taken back; a restore goes at once.
#[derive(Clone, Copy)]
pub struct Activation {
    action: Action<(Uuid, bool), Result<(), AppError>>,
    pub held: HeldSwitchOff,
}

impl Activation {
    /// Switches the record `id` (shown to the admin as `name`) on or off.
    pub fn switch(self, id: Uuid, active: bool, name: String) {
        let action = self.action;
        if active {
            action.dispatch((id, true));
        } else {
            self.held.hold(name, move || {
                action.dispatch((id, false));
            });
        }
    }
}

/// Deactivates or restores records of one kind, and reloads the directory after each change.
pub fn activation(entry: Entry) -> Activation {
    let directory = use_directory();
    let action = Action::new(move |(id, active): &(Uuid, bool)| {
        let (id, active) = (*id, *active);
        async move { set_active(entry, id, active).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            directory.refetch();
        }
    });
    Activation {
        action,
        held: HeldSwitchOff::new(),
    }
}

/// The latest failure of saving or of switching activation, for the notice under the form.
pub fn last_error<T: Clone + Send + Sync + 'static>(
    saved: MappedSignal<Option<Result<T, AppError>>>,
    toggle: Activation,
) -> Signal<Option<AppError>> {
    Signal::derive(move || {
        saved
            .get()
            .and_then(Result::err)
            .or_else(|| toggle.action.value().get().and_then(Result::err))
    })
}

/// Save, and (while editing an existing record) cancel.
#[component]
pub fn SaveButtons(
    editing: RwSignal<Option<Uuid>>,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="row">
            <button type="submit" class="button button-primary" disabled=move || pending.get()>
                {t!(i18n, common.save)}
            </button>
            <Show when=move || editing.get().is_some()>
                <button type="button" class="button" on:click=move |_| editing.set(None)>
                    {t!(i18n, common.cancel)}
                </button>
            </Show>
        </div>
    }
}

/// Edit, deactivate or restore, and (where the record has one) its QR label. `name` is what the undo bar
/// shows while a deactivation is held.
#[component]
pub fn RowActions(
    id: Uuid,
    active: bool,
    #[prop(into)] name: String,
    toggle: Activation,
    #[prop(into)] on_edit: Callback<()>,
    /// The page's form, which 编辑 fills and brings into view (a lower row's form is otherwise off screen).
    form: NodeRef<leptos::html::Form>,
    #[prop(optional, into)] label_href: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="row">
            <button type="button" class="button button-small" on:click=move |_| {
                on_edit.run(());
                crate::components::start_form_over(form);
            }>
                {t!(i18n, common.edit)}
            </button>
            <button type="button" class="button button-small" on:click=move |_| toggle.switch(id, !active, name.clone())>
                {move || if active { t_string!(i18n, common.deactivate) } else { t_string!(i18n, common.reactivate) }}
            </button>
            {label_href.map(|href| view! { <A href=href attr:class="button button-small">{t!(i18n, common.label)}</A> })}
        </div>
    }
}
