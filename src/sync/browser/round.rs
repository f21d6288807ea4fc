//! The loop: one round at a time (push, upload photos, pull), a backoff after failures, and the sync requests.

use super::*;

/// Why a sync round stopped early.
pub(super) enum Stop {
    /// Could not reach the server, or it was busy: try again after a backoff.
    Transient,
    /// Waiting for the user (sign in again, update the app): only a trigger starts it again.
    Wait,
}

pub(super) async fn run_loop(mut wakes: mpsc::UnboundedReceiver<()>) {
    let mut failures: u32 = 0;
    loop {
        let Some(prefix) = with_engine(|e| e.store.prefix.clone()) else {
            return;
        };
        let round = with_tab_lock(&format!("houqin-sync-{prefix}"), sync_round()).await;
        let delay = match round {
            // Another tab is syncing; it writes what it learns to storage, which reaches us as events.
            None => IDLE_POLL_MS / 4,
            Some(Ok(())) => {
                failures = 0;
                IDLE_POLL_MS
            }
            Some(Err(Stop::Transient)) => {
                failures += 1;
                backoff_ms(failures, js_sys::Math::random())
            }
            Some(Err(Stop::Wait)) => u64::MAX / 4,
        };
        futures::select! {
            _ = wakes.next() => {},
            () = sleep(delay).fuse() => {},
        }
        // Many triggers at once make one round.
        while wakes.try_recv().is_ok() {}
    }
}

pub(super) async fn sync_round() -> Result<(), Stop> {
    let Some(store) = with_engine(|e| e.store.clone()) else {
        return Ok(());
    };
    if raw_storage().is_none() {
        set_link(Link::StorageUnavailable);
        return Err(Stop::Wait);
    }
    set_link(Link::Syncing);
    reload_from_storage();
    let mut meta: Meta = store.get("meta").unwrap_or_else(|| recovered_meta(&store));
    if meta.schema != SCHEMA_VERSION {
        // Rows of another shape: start the snapshot over (the outbox is kept).
        meta.schema = SCHEMA_VERSION;
        meta.cursor = 0;
        meta.scope.clear();
    }
    let result = async {
        // The outbox first: a snapshot that cannot be refreshed (a full storage, a failing pull) must never
        // hold back what the guard recorded.
        let pushed = push_all(&store, &mut meta).await;
        if let Err(Stop::Wait) = pushed {
            return pushed;
        }
        // Photos after the records that declare them, before the pull that shows them as arrived.
        let uploaded = upload_photos().await;
        if let Err(Stop::Wait) = uploaded {
            return uploaded;
        }
        let pulled = pull_all(&store, &mut meta).await;
        pushed.and(uploaded).and(pulled)
    }
    .await;
    match &result {
        Ok(()) => {
            meta.last_sync_ms = Some(now_ms());
            set_link(Link::Idle);
        }
        Err(Stop::Transient) => set_link(Link::Offline),
        Err(Stop::Wait) => {}
    }
    let _ = store.set("meta", &meta);
    trim_receipts(&store);
    prune_expired(&store, meta.clock_skew_ms);
    reload_from_storage();
    result
}

/// Uploads the photos this user's phone keeps, dropping each once the server has it.
pub(super) async fn upload_photos() -> Result<(), Stop> {
    use crate::sync::photos::{self, Upload};
    let Some(user) = with_engine(|engine| engine.local.user_id()) else {
        return Ok(());
    };
    let waiting = photos::waiting(user).await;
    let mut left = waiting.len();
    let publish_left = |left: usize| {
        with_engine(|engine| engine.local.status.update(|s| s.photos_waiting = left));
    };
    publish_left(left);
    let mut result = Ok(());
    for photo in waiting {
        let Some(bytes) = photos::load(user, photo).await else {
            continue;
        };
        match photos::upload(photo, &bytes).await {
            Upload::Stored => {
                photos::forget(user, photo).await;
                left -= 1;
            }
            Upload::NotYet => {
                // No record on the server declares it. If none is waiting here either, its record was refused
                // (or never saved): the photo has nothing to belong to.
                if !declared_by_pending(photo) {
                    photos::forget(user, photo).await;
                    left -= 1;
                }
            }
            Upload::Later => {
                result = Err(Stop::Transient);
                break;
            }
            Upload::SignedOut => {
                set_link(Link::SignedOut);
                result = Err(Stop::Wait);
                break;
            }
            Upload::Refused(status) => {
                // Never dropped silently: the person sees it under "needs attention".
                let refused = Attention {
                    mutation: Mutation {
                        id: photo,
                        seq: 0,
                        name: "photo.upload".into(),
                        args: serde_json::json!({ "photo_id": photo }),
                        client_time_ms: now_ms(),
                    },
                    outcome: Outcome::Rejected {
                        code: "photo_refused".into(),
                        message: format!("HTTP {status}"),
                        fields: vec![],
                    },
                    at_ms: now_ms(),
                };
                if let Some(store) = with_engine(|engine| engine.store.clone()) {
                    let _ = store.set(&format!("att.{photo}"), &refused);
                }
                photos::forget(user, photo).await;
                left -= 1;
            }
        }
    }
    publish_left(left);
    result
}

/// Whether a mutation still in this phone's outbox declares the photo.
pub(super) fn declared_by_pending(photo: Uuid) -> bool {
    with_engine(|engine| {
        engine
            .pending
            .values()
            .any(|p| crate::domain::photo::declared_in(&p.mutation.args).contains(&photo))
    })
    .unwrap_or(true)
}

/// Gives each unnumbered pending mutation the next sequence number, in creation order. One still in its undo
/// window waits unnumbered (so it can be withdrawn) and the loop is woken when the window closes.
pub(super) fn number_pending(store: &Store, meta: &mut Meta) -> Result<(), Stop> {
    let now = now_ms();
    let mut next_release: Option<i64> = None;
    for key in store.keys("out.") {
        let Some(mut pending) = store.get::<Pending>(&key) else {
            continue;
        };
        if let Some(until) = pending.hold_until_ms.filter(|until| *until > now)
            && pending.mutation.seq == 0
        {
            next_release = Some(next_release.map_or(until, |n| n.min(until)));
            continue;
        }
        if pending.mutation.seq == 0 {
            // The counter moves first: a number is never handed out twice, at worst one is skipped (a gap the
            // server records).
            let seq = meta.next_seq;
            meta.next_seq += 1;
            if store.set("meta", &*meta).is_err() {
                meta.next_seq -= 1;
                return Err(Stop::Transient);
            }
            pending.mutation.seq = seq;
            if store.set(&key, &pending).is_err() {
                return Err(Stop::Transient);
            }
        }
    }
    if let Some(until) = next_release {
        wake_after(until - now);
    }
    Ok(())
}

/// What a sync request came back with, short of a successful answer.
pub(super) async fn post<Q: Serialize, A: DeserializeOwned>(
    path: &str,
    body: &Q,
) -> Result<A, Failure> {
    // A half-open mobile connection must not hold the round (and the tabs' lock) forever.
    let abort = web_sys::AbortController::new().ok();
    let mut request =
        gloo_net::http::RequestBuilder::new(path).method(gloo_net::http::Method::POST);
    if let Some(abort) = &abort {
        request = request.abort_signal(Some(&abort.signal()));
    }
    let request = request.json(body).map_err(|_| Failure::Transient)?;
    let timer = abort.map(|abort| {
        leptos::prelude::set_timeout_with_handle(move || abort.abort(), REQUEST_TIMEOUT)
    });
    let response = request.send().await;
    if let Some(Ok(timer)) = timer {
        timer.clear();
    }
    let response = response.map_err(|_| Failure::Transient)?;
    match response.status() {
        200 => response.json::<A>().await.map_err(|_| Failure::Transient),
        401 => Err(Failure::SignedOut),
        426 => Err(Failure::UpdateRequired),
        409 => match response.json::<SyncError>().await {
            Ok(SyncError::EpochChanged { .. }) => Err(Failure::EpochChanged),
            _ => Err(Failure::Transient),
        },
        // The request itself was refused (malformed, too large, not JSON): sending it again gives the same
        // answer, so the caller must not retry it as it is.
        status @ (400 | 413 | 415 | 422) => Err(Failure::Refused(status)),
        _ => Err(Failure::Transient),
    }
}

pub(super) enum Failure {
    Transient,
    SignedOut,
    UpdateRequired,
    EpochChanged,
    /// A 4xx that a retry cannot change, with its status.
    Refused(u16),
}

pub(super) fn stop_for(failure: Failure) -> Stop {
    match failure {
        // A refused pull is a fault of this build or the server's, not of anything the user saved: back off.
        Failure::Transient | Failure::EpochChanged | Failure::Refused(_) => Stop::Transient,
        Failure::SignedOut => {
            set_link(Link::SignedOut);
            Stop::Wait
        }
        Failure::UpdateRequired => {
            set_link(Link::UpdateRequired);
            Stop::Wait
        }
    }
}
