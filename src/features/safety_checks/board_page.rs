//! `/admin/safety`: the safety-day board (every point, its person and its state, overdue first, filterable by
//! building and kind), holidays and schedules; `/safety-checks/ledger?month=`: the printable
//! 消防安全检查记录表 with who checked, when, and the signature, and its CSV.

use super::local_view::{result_name, state_class, state_name};
use super::{LedgerRow, load_safety_board, load_safety_ledger, set_point_rule, set_safety_holiday};
use crate::components::{
    ErrorNotice, Page, SignatureLines, check_point_kind_name, this_month_text, today_text,
    use_query_or,
};
use crate::domain::CheckPointKind;
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, date_time, time};
use crate::domain::safety::{ItemResult, PointState, Rule};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

fn weekday_name(locale: Locale, day: u32) -> String {
    match day {
        1 => td_string!(locale, safety.mon),
        2 => td_string!(locale, safety.tue),
        3 => td_string!(locale, safety.wed),
        4 => td_string!(locale, safety.thu),
        5 => td_string!(locale, safety.fri),
        6 => td_string!(locale, safety.sat),
        _ => td_string!(locale, safety.sun),
    }
    .to_string()
}

#[component]
pub fn SafetyBoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let day = use_query_or("date", today_text);
    let building = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let board = Resource::new(move || day.get(), load_safety_board);
    let holiday = Action::new(|(day, on): &(String, bool)| {
        let (day, on) = (day.clone(), *on);
        async move { set_safety_holiday(day, on).await }
    });
    let rule = Action::new(|(point, rule): &(uuid::Uuid, Rule)| {
        let (point, rule) = (*point, *rule);
        async move { set_point_rule(point, rule).await }
    });
    Effect::new(move |_| {
        // Both read every time (no short circuit): a rule saved after a holiday still refreshes the board.
        let holiday_saved = holiday.value().get().is_some_and(|r| r.is_ok());
        let rule_saved = rule.value().get().is_some_and(|r| r.is_ok());
        if holiday_saved || rule_saved {
            board.refetch();
        }
    });
    let error = Signal::derive(move || {
        holiday
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| rule.value().get().and_then(Result::err))
    });
    view! {
        <Page title=move || t_string!(i18n, safety.board).to_string()>
            <form class="row-actions no-print" method="get" action="/admin/safety">
                <input type="date" name="date" value=move || day.get() aria-label=move || t_string!(i18n, gate.date).to_string() />
                <button type="submit" class="button button-secondary">{t!(i18n, gate.show)}</button>
                <A href="/safety-checks/ledger" attr:class="button button-secondary">{t!(i18n, safety.ledger)}</A>
                <A href="/admin/safety/templates" attr:class="button button-secondary">{t!(i18n, safety.templates)}</A>
            </form>
            <ErrorNotice error />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(board) => {
                            let mut buildings: Vec<String> = board.rows.iter().map(|r| r.building.clone()).collect();
                            buildings.sort();
                            buildings.dedup();
                            let is_holiday = board.holidays.contains(&board.date);
                            let day_shown = board.date.clone();
                            let counts = |state: PointState| board.rows.iter().filter(|r| r.state == state).count();
                            let summary = format!(
                                "{} {} · {} {} · {} {} · {} {}",
                                t_string!(i18n, safety.overdue), counts(PointState::Overdue),
                                t_string!(i18n, safety.failed), counts(PointState::Failed),
                                t_string!(i18n, safety.done), counts(PointState::Done),
                                t_string!(i18n, safety.to_check), counts(PointState::DueToday) + counts(PointState::NotYet),
                            );
                            let rows = board.rows.clone();
                            view! {
                                <p class="muted" data-testid="board-summary">{board.date.clone()} " · " {summary}</p>
                                <div class="row-actions no-print">
                                    <select aria-label=move || t_string!(i18n, safety.all_buildings).to_string() bind:value=building>
                                        <option value="">{t!(i18n, safety.all_buildings)}</option>
                                        {buildings.into_iter().map(|b| view! { <option value=b.clone()>{b.clone()}</option> }).collect_view()}
                                    </select>
                                    <select aria-label=move || t_string!(i18n, safety.all_kinds).to_string() bind:value=kind>
                                        <option value="">{t!(i18n, safety.all_kinds)}</option>
                                        {CheckPointKind::ALL.iter().map(|k| {
                                            let k = *k;
                                            view! { <option value=k.code()>{move || check_point_kind_name(i18n.get_locale(), k)}</option> }
                                        }).collect_view()}
                                    </select>
                                    <button type="button" class="button button-secondary" on:click=move |_| { holiday.dispatch((day_shown.clone(), !is_holiday)); }>
                                        {if is_holiday { t!(i18n, safety.holiday_remove).into_any() } else { t!(i18n, safety.holiday_mark).into_any() }}
                                    </button>
                                </div>
                                <table class="table stack" data-testid="board">
                                    <thead><tr>
                                        <th>{t!(i18n, safety.point)}</th><th>{t!(i18n, safety.responsible)}</th>
                                        <th>{t!(i18n, sync.state)}</th><th>{t!(i18n, safety.last_check)}</th><th>{t!(i18n, safety.weekday)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|row| {
                                            let (row_building, row_kind) = (row.building.clone(), row.kind.code());
                                            let shown = move || {
                                                (building.with(|b| b.is_empty() || *b == row_building))
                                                    && kind.with(|k| k.is_empty() || k == row_kind)
                                            };
                                            let state = row.state;
                                            let point = row.point_id;
                                            let current = row.rule;
                                            let label = row.label.clone();
                                            view! {
                                                <tr class:hidden=move || !shown() class=if matches!(state, PointState::Overdue | PointState::Failed) { "late" } else { "" } data-point=row.label.clone()>
                                                    <td data-label=move || t_string!(i18n, safety.point).to_string()><A href=format!("/admin/safety/point?id={point}")>{label}</A><br/><span class="muted">{row.place.clone()}</span></td>
                                                    <td data-label=move || t_string!(i18n, safety.responsible).to_string()>{row.responsible.clone()}</td>
                                                    <td data-label=move || t_string!(i18n, sync.state).to_string()><span class=state_class(state)>{move || state_name(i18n.get_locale(), state)}</span></td>
                                                    <td data-label=move || t_string!(i18n, safety.last_check).to_string()>{row.last_check.clone().map(|(_, at, who, tickets)| view! {
                                                        {format!("{} {who}", date_time(at, SCHOOL_UTC_OFFSET_MINUTES))}
                                                        {tickets.into_iter().map(|t| view! { " " <A href=format!("/repair-tickets/{t}")>{t!(i18n, safety.ticket)}</A> }).collect_view()}
                                                    })}</td>
                                                    <td data-label=move || t_string!(i18n, safety.weekday).to_string()>
                                                        <select aria-label=move || t_string!(i18n, safety.weekday).to_string() on:change=move |ev| {
                                                            if let Ok(weekday) = event_target_value(&ev).parse::<u32>() {
                                                                rule.dispatch((point, Rule { weekday, ..current }));
                                                            }
                                                        }>
                                                            {(1..=7u32).map(|d| view! {
                                                                <option value=d.to_string() selected=d == current.weekday>{move || weekday_name(i18n.get_locale(), d)}</option>
                                                            }).collect_view()}
                                                        </select>
                                                        <span class="print-only">{move || weekday_name(i18n.get_locale(), current.weekday)}</span>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

#[component]
pub fn SafetyLedgerPage() -> impl IntoView {
    let i18n = use_i18n();
    let month = use_query_or("month", this_month_text);
    let ledger = Resource::new(move || month.get(), load_safety_ledger);
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    view! {
        <Page title=move || t_string!(i18n, safety.ledger).to_string()>
            <form class="row-actions no-print" method="get" action="/safety-checks/ledger">
                <input type="month" name="month" value=move || month.get() aria-label=move || t_string!(i18n, repair.month).to_string() />
                <button type="submit" class="button button-secondary">{t!(i18n, gate.show)}</button>
                <A href=move || format!("/safety-checks/ledger?month={}", today_text()) attr:class="button button-secondary">{t!(i18n, safety.this_week)}</A>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match ledger.await {
                        Ok(ledger) => {
                            let csv = format!("/api/safety/ledger.csv?month={}", ledger.from);
                            let xlsx = csv.replace(".csv?", ".xlsx?");
                            view! {
                                <p class="muted printable-title">{format!("{} · {}", ledger.from, ledger.rows.len())}</p>
                                <div data-testid="safety-ledger">
                                    {ledger_by_kind(ledger.rows).into_iter().map(|(kind, items, rows)| view! {
                                        <LedgerTable kind items rows />
                                    }).collect_view()}
                                </div>
                                <SignatureLines who=Signal::derive(move || vec![t_string!(i18n, common.sign_inspector).to_string(), t_string!(i18n, common.sign_responsible).to_string()]) />
                                <div class="row-actions no-print">
                                    <button type="button" class="button" on:click=print>{t!(i18n, common.print)}</button>
                                    <a class="button button-secondary" href=csv download>{t!(i18n, repair.csv)}</a>
                                    <a class="button button-secondary" href=xlsx download>{t!(i18n, common.xlsx)}</a>
                                </div>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

/// The ledger's rows by kind of point (as `CheckPointKind::ALL` orders them), each kind with its checklist's items
/// in the order they were asked: one table per kind, one column per item, as the paper 记录表 has it.
fn ledger_by_kind(rows: Vec<LedgerRow>) -> Vec<(CheckPointKind, Vec<String>, Vec<LedgerRow>)> {
    CheckPointKind::ALL
        .iter()
        .filter_map(|kind| {
            let rows: Vec<LedgerRow> = rows.iter().filter(|r| r.kind == *kind).cloned().collect();
            let mut items: Vec<String> = Vec::new();
            for answer in rows.iter().flat_map(|r| &r.answers) {
                if !items.contains(&answer.0) {
                    items.push(answer.0.clone());
                }
            }
            (!rows.is_empty()).then_some((*kind, items, rows))
        })
        .collect()
}

/// One kind's part of the 消防安全检查记录表: date, point, √ / × / — per item, the problems found and what was
/// done (the repair ticket), the inspector and their signature. On a phone each row is a card.
#[component]
fn LedgerTable(kind: CheckPointKind, items: Vec<String>, rows: Vec<LedgerRow>) -> impl IntoView {
    let i18n = use_i18n();
    let header_items = items.clone();
    view! {
        <h2 class="ledger-kind">{move || check_point_kind_name(i18n.get_locale(), kind)}</h2>
        <table class="table register stack ledger-table" data-kind=kind.code()>
            <thead><tr>
                <th>{t!(i18n, safety.checked_at)}</th><th>{t!(i18n, safety.point)}</th>
                {header_items.into_iter().map(|item| view! { <th class="ledger-item">{item}</th> }).collect_view()}
                <th>{t!(i18n, safety.problems)}</th><th>{t!(i18n, safety.inspector)}</th><th>{t!(i18n, safety.signature)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let failures: Vec<_> = row.answers.iter().filter(|a| a.1 == ItemResult::Fail).cloned().collect();
                    let marks = items.iter().map(|item| {
                        let result = row.answers.iter().find(|a| &a.0 == item).map(|a| a.1);
                        let mark = match result {
                            Some(ItemResult::Pass) => "√",
                            Some(ItemResult::Fail) => "×",
                            _ => "—",
                        };
                        view! {
                            <td class="ledger-mark" class:mark-fail=result == Some(ItemResult::Fail) data-label=item.clone()
                                title=move || result.map(|r| result_name(i18n.get_locale(), r)).unwrap_or_default()>
                                {mark}
                            </td>
                        }
                    }).collect_view();
                    view! {
                        <tr class:superseded=row.superseded>
                            <td data-label=move || t_string!(i18n, safety.checked_at).to_string()>{date(row.checked_at, SCHOOL_UTC_OFFSET_MINUTES)}<br/>{time(row.checked_at, SCHOOL_UTC_OFFSET_MINUTES)}</td>
                            <td data-label=move || t_string!(i18n, safety.point).to_string()>{row.point.clone()}<br/><span class="muted">{row.place.clone()}</span></td>
                            {marks}
                            <td data-label=move || t_string!(i18n, safety.problems).to_string()>
                                {failures.is_empty().then(|| view! { <span class="muted">{t!(i18n, safety.no_problems)}</span> })}
                                {failures.into_iter().map(|(label, _, note, ticket)| view! {
                                    <span class="badge badge-warn">{label}</span> " " {note}
                                    {ticket.map(|t| view! { " → " <A href=format!("/repair-tickets/{t}")>{t!(i18n, safety.ticket)}</A> })}
                                    <br/>
                                }).collect_view()}
                                {row.superseded.then(|| view! { <span class="badge">{t!(i18n, safety.superseded)}</span> })}
                            </td>
                            <td data-label=move || t_string!(i18n, safety.inspector).to_string()>{row.inspector.clone()}{row.opened_by_scan.then(|| view! { <br/><span class="muted">{t!(i18n, safety.scanned)}</span> })}</td>
                            <td data-label=move || t_string!(i18n, safety.signature).to_string()><img class="signature-image" src=row.signature.clone() alt="" /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p class="muted legend">{t!(i18n, safety.ledger_legend)}</p>
    }
}
