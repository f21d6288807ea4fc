//! `/admin/audit`: who did what and when — imports, user and role changes, exports and register views, backups and
//! restores — filtered by person, kind and dates, and downloadable (`/api/audit.csv`, `/api/audit.xlsx`) with
//! the same filter. The entries are written by each job through `server::audit`.

use crate::components::{ErrorNotice, Page};
use crate::domain::clock::SCHOOL_UTC_OFFSET_MINUTES;
use crate::error::AppError;
use crate::features::directory::PersonOptions;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kinds an admin filters by: each the action codes it covers (by prefix).
pub const KINDS: &[(&str, &[&str])] = &[
    ("users", &["user_", "sign_in_codes_issued", "first_sign_in"]),
    ("import", &["import_", "term_rollover"]),
    ("exports", &["export_", "view_register"]),
    ("backups", &["backup_", "restore"]),
];

/// The most entries one answer holds (the download holds as many).
pub const AUDIT_LIMIT: i64 = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuditQuery {
    pub person: Option<Uuid>,
    /// One of [`KINDS`], or empty for all.
    #[serde(default)]
    pub kind: String,
    /// `YYYY-MM-DD`, inclusive; empty for no bound.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: i64,
    pub person: String,
    pub action: String,
    pub detail: String,
}

#[server(endpoint = "users/audit", input = Json)]
pub async fn load_audit(query: AuditQuery) -> Result<Vec<AuditRow>, AppError> {
    crate::server::respond(handlers::load(query).await)
}

/// An action's words: the locale's, or its code for one this build has no words for.
pub fn action_name(locale: Locale, action: &str) -> String {
    let known = match action {
        "user_created" => td_string!(locale, audit.user_created),
        "user_roles_changed" => td_string!(locale, audit.user_roles_changed),
        "user_password_reset" => td_string!(locale, audit.user_password_reset),
        "user_enabled" => td_string!(locale, audit.user_enabled),
        "user_disabled" => td_string!(locale, audit.user_disabled),
        "backup_taken" => td_string!(locale, audit.backup_taken),
        "backup_failed" => td_string!(locale, audit.backup_failed),
        "restore" => td_string!(locale, audit.restore),
        "sign_in_codes_issued" => td_string!(locale, audit.sign_in_codes_issued),
        "first_sign_in" => td_string!(locale, audit.first_sign_in),
        "term_rollover" => td_string!(locale, audit.term_rollover),
        a if a.starts_with("import_") => td_string!(locale, audit.import),
        a if a.starts_with("export_") => td_string!(locale, audit.export),
        a if a.starts_with("view_register") => td_string!(locale, audit.view_register),
        _ => "",
    };
    if known.is_empty() {
        action.to_owned()
    } else {
        known.to_owned()
    }
}

#[cfg(feature = "ssr")]
pub mod handlers {
    use super::{AUDIT_LIMIT, AuditQuery, AuditRow, KINDS, action_name};
    use crate::domain::Role;
    use crate::domain::clock::{DAY_MS, SCHOOL_UTC_OFFSET_MINUTES, day_range};
    use crate::error::{AppError, Problem};
    use crate::features::auth::session;
    use crate::i18n::Locale;
    use crate::server::audit::{Filter, entries};
    use crate::server::csv::{Format, Table, table_response};
    use crate::server::db::Db;

    fn filter(query: &AuditQuery) -> Result<Filter, AppError> {
        let day = |text: &str, field: &str| -> Result<Option<i64>, AppError> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            day_range(text.trim(), SCHOOL_UTC_OFFSET_MINUTES)
                .map(|(from, _)| Some(from))
                .ok_or_else(|| AppError::invalid(field, Problem::Invalid))
        };
        let actions = match query.kind.as_str() {
            "" => Vec::new(),
            kind => KINDS
                .iter()
                .find(|(k, _)| *k == kind)
                .ok_or_else(|| AppError::invalid("kind", Problem::Invalid))?
                .1
                .iter()
                .map(|a| (*a).to_owned())
                .collect(),
        };
        Ok(Filter {
            user: query.person,
            actions,
            from_ms: day(&query.from, "from")?,
            to_ms: day(&query.to, "to")?.map(|start| start + DAY_MS),
        })
    }

    async fn rows(db: &Db, query: &AuditQuery) -> Result<Vec<AuditRow>, AppError> {
        let filter = filter(query)?;
        let mut conn = db.pool.acquire().await?;
        Ok(entries(&mut conn, &filter, AUDIT_LIMIT)
            .await?
            .into_iter()
            .map(|e| AuditRow {
                at: e.at,
                person: if e.user_id.is_some() {
                    e.user_name
                } else {
                    String::new()
                },
                action: e.action,
                detail: e.detail,
            })
            .collect())
    }

    pub async fn load(query: AuditQuery) -> Result<Vec<AuditRow>, AppError> {
        let state = session::require_role(&[Role::Admin]).await?.state;
        rows(&state.db, &query).await
    }

    pub async fn download_csv(
        state: axum::extract::State<crate::server::state::AppState>,
        jar: axum_extra::extract::CookieJar,
        query: axum::extract::Query<AuditQuery>,
    ) -> axum::response::Response {
        download(state, jar, query, Format::Csv).await
    }

    pub async fn download_xlsx(
        state: axum::extract::State<crate::server::state::AppState>,
        jar: axum_extra::extract::CookieJar,
        query: axum::extract::Query<AuditQuery>,
    ) -> axum::response::Response {
        download(state, jar, query, Format::Xlsx).await
    }

    async fn download(
        axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
        jar: axum_extra::extract::CookieJar,
        axum::extract::Query(query): axum::extract::Query<AuditQuery>,
        format: Format,
    ) -> axum::response::Response {
        use axum::http::StatusCode;
        let table = async {
            let user = crate::server::route_user(&state, &jar).await?;
            if !user.has(Role::Admin) {
                return Err(StatusCode::FORBIDDEN);
            }
            let rows = rows(&state.db, &query)
                .await
                .map_err(|e| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST))?;
            let mut table = Table::new(&["时间", "人员", "操作", "详情"]);
            for row in rows {
                table.push(&[
                    crate::domain::clock::date_time(row.at, SCHOOL_UTC_OFFSET_MINUTES),
                    row.person,
                    action_name(Locale::zh, &row.action),
                    row.detail,
                ]);
            }
            Ok(table)
        }
        .await;
        table_response("houqin-audit", "操作记录", format, table)
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let person_id = RwSignal::new(String::new());
    let person = Signal::derive(move || person_id.with(|p| Uuid::parse_str(p).ok()));
    let kind = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let query = move || AuditQuery {
        person: person.get(),
        kind: kind.get(),
        from: from.get(),
        to: to.get(),
    };
    let rows = Resource::new(query, load_audit);
    let download = move |format: &str| {
        let q = query();
        let mut params = vec![
            format!("kind={}", q.kind),
            format!("from={}", q.from),
            format!("to={}", q.to),
        ];
        if let Some(p) = q.person {
            params.push(format!("person={p}"));
        }
        format!("/api/audit.{format}?{}", params.join("&"))
    };
    let kind_name = move |k: &str| match k {
        "users" => t_string!(i18n, audit.kind_users).to_string(),
        "import" => t_string!(i18n, audit.kind_import).to_string(),
        "exports" => t_string!(i18n, audit.kind_exports).to_string(),
        "backups" => t_string!(i18n, audit.kind_backups).to_string(),
        _ => t_string!(i18n, audit.kind_all).to_string(),
    };
    let at = |ms: i64| crate::domain::clock::date_time(ms, SCHOOL_UTC_OFFSET_MINUTES);
    view! {
        <Page title=move || t_string!(i18n, audit.title).to_string()>
            <div class="form audit-filters no-print">
                <label class="field">
                    <span class="field-label">{t!(i18n, audit.kind)}</span>
                    <select data-testid="audit-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">{move || kind_name("")}</option>
                        {KINDS.iter().map(|(k, _)| view! { <option value=*k>{move || kind_name(k)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">{t!(i18n, audit.person)}</span>
                    <select data-testid="audit-person" on:change=move |ev| person_id.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, audit.everyone)}</option>
                        <PersonOptions selected=person_id />
                    </select>
                </label>
                <div class="field-row dates">
                    <label class="field">
                        <span class="field-label">{t!(i18n, audit.from)}</span>
                        <input type="date" bind:value=from />
                    </label>
                    <label class="field">
                        <span class="field-label">{t!(i18n, audit.to)}</span>
                        <input type="date" bind:value=to />
                    </label>
                </div>
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="muted" data-testid="audit-empty">{t!(i18n, audit.none)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table register stack" data-testid="audit-rows">
                                <thead><tr>
                                    <th>{t!(i18n, audit.at)}</th><th>{t!(i18n, audit.person)}</th>
                                    <th>{t!(i18n, audit.action)}</th><th>{t!(i18n, audit.detail)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|row| view! {
                                        <tr>
                                            <td data-label=move || t_string!(i18n, audit.at).to_string()>{at(row.at)}</td>
                                            <td data-label=move || t_string!(i18n, audit.person).to_string()>{
                                                let person = row.person.clone();
                                                move || if person.is_empty() { t_string!(i18n, audit.system).to_string() } else { person.clone() }
                                            }</td>
                                            <td data-label=move || t_string!(i18n, audit.action).to_string()>{move || action_name(i18n.get_locale(), &row.action)}</td>
                                            <td data-label=move || t_string!(i18n, audit.detail).to_string()>{row.detail.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
            <div class="row-actions no-print">
                <a class="button button-secondary" href=move || download("csv") download>{t!(i18n, audit.csv)}</a>
                <a class="button button-secondary" href=move || download("xlsx") download>{t!(i18n, common.xlsx)}</a>
            </div>
        </Page>
    }
}
