//! `GET /api/cleaning/checks.csv?league=class|office&period=…`: every check of a league's week or month as CSV
//! (who, where, when, the score, each deduction, whether it counts), followed by the league table.

use super::db;
use super::server_fns::handlers::table;
use crate::domain::Role;
use crate::domain::cleaning::{
    AppealStatus, CheckKind, League, ScoreRow, in_force, period_of, score_text,
};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, time};
use crate::domain::school_class::chinese_name;
use crate::features::directory::db::places::names_and_places;
use crate::server::csv::{Format, Table, table_response};
use crate::server::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct PeriodQuery {
    league: String,
    period: String,
}

pub async fn checks_csv(
    state: State<AppState>,
    jar: CookieJar,
    query: Query<PeriodQuery>,
) -> Response {
    checks(state, jar, query, Format::Csv).await
}

pub async fn checks_xlsx(
    state: State<AppState>,
    jar: CookieJar,
    query: Query<PeriodQuery>,
) -> Response {
    checks(state, jar, query, Format::Xlsx).await
}

async fn checks(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<PeriodQuery>,
    format: Format,
) -> Response {
    let league = League::from_code(query.league.trim());
    let period = league.and_then(|l| period_of(l, &query.period, SCHOOL_UTC_OFFSET_MINUTES));
    let body = match (league, &period) {
        (Some(league), Some(period)) => build(&state, &jar, league, period, format).await,
        _ => Err(StatusCode::UNPROCESSABLE_ENTITY),
    };
    let key = period.map(|p| p.key).unwrap_or_default();
    table_response(
        &format!("houqin-cleaning-{}-{key}", query.league.trim()),
        "卫生检查",
        format,
        body,
    )
}

async fn build(
    state: &AppState,
    jar: &CookieJar,
    league: League,
    period: &crate::domain::cleaning::Period,
    format: Format,
) -> Result<Table, StatusCode> {
    let user = crate::server::route_user(state, jar).await?;
    if !user.has(Role::Admin) {
        return Err(StatusCode::FORBIDDEN);
    }
    let unavailable = |_| StatusCode::SERVICE_UNAVAILABLE;
    let mut conn = state.db.pool.acquire().await.map_err(unavailable)?;
    crate::server::audit::record(
        &mut conn,
        Some(user.id),
        "export_cleaning_checks",
        None,
        &format!("{} {}.{}", league.code(), period.key, format.extension()),
    )
    .await
    .map_err(unavailable)?;
    let settings = db::settings(&mut conn).await.map_err(unavailable)?;
    let zones: HashMap<_, _> = db::zones(&mut conn)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|z| (z.id, z))
        .collect();
    let checks: Vec<_> = db::checks_between(&mut conn, period.from_ms, period.to_ms)
        .await
        .map_err(unavailable)?
        .into_iter()
        .filter(|c| c.league == league)
        .collect();
    let withdrawn = db::withdrawn_checks(&mut conn).await.map_err(unavailable)?;
    let (people, _) = names_and_places(&mut conn).await.map_err(unavailable)?;
    // Every class, graduated ones too: a check keeps the name of the class it was made for.
    let classes = db::all_classes(&mut conn).await.map_err(unavailable)?;
    let ids: Vec<_> = checks.iter().map(|c| (c.id, c.supersedes)).collect();
    let counted = in_force(&ids, &withdrawn);
    let appeals: HashMap<_, _> = db::appeals_of(&mut conn, &checks.iter().map(|c| c.id).collect())
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|(_, check, status)| (check, status))
        .collect();
    let mut out = Table::new(&[
        "日期",
        "时间",
        "班级",
        "区域",
        "类型",
        "时段",
        "检查人",
        "得分",
        "满分",
        "扣分项",
        "申诉",
        "计入",
    ]);
    for check in &checks {
        let zone = zones.get(&check.zone_id);
        // The class the check was made for, whoever keeps the zone now.
        let class = check
            .class_id
            .and_then(|id| classes.iter().find(|c| c.0 == id))
            .map(|c| chinese_name(c.1, c.2))
            .unwrap_or_default();
        let deductions: Vec<String> = check
            .ratings
            .iter()
            .filter(|r| r.deduction > 0)
            .map(|r| {
                let mut text = format!("{} −{}", r.label, r.deduction);
                if !r.note.is_empty() {
                    text.push_str(&format!("（{}）", r.note));
                }
                text
            })
            .collect();
        out.push(&[
            date(check.checked_at, SCHOOL_UTC_OFFSET_MINUTES),
            time(check.checked_at, SCHOOL_UTC_OFFSET_MINUTES),
            class,
            zone.map(|z| z.name.clone()).unwrap_or_default(),
            match check.kind {
                CheckKind::Daily => "定时",
                CheckKind::Spot => "抽查",
            }
            .to_owned(),
            check.slot.clone().unwrap_or_default(),
            people.get(&check.inspector_id).cloned().unwrap_or_default(),
            check.score.to_string(),
            check.full_score.to_string(),
            deductions.join("；"),
            match appeals.get(&check.id) {
                Some(AppealStatus::Open) => "待处理",
                Some(AppealStatus::Accepted) => "已采纳",
                Some(AppealStatus::Rejected) => "已驳回",
                None => "",
            }
            .to_owned(),
            if counted.contains(&check.id) {
                "是"
            } else {
                "否"
            }
            .to_owned(),
        ]);
    }
    // The league table below the checks, as the board shows it.
    let scores: Vec<ScoreRow> = checks.iter().map(ScoreRow::from).collect();
    let subjects: Vec<_> = match league {
        League::Class => db::league_classes(&classes, &scores)
            .iter()
            .map(|c| c.0)
            .collect(),
        League::Office => zones
            .values()
            .filter(|z| z.active && z.league == League::Office)
            .map(|z| z.id)
            .collect(),
    };
    let (standings, _, _) = table(league, &subjects, &scores, &withdrawn, &settings);
    out.push::<&str>(&[]);
    out.push(&["名次", "名称", "得分", "定时检查天数", "抽查次数", "标记"]);
    for s in standings {
        let name = match league {
            League::Class => classes
                .iter()
                .find(|c| c.0 == s.subject)
                .map(|c| chinese_name(c.1, c.2))
                .unwrap_or_default(),
            League::Office => zones
                .get(&s.subject)
                .map(|z| z.name.clone())
                .unwrap_or_default(),
        };
        let mark = if s.red_flag {
            "流动红旗"
        } else if s.reclean {
            "需重新打扫"
        } else {
            ""
        };
        out.push(&[
            s.rank.map(|r| r.to_string()).unwrap_or_default(),
            name,
            s.score.map(score_text).unwrap_or_default(),
            s.days.to_string(),
            s.spot_checks.to_string(),
            mark.to_owned(),
        ]);
    }
    Ok(out)
}
