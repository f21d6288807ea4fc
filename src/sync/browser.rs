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

// ---------------------------------------------------------------------------------------------------------
// Storage

/// localStorage, or `None` when this browser gives none (private mode, blocked by settings).
fn raw_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[derive(Clone)]
struct Store {
    prefix: String,
}

impl Store {
    fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        raw_storage()?;
        LocalStorage::get(format!("{}{key}", self.prefix)).ok()
    }

    /// Writes and reads back; `Full` on `QuotaExceededError`.
    fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<(), SaveError> {
        let storage = raw_storage().ok_or(SaveError::Unavailable)?;
        let full_key = format!("{}{key}", self.prefix);
        let text = serde_json::to_string(value).map_err(|_| SaveError::Unavailable)?;
        match LocalStorage::set(&full_key, value) {
            Ok(()) => {}
            Err(gloo_storage::errors::StorageError::JsError(error))
                if error.name == "QuotaExceededError" =>
            {
                return Err(SaveError::Full);
            }
            Err(_) => return Err(SaveError::Unavailable),
        }
        match storage.get_item(&full_key) {
            Ok(Some(back)) if back == text => Ok(()),
            _ => Err(SaveError::Unavailable),
        }
    }

    fn remove(&self, key: &str) {
        if raw_storage().is_some() {
            LocalStorage::delete(format!("{}{key}", self.prefix));
        }
    }

    /// Keys (without the prefix) that start with `part`, sorted.
    fn keys(&self, part: &str) -> Vec<String> {
        let Some(storage) = raw_storage() else {
            return Vec::new();
        };
        let wanted = format!("{}{part}", self.prefix);
        let count = storage.length().unwrap_or(0);
        let mut keys: Vec<String> = (0..count)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(&wanted))
            .map(|k| k[self.prefix.len()..].to_owned())
            .collect();
        keys.sort();
        keys
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
struct Meta {
    client_id: Uuid,
    next_seq: i64,
    cursor: i64,
    epoch: String,
    scope: String,
    schema: u32,
    last_sync_ms: Option<i64>,
    clock_skew_ms: i64,
    /// Set when the server reported a gap this phone cannot fill; sent once to let the server go on.
    accept_gap_from: Option<i64>,
}

impl Default for Meta {
    fn default() -> Meta {
        Meta::new()
    }
}

impl Meta {
    fn new() -> Meta {
        Meta {
            client_id: Uuid::now_v7(),
            next_seq: 1,
            cursor: 0,
            epoch: String::new(),
            scope: String::new(),
            schema: SCHEMA_VERSION,
            last_sync_ms: None,
            clock_skew_ms: 0,
            accept_gap_from: None,
        }
    }
}

/// A fresh `meta` when it is missing or unreadable. If numbered entries exist, numbering goes on after the
/// highest, so no number is used twice (the new client id makes the server record the earlier ones as a gap).
fn recovered_meta(store: &Store) -> Meta {
    let highest = ["out.", "rcpt."]
        .iter()
        .flat_map(|part| store.keys(part))
        .filter_map(|key| {
            store
                .get::<Pending>(&key)
                .map(|p| p.mutation.seq)
                .or_else(|| store.get::<Receipt>(&key).map(|r| r.mutation.seq))
        })
        .max()
        .unwrap_or(0);
    Meta {
        next_seq: highest + 1,
        accept_gap_from: (highest > 0).then_some(1),
        ..Meta::new()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Receipt {
    mutation: Mutation,
    acked_at_ms: i64,
}

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
    keep_pages_for_offline();
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

// ---------------------------------------------------------------------------------------------------------
// Triggers

fn listen_to_the_world() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_wake = Closure::<dyn Fn()>::new(wake);
    for event in ["online", "focus"] {
        let _ = window.add_event_listener_with_callback(event, on_wake.as_ref().unchecked_ref());
    }
    if let Some(document) = window.document() {
        let _ = document
            .add_event_listener_with_callback("visibilitychange", on_wake.as_ref().unchecked_ref());
    }
    on_wake.forget();
    // Another tab saved or synced: read storage again, once per burst of writes.
    let on_storage =
        Closure::<dyn Fn(web_sys::StorageEvent)>::new(|event: web_sys::StorageEvent| {
            let ours = with_engine(|engine| {
                event
                    .key()
                    .is_none_or(|key| key.starts_with(&engine.store.prefix))
            })
            .unwrap_or(false);
            if ours && !RELOAD_QUEUED.replace(true) {
                set_timeout(
                    || {
                        RELOAD_QUEUED.set(false);
                        reload_from_storage();
                    },
                    std::time::Duration::from_millis(100),
                );
            }
        });
    let _ = window.add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
    on_storage.forget();
    listen_for_hints(0);
}

thread_local! {
    static RELOAD_QUEUED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The server's hint: something changed, pull now. The browser reconnects a dropped stream by itself, but not
/// one answered with an error (a 401, a proxy's 502 during a restart): that one is opened again after a wait.
fn listen_for_hints(failures: u32) {
    let Ok(events) = web_sys::EventSource::new("/api/sync/events") else {
        return;
    };
    let on_change = Closure::<dyn Fn()>::new(wake);
    let _ = events.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
    on_change.forget();
    let stream = events.clone();
    let on_error = Closure::<dyn Fn()>::new(move || {
        if stream.ready_state() == web_sys::EventSource::CLOSED {
            let delay = backoff_ms(failures + 1, js_sys::Math::random());
            set_timeout(
                move || listen_for_hints(failures + 1),
                std::time::Duration::from_millis(delay),
            );
        }
    });
    let _ = events.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    on_error.forget();
}

fn ask_for_persistent_storage(local: LocalData) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(storage) = js_sys::Reflect::get(&window.navigator(), &"storage".into()) else {
        return;
    };
    if storage.is_undefined() {
        return;
    }
    let manager: web_sys::StorageManager = storage.unchecked_into();
    wasm_bindgen_futures::spawn_local(async move {
        let granted = match manager.persist() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .ok()
                .and_then(|v| v.as_bool()),
            Err(_) => None,
        };
        local
            .status
            .update(|s| s.persisted = Some(granted.unwrap_or(false)));
    });
}

/// The page's service worker, if this browser has one and it controls the page (not on plain http, nor in
/// some private windows, where `navigator.serviceWorker` is missing).
fn controlling_worker() -> Option<web_sys::ServiceWorker> {
    let navigator = web_sys::window()?.navigator();
    let container = js_sys::Reflect::get(&navigator, &"serviceWorker".into()).ok()?;
    if container.is_undefined() || container.is_null() {
        return None;
    }
    let container: web_sys::ServiceWorkerContainer = container.unchecked_into();
    container.controller()
}

/// Asks the service worker to keep this user's pages, so the installed app opens offline.
fn keep_pages_for_offline() {
    let Some(worker) = controlling_worker() else {
        return;
    };
    let paths = js_sys::Array::new();
    for path in super::job::installed()
        .iter()
        .flat_map(|job| job.offline_pages)
    {
        paths.push(&JsValue::from_str(path));
    }
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"keep_pages".into());
    let _ = js_sys::Reflect::set(&message, &"paths".into(), &paths);
    let _ = worker.post_message(&message);
}

/// Registers the service worker (any page may call it; the browser ignores repeats).
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let Ok(container) = js_sys::Reflect::get(&navigator, &"serviceWorker".into()) else {
        return;
    };
    if container.is_undefined() || container.is_null() {
        return;
    }
    let container: web_sys::ServiceWorkerContainer = container.unchecked_into();
    let _ = container.register("/sw.js");
}

/// Tells the service worker to forget the kept pages (on sign-out, so the next user sees none of them).
pub fn forget_pages() {
    if let Some(worker) = controlling_worker() {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"forget_pages".into());
        let _ = worker.post_message(&message);
    }
}

async fn sleep(ms: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                ms.min(i32::MAX as u64) as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `work` holding the Web Lock `name` if no other tab holds it; `None` if another tab does. Browsers
/// without Web Locks run it directly.
async fn with_tab_lock<T: 'static>(
    name: &str,
    work: impl std::future::Future<Output = T> + 'static,
) -> Option<T> {
    let locks = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined());
    let request = locks.as_ref().and_then(|locks| {
        js_sys::Reflect::get(locks, &"request".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return Some(work.await);
    };
    let (granted_tx, granted_rx) = futures::channel::oneshot::channel::<bool>();
    // Answered once: by the callback (granted or not), or by a rejected request.
    let granted_tx = std::rc::Rc::new(RefCell::new(Some(granted_tx)));
    let (done_tx, done_rx) = futures::channel::oneshot::channel::<()>();
    let held = wasm_bindgen_futures::future_to_promise(async move {
        let _ = done_rx.await;
        Ok(JsValue::UNDEFINED)
    });
    let on_grant = granted_tx.clone();
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if let Some(tx) = on_grant.borrow_mut().take() {
            let _ = tx.send(!lock.is_null());
        }
        held.into()
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &true.into());
    let Ok(requested) = request.call3(&locks, &JsValue::from_str(name), &options, &callback) else {
        return Some(work.await);
    };
    let on_reject = granted_tx.clone();
    let rejected = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(tx) = on_reject.borrow_mut().take() {
            let _ = tx.send(false);
        }
    });
    if let Ok(promise) = requested.dyn_into::<js_sys::Promise>() {
        let _ = promise.catch(&rejected);
    }
    // Runs at most once, whenever the browser settles the request.
    rejected.forget();
    let granted = granted_rx.await.unwrap_or(false);
    let result = if granted { Some(work.await) } else { None };
    let _ = done_tx.send(());
    result
}

// ---------------------------------------------------------------------------------------------------------
// The loop

/// Why a sync round stopped early.
enum Stop {
    /// Could not reach the server, or it was busy: try again after a backoff.
    Transient,
    /// Waiting for the user (sign in again, update the app): only a trigger starts it again.
    Wait,
}

async fn run_loop(mut wakes: mpsc::UnboundedReceiver<()>) {
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

async fn sync_round() -> Result<(), Stop> {
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
async fn upload_photos() -> Result<(), Stop> {
    use super::photos::{self, Upload};
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

/// The photo ids a mutation declares: `args.photos[].id`, and each safety answer's `args.answers[].photos[].id`.
fn declared_photos(mutation: &Mutation) -> Vec<Uuid> {
    let photos_of = |value: &serde_json::Value| -> Vec<Uuid> {
        value
            .get("photos")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("id").and_then(|id| id.as_str()))
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect()
    };
    let mut ids = photos_of(&mutation.args);
    // And the photos of each part of a record: a safety check's answers, a cleaning check's ratings.
    for part in mutation
        .args
        .as_object()
        .into_iter()
        .flat_map(|args| args.values())
        .filter_map(|value| value.as_array())
        .flatten()
    {
        ids.extend(photos_of(part));
    }
    ids
}

/// Whether a mutation still in this phone's outbox declares the photo.
fn declared_by_pending(photo: Uuid) -> bool {
    with_engine(|engine| {
        engine
            .pending
            .values()
            .any(|p| declared_photos(&p.mutation).contains(&photo))
    })
    .unwrap_or(true)
}

/// Gives each unnumbered pending mutation the next sequence number, in creation order. One still in its undo
/// window waits unnumbered (so it can be withdrawn) and the loop is woken when the window closes.
fn number_pending(store: &Store, meta: &mut Meta) -> Result<(), Stop> {
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
async fn post<Q: Serialize, A: DeserializeOwned>(path: &str, body: &Q) -> Result<A, Failure> {
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

enum Failure {
    Transient,
    SignedOut,
    UpdateRequired,
    EpochChanged,
    /// A 4xx that a retry cannot change, with its status.
    Refused(u16),
}

fn stop_for(failure: Failure) -> Stop {
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

async fn pull_all(store: &Store, meta: &mut Meta) -> Result<(), Stop> {
    loop {
        number_pending(store, meta)?;
        let request = PullRequest {
            protocol: PROTOCOL,
            app_build: app_build(),
            schema_version: SCHEMA_VERSION,
            client_id: meta.client_id,
            epoch: meta.epoch.clone(),
            cursor: meta.cursor,
            scope: meta.scope.clone(),
            numbered_through: Some(meta.next_seq - 1),
        };
        let page: PullResponse = post("/api/sync/pull", &request).await.map_err(stop_for)?;
        if page.reset {
            for key in store.keys("row.") {
                store.remove(&key);
            }
        }
        for op in &page.ops {
            let written = match op {
                Op::Put { table, id, row } => store.set(&format!("row.{table}.{id}"), row),
                Op::Delete { table, id } | Op::Leave { table, id } => {
                    remove_row(store, table, *id);
                    Ok(())
                }
            };
            if written.is_err() {
                // Storage is full. The snapshot can always be fetched again, the outbox cannot: give the
                // snapshot's room back and start it over on a later round.
                for key in store.keys("row.") {
                    store.remove(&key);
                }
                meta.cursor = 0;
                meta.scope.clear();
                let _ = store.set("meta", &*meta);
                return Err(Stop::Transient);
            }
        }
        if page.epoch != meta.epoch && !meta.epoch.is_empty() {
            // Restored from a backup: what this phone sent lately may be gone; send it again (the server
            // answers "duplicate" to what it still has).
            requeue_receipts(store);
        }
        meta.epoch = page.epoch;
        meta.scope = page.scope;
        meta.cursor = page.cursor;
        meta.clock_skew_ms = now_ms() - page.server_time_ms;
        let _ = store.set("meta", &*meta);
        if !page.has_more {
            return Ok(());
        }
    }
}

async fn push_all(store: &Store, meta: &mut Meta) -> Result<(), Stop> {
    let mut gaps_refilled = std::collections::HashSet::new();
    // Once the server refuses a whole batch, entries go one at a time to find the one it refuses.
    let mut one_at_a_time = false;
    loop {
        // Numbered just before each request, so what it says it numbered is true when it arrives (the server's
        // bound on how far back this phone's clock is believed).
        number_pending(store, meta)?;
        let mut batch: Vec<Mutation> = store
            .keys("out.")
            .iter()
            .filter_map(|k| store.get::<Pending>(k))
            .map(|p| p.mutation)
            .filter(|m| m.seq > 0)
            .collect();
        if batch.is_empty() {
            return Ok(());
        }
        batch.sort_by_key(|m| m.seq);
        batch.truncate(PUSH_BATCH);
        // The server takes at most PUSH_MAX_BYTES per push: signed checks carry a signature picture each, so a
        // day's round can outgrow it. Always at least one item (a single entry is far below the limit).
        let mut bytes = 1024;
        let fits = batch
            .iter()
            .take_while(|m| {
                bytes += serde_json::to_string(m).map_or(0, |text| text.len());
                bytes <= crate::domain::sync::PUSH_MAX_BYTES * 9 / 10
            })
            .count();
        batch.truncate(if one_at_a_time { 1 } else { fits.max(1) });
        let request = PushRequest {
            protocol: PROTOCOL,
            app_build: app_build(),
            schema_version: SCHEMA_VERSION,
            client_id: meta.client_id,
            epoch: meta.epoch.clone(),
            sent_at_ms: now_ms(),
            accept_gap_from: meta.accept_gap_from.take(),
            numbered_through: Some(meta.next_seq - 1),
            mutations: batch.clone(),
        };
        let answer: PushResponse = match post("/api/sync/push", &request).await {
            Ok(answer) => answer,
            Err(Failure::EpochChanged) => {
                // Restored from a backup: start the snapshot over (an empty epoch makes the server reset it)
                // and send again what this phone sent lately.
                requeue_receipts(store);
                meta.epoch.clear();
                meta.cursor = 0;
                let _ = store.set("meta", &*meta);
                pull_all(store, meta).await?;
                continue;
            }
            Err(Failure::Refused(_)) if batch.len() > 1 => {
                one_at_a_time = true;
                continue;
            }
            Err(Failure::Refused(status)) => {
                // This one entry is refused whatever happens: it goes to "needs attention" with the reason,
                // and the outbox moves on instead of retrying it for ever.
                let refused = Outcome::Rejected {
                    code: "request_refused".into(),
                    message: format!("HTTP {status}"),
                    fields: vec![],
                };
                if !settle(store, &batch[0], &refused, false, now_ms()) {
                    return Err(Stop::Transient);
                }
                continue;
            }
            Err(failure) => return Err(stop_for(failure)),
        };
        let now = now_ms();
        let mut progress = false;
        for result in &answer.results {
            let Some(mutation) = batch.iter().find(|m| m.id == result.id) else {
                continue;
            };
            progress |= settle(store, mutation, &result.outcome, result.duplicate, now);
        }
        if let Some(gap) = answer.gap {
            // Receipts fill a gap once (after a restore); a gap nothing here can fill is reported to the
            // server, which records it and goes on.
            if gaps_refilled.insert(gap.expected)
                && requeue_receipts_between(store, gap.expected, gap.got)
            {
                continue;
            }
            meta.accept_gap_from = Some(gap.expected);
            progress = true;
        }
        if !progress {
            // Nothing moved (every answer a repeat that could not be settled): stop instead of spinning.
            return Err(Stop::Transient);
        }
    }
}

/// Drops a row and, as its table declares, the rows that belong to it (a visit's sign-outs, a ticket's events
/// and photos).
fn remove_row(store: &Store, table: &str, id: Uuid) {
    store.remove(&format!("row.{table}.{id}"));
    let Some(spec) = super::job::table_of(super::job::installed(), table) else {
        return;
    };
    let parent = id.to_string();
    for (child, field) in spec.children {
        for key in store.keys(&format!("row.{child}.")) {
            let belongs = store.get::<serde_json::Value>(&key).is_some_and(|row| {
                row.get(*field).and_then(|v| v.as_str()) == Some(parent.as_str())
            });
            if belongs
                && let Some(child_id) = key
                    .rsplit('.')
                    .next()
                    .and_then(|id| Uuid::parse_str(id).ok())
            {
                remove_row(store, child, child_id);
            }
        }
    }
}

/// Takes an acknowledged (or refused) mutation out of the outbox; `false` if it had to stay (no room to keep
/// the reason a refused entry needs attention).
fn settle(
    store: &Store,
    mutation: &Mutation,
    outcome: &Outcome,
    duplicate: bool,
    now: i64,
) -> bool {
    let mut kept = mutation.clone();
    // The full ID number is not kept once the server has it: the receipt keeps its mask, enough to register the
    // visit again after a server restore.
    if let Some(object) = kept.args.as_object_mut()
        && let Some(number) = object
            .remove("id_number")
            .and_then(|n| n.as_str().map(str::to_owned))
        && !number.trim().is_empty()
    {
        let masked = crate::domain::visit::mask_id_number(
            &crate::domain::visit::normalize_id_number(&number),
        );
        object.insert("id_masked".into(), serde_json::Value::String(masked));
    }
    // A repeat's answer may be the first this phone hears of it (the first answer was lost), so a warning is
    // shown again rather than risk never showing it; the gate page hides one the guard already decided.
    let _ = duplicate;
    if !matches!(outcome, Outcome::Applied) {
        let attention = Attention {
            mutation: kept.clone(),
            outcome: outcome.clone(),
            at_ms: now,
        };
        if store
            .set(&format!("att.{}", mutation.id), &attention)
            .is_err()
        {
            return false;
        }
    }
    if matches!(outcome, Outcome::Rejected { .. }) {
        // A refused record's photos will never be taken: free their room (the entry itself stays in "needs
        // attention" with the reason).
        let photos = declared_photos(mutation);
        if let (false, Some(user)) = (photos.is_empty(), with_engine(|e| e.local.user_id())) {
            wasm_bindgen_futures::spawn_local(async move {
                for photo in photos {
                    super::photos::forget(user, photo).await;
                }
            });
        }
    }
    if !matches!(outcome, Outcome::Rejected { .. }) {
        // Best effort: a receipt only helps after a restore from backup.
        let _ = store.set(
            &format!("rcpt.{}", mutation.id),
            &Receipt {
                mutation: kept,
                acked_at_ms: now,
            },
        );
    }
    store.remove(&format!("out.{}", mutation.id));
    true
}

/// Puts every kept receipt back in the outbox (after a restore from backup).
fn requeue_receipts(store: &Store) {
    requeue_receipts_between(store, i64::MIN, i64::MAX);
}

/// Puts receipts with `from <= seq < to` back in the outbox; `true` if any was found.
fn requeue_receipts_between(store: &Store, from: i64, to: i64) -> bool {
    let mut found = false;
    for key in store.keys("rcpt.") {
        let Some(receipt) = store.get::<Receipt>(&key) else {
            continue;
        };
        if (from..to).contains(&receipt.mutation.seq) {
            let pending = Pending {
                saved_at_ms: receipt.mutation.client_time_ms,
                mutation: receipt.mutation,
                hold_until_ms: None,
            };
            if store
                .set(&format!("out.{}", pending.mutation.id), &pending)
                .is_ok()
            {
                store.remove(&key);
                found = true;
            }
        }
    }
    found
}

/// Drops the rows past their table's window (visits after a month, closed tickets after a month, checks after
/// their job's weeks), with the rows that belong to them: the server stops sending them but sends no deletion,
/// and a phone must not fill its storage with last year's records. Measured on the server's clock (the phone's
/// corrected by its measured skew), as the tables' times are the server's.
fn prune_expired(store: &Store, clock_skew_ms: i64) {
    let now = now_ms() - clock_skew_ms;
    for table in super::job::installed().iter().flat_map(|job| job.tables) {
        if table.keep == super::job::Keep::Always {
            continue;
        }
        for key in store.keys(&format!("row.{}.", table.name)) {
            let expired = store
                .get::<serde_json::Value>(&key)
                .is_some_and(|row| table.keep.expired(&row, now));
            if expired
                && let Some(id) = key
                    .rsplit('.')
                    .next()
                    .and_then(|id| Uuid::parse_str(id).ok())
            {
                remove_row(store, table.name, id);
            }
        }
    }
}

fn trim_receipts(store: &Store) {
    let too_old = now_ms() - RECEIPT_DAYS * DAY_MS;
    for key in store.keys("rcpt.") {
        if store
            .get::<Receipt>(&key)
            .is_none_or(|r| r.acked_at_ms < too_old)
        {
            store.remove(&key);
        }
    }
}
