//! 中文 / English. Switching takes effect at once, is kept in a cookie for this phone, and (when signed in)
//! on the server, so it follows the user to another phone. On a page with no wasm (sign-in) the buttons post
//! the choice (`POST /locale`) and the page comes back in it.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn LanguageSwitch(
    /// Also remember the choice on the server for the signed-in user.
    #[prop(optional)]
    remember: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = Action::new(|locale: &Locale| {
        let code = locale.to_string();
        async move {
            let answer = super::set_locale(code.clone()).await;
            // Only a request that never reached the server leaves the choice to send again.
            let unsent = matches!(answer, Err(crate::error::AppError::Transport { .. }));
            super::on_phone::locale_sent(&code, !unsent);
            answer
        }
    });
    let choose = move |locale: Locale| {
        i18n.set_locale(locale);
        if remember {
            super::on_phone::remember_locale(locale.as_ref());
            save.dispatch(locale);
        }
    };
    let back = use_location().pathname.get_untracked();
    view! {
        <form class="language-switch" method="post" action="/locale" role="group"
            aria-label=move || t_string!(i18n, common.language)>
            <input type="hidden" name="back" value=back />
            <button type="submit" name="locale" value="zh" class="chip"
                aria-pressed=move || (i18n.get_locale() == Locale::zh).to_string()
                on:click=move |ev| {
                    ev.prevent_default();
                    choose(Locale::zh);
                }>"中文"</button>
            <button type="submit" name="locale" value="en" class="chip"
                aria-pressed=move || (i18n.get_locale() == Locale::en).to_string()
                on:click=move |ev| {
                    ev.prevent_default();
                    choose(Locale::en);
                }>"English"</button>
        </form>
    }
}
