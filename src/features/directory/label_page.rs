//! Printable QR labels. The QR holds the app URL of the place or check point, so any phone camera opens it.

use super::{Entry, load_label};
use crate::components::ErrorNotice;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn PlaceLabelPage() -> impl IntoView {
    view! { <LabelSheet entry=Entry::Place /> }
}

#[component]
pub fn CheckPointLabelPage() -> impl IntoView {
    view! { <LabelSheet entry=Entry::CheckPoint /> }
}

#[component]
fn LabelSheet(entry: Entry) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    };
    let sheet = Resource::new(id, move |id| async move {
        match id {
            Some(id) => load_label(entry, id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(sheet) => view! {
                        <article class="label-sheet">
                            <div class="label">
                                <p class="label-school">{t!(i18n, app.name)}</p>
                                <div class="label-qr" inner_html=sheet.qr_svg></div>
                                <p class="label-title">{sheet.title}</p>
                                {(!sheet.subtitle.is_empty()).then(|| view! { <p class="label-subtitle">{sheet.subtitle}</p> })}
                                <p class="label-hint">{t!(i18n, label.scan_hint)}</p>
                                <p class="label-url">{sheet.url}</p>
                            </div>
                            <button type="button" class="button button-primary no-print" on:click=move |_| { let _ = window().print(); }>
                                {t!(i18n, label.print)}
                            </button>
                        </article>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
