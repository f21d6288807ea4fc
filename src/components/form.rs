//! Form building blocks: a labelled field that shows its own problem, an error notice, a page frame.

use super::names::{error_text, problem_text};
use crate::error::{AppError, Problem};
use crate::i18n::*;
use leptos::prelude::*;

/// The problem the last answer reported for `field`, if the answer was an error.
pub fn problem_of<T: Send + Sync + 'static>(
    result: MappedSignal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> Signal<Option<Problem>> {
    Signal::derive(move || {
        result.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(|e| e.field_problem(field))
        })
    })
}

/// A label above its input, with the field's problem below it (announced to screen readers).
#[component]
pub fn Field(
    /// The label text.
    #[prop(into)]
    label: Signal<String>,
    /// The field's problem, if the server reported one.
    #[prop(into, optional)]
    problem: Option<Signal<Option<Problem>>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem = problem.unwrap_or_else(|| Signal::derive(|| None));
    view! {
        <label class="field" class:field-invalid=move || problem.get().is_some()>
            <span class="field-label">{move || label.get()}</span>
            {children()}
            <Show when=move || problem.get().is_some()>
                <span class="field-problem" role="alert">
                    {move || problem.get().map(|p| problem_text(i18n.get_locale(), p))}
                </span>
            </Show>
        </label>
    }
}

/// After a refused save: brings the form's first marked field to the middle of the screen and puts the cursor
/// in it, so the person sees what to fix without hunting for it (the marks appear on the next frame).
pub fn reveal_first_problem(form: NodeRef<leptos::html::Form>) {
    focus_in(form, ".field-invalid :is(input, select, textarea)", true);
}

/// After a save: back to the top of the form, the cursor in its first field, ready for the next entry.
pub fn start_form_over(form: NodeRef<leptos::html::Form>) {
    focus_in(form, "input:not([type=hidden]), select, textarea", false);
}

fn focus_in(form: NodeRef<leptos::html::Form>, selector: &'static str, centre: bool) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let Some(form) = form.get_untracked() else {
            return;
        };
        let Some(field) = form
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = field.focus_with_options(&options);
        let scroll = web_sys::ScrollIntoViewOptions::new();
        if centre {
            scroll.set_block(web_sys::ScrollLogicalPosition::Center);
            field.scroll_into_view_with_scroll_into_view_options(&scroll);
        } else {
            scroll.set_block(web_sys::ScrollLogicalPosition::Start);
            form.scroll_into_view_with_scroll_into_view_options(&scroll);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (form, selector, centre);
}

/// A summary of a failed request, in the user's language.
#[component]
pub fn ErrorNotice(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="notice notice-error" role="alert">
                {move || error.with(|e| e.as_ref().map(|e| error_text(i18n.get_locale(), e)))}
            </p>
        </Show>
    }
}

/// A page: its title and content.
#[component]
pub fn Page(#[prop(into)] title: Signal<String>, children: Children) -> impl IntoView {
    view! {
        <section class="page">
            <h1 class="page-title">{move || title.get()}</h1>
            {children()}
        </section>
    }
}

/// The lines a printed record is signed on (门卫、负责人、日期…), shown only on paper.
#[component]
pub fn SignatureLines(#[prop(into)] who: Signal<Vec<String>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="signature-lines print-only">
            {move || who.get().into_iter().map(|name| view! {
                <span class="signature-line">{name} "："<span class="line"></span></span>
            }).collect_view()}
            <span class="signature-line">{t!(i18n, common.date)} "："<span class="line"></span></span>
        </div>
    }
}

/// What a page shows for an address whose record this phone does not hold (a link to an unknown id, or a
/// record not synced yet): a clear sentence and a way back, never an endless "loading".
#[component]
pub fn NotOnThisPhone() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div data-testid="not-on-phone">
            <p class="notice">{t!(i18n, common.not_on_phone)}</p>
            <a class="button" href="/">{t!(i18n, common.back)}</a>
        </div>
    }
}

/// Why an entry could not be kept on this phone (storage full, or none at all); the form keeps what was typed.
#[component]
pub fn StorageErrorNotice(
    #[prop(into)] error: Signal<Option<crate::sync::local::SaveError>>,
) -> impl IntoView {
    use crate::sync::local::SaveError;
    let i18n = use_i18n();
    view! {
        <Show when=move || error.with(Option::is_some)>
            <p class="notice notice-error" role="alert" data-testid="storage-error">
                {move || match error.get() {
                    Some(SaveError::Full) => t_string!(i18n, sync.storage_full).to_string(),
                    _ => t_string!(i18n, sync.storage_unavailable).to_string(),
                }}
            </p>
        </Show>
    }
}

/// A query parameter of the page, or `default()` when it is missing or empty (today's date, this month).
pub fn use_query_or(key: &'static str, default: fn() -> String) -> Memo<String> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        query
            .with(|q| q.get(key))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(default)
    })
}
