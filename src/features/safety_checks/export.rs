//! `GET /api/safety/ledger.csv?month=YYYY-MM` (and `ledger.xlsx`): the month's fire-safety check ledger
//! (消防安全检查记录表) for spreadsheets.

use super::server_fns::handlers::ledger_rows;
use crate::domain::Role;
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, time};
use crate::domain::safety::ItemResult;
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

pub async fn ledger_csv(
    state: State<AppState>,
    jar: CookieJar,
    query: Query<MonthQuery>,
) -> Response {
    ledger(state, jar, query, Format::Csv).await
}

pub async fn ledger_xlsx(
    state: State<AppState>,
    jar: CookieJar,
    query: Query<MonthQuery>,
) -> Response {
    ledger(state, jar, query, Format::Xlsx).await
}

async fn ledger(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<MonthQuery>,
    format: Format,
) -> Response {
    let month = query.month.trim().to_owned();
    let body = build(&state, &jar, &month, format).await;
    table_response(
        &format!("houqin-safety-{month}"),
        "消防安全检查记录",
        format,
        body,
    )
}

async fn build(
    state: &AppState,
    jar: &CookieJar,
    month: &str,
    format: Format,
) -> Result<Table, StatusCode> {
    let user = crate::server::route_user(state, jar).await?;
    if !user.has(Role::SafetyInspector) && !user.has(Role::Admin) {
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
        "export_safety_ledger",
        None,
        &format!("{month}.{}", format.extension()),
    )
    .await
    .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    let rows = ledger_rows(&mut conn, month).await.map_err(|e| {
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    let mut out = Table::new(&[
        "检查日期",
        "时间",
        "检查点",
        "位置",
        "检查人",
        "扫码到场",
        "结果",
        "不合格项",
        "已更正",
    ]);
    for row in rows {
        let failures: Vec<String> = row
            .answers
            .iter()
            .filter(|(_, result, _, _)| *result == ItemResult::Fail)
            .map(|(label, _, note, _)| {
                if note.is_empty() {
                    label.clone()
                } else {
                    format!("{label}（{note}）")
                }
            })
            .collect();
        out.push(&[
            date(row.checked_at, SCHOOL_UTC_OFFSET_MINUTES),
            time(row.checked_at, SCHOOL_UTC_OFFSET_MINUTES),
            row.point,
            row.place,
            row.inspector,
            if row.opened_by_scan { "是" } else { "否" }.to_owned(),
            if failures.is_empty() {
                "合格"
            } else {
                "不合格"
            }
            .to_owned(),
            failures.join("；"),
            if row.superseded { "是" } else { "" }.to_owned(),
        ]);
    }
    Ok(out)
}
