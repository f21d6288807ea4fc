//! The hallway screen: `/screen?t=…` shows the latest published class league full screen, in large type, for a
//! TV by the stairs — no account, no app frame, read-only. The link's token is unguessable (256 random bits),
//! made and revoked by the admin on `/admin/cleaning`; the server keeps only its SHA-256. The screen asks again
//! every minute, so a board published upstairs reaches the hallway by itself.

use super::LeagueBoard;
use super::board_page::{StandingMarks, standing_score};
use crate::components::{ErrorNotice, class_name};
use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date, date_time};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A screen link as the admin sees it (the token itself is shown once, when made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screen {
    pub id: Uuid,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// The longest name of a screen ("一楼大厅").
pub const SCREEN_NAME_MAX: u32 = 40;

#[server(endpoint = "cleaning/screens", input = Json)]
pub async fn load_screens() -> Result<Vec<Screen>, AppError> {
    crate::server::respond(handlers::screens().await)
}

/// Makes a screen link; the answer is its token, shown to the admin once.
#[server(endpoint = "cleaning/create_screen", input = Json)]
pub async fn create_screen(name: String) -> Result<String, AppError> {
    crate::server::respond(handlers::create(name).await)
}

#[server(endpoint = "cleaning/revoke_screen", input = Json)]
pub async fn revoke_screen(id: Uuid) -> Result<(), AppError> {
    crate::server::respond(handlers::revoke(id).await)
}

/// The board a screen shows: the latest published class league. A token unknown or revoked is not found.
#[server(endpoint = "cleaning/screen_board", input = Json)]
pub async fn load_screen_board(token: String) -> Result<LeagueBoard, AppError> {
    crate::server::respond(handlers::board(token).await)
}

#[cfg(feature = "ssr")]
mod handlers {
    use super::{SCREEN_NAME_MAX, Screen};
    use crate::domain::cleaning::{League, period_of};
    use crate::domain::clock::SCHOOL_UTC_OFFSET_MINUTES;
    use crate::error::{AppError, Checks};
    use crate::features::auth::session;
    use crate::server::db::{now_ms, uuid};
    use crate::server::sessions::token_hash;
    use uuid::Uuid;

    pub async fn screens() -> Result<Vec<Screen>, AppError> {
        let db = session::require_role(&[]).await?.state.db;
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, name, created_at, revoked_at FROM cleaning_screens ORDER BY created_at",
        )
        .fetch_all(&db.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, created_at, revoked_at)| {
                Ok(Screen {
                    id: uuid(&id)?,
                    name,
                    created_at,
                    revoked_at,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(AppError::from)
    }

    pub async fn create(name: String) -> Result<String, AppError> {
        let state = session::require_role(&[]).await?.state;
        let mut checks = Checks::new();
        let name = checks.text("name", &name, SCREEN_NAME_MAX);
        checks.finish()?;
        let token = session::new_token();
        sqlx::query(
            "INSERT INTO cleaning_screens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(name)
        .bind(token_hash(&state.config.session_key, &token))
        .bind(now_ms())
        .execute(&state.db.pool)
        .await?;
        Ok(token)
    }

    pub async fn revoke(id: Uuid) -> Result<(), AppError> {
        let db = session::require_role(&[]).await?.state.db;
        let done = sqlx::query(
            "UPDATE cleaning_screens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id.to_string())
        .execute(&db.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    pub async fn board(token: String) -> Result<super::LeagueBoard, AppError> {
        let state = session::app_state()?;
        let mut conn = state.db.pool.acquire().await?;
        let known: Option<String> = sqlx::query_scalar(
            "SELECT id FROM cleaning_screens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(&state.config.session_key, token.trim()))
        .fetch_optional(&mut *conn)
        .await?;
        if known.is_none() {
            return Err(AppError::NotFound);
        }
        // The latest week published (its key is the Monday, so the greatest is the latest).
        let latest = super::super::db::publications(&mut conn)
            .await?
            .into_iter()
            .filter(|((league, _), _)| *league == League::Class)
            .max_by(|a, b| a.0.1.cmp(&b.0.1))
            .ok_or(AppError::NotFound)?;
        let ((league, key), published) = latest;
        let period =
            period_of(league, &key, SCHOOL_UTC_OFFSET_MINUTES).ok_or(AppError::NotFound)?;
        let mut board =
            super::super::server_fns::handlers::board(&mut conn, league, period, Some(published))
                .await?;
        // A hallway needs the classes and their scores, not who teaches them or who published.
        for row in &mut board.rows {
            row.teacher = None;
        }
        board.published = board.published.map(|(at, _)| (at, String::new()));
        Ok(board)
    }
}

/// `/screen?t=…`: the board in large type, asked again every minute.
#[component]
pub fn ScreenBoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = use_query_map().with_untracked(|q| q.get("t").unwrap_or_default());
    // Read in the browser (a TV keeps the page open for weeks; the server's first render says nothing stale).
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_secs(60),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    }
    let board = LocalResource::new(move || {
        tick.track();
        let token = token.clone();
        async move { load_screen_board(token).await }
    });
    view! {
        <main class="screen" data-testid="screen">
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(board) => view! { <ScreenBoard board /> }.into_any(),
                        Err(AppError::NotFound) => view! {
                            <p class="screen-notice" data-testid="screen-unknown">{t!(i18n, cleaning.screen_unknown)}</p>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ScreenBoard(board: LeagueBoard) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("{} — {}", board.period.first_day, board.period.last_day);
    let published = board
        .published
        .map(|(at, _)| date_time(at, SCHOOL_UTC_OFFSET_MINUTES));
    view! {
        <h1 class="screen-title">{t!(i18n, cleaning.screen_title)}</h1>
        <p class="screen-period">{t!(i18n, cleaning.week_of)} " " {heading}</p>
        <table class="screen-table" data-testid="screen-board">
            <thead><tr>
                <th>{t!(i18n, cleaning.rank)}</th>
                <th>{t!(i18n, cleaning.class)}</th>
                <th>{t!(i18n, cleaning.score)}</th>
                <th>{t!(i18n, cleaning.mark)}</th>
            </tr></thead>
            <tbody>
                {board.rows.into_iter().map(|row| {
                    let s = row.standing;
                    let name = match row.class {
                        Some((grade, number)) => class_name(i18n.get_locale_untracked(), grade, number),
                        None => row.name.clone(),
                    };
                    view! {
                        <tr class:flag=s.red_flag class:reclean=s.reclean>
                            <td class="rank">{s.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td>{name}</td>
                            <td class="score">{standing_score(i18n.get_locale_untracked(), s)}</td>
                            <td><StandingMarks standing=s /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {published.map(|at| view! { <p class="screen-period">{t!(i18n, cleaning.published)} " " {at}</p> })}
    }
}

/// The admin's screen links: make one (its address is shown once, to open on the TV), see them, revoke one.
#[component]
pub fn ScreensCard() -> impl IntoView {
    let i18n = use_i18n();
    let screens = Resource::new(|| (), |()| load_screens());
    let name = RwSignal::new(String::new());
    let create = Action::new(|name: &String| create_screen(name.clone()));
    let revoke = Action::new(|id: &Uuid| revoke_screen(*id));
    Effect::new(move |_| {
        // Both read every time (no short circuit), so a revocation after a creation still refreshes the list.
        let made = create.value().get().is_some_and(|r| r.is_ok());
        let revoked = revoke.value().get().is_some_and(|r| r.is_ok());
        if made || revoked {
            screens.refetch();
        }
    });
    let made = move || create.value().get().and_then(Result::ok);
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    let address = move |token: String| {
        #[cfg(feature = "hydrate")]
        let origin = window().location().origin().unwrap_or_default();
        #[cfg(not(feature = "hydrate"))]
        let origin = String::new();
        format!("{origin}/screen?t={token}")
    };
    view! {
        <section class="card" data-testid="screens">
            <h2>{t!(i18n, cleaning.screens)}</h2>
            <p class="muted">{t!(i18n, cleaning.screens_hint)}</p>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(name.get_untracked());
            }>
                <label class="field">
                    <span class="field-label">{t!(i18n, cleaning.screen_name)}</span>
                    <input type="text" maxlength=SCREEN_NAME_MAX bind:value=name placeholder=move || t_string!(i18n, cleaning.screen_name_hint).to_string() />
                </label>
                <button type="submit" class="button">{t!(i18n, cleaning.screen_create)}</button>
            </form>
            {move || made().map(|token| {
                let link = address(token);
                view! {
                    <p class="notice notice-ok" role="status">{t!(i18n, cleaning.screen_made)}</p>
                    <p class="screen-link"><a href=link.clone() target="_blank" data-testid="screen-link">{link.clone()}</a></p>
                }
            })}
            <ErrorNotice error />
            <Transition>
                {move || Suspend::new(async move {
                    let list = screens.await.unwrap_or_default();
                    view! {
                        <ul class="list">
                            {list.into_iter().map(|screen| {
                                let revoked = screen.revoked_at.is_some();
                                let id = screen.id;
                                view! {
                                    <li class:inactive=revoked>
                                        <strong>{screen.name.clone()}</strong>
                                        <span class="muted">" " {date(screen.created_at, SCHOOL_UTC_OFFSET_MINUTES)}
                                            {revoked.then(|| view! { " · " {t!(i18n, cleaning.screen_revoked)} })}</span>
                                        {(!revoked).then(|| view! {
                                            <button type="button" class="button button-small" on:click=move |_| { revoke.dispatch(id); }>
                                                {t!(i18n, cleaning.screen_revoke)}
                                            </button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </section>
    }
}
