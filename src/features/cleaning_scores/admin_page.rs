//! `/admin/cleaning`: the admin's desk for the cleaning scores — appeals to accept or reject, the settings
//! (fixed times, spot-check weight, threshold, appeal window, term), the zones of both leagues, and the rubrics
//! (saved as a new version).

use super::local_view::{Deductions, appeal_status_name, kind_name, zone_kind_name};
use super::{
    add_cleaning_zone, load_appeals, load_cleaning_setup, resolve_appeal, save_cleaning_rubric,
    save_cleaning_settings, set_cleaning_zone_active,
};
use crate::components::{ErrorNotice, HeldSwitchOff, Page, UndoBar, class_name};
use crate::domain::cleaning::{
    AppealStatus, League, Rubric, RubricItem, Settings, ZoneKind, score_text,
};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, time};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

#[component]
pub fn CleaningAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Page title=move || t_string!(i18n, cleaning.admin).to_string()>
            <div class="row-actions">
                <A href="/cleaning-scores/board" attr:class="button button-secondary">{t!(i18n, cleaning.board)}</A>
            </div>
            <Appeals />
            <super::ScreensCard />
            <Setup />
        </Page>
    }
}

#[component]
fn Appeals() -> impl IntoView {
    let i18n = use_i18n();
    let appeals = Resource::new(|| (), |_| load_appeals());
    let resolve = Action::new(|(id, accept, note): &(Uuid, bool, String)| {
        let (id, accept, note) = (*id, *accept, note.clone());
        async move { resolve_appeal(id, accept, note).await }
    });
    Effect::new(move |_| {
        if resolve.value().get().is_some() {
            appeals.refetch();
        }
    });
    let error = Signal::derive(move || resolve.value().get().and_then(Result::err));
    view! {
        <h2>{t!(i18n, cleaning.appeals)}</h2>
        <ErrorNotice error />
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match appeals.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">{t!(i18n, cleaning.no_appeals)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="list" data-testid="appeals">
                            {list.into_iter().map(|case| {
                                let note = RwSignal::new(String::new());
                                let id = case.appeal.id;
                                let open = case.appeal.status == AppealStatus::Open;
                                let at = case.check.checked_at;
                                let class = case.class;
                                view! {
                                    <li class="card" data-testid="appeal">
                                        <strong>
                                            {
                                                // One text, never empty: an empty text node is not in the page and
                                                // hydration would miss it.
                                                let zone = case.zone.clone();
                                                move || match class {
                                                    Some((g, n)) => format!("{} · {zone}", class_name(i18n.get_locale(), g, n)),
                                                    None => zone.clone(),
                                                }
                                            }
                                        </strong>
                                        <p class="muted">
                                            {date(at, SCHOOL_UTC_OFFSET_MINUTES)} " " {time(at, SCHOOL_UTC_OFFSET_MINUTES)} " · "
                                            {move || kind_name(i18n.get_locale(), case.check.kind)} " · " {case.inspector.clone()} " · "
                                            {case.check.score} "/" {case.check.full_score}
                                        </p>
                                        <Deductions ratings=case.check.ratings.clone() />
                                        <p>{case.teacher.clone()} ": " {case.appeal.reason.clone()}</p>
                                        {if open {
                                            view! {
                                                <input type="text" bind:value=note placeholder=move || t_string!(i18n, cleaning.resolution).to_string()
                                                    aria-label=move || t_string!(i18n, cleaning.resolution).to_string() />
                                                <div class="row-actions">
                                                    <button type="button" class="button" data-testid="accept" on:click=move |_| { resolve.dispatch((id, true, note.get_untracked())); }>
                                                        {t!(i18n, cleaning.accept)}
                                                    </button>
                                                    <button type="button" class="button button-secondary" data-testid="reject" on:click=move |_| { resolve.dispatch((id, false, note.get_untracked())); }>
                                                        {t!(i18n, cleaning.reject)}
                                                    </button>
                                                </div>
                                            }.into_any()
                                        } else {
                                            let status = case.appeal.status;
                                            let resolution = case.appeal.resolution.clone();
                                            view! {
                                                <p class="badge">{move || appeal_status_name(i18n.get_locale(), status)} {(!resolution.is_empty()).then(|| format!(" {resolution}"))}</p>
                                            }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Setup() -> impl IntoView {
    let i18n = use_i18n();
    let setup = Resource::new(|| (), |_| load_cleaning_setup());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let after = move |result: Result<(), AppError>| match result {
        Ok(()) => {
            error.set(None);
            done.set(true);
            setup.refetch();
        }
        Err(e) => {
            done.set(false);
            error.set(Some(e));
        }
    };
    view! {
        <ErrorNotice error />
        <Show when=move || done.get()>
            <p class="notice notice-ok" role="status">{t!(i18n, cleaning.setup_saved)}</p>
        </Show>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(setup) => view! {
                        <SettingsForm settings=setup.settings.clone() after />
                        <Zones setup=setup.clone() after />
                        {setup.rubrics.into_iter().map(|rubric| view! { <RubricForm rubric after /> }).collect_view()}
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn number(text: &str) -> i64 {
    text.trim().parse().unwrap_or(-1)
}

/// `7.50` → 750 hundredths; anything else is out of range.
fn centi_of(text: &str) -> i64 {
    text.trim()
        .parse::<f64>()
        .map(|v| (v * 100.0).round() as i64)
        .unwrap_or(-1)
}

#[component]
fn SettingsForm(
    settings: Settings,
    after: impl Fn(Result<(), AppError>) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let times = RwSignal::new(settings.daily_times.join(" "));
    let weight = RwSignal::new(format!(
        "{}.{:02}",
        settings.spot_weight_pct / 100,
        settings.spot_weight_pct % 100
    ));
    let threshold = RwSignal::new(score_text(settings.threshold_centi));
    let hours = RwSignal::new(settings.appeal_hours.to_string());
    let term = RwSignal::new(settings.term_start.clone());
    let save = Action::new(|settings: &Settings| {
        let settings = settings.clone();
        async move { save_cleaning_settings(settings).await }
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            after(result);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(Settings {
            daily_times: times
                .get_untracked()
                .split([' ', ',', '，'])
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            spot_weight_pct: centi_of(&weight.get_untracked()),
            threshold_centi: centi_of(&threshold.get_untracked()),
            appeal_hours: number(&hours.get_untracked()),
            term_start: term.get_untracked(),
        });
    };
    view! {
        <h2>{t!(i18n, cleaning.settings)}</h2>
        <form class="form card" on:submit=submit novalidate data-testid="settings-form">
            <label class="field"><span class="field-label">{t!(i18n, cleaning.daily_times)}</span>
                <input type="text" bind:value=times /></label>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.spot_weight)}</span>
                <input type="text" inputmode="decimal" bind:value=weight /></label>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.threshold)}</span>
                <input type="text" inputmode="decimal" bind:value=threshold /></label>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.appeal_hours)}</span>
                <input type="number" bind:value=hours /></label>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.term_start)}</span>
                <input type="date" bind:value=term /></label>
            <button type="submit" class="button">{t!(i18n, common.save)}</button>
        </form>
    }
}

#[component]
fn Zones(
    setup: super::CleaningSetup,
    after: impl Fn(Result<(), AppError>) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let place = RwSignal::new(String::new());
    let class = RwSignal::new(String::new());
    let kind = RwSignal::new(ZoneKind::Office.code().to_owned());
    let add = Action::new(|(place, kind, class): &(Uuid, ZoneKind, Option<Uuid>)| {
        let (place, kind, class) = (*place, *kind, *class);
        async move { add_cleaning_zone(place, kind, class).await.map(|_| ()) }
    });
    let toggle = Action::new(|(zone, active): &(Uuid, bool)| {
        let (zone, active) = (*zone, *active);
        async move { set_cleaning_zone_active(zone, active).await }
    });
    Effect::new(move |_| {
        if let Some(result) = add.value().get() {
            after(result);
        }
    });
    Effect::new(move |_| {
        if let Some(result) = toggle.value().get() {
            after(result);
        }
    });
    let held = HeldSwitchOff::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(place) = Uuid::parse_str(&place.get_untracked()) else {
            after(Err(AppError::invalid(
                "place_id",
                crate::error::Problem::Required,
            )));
            return;
        };
        let kind = ZoneKind::from_code(&kind.get_untracked()).unwrap_or(ZoneKind::Office);
        add.dispatch((place, kind, Uuid::parse_str(&class.get_untracked()).ok()));
    };
    let classes = setup.classes.clone();
    view! {
        <UndoBar held />
        <h2>{t!(i18n, cleaning.zones)}</h2>
            <table class="table stack">
                <thead><tr>
                    <th>{t!(i18n, cleaning.zone)}</th><th>{t!(i18n, cleaning.league)}</th><th>{t!(i18n, cleaning.rubric)}</th><th></th>
                </tr></thead>
                <tbody>
                    {setup.zones.into_iter().map(|zone| {
                        let (id, active) = (zone.id, zone.active);
                        let zone_kind = zone.kind;
                        view! {
                            <tr class:inactive=!active>
                                <td data-label=move || t_string!(i18n, cleaning.zone).to_string()>
                                    {
                                        let name = zone.name.clone();
                                        move || shown_name(i18n.get_locale(), &zone.class, &name)
                                    }
                                </td>
                                <td data-label=move || t_string!(i18n, cleaning.league).to_string()>{move || match zone.league {
                                    League::Class => t_string!(i18n, cleaning.class_league).to_string(),
                                    League::Office => t_string!(i18n, cleaning.office_league).to_string(),
                                }}</td>
                                <td data-label=move || t_string!(i18n, cleaning.rubric).to_string()>{move || zone_kind_name(i18n.get_locale(), zone_kind)}</td>
                                <td class="cell-action">
                                    <button type="button" class="button button-small" on:click=move |_| {
                                        if active {
                                            held.hold(shown_name(i18n.get_locale_untracked(), &zone.class, &zone.name), move || {
                                                toggle.dispatch((id, false));
                                            });
                                        } else {
                                            toggle.dispatch((id, true));
                                        }
                                    }>
                                        {if active { t!(i18n, common.deactivate).into_any() } else { t!(i18n, common.reactivate).into_any() }}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        <form class="form card" on:submit=submit novalidate>
            <h3>{t!(i18n, cleaning.add_zone)}</h3>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.zone)}</span>
                <select bind:value=place>
                    <option value="">"—"</option>
                    {setup.places.into_iter().map(|(id, path)| view! { <option value=id.to_string()>{path}</option> }).collect_view()}
                </select>
            </label>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.rubric)}</span>
                <select bind:value=kind>
                    {ZoneKind::ALL.iter().map(|k| {
                        let k = *k;
                        view! { <option value=k.code()>{move || zone_kind_name(i18n.get_locale(), k)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.kept_by)}</span>
                <select bind:value=class>
                    <option value="">{t!(i18n, cleaning.office_league)}</option>
                    {classes.into_iter().map(|(id, g, n)| view! {
                        <option value=id.to_string()>{move || class_name(i18n.get_locale(), g, n)}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button">{t!(i18n, cleaning.add_zone)}</button>
        </form>
    }
}

#[derive(Clone, Copy)]
struct ItemRow {
    key: RwSignal<String>,
    label: RwSignal<String>,
    fair: RwSignal<String>,
    poor: RwSignal<String>,
}

#[component]
fn RubricForm(
    rubric: Rubric,
    after: impl Fn(Result<(), AppError>) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = rubric.kind;
    let full = RwSignal::new(rubric.full_score.to_string());
    let row = |item: &RubricItem| ItemRow {
        key: RwSignal::new(item.key.clone()),
        label: RwSignal::new(item.label.clone()),
        fair: RwSignal::new(item.fair.to_string()),
        poor: RwSignal::new(item.poor.to_string()),
    };
    let items = RwSignal::new(rubric.items.iter().map(row).collect::<Vec<_>>());
    let save = Action::new(|rubric: &Rubric| {
        let rubric = rubric.clone();
        async move { save_cleaning_rubric(rubric).await.map(|_| ()) }
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            after(result);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = items
            .get_untracked()
            .iter()
            .map(|r| RubricItem {
                key: r.key.get_untracked(),
                label: r.label.get_untracked(),
                good: 0,
                fair: number(&r.fair.get_untracked()),
                poor: number(&r.poor.get_untracked()),
            })
            .collect();
        save.dispatch(Rubric {
            kind,
            version: 0,
            full_score: number(&full.get_untracked()),
            items: list,
        });
    };
    let add_item = move |_| {
        items.update(|list| {
            let key = format!("item{}", list.len() + 1);
            list.push(ItemRow {
                key: RwSignal::new(key),
                label: RwSignal::new(String::new()),
                fair: RwSignal::new("1".into()),
                poor: RwSignal::new("2".into()),
            });
        });
    };
    view! {
        <form class="form card" on:submit=submit novalidate>
            <h3>{move || zone_kind_name(i18n.get_locale(), kind)} " · " {t!(i18n, cleaning.rubric)} " v" {rubric.version}</h3>
            <label class="field"><span class="field-label">{t!(i18n, cleaning.full_score)}</span>
                <input type="number" bind:value=full /></label>
            <table class="table stack">
                <thead><tr><th>{t!(i18n, safety.item)}</th><th>{t!(i18n, cleaning.fair)}</th><th>{t!(i18n, cleaning.poor)}</th><th></th></tr></thead>
                <tbody>
                    <For each=move || items.get() key=|r| r.key.get_untracked() let:r>
                        <tr>
                            <td data-label=move || t_string!(i18n, safety.item).to_string()><input type="text" bind:value=r.label aria-label=move || t_string!(i18n, safety.item).to_string() /></td>
                            <td data-label=move || t_string!(i18n, cleaning.fair).to_string()><input type="number" inputmode="decimal" class="narrow" bind:value=r.fair aria-label=move || t_string!(i18n, cleaning.fair).to_string() /></td>
                            <td data-label=move || t_string!(i18n, cleaning.poor).to_string()><input type="number" inputmode="decimal" class="narrow" bind:value=r.poor aria-label=move || t_string!(i18n, cleaning.poor).to_string() /></td>
                            <td class="cell-action"><button type="button" class="button button-small" on:click=move |_| items.update(|l| l.retain(|x| x.key != r.key))>{t!(i18n, safety.remove_item)}</button></td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <div class="row-actions">
                <button type="button" class="button button-secondary" on:click=add_item>{t!(i18n, safety.add_item)}</button>
                <button type="submit" class="button">{t!(i18n, safety.save_template)}</button>
            </div>
        </form>
    }
}

/// A zone as the admin list names it: the class that keeps it, then the place.
fn shown_name(locale: Locale, class: &Option<(i64, i64)>, place: &str) -> String {
    match class {
        Some((g, n)) => format!("{} · {place}", class_name(locale, *g, *n)),
        None => place.to_owned(),
    }
}
