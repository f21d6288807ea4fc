//! `/admin/term`: the admin gives the new term's first day and how many 一年级 classes to add, reads the preview
//! sheet — each class's name now and next term, its class teacher and zone (carried over, changeable here), the
//! classes that graduate, the new classes — and confirms. Nothing is written before the confirmation.

use super::{
    ClassChoice, MovingClass, NewClass, TermDone, TermPlan, TermPreview, apply_term, preview_term,
};
use crate::components::{Field, Page, class_name, error_text, today_text, use_directory};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date_time};
use crate::error::{AppError, Problem};
use crate::features::directory::{PersonOptions, PlaceOptions};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

/// The coming school year's first day, 1 September: this year's until the end of September (a roll-over is done
/// in the summer, or in the first days of the term), next year's after.
fn default_term_start() -> String {
    let today = today_text();
    let year: i64 = today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let month: u32 = today.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    format!("{}-09-01", if month > 9 { year + 1 } else { year })
}

fn id_text(id: Option<Uuid>) -> String {
    id.map(|id| id.to_string()).unwrap_or_default()
}

/// What went wrong, in the admin's words: a stale preview, a term already rolled over, a bad date or count, a
/// teacher or zone no longer active; otherwise the app's usual sentence.
fn term_error_text(locale: Locale, error: &AppError) -> String {
    let problem = |field: &str| error.field_problem(field);
    let row_problem = matches!(error, AppError::Invalid { fields }
        if fields.iter().any(|f| f.field.starts_with("moving.") || f.field.starts_with("new_classes.")));
    if problem("plan").is_some() {
        td_string!(locale, term.stale).to_string()
    } else if problem("term_start") == Some(Problem::Taken) {
        td_string!(locale, term.taken).to_string()
    } else if problem("term_start").is_some() {
        td_string!(locale, term.bad_date).to_string()
    } else if problem("new_classes").is_some() {
        td_string!(locale, term.bad_count).to_string()
    } else if row_problem {
        td_string!(locale, term.gone).to_string()
    } else {
        error_text(locale, error)
    }
}

/// The problem the last answer reported for one field of the sheet.
fn problem_at(error: RwSignal<Option<AppError>>, field: String) -> Signal<Option<Problem>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_problem(&field))))
}

#[component]
pub fn TermPage() -> impl IntoView {
    let i18n = use_i18n();
    let term = RwSignal::new(default_term_start());
    let count = RwSignal::new(String::new());
    let shown: RwSignal<Option<TermPreview>> = RwSignal::new(None);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let done: RwSignal<Option<TermDone>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let load = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        let typed = count.get_untracked();
        // Empty: as many as graduate. Anything else the server checks (a word is out of range).
        let wanted = match typed.trim() {
            "" => None,
            text => Some(text.parse::<i64>().unwrap_or(-1)),
        };
        let term_start = term.get_untracked();
        leptos::task::spawn_local(async move {
            match preview_term(term_start, wanted).await {
                Ok(preview) => {
                    count.set(preview.new_classes.len().to_string());
                    shown.set(Some(preview));
                }
                Err(e) => {
                    shown.set(None);
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    // A preview answers for the day and count it was made with: changing either asks for a new one.
    let changed = move || {
        shown.set(None);
        done.set(None);
    };
    view! {
        <Page title=move || t_string!(i18n, term.title).to_string()>
            <p class="muted">{t!(i18n, term.intro)}</p>
            <form class="form card" novalidate data-testid="term-form" on:submit=move |ev| {
                ev.prevent_default();
                load();
            }>
                <Field label=move || t_string!(i18n, term.term_start).to_string()
                    problem=Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_problem("term_start"))))>
                    <input type="date" name="term_start" required prop:value=move || term.get()
                        on:input=move |ev| { term.set(event_target_value(&ev)); changed(); } />
                </Field>
                <Field label=move || t_string!(i18n, term.new_count).to_string()
                    problem=Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_problem("new_classes"))))>
                    <input type="number" name="new_classes" inputmode="numeric" min="0" max="30"
                        placeholder=move || t_string!(i18n, term.new_count_hint).to_string()
                        prop:value=move || count.get()
                        on:input=move |ev| { count.set(event_target_value(&ev)); changed(); } />
                </Field>
                <button type="submit" class="button button-primary" disabled=move || busy.get() data-testid="term-preview">
                    {t!(i18n, term.preview)}
                </button>
            </form>
            <Show when=move || error.with(Option::is_some)>
                <p class="notice notice-error" role="alert" data-testid="term-error">
                    {move || error.with(|e| e.as_ref().map(|e| term_error_text(i18n.get_locale(), e)))}
                </p>
            </Show>
            <Show when=move || busy.get()>
                <p class="loading">{t!(i18n, common.loading)}</p>
            </Show>
            {move || done.get().map(|done| view! {
                <p class="notice notice-ok" role="status" data-testid="term-done">
                    {t!(i18n, term.done, moved = done.moved, graduated = done.graduated, created = done.created, date = done.term_start.clone())}
                </p>
                <A href="/admin/classes" attr:class="button">{t!(i18n, admin.classes)}</A>
            })}
            {move || shown.get().map(|preview| view! { <Sheet preview shown error done busy /> })}
        </Page>
    }
}

/// The preview sheet and its confirmation. Its selects start at what carries over.
#[component]
fn Sheet(
    preview: TermPreview,
    shown: RwSignal<Option<TermPreview>>,
    error: RwSignal<Option<AppError>>,
    done: RwSignal<Option<TermDone>>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    let TermPreview {
        term_start,
        current_term_start,
        fingerprint,
        done_already,
        moving,
        graduating,
        new_classes,
    } = preview;
    let moving: Vec<(MovingClass, RwSignal<String>, RwSignal<String>)> = moving
        .into_iter()
        .map(|c| {
            let (teacher, zone) = (id_text(c.teacher_id), id_text(c.zone_id));
            (c, RwSignal::new(teacher), RwSignal::new(zone))
        })
        .collect();
    let new_classes: Vec<(i64, RwSignal<String>, RwSignal<String>)> = new_classes
        .into_iter()
        .enumerate()
        .map(|(at, c)| {
            (
                at as i64 + 1,
                RwSignal::new(id_text(c.teacher_id)),
                RwSignal::new(id_text(c.zone_id)),
            )
        })
        .collect();
    let picked = |text: RwSignal<String>| Uuid::parse_str(&text.get_untracked()).ok();
    let plan = StoredValue::new({
        let moving: Vec<(Uuid, RwSignal<String>, RwSignal<String>)> = moving
            .iter()
            .map(|(c, t, z)| (c.class_id, *t, *z))
            .collect();
        let new_classes: Vec<(RwSignal<String>, RwSignal<String>)> =
            new_classes.iter().map(|(_, t, z)| (*t, *z)).collect();
        (term_start.clone(), fingerprint, moving, new_classes)
    });
    let apply = move |_| {
        if busy.get_untracked() {
            return;
        }
        let plan = plan.with_value(|(term_start, fingerprint, moving, new_classes)| TermPlan {
            term_start: term_start.clone(),
            fingerprint: fingerprint.clone(),
            moving: moving
                .iter()
                .map(|(class_id, teacher, zone)| ClassChoice {
                    class_id: *class_id,
                    teacher_id: picked(*teacher),
                    zone_id: picked(*zone),
                })
                .collect(),
            new_classes: new_classes
                .iter()
                .map(|(teacher, zone)| NewClass {
                    teacher_id: picked(*teacher),
                    zone_id: picked(*zone),
                })
                .collect(),
        });
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match apply_term(plan).await {
                Ok(result) => {
                    shown.set(None);
                    done.set(Some(result));
                    directory.refetch();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let blocked = done_already.is_some();
    let (moving_count, graduating_count, new_count) =
        (moving.len(), graduating.len(), new_classes.len());
    let selects = move |field: String, teacher: RwSignal<String>, zone: RwSignal<String>| {
        view! {
            <div class="form">
                <Field label=move || t_string!(i18n, fields.teacher).to_string() problem=problem_at(error, format!("{field}.teacher_id"))>
                    <select prop:value=move || teacher.get() on:change=move |ev| teacher.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, common.nobody)}</option>
                        <PersonOptions selected=teacher />
                    </select>
                </Field>
                <Field label=move || t_string!(i18n, fields.zone).to_string() problem=problem_at(error, format!("{field}.zone_id"))>
                    <select prop:value=move || zone.get() on:change=move |ev| zone.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, common.none)}</option>
                        <PlaceOptions selected=zone />
                    </select>
                </Field>
            </div>
        }
    };
    view! {
        <section data-testid="term-sheet">
            <p class="notice" role="status" data-testid="term-summary">
                {t!(i18n, term.summary, date = term_start.clone(), moved = moving_count, graduated = graduating_count, created = new_count)}
                " "
                {t!(i18n, term.current_term, date = current_term_start.clone())}
            </p>
            {done_already.map(|d| view! {
                <p class="notice notice-error" role="alert" data-testid="term-done-already">
                    {t!(i18n, term.done_already, date = d.term_start.clone(), at = date_time(d.at, SCHOOL_UTC_OFFSET_MINUTES))}
                </p>
            })}
            <h2 class="section-title">{t!(i18n, term.moving, count = moving_count)}</h2>
            <ul class="list" data-testid="term-moving">
                {moving.into_iter().map(|(class, teacher, zone)| {
                    let (grade, number) = (class.grade, class.number);
                    view! {
                        <li>
                            <strong>{move || format!("{} → {}", class_name(i18n.get_locale(), grade, number), class_name(i18n.get_locale(), grade + 1, number))}</strong>
                            {class.teacher_left.then(|| view! { <span class="muted">{t!(i18n, term.teacher_left)}</span> })}
                            {class.zone_left.then(|| view! { <span class="muted">{t!(i18n, term.zone_left)}</span> })}
                            {selects(format!("moving.{}", class.class_id), teacher, zone)}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h2 class="section-title">{t!(i18n, term.graduating, count = graduating_count)}</h2>
            <ul class="list" data-testid="term-graduating">
                {graduating.into_iter().map(|class| {
                    let number = class.number;
                    view! {
                        <li>
                            <strong>{move || class_name(i18n.get_locale(), crate::domain::term::LAST_GRADE, number)}</strong>
                            <span class="muted">{class.teacher_name.clone()}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h2 class="section-title">{t!(i18n, term.new_classes, count = new_count)}</h2>
            <ul class="list" data-testid="term-new">
                {new_classes.into_iter().map(|(number, teacher, zone)| view! {
                    <li>
                        <strong>{move || class_name(i18n.get_locale(), 1, number)}</strong>
                        {selects(format!("new_classes.{number}"), teacher, zone)}
                    </li>
                }).collect_view()}
            </ul>
            <button type="button" class="button button-primary" data-testid="term-apply"
                disabled=move || blocked || busy.get() on:click=apply>
                {t!(i18n, term.apply)}
            </button>
        </section>
    }
}
