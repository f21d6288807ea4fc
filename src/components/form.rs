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
