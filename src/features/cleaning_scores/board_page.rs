//! `/cleaning-scores/board?league=class|office&period=…`: the league table of a week (classes) or a month
//! (offices), large enough for a hallway screen and plain when printed, with the red flag (流动红旗) and the
//! classes to re-clean; the admin publishes it. `/cleaning-scores/class?id=…`: a class's term as a chart of its
//! weekly scores, and its checks with their appeals.

use super::local_view::{Deductions, appeal_status_name, kind_name, score_badge};
use super::{load_class_term, load_league, publish_league};
use crate::components::{
    ErrorNotice, Page, class_name, error_text, today_text, use_query_or, use_user,
};
use crate::domain::Role;
use crate::domain::cleaning::{League, Standing, score_text};
use crate::domain::clock::{DAY_MS, SCHOOL_UTC_OFFSET_MINUTES, date, day_range, time};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

fn league_of(code: &str) -> League {
    League::from_code(code).unwrap_or(League::Class)
}

/// The period before or after `key` (a Monday, or a month).
fn step(league: League, key: &str, forward: bool) -> String {
    match league {
        League::Class => day_range(key, 0)
            .map(|(start, _)| {
                let days = if forward { 7 } else { -7 };
                date(start + days * DAY_MS, 0)
            })
            .unwrap_or_else(today_text),
        League::Office => {
            let (year, month) = key
                .split_once('-')
                .and_then(|(y, m)| Some((y.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
                .unwrap_or((2026, 1));
            let index = year * 12 + month - 1 + if forward { 1 } else { -1 };
            format!(
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            )
        }
    }
}

#[component]
pub fn LeagueBoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    let admin =
        Signal::derive(move || user.with(|u| u.as_ref().is_some_and(|u| u.has(Role::Admin))));
    let league = use_query_or("league", || "class".into());
    let period = use_query_or("period", today_text);
    let board = Resource::new(
        move || (league_of(&league.get()), period.get()),
        |(league, period)| load_league(league, period),
    );
    let publish = Action::new(|(league, period): &(League, String)| {
        let (league, period) = (*league, period.clone());
        async move { publish_league(league, period).await }
    });
    Effect::new(move |_| {
        if publish.value().get().is_some_and(|r| r.is_ok()) {
            board.refetch();
        }
    });
    let publish_error = Signal::derive(move || publish.value().get().and_then(Result::err));
    view! {
        <Page title=move || t_string!(i18n, cleaning.board).to_string()>
            <div class="row-actions no-print">
                <A href="/cleaning-scores/board?league=class" attr:class="button button-secondary">{t!(i18n, cleaning.class_league)}</A>
                <A href="/cleaning-scores/board?league=office" attr:class="button button-secondary">{t!(i18n, cleaning.office_league)}</A>
            </div>
            <ErrorNotice error=publish_error />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let current = league_of(&league.get_untracked());
                    match board.await {
                        Ok(board) => {
                            let key = board.period.key.clone();
                            let prev = format!("/cleaning-scores/board?league={}&period={}", current.code(), step(current, &key, false));
                            let next = format!("/cleaning-scores/board?league={}&period={}", current.code(), step(current, &key, true));
                            let heading = format!("{} — {}", board.period.first_day, board.period.last_day);
                            let published = board.published.clone();
                            let csv = format!("/api/cleaning/checks.csv?league={}&period={}", current.code(), key);
                            let xlsx = csv.replace(".csv?", ".xlsx?");
                            let flag_holders: Vec<String> = board.rows.iter().filter(|r| r.standing.red_flag).map(|r| r.name.clone()).collect();
                            let threshold = board.threshold_centi;
                            // Publishing a board most classes have no score on is rarely meant: say so by the button.
                            let unscored = board.rows.iter().filter(|r| r.standing.score.is_none()).count();
                            let total = board.rows.len();
                            view! {
                                <div class="board-screen" data-testid="league-board">
                                    <h2 class="board-heading">
                                        {move || match current {
                                            League::Class => t_string!(i18n, cleaning.week_of).to_string(),
                                            League::Office => t_string!(i18n, cleaning.month_of).to_string(),
                                        }}
                                        " " {heading}
                                    </h2>
                                    {(!flag_holders.is_empty()).then(|| view! {
                                        <p class="red-flag" data-testid="red-flag"><RedFlag /> {t!(i18n, cleaning.red_flag)} ": " {flag_holders.join("、")}</p>
                                    })}
                                    <p class="muted">
                                        {match published {
                                            Some((at, by)) => format!("{} {} {} · {by}", t_string!(i18n, cleaning.published), date(at, SCHOOL_UTC_OFFSET_MINUTES), time(at, SCHOOL_UTC_OFFSET_MINUTES)),
                                            None => t_string!(i18n, cleaning.draft).to_string(),
                                        }}
                                        " · " {t!(i18n, cleaning.counted)} " " {board.counted}
                                        {(board.left_out > 0).then(|| format!(" · {} {}", t_string!(i18n, cleaning.left_out), board.left_out))}
                                    </p>
                                    {(board.arrived_after_publication > 0).then(|| {
                                        let count = board.arrived_after_publication;
                                        view! {
                                            <p class="notice notice-warn" data-testid="arrived-after">
                                                {move || t_string!(i18n, cleaning.arrived_after_publication, count = count).to_string()}
                                            </p>
                                        }
                                    })}
                                    <table class="table league-table">
                                        <thead><tr>
                                            <th>{t!(i18n, cleaning.rank)}</th>
                                            <th>{move || match current { League::Class => t_string!(i18n, cleaning.class), League::Office => t_string!(i18n, cleaning.office) }}</th>
                                            <th>{t!(i18n, cleaning.score)}</th>
                                            <th class="no-narrow">{t!(i18n, cleaning.checks_count)}</th>
                                            <th>{t!(i18n, cleaning.mark)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {board.rows.into_iter().map(|row| {
                                                let s = row.standing;
                                                let name = row.name.clone();
                                                let class = row.class;
                                                let subject = row.subject;
                                                view! {
                                                    <tr class:reclean=s.reclean class:flag=s.red_flag data-testid="league-row">
                                                        <td class="rank">{s.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into())}</td>
                                                        <td>
                                                            {match class {
                                                                Some((grade, number)) => view! {
                                                                    <A href=format!("/cleaning-scores/class?id={subject}")>{move || class_name(i18n.get_locale(), grade, number)}</A>
                                                                }.into_any(),
                                                                None => view! { <span>{name.clone()}</span> }.into_any(),
                                                            }}
                                                            {(!row.zones.is_empty()).then(|| view! { <span class="muted no-narrow">" " {row.zones.join("、")}</span> })}
                                                        </td>
                                                        <td class="score" data-testid="league-score">{standing_score(i18n.get_locale_untracked(), s)}</td>
                                                        <td class="no-narrow">{s.days} " / " {s.spot_checks}</td>
                                                        <td><StandingMarks standing=s /></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <p class="muted formula">
                                        {t!(i18n, cleaning.formula)} " "
                                        {format!("×{}.{:02}", board.spot_weight_pct / 100, board.spot_weight_pct % 100)}
                                        " · " {t!(i18n, cleaning.threshold)} " " {score_text(threshold)}
                                    </p>
                                </div>
                                <div class="row-actions no-print">
                                    <A href=prev attr:class="button button-secondary">"‹ " {t!(i18n, cleaning.previous)}</A>
                                    <A href=next attr:class="button button-secondary">{t!(i18n, cleaning.next)} " ›"</A>
                                    <button type="button" class="button button-secondary" on:click=move |_| {
                                        #[cfg(feature = "hydrate")]
                                        if let Some(window) = web_sys::window() {
                                            let _ = window.print();
                                        }
                                    }>{t!(i18n, cleaning.print)}</button>
                                    <Show when=move || admin.get()>
                                        <a href=csv.clone() class="button button-secondary" download>{t!(i18n, cleaning.csv)}</a>
                                        <a href=xlsx.clone() class="button button-secondary" download>{t!(i18n, common.xlsx)}</a>
                                        {
                                            let key = key.clone();
                                            view! {
                                                {(unscored > 0).then(|| view! {
                                                    <p class="notice notice-warn" data-testid="unscored">
                                                        {move || t_string!(i18n, cleaning.unscored, count = unscored, total = total).to_string()}
                                                    </p>
                                                })}
                                                <button type="button" class="button" data-testid="publish" on:click=move |_| { publish.dispatch((current, key.clone())); }>
                                                    {move || if unscored > 0 { t_string!(i18n, cleaning.publish_anyway) } else { t_string!(i18n, cleaning.publish) }}
                                                </button>
                                            }
                                        }
                                    </Show>
                                </div>
                            }.into_any()
                        }
                        Err(crate::error::AppError::NotFound) => view! {
                            <p class="notice" data-testid="not-published">{t!(i18n, cleaning.not_published)}</p>
                        }.into_any(),
                        Err(error) => view! { <p class="notice notice-error" role="alert">{move || error_text(i18n.get_locale(), &error)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

/// A standing's score as the board shows it: 8.50, or 无成绩 for a subject with no check in force.
pub(super) fn standing_score(locale: Locale, standing: Standing) -> String {
    standing
        .score
        .map(score_text)
        .unwrap_or_else(|| td_string!(locale, cleaning.no_score).to_string())
}

/// A standing's marks: the red flag, and 需重新打扫 below the threshold.
#[component]
pub(super) fn StandingMarks(standing: Standing) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {standing.red_flag.then(|| view! { <span class="badge badge-flag"><RedFlag /> {t!(i18n, cleaning.red_flag)}</span> })}
        {standing.reclean.then(|| view! { <span class="badge badge-warn">{t!(i18n, cleaning.reclean)}</span> })}
    }
}

/// The red flag (流动红旗), drawn: an emoji needs a font that school PCs and printers may lack.
#[component]
pub(super) fn RedFlag() -> impl IntoView {
    view! {
        <svg class="flag-icon" viewBox="0 0 16 16" aria-hidden="true">
            <rect x="2" y="1" width="1.6" height="14" fill="#6b4700" />
            <path d="M3.6 1.5 L14 4.5 L3.6 8 Z" fill="#d9282f" />
        </svg>
    }
}

/// A line chart of weekly scores as SVG: the threshold dashed, weeks with no check left as gaps.
fn trend_svg(weeks: &[(String, Option<i64>, Option<u32>, u32)], threshold: i64) -> impl IntoView {
    const W: f64 = 340.0;
    const H: f64 = 160.0;
    const PAD: f64 = 24.0;
    let n = weeks.len().max(2) as f64;
    let x = |i: usize| PAD + (W - 2.0 * PAD) * i as f64 / (n - 1.0);
    let y = |centi: i64| H - PAD - (H - 2.0 * PAD) * centi as f64 / 1000.0;
    let mut segments: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, (_, score, _, _)) in weeks.iter().enumerate() {
        match score {
            Some(s) => {
                current.push_str(&format!("{:.1},{:.1} ", x(i), y(*s)));
            }
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    let dots: Vec<(f64, f64)> = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, (_, s, _, _))| s.map(|s| (x(i), y(s))))
        .collect();
    // The weeks under the axis, by their Monday (11-23), at most six so they never overlap.
    let every = weeks.len().div_ceil(6).max(1);
    let labels: Vec<(f64, String)> = weeks
        .iter()
        .enumerate()
        .filter(|(i, _)| (weeks.len() - 1 - i).is_multiple_of(every))
        .map(|(i, (monday, _, _, _))| (x(i), monday.get(5..).unwrap_or(monday).to_owned()))
        .collect();
    view! {
        <svg class="trend" viewBox=format!("0 0 {W} {H}") role="img" data-testid="trend">
            <line x1=PAD x2=W - PAD y1=y(threshold) y2=y(threshold) class="trend-threshold" />
            <line x1=PAD x2=W - PAD y1=y(1000) y2=y(1000) class="trend-grid" />
            <text x="2" y=y(1000) + 4.0 class="trend-label">"10"</text>
            <text x="2" y=y(threshold) + 4.0 class="trend-label">{score_text(threshold)}</text>
            {segments.into_iter().map(|points| view! { <polyline points=points class="trend-line" /> }).collect_view()}
            {dots.into_iter().map(|(cx, cy)| view! { <circle cx=cx cy=cy r="3" class="trend-dot" /> }).collect_view()}
            {labels.into_iter().map(|(lx, text)| view! {
                <text x=lx y=H - 6.0 text-anchor="middle" class="trend-label trend-week">{text}</text>
            }).collect_view()}
        </svg>
    }
}

#[component]
pub fn ClassTermPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = use_query_or("id", String::new);
    let term = Resource::new(
        move || id.get(),
        |id| async move {
            match uuid::Uuid::parse_str(&id) {
                Ok(id) => load_class_term(id).await,
                Err(_) => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Page title=move || t_string!(i18n, cleaning.trend).to_string()>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match term.await {
                        Ok(term) => {
                            let (grade, number) = term.class;
                            let threshold = term.threshold_centi;
                            let chart = trend_svg(&term.weeks, threshold);
                            let latest = term.weeks.iter().rev().find(|w| w.1.is_some()).cloned();
                            let superseded: std::collections::HashSet<uuid::Uuid> =
                                term.checks.iter().filter_map(|(c, _, _, _)| c.supersedes).collect();
                            view! {
                                <h2>{move || class_name(i18n.get_locale(), grade, number)} {term.teacher.clone().map(|t| format!(" · {t}"))}</h2>
                                <p class="muted">{t!(i18n, cleaning.term_from)} " " {term.term_start.clone()}</p>
                                {chart}
                                {latest.map(|(week, score, rank, of)| view! {
                                    <p data-testid="latest-week">
                                        {week} {score.map(|s| format!(" · {}", score_text(s)))}
                                        {rank.map(|r| format!(" · {} {r}/{of}", t_string!(i18n, cleaning.rank)))}
                                    </p>
                                })}
                                <ul class="list">
                                    {term.checks.into_iter().map(|(check, zone, inspector, appeals)| {
                                        let (text, class) = score_badge(check.score, check.full_score, threshold);
                                        let at = check.checked_at;
                                        let superseded = superseded.contains(&check.id);
                                        view! {
                                            <li class="card">
                                                <div class="ticket-badges">
                                                    <span class=class>{text}</span>
                                                    <span class="badge">{move || kind_name(i18n.get_locale(), check.kind)}</span>
                                                    {superseded.then(|| view! { <span class="badge">{t!(i18n, safety.superseded)}</span> })}
                                                </div>
                                                <p class="muted">{date(at, SCHOOL_UTC_OFFSET_MINUTES)} " " {time(at, SCHOOL_UTC_OFFSET_MINUTES)} " · " {zone} " · " {inspector}</p>
                                                <Deductions ratings=check.ratings />
                                                {appeals.into_iter().map(|a| view! {
                                                    <p class="notice">{t!(i18n, cleaning.appeal)} ": " {a.reason.clone()} " · " {move || appeal_status_name(i18n.get_locale(), a.status)}
                                                        {(!a.resolution.is_empty()).then(|| format!(" · {}", a.resolution))}</p>
                                                }).collect_view()}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <p class="notice notice-error" role="alert">{move || error_text(i18n.get_locale(), &error)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}
