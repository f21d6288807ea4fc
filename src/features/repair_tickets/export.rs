//! `GET /api/repair-tickets/log.csv?month=YYYY-MM`: the month's repair log (维修台账) as CSV.

use super::server_fns::handlers::log_rows;
use crate::domain::Role;
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, time};
use crate::domain::ticket::{Category, Status, Urgency};
use crate::server::csv::{BOM, csv_line, csv_response};
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

pub async fn log_csv(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<MonthQuery>,
) -> Response {
    let month = query.month.trim().to_owned();
    let body = build(&state, &jar, &month).await;
    csv_response(&format!("houqin-repairs-{month}.csv"), body)
}

pub fn category_zh(category: Category) -> &'static str {
    match category {
        Category::Electrical => "电气",
        Category::Plumbing => "水暖",
        Category::Furniture => "桌椅家具",
        Category::DoorsLocks => "门窗锁具",
        Category::ItAv => "电教网络",
        Category::Building => "房屋建筑",
        Category::Other => "其他",
    }
}

pub fn status_zh(status: Status) -> &'static str {
    match status {
        Status::Reported => "待派单",
        Status::Assigned => "已派单",
        Status::InProgress => "维修中",
        Status::OnHold => "暂停",
        Status::Done => "已完成",
        Status::Confirmed => "已确认",
        Status::Cancelled => "已撤销",
    }
}

fn urgency_zh(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Urgent => "紧急",
        Urgency::Normal => "一般",
        Urgency::Low => "不急",
    }
}

async fn build(state: &AppState, jar: &CookieJar, month: &str) -> Result<String, StatusCode> {
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
    let rows = log_rows(&mut conn, month).await.map_err(|e| {
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    let at = |ms: i64| {
        format!(
            "{} {}",
            date(ms, SCHOOL_UTC_OFFSET_MINUTES),
            time(ms, SCHOOL_UTC_OFFSET_MINUTES)
        )
    };
    let mut out = String::from(BOM);
    out.push_str(&csv_line(&[
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
    ]));
    for row in rows {
        let t = &row.ticket;
        let hours = t
            .done_at
            .map(|d| format!("{:.1}", (d - t.reported_at) as f64 / 3_600_000.0))
            .unwrap_or_default();
        let late = t.done_at.unwrap_or(crate::server::db::now_ms()) > t.due_at
            && t.status != Status::Cancelled;
        out.push_str(&csv_line(&[
            at(t.reported_at),
            row.place.clone(),
            category_zh(t.category).to_owned(),
            urgency_zh(t.urgency).to_owned(),
            t.description.clone(),
            row.reporter.clone(),
            row.assignee.clone().unwrap_or_default(),
            status_zh(t.status).to_owned(),
            t.done_at.map(at).unwrap_or_default(),
            hours,
            t.rating.map(|r| r.to_string()).unwrap_or_default(),
            if late { "是" } else { "" }.to_owned(),
        ]));
    }
    Ok(out)
}
