//! The sync engine in the browser: the outbox and snapshot in localStorage, and the one loop that pushes and
//! pulls.
//!
//! Storage layout, all under `hq1.<user id>.` so a second user on a shared phone never sends or sees the
//! first one's entries: `meta` (client id, next sequence, cursor, epoch, scope), `out.<mutation id>` (one key per
//! pending mutation; ids are UUIDv7, so key order is creation order), `att.<id>` (needs attention),
//! `rcpt.<id>` (acknowledged mutations kept two weeks, re-sent if the server is restored from a backup) and
//! `row.<table>.<id>` (the synced snapshot). Two tabs share these keys; only one of them runs a sync at a time
//! (a Web Lock), and each re-reads storage when another tab wrote (the `storage` event).
//!
//! Nothing here panics when storage is missing, blocked or full: saving says so and the form keeps its data.

use super::local::{Attention, Link, LocalData, Pending, SaveError, SyncStatus};
use crate::domain::sync::{
    Mutation, Op, Outcome, PROTOCOL, PullRequest, PullResponse, PushRequest, PushResponse,
    SCHEMA_VERSION, SyncError, backoff_ms,
};
use futures::channel::mpsc;
use futures::{FutureExt, StreamExt};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

const PUSH_BATCH: usize = 100;
const RECEIPT_DAYS: i64 = 14;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// With nothing to do, look anyway this often (the server's hint usually comes first).
const IDLE_POLL_MS: u64 = 60_000;
/// A sync request with no answer by then is given up and retried later.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn app_build() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

mod exchange;
mod round;
mod store;
mod world;

use exchange::*;
use round::*;
use store::*;
use world::*;
pub use world::{forget_pages, keep_pages_for_offline, register_service_worker};

// ---------------------------------------------------------------------------------------------------------
// The engine: one per page, for the signed-in user

struct Engine {
    local: LocalData,
    store: Store,
    pending: BTreeMap<Uuid, Pending>,
    attention: BTreeMap<Uuid, Attention>,
    rows: HashMap<String, BTreeMap<Uuid, serde_json::Value>>,
    wake: mpsc::UnboundedSender<()>,
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

fn with_engine<T>(f: impl FnOnce(&mut Engine) -> T) -> Option<T> {
    ENGINE.with(|engine| engine.borrow_mut().as_mut().map(f))
}

/// Starts the engine for the signed-in user (once per page).
pub fn start(local: LocalData) {
    let running = with_engine(|engine| engine.local.user_id());
    match running {
        // The layout was mounted again for the same user: publish to its new signals.
        Some(user) if user == local.user_id() => {
            with_engine(|engine| engine.local = local);
            reload_from_storage();
            return;
        }
        // Another user signed in on this page: start clean, so nothing of the first user's stays in memory.
        Some(_) => {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
            return;
        }
        None => {}
    }
    let store = Store {
        prefix: format!("hq1.{}.", local.user_id()),
    };
    let (wake, wakes) = mpsc::unbounded();
    if raw_storage().is_none() {
        local.status.update(|s| s.link = Link::StorageUnavailable);
    }
    ENGINE.with(|engine| {
        *engine.borrow_mut() = Some(Engine {
            local,
            store,
            pending: BTreeMap::new(),
            attention: BTreeMap::new(),
            rows: HashMap::new(),
            wake,
        });
    });
    reload_from_storage();
    // The loop first: the extras below touch browser APIs that may be missing.
    wasm_bindgen_futures::spawn_local(run_loop(wakes));
    listen_to_the_world();
    ask_for_persistent_storage(local);
}

/// Re-reads the outbox, attention list and snapshot from storage (at start, and when another tab wrote).
fn reload_from_storage() {
    with_engine(|engine| {
        let store = engine.store.clone();
        engine.pending = store
            .keys("out.")
            .iter()
            .filter_map(|k| store.get::<Pending>(k))
            .map(|p| (p.mutation.id, p))
            .collect();
        engine.attention = store
            .keys("att.")
            .iter()
            .filter_map(|k| store.get::<Attention>(k))
            .map(|a| (a.mutation.id, a))
            .collect();
        engine.rows.clear();
        for key in store.keys("row.") {
            let mut parts = key.splitn(3, '.');
            let (Some(_), Some(table), Some(id)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (Ok(id), Some(row)) = (Uuid::parse_str(id), store.get::<serde_json::Value>(&key))
            else {
                continue;
            };
            engine
                .rows
                .entry(table.to_owned())
                .or_default()
                .insert(id, row);
        }
        let meta: Option<Meta> = store.get("meta");
        publish(engine, meta.as_ref());
    });
}

/// Copies the engine's state into the page's signals.
fn publish(engine: &Engine, meta: Option<&Meta>) {
    let pending = engine.pending.len();
    let oldest = engine.pending.values().map(|p| p.saved_at_ms).min();
    let attention: Vec<Attention> = engine.attention.values().cloned().collect();
    let (last_sync, skew) = meta.map_or((None, 0), |m| (m.last_sync_ms, m.clock_skew_ms));
    engine.local.status.update(|s: &mut SyncStatus| {
        s.pending = pending;
        s.oldest_pending_ms = oldest;
        s.attention = attention;
        if last_sync.is_some() {
            s.last_sync_ms = last_sync;
            s.clock_skew_ms = skew;
        }
    });
    // Views recompute on the next turn of the event loop, so a confirmation set in the same handler ("saved on
    // this phone") reaches the screen first, however many entries the lists then have to merge.
    let revision = engine.local.revision;
    set_timeout(
        move || revision.update(|r| *r += 1),
        std::time::Duration::ZERO,
    );
}

fn set_link(link: Link) {
    with_engine(|engine| engine.local.status.update(|s| s.link = link));
}

pub fn wake() {
    with_engine(|engine| {
        let _ = engine.wake.unbounded_send(());
    });
}

/// Queues one mutation; `Ok` only once it reads back from storage.
pub fn save(name: &str, args: serde_json::Value) -> Result<Uuid, SaveError> {
    save_held(name, args, None)
}

/// Queues one mutation that the loop does not send for `hold_ms` (an undo window), or at once with `None`.
pub fn save_held(
    name: &str,
    args: serde_json::Value,
    hold_ms: Option<i64>,
) -> Result<Uuid, SaveError> {
    let result = with_engine(|engine| {
        let id = Uuid::now_v7();
        let pending = Pending {
            mutation: Mutation {
                id,
                seq: 0,
                name: name.to_owned(),
                args,
                client_time_ms: now_ms(),
            },
            saved_at_ms: now_ms(),
            hold_until_ms: hold_ms.map(|ms| now_ms() + ms),
        };
        engine.store.set(&format!("out.{id}"), &pending)?;
        engine.pending.insert(id, pending);
        let meta = engine.store.get::<Meta>("meta");
        publish(engine, meta.as_ref());
        Ok(id)
    })
    .unwrap_or(Err(SaveError::Unavailable));
    // A held entry needs no timer of its own: numbering skips it and wakes the loop when its window closes.
    if result.is_ok() {
        wake();
    }
    result
}

/// Takes a held mutation out of the outbox before it was numbered for sending; `false` if it is already on its
/// way, or not held at all.
pub fn withdraw(id: Uuid) -> bool {
    with_engine(|engine| {
        let key = format!("out.{id}");
        let still_held = engine
            .store
            .get::<Pending>(&key)
            .is_some_and(|p| p.mutation.seq == 0 && p.hold_until_ms.is_some());
        if still_held {
            engine.store.remove(&key);
            engine.pending.remove(&id);
            let meta = engine.store.get::<Meta>("meta");
            publish(engine, meta.as_ref());
        }
        still_held
    })
    .unwrap_or(false)
}

/// Wakes the loop once `ms` have passed (a held entry's window closes then).
fn wake_after(ms: i64) {
    wasm_bindgen_futures::spawn_local(async move {
        sleep(u64::try_from(ms).unwrap_or(0) + 50).await;
        wake();
    });
}

pub fn rows<T: DeserializeOwned>(table: &str) -> Vec<T> {
    with_engine(|engine| {
        engine
            .rows
            .get(table)
            .map(|rows| {
                rows.values()
                    .filter_map(|row| T::deserialize(row).ok())
                    .collect()
            })
            .unwrap_or_default()
    })
    .unwrap_or_default()
}

/// The arguments of pending mutations named `name`, decoded without copying the outbox.
pub fn pending_args<T: DeserializeOwned>(name: &str) -> Vec<T> {
    with_engine(|engine| {
        engine
            .pending
            .values()
            .filter(|p| p.mutation.name == name)
            .filter_map(|p| T::deserialize(&p.mutation.args).ok())
            .collect()
    })
    .unwrap_or_default()
}

pub fn pending() -> Vec<Pending> {
    with_engine(|engine| engine.pending.values().cloned().collect()).unwrap_or_default()
}

pub fn dismiss(id: Uuid) {
    with_engine(|engine| {
        engine.store.remove(&format!("att.{id}"));
        engine.attention.remove(&id);
        let meta = engine.store.get::<Meta>("meta");
        publish(engine, meta.as_ref());
    });
}

/// Saves the outbox as a JSON file through the browser's download.
pub fn download_pending() {
    let Some(json) = with_engine(|engine| {
        serde_json::to_string_pretty(&engine.pending.values().collect::<Vec<_>>()).ok()
    })
    .flatten() else {
        return;
    };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(&json));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(anchor) = document.create_element("a")
        && let Ok(anchor) = anchor.dyn_into::<web_sys::HtmlAnchorElement>()
    {
        anchor.set_href(&url);
        anchor.set_download(&format!("houqin-pending-{}.json", now_ms()));
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
