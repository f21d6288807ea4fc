//! "Pull now" hints: a server-sent event stream to every signed-in phone. Any commit that bumps the version
//! wakes it: on PostgreSQL through LISTEN/NOTIFY (a trigger on `sync_state`), so a push through any app
//! instance reaches phones connected to all of them; on SQLite, one process owns the file, so a watcher of the
//! version plus a direct nudge after each push is enough.

use super::signed_in;
use crate::domain::sync::SyncError;
use crate::server::db::{Backend, Db};
use crate::server::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum_extra::extract::CookieJar;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

#[derive(Clone)]
pub struct Hints {
    sender: broadcast::Sender<i64>,
}

impl Hints {
    /// Starts the watcher for `db` (LISTEN on PostgreSQL, a version poll on SQLite).
    pub fn start(db: &Db, database_url: &str) -> Hints {
        let (sender, _) = broadcast::channel(64);
        let hints = Hints { sender };
        match db.backend {
            Backend::Postgres => {
                tokio::spawn(listen_postgres(database_url.to_owned(), hints.clone()));
            }
            Backend::Sqlite => {
                tokio::spawn(watch_version(db.clone(), hints.clone()));
            }
        }
        hints
    }

    /// Tells every listening phone that the data changed up to `version`.
    pub fn notify(&self, version: i64) {
        // No listener is not an error.
        let _ = self.sender.send(version);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.sender.subscribe()
    }
}

async fn listen_postgres(url: String, hints: Hints) {
    loop {
        match sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(cause) = listener.listen("houqin_changes").await {
                    tracing::warn!(%cause, "sync hints: LISTEN failed");
                } else {
                    loop {
                        match listener.recv().await {
                            Ok(note) => hints.notify(note.payload().parse().unwrap_or(0)),
                            Err(cause) => {
                                tracing::warn!(%cause, "sync hints: listener lost; reconnecting");
                                break;
                            }
                        }
                    }
                }
            }
            Err(cause) => tracing::warn!(%cause, "sync hints: cannot connect to LISTEN"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn watch_version(db: Db, hints: Hints) {
    let mut seen = -1;
    loop {
        if let Ok(version) =
            sqlx::query_scalar::<_, i64>("SELECT version FROM sync_state WHERE id = 1")
                .fetch_one(&db.pool)
                .await
        {
            if seen >= 0 && version != seen {
                hints.notify(version);
            }
            seen = version;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `GET /api/sync/events`: `event: change` with the version, and a comment every 15 s to keep proxies open.
pub async fn events(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, Infallible>>>, SyncError> {
    signed_in(&state, &jar).await?;
    let receiver = state.hints.subscribe();
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        let data = match receiver.recv().await {
            Ok(version) => version.to_string(),
            // Missed some: one hint is as good as many.
            Err(broadcast::error::RecvError::Lagged(_)) => "0".to_owned(),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().event("change").data(data)), receiver))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
