//! `GET /api/gate-visits/register.csv?date=YYYY-MM-DD` (and `register.xlsx`): the day's register for spreadsheets
//! (`server::csv`). Audited like the printed register.

use super::db;
use super::gate_visits_page::id_type_name;
use crate::domain::Role;
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, day_range, time};
use crate::i18n::Locale;
use crate::server::csv::{Format, Table, table_response};
use crate::server::db::now_ms;
use crate::server::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct DayQuery {
    date: String,
}

pub async fn register_csv(
    state: State<AppState>,
    jar: CookieJar,
    query: Query<DayQuery>,
) -> Response {
    register(state, jar, query, Format::Csv).await
}

pub async fn register_xlsx(
    state: State<AppState>,
    jar: CookieJar,
    query: Query<DayQuery>,
) -> Response {
    register(state, jar, query, Format::Xlsx).await
}

async fn register(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<DayQuery>,
    format: Format,
) -> Response {
    let day = query.date.trim().to_owned();
    let body = build(&state, &jar, &day, format).await;
    table_response(&format!("houqin-visits-{day}"), "访客登记", format, body)
}

async fn build(
    state: &AppState,
    jar: &CookieJar,
    day: &str,
    format: Format,
) -> Result<Table, StatusCode> {
    let user = crate::server::route_user(state, jar).await?;
    if !user.has(Role::GateGuard) && !user.has(Role::Admin) {
        return Err(StatusCode::FORBIDDEN);
    }
    let (from, to) =
        day_range(day, SCHOOL_UTC_OFFSET_MINUTES).ok_or(StatusCode::UNPROCESSABLE_ENTITY)?;
    let unavailable = |_| StatusCode::SERVICE_UNAVAILABLE;
    let mut tx = state.db.begin_write().await.map_err(unavailable)?;
    let rows = db::visits_between(&mut tx, from, to)
        .await
        .map_err(unavailable)?;
    db::audit_by(
        &mut tx,
        Some(user.id),
        now_ms(),
        match format {
            Format::Csv => "export_register_csv",
            Format::Xlsx => "export_register_xlsx",
        },
        None,
        day,
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    let mut out = Table::new(&[
        "日期",
        "进校时间",
        "离校时间",
        "姓名",
        "电话",
        "证件类型",
        "证件号码",
        "单位",
        "被访人/地点",
        "事由",
        "人数",
        "车牌",
        "关注名单",
    ]);
    for (visit, time_out) in rows {
        // The screen's words for it (the register is the school's record, in Chinese).
        let id_type = id_type_name(Locale::zh, visit.id_type);
        let fields = [
            date(visit.corrected_time_in(), SCHOOL_UTC_OFFSET_MINUTES),
            time(visit.corrected_time_in(), SCHOOL_UTC_OFFSET_MINUTES),
            time_out
                .map(|t| time(t, SCHOOL_UTC_OFFSET_MINUTES))
                .unwrap_or_default(),
            visit.visitor_name,
            visit.phone,
            id_type,
            visit.id_masked.unwrap_or_default(),
            visit.organisation,
            visit.host_name,
            visit.reason,
            visit.party_size.to_string(),
            visit.plate,
            visit.watch_note.unwrap_or_default(),
        ];
        out.push(&fields);
    }
    Ok(out)
}
