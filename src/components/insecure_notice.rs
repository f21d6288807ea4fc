//! The warning on an address that is not a secure context (plain http on a school LAN: `http://192.168.x.x`,
//! `http://houqin.school`). There the browser gives no service worker, Web Locks, persistent storage or
//! `crypto.subtle`, so the app cannot open with no network. The people on that address are told, with the
//! address to use when the school has one.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn InsecureNotice(
    /// The school's https address (`HOUQIN_PUBLIC_URL`), if it has one.
    https_url: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Known only in the browser: set after hydration, so the server's HTML and the first render agree.
    let insecure_origin = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let window = window();
        if !window.is_secure_context() {
            insecure_origin.set(window.location().origin().ok());
        }
    });
    view! {
        {move || insecure_origin.get().map(|origin| {
            let https_url = https_url.clone();
            view! {
                // One line on every page; what it means and what to do, one tap away.
                <details class="notice notice-warn insecure-banner no-print" role="alert" data-testid="insecure-context">
                    <summary><strong>{t!(i18n, sync.insecure_title)}</strong></summary>
                    <p>{move || t_string!(i18n, sync.insecure_body, origin = origin.clone()).to_string()}</p>
                    {match https_url {
                        Some(url) => view! {
                            <p>{t!(i18n, sync.insecure_use)} " " <a href=url.clone()>{url.clone()}</a></p>
                        }.into_any(),
                        None => view! { <p>{t!(i18n, sync.insecure_ask)}</p> }.into_any(),
                    }}
                </details>
            }
        })}
    }
}
