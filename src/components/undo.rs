//! 停用 held back for a few seconds, so that a slip of the thumb in an admin list can be taken back: the
//! sign-out's undo, for the records an admin switches off. Leaving the page sends what is held at once.

use crate::i18n::*;
use leptos::prelude::*;
use std::time::Duration;

/// How long a switch-off waits before it is sent.
pub const HOLD: Duration = Duration::from_secs(5);

/// The one switch-off a page holds back.
#[derive(Clone, Copy)]
pub struct HeldSwitchOff {
    /// The name the bar shows, with the turn that tells one hold from the next.
    shown: RwSignal<Option<(u32, String)>>,
    send: StoredValue<Option<Box<dyn FnOnce() + Send + Sync>>>,
    turns: StoredValue<u32>,
}

impl HeldSwitchOff {
    /// A hold for the current page: whatever is still held when the page goes is sent then.
    pub fn new() -> Self {
        let held = Self {
            shown: RwSignal::new(None),
            send: StoredValue::new(None),
            turns: StoredValue::new(0),
        };
        on_cleanup(move || held.send_now());
        held
    }

    /// Holds `send` back for [`HOLD`], naming `name` in the bar. A switch-off held before it goes out at once.
    pub fn hold(self, name: String, send: impl FnOnce() + Send + Sync + 'static) {
        self.send_now();
        let turn = self.turns.get_value().wrapping_add(1);
        self.turns.set_value(turn);
        self.send.set_value(Some(Box::new(send)));
        self.shown.set(Some((turn, name)));
        set_timeout(
            move || {
                let current = self
                    .shown
                    .try_with_untracked(|s| s.as_ref().map(|(t, _)| *t));
                if current == Some(Some(turn)) {
                    self.send_now();
                }
            },
            HOLD,
        );
    }

    fn send_now(self) {
        if let Some(send) = self.send.try_update_value(Option::take).flatten() {
            send();
        }
        self.shown.try_set(None);
    }

    fn take_back(self) {
        self.send.try_set_value(None);
        self.shown.try_set(None);
    }
}

impl Default for HeldSwitchOff {
    fn default() -> Self {
        Self::new()
    }
}

/// The bar over the bottom navigation while a switch-off is held: its name and 撤销.
#[component]
pub fn UndoBar(held: HeldSwitchOff) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        held.shown.get().map(|(_, name)| {
            view! {
                <div class="notice notice-ok sheet undo-bar" role="status" data-testid="undo-switch-off">
                    <span>{t_string!(i18n, common.switching_off, name = name).to_string()}</span>
                    <button type="button" class="button button-secondary" on:click=move |_| held.take_back()>
                        {t!(i18n, common.undo)}
                    </button>
                </div>
            }
        })
    }
}
