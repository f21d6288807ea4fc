//! `GET /api/gate-visits/register.csv?date=YYYY-MM-DD`: the day's register as CSV for spreadsheets (UTF-8 with
//! a byte-order mark, so Excel on a Chinese Windows reads the names right). Audited like the printed register.

use super::db;
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, day_range, time};
use crate::domain::{Role, visit::IdType};
use crate::server::csv::{BOM, csv_line, csv_response};
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
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<DayQuery>,
) -> Response {
    let day = query.date.trim().to_owned();
    let body = build(&state, &jar, &day).await;
    csv_response(&format!("houqin-visits-{day}.csv"), body)
}

async fn build(state: &AppState, jar: &CookieJar, day: &str) -> Result<String, StatusCode> {
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
        "export_register_csv",
        None,
        day,
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    let mut out = String::from(BOM);
    out.push_str("日期,进校时间,离校时间,姓名,电话,证件类型,证件号码,单位,被访人/地点,事由,人数,车牌,关注名单\r\n");
    for (visit, time_out) in rows {
        let id_type = match visit.id_type {
            IdType::ResidentCard => "居民身份证",
            IdType::Passport => "护照",
            IdType::Other => "其他",
            IdType::None => "无",
        };
        let fields = [
            date(visit.corrected_time_in(), SCHOOL_UTC_OFFSET_MINUTES),
            time(visit.corrected_time_in(), SCHOOL_UTC_OFFSET_MINUTES),
            time_out
                .map(|t| time(t, SCHOOL_UTC_OFFSET_MINUTES))
                .unwrap_or_default(),
            visit.visitor_name,
            visit.phone,
            id_type.to_owned(),
            visit.id_masked.unwrap_or_default(),
            visit.organisation,
            visit.host_name,
            visit.reason,
            visit.party_size.to_string(),
            visit.plate,
            visit.watch_note.unwrap_or_default(),
        ];
        out.push_str(&csv_line(&fields));
    }
    Ok(out)
}
