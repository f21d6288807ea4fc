//! 中文 / English. Switching takes effect at once, is kept in a cookie for this phone, and (when signed in)
//! on the server, so it follows the user to another phone.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn LanguageSwitch(
    /// Also remember the choice on the server for the signed-in user.
    #[prop(optional)]
    remember: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = Action::new(|locale: &Locale| {
        let code = locale.to_string();
        async move { super::set_locale(code).await }
    });
    let choose = move |locale: Locale| {
        i18n.set_locale(locale);
        if remember {
            save.dispatch(locale);
        }
    };
    view! {
        <div class="language-switch" role="group" aria-label=move || t_string!(i18n, common.language)>
            <button type="button" class="chip" aria-pressed=move || (i18n.get_locale() == Locale::zh).to_string()
                on:click=move |_| choose(Locale::zh)>"中文"</button>
            <button type="button" class="chip" aria-pressed=move || (i18n.get_locale() == Locale::en).to_string()
                on:click=move |_| choose(Locale::en)>"English"</button>
        </div>
    }
}
