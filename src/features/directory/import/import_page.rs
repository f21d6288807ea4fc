//! `/admin/import`: the admin picks what the sheet holds, downloads its template if need be, chooses the file,
//! reads the preview (rows to add, to update, refused with row, column and reason) and confirms. Nothing is
//! written before the confirmation.

use super::{ImportKind, Imported, Preview, import_sheet};
use crate::components::{ErrorNotice, Page};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

/// The chosen file's name and bytes (base64), as sent to the server.
#[derive(Clone, PartialEq)]
struct Chosen {
    name: String,
    data: String,
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(ImportKind::Places);
    let chosen: RwSignal<Option<Chosen>> = RwSignal::new(None);
    let answer: RwSignal<Option<Imported>> = RwSignal::new(None);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let send = move |apply: bool| {
        let Some(file) = chosen.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match import_sheet(kind.get_untracked(), file.name, file.data, apply).await {
                Ok(imported) => {
                    if imported.applied {
                        chosen.set(None);
                        if let Some(input) = file_input.get_untracked() {
                            input.set_value("");
                        }
                    }
                    answer.set(Some(imported));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let on_file = move |_| {
        answer.set(None);
        error.set(None);
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = file_input
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            else {
                chosen.set(None);
                return;
            };
            leptos::task::spawn_local(async move {
                let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await
                else {
                    error.set(Some(AppError::invalid(
                        "file",
                        crate::error::Problem::Invalid,
                    )));
                    return;
                };
                use base64::Engine;
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                chosen.set(Some(Chosen {
                    name: file.name(),
                    data: base64::engine::general_purpose::STANDARD.encode(bytes),
                }));
                send(false);
            });
        }
    };
    let choose_kind = move |k: ImportKind| {
        kind.set(k);
        answer.set(None);
        if chosen.get_untracked().is_some() {
            send(false);
        }
    };
    let kind_name = move |k: ImportKind| match k {
        ImportKind::Places => t_string!(i18n, import.places).to_string(),
        ImportKind::Staff => t_string!(i18n, import.staff).to_string(),
        ImportKind::Classes => t_string!(i18n, import.classes).to_string(),
        ImportKind::CheckPoints => t_string!(i18n, import.check_points).to_string(),
    };
    view! {
        <Page title=move || t_string!(i18n, import.title).to_string()>
            <p class="muted">{t!(i18n, import.intro)}</p>
            <p class="muted">{t!(i18n, import.order)}</p>
            <fieldset class="field">
                <legend class="field-label">{t!(i18n, import.what)}</legend>
                <div class="segmented">
                    {ImportKind::ALL.iter().map(|k| {
                        let k = *k;
                        view! {
                            <button type="button" class="segment" data-kind=k.code()
                                aria-pressed=move || (kind.get() == k).to_string()
                                on:click=move |_| choose_kind(k)>{move || kind_name(k)}</button>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="row-actions">
                <a class="button button-secondary" download data-testid="import-template"
                    href=move || format!("/api/import/{}-template.xlsx", kind.get().code())>
                    {t!(i18n, import.template)}
                </a>
                <label class="button">
                    {t!(i18n, import.choose)}
                    <input type="file" accept=".xlsx,.csv,text/csv" class="visually-hidden" data-testid="import-file"
                        node_ref=file_input on:change=on_file />
                </label>
            </div>
            {move || chosen.get().map(|file| view! { <p class="muted">{file.name}</p> })}
            <ErrorNotice error=error />
            <Show when=move || busy.get()>
                <p class="loading">{t!(i18n, common.loading)}</p>
            </Show>
            {move || answer.get().map(|imported| view! { <PreviewView imported kind=kind.get_untracked() send busy /> })}
        </Page>
    }
}

#[component]
fn PreviewView(
    imported: Imported,
    kind: ImportKind,
    send: impl Fn(bool) + Copy + Send + Sync + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Imported { preview, applied } = imported;
    let Preview {
        file_problem,
        rows,
        add,
        update,
        unchanged,
        refused,
    } = preview.clone();
    if let Some(problem) = file_problem {
        return view! {
            <p class="notice notice-error" role="alert" data-testid="import-file-problem">{problem}</p>
        }
        .into_any();
    }
    if applied {
        // People added have no password yet: their next step is a slip with a one-time code.
        let slips = (kind == ImportKind::Staff && !add.is_empty()).then(|| {
            view! {
                <a class="button button-primary" href="/admin/sign-in-slips" data-testid="import-to-slips">
                    {t!(i18n, import.print_slips, count = add.len())}
                </a>
            }
        });
        return view! {
            <p class="notice notice-ok" role="status" data-testid="import-done">
                {t!(i18n, import.done, added = add.len(), updated = update.len())}
            </p>
            {slips}
        }
        .into_any();
    }
    let can_apply = preview.can_apply();
    let (added, updated, refused_count) = (add.len(), update.len(), refused.len());
    let lines = |title: String, lines: Vec<super::Line>, testid: &'static str| {
        (!lines.is_empty()).then(|| {
            view! {
                <h2 class="section-title">{title}</h2>
                <ul class="list" data-testid=testid>
                    {lines.into_iter().map(|line| view! {
                        <li class="list-row"><span class="muted">{move || t_string!(i18n, import.row, row = line.row).to_string()}</span>" "{line.text}</li>
                    }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <section data-testid="import-preview">
            <p class="notice" role="status" data-testid="import-summary">
                {t!(i18n, import.summary, rows = rows, added = added, updated = updated, unchanged = unchanged, refused = refused_count)}
            </p>
            {(!refused.is_empty()).then(|| view! {
                <h2 class="section-title">{t!(i18n, import.refused)}</h2>
                <table class="table stack" data-testid="import-refused">
                    <thead><tr>
                        <th>{t!(i18n, import.row_header)}</th><th>{t!(i18n, import.column)}</th><th>{t!(i18n, import.problem)}</th>
                    </tr></thead>
                    <tbody>
                        {refused.into_iter().map(|r| view! {
                            <tr>
                                <td data-label=move || t_string!(i18n, import.row_header).to_string()>{r.row}</td>
                                <td data-label=move || t_string!(i18n, import.column).to_string()>{r.column}</td>
                                <td data-label=move || t_string!(i18n, import.problem).to_string()>{r.problem}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="muted">{t!(i18n, import.fix_and_retry)}</p>
            })}
            {lines(t_string!(i18n, import.to_add).to_string(), add, "import-add")}
            {lines(t_string!(i18n, import.to_update).to_string(), update, "import-update")}
            <button type="button" class="button" data-testid="import-apply"
                disabled=move || !can_apply || busy.get()
                on:click=move |_| send(true)>
                {t!(i18n, import.apply, count = added + updated)}
            </button>
        </section>
    }
    .into_any()
}
