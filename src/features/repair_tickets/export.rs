//! `GET /api/repair-tickets/log.csv?month=YYYY-MM`: the month's repair log (维修台账) as CSV, in the words the
//! screen uses (the same locale strings, in Chinese: the log is the school's record).

use super::local_view::{category_name, status_name, urgency_name};
use super::server_fns::handlers::log_rows;
use crate::domain::Role;
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date_time};
use crate::domain::ticket::Status;
use crate::i18n::Locale;
use crate::server::csv::{Format, Table, table_response};
use crate::server::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MonthQuery {
    month: String,
}

pub async fn log_csv(state: State<AppState>, jar: CookieJar, query: Query<MonthQuery>) -> Response {
    log(state, jar, query, Format::Csv).await
}

pub async fn log_xlsx(
    state: State<AppState>,
    jar: CookieJar,
    query: Query<MonthQuery>,
) -> Response {
    log(state, jar, query, Format::Xlsx).await
}

async fn log(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<MonthQuery>,
    format: Format,
) -> Response {
    let month = query.month.trim().to_owned();
    let body = build(&state, &jar, &month, format).await;
    table_response(&format!("houqin-repairs-{month}"), "维修台账", format, body)
}

async fn build(
    state: &AppState,
    jar: &CookieJar,
    month: &str,
    format: Format,
) -> Result<Table, StatusCode> {
    let user = crate::server::route_user(state, jar).await?;
    if !user.has(Role::Maintenance) && !user.has(Role::Admin) {
        return Err(StatusCode::FORBIDDEN);
    }
    let mut conn = state
        .db
        .pool
        .acquire()
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    crate::server::audit::record(
        &mut conn,
        Some(user.id),
        "export_repair_log",
        None,
        &format!("{month}.{}", format.extension()),
    )
    .await
    .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    let rows = log_rows(&mut conn, month).await.map_err(|e| {
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    let at = |ms: i64| date_time(ms, SCHOOL_UTC_OFFSET_MINUTES);
    let mut out = Table::new(&[
        "报修时间",
        "地点",
        "类别",
        "紧急程度",
        "问题描述",
        "报修人",
        "维修人",
        "状态",
        "完成时间",
        "用时(小时)",
        "评分",
        "超时",
    ]);
    for row in rows {
        let t = &row.ticket;
        let hours = t
            .done_at
            .map(|d| format!("{:.1}", (d - t.reported_at) as f64 / 3_600_000.0))
            .unwrap_or_default();
        let late = t.done_at.unwrap_or(crate::server::db::now_ms()) > t.due_at
            && t.status != Status::Cancelled;
        out.push(&[
            at(t.reported_at),
            row.place.clone(),
            category_name(Locale::zh, t.category),
            urgency_name(Locale::zh, t.urgency),
            t.description.clone(),
            row.reporter.clone(),
            row.assignee.clone().unwrap_or_default(),
            status_name(Locale::zh, t.status),
            t.done_at.map(at).unwrap_or_default(),
            hours,
            t.rating.map(|r| r.to_string()).unwrap_or_default(),
            if late { "是" } else { "" }.to_owned(),
        ]);
    }
    Ok(out)
}
