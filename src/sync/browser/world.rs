//! What starts a sync round besides a save (coming online, focus, the server's hint, another tab), the
//! browser's persistent storage, the service worker, and one sync at a time across tabs (a Web Lock).

use super::*;

pub(super) fn listen_to_the_world() {
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
pub(super) fn listen_for_hints(failures: u32) {
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

pub(super) fn ask_for_persistent_storage(local: LocalData) {
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
pub(super) fn controlling_worker() -> Option<web_sys::ServiceWorker> {
    worker_container()?.controller()
}

fn worker_container() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let container = js_sys::Reflect::get(&navigator, &"serviceWorker".into()).ok()?;
    if container.is_undefined() || container.is_null() {
        return None;
    }
    Some(container.unchecked_into())
}

/// Asks the service worker to keep these pages (the signed-in user's: `components::pages_for`), and with them the pieces of the wasm their jobs need, so
/// the installed app opens offline. On a first visit the worker takes over the page a moment after it starts,
/// and a new version of the worker (a new build, whose cache starts empty) takes over later: both times the
/// pages are kept again.
pub fn keep_pages_for_offline(pages: Vec<&'static str>, all_code: bool) {
    KEPT_PAGES.replace(pages);
    KEEP_ALL_CODE.set(all_code);
    ask_to_keep_pages();
    if let Some(container) = worker_container()
        && !LISTENING_FOR_A_NEW_WORKER.replace(true)
    {
        let again = Closure::<dyn Fn()>::new(ask_to_keep_pages);
        let _ = container
            .add_event_listener_with_callback("controllerchange", again.as_ref().unchecked_ref());
        again.forget();
    }
}

thread_local! {
    static KEPT_PAGES: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    static KEEP_ALL_CODE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static LISTENING_FOR_A_NEW_WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn ask_to_keep_pages() {
    let Some(worker) = controlling_worker() else {
        return;
    };
    let paths = js_sys::Array::new();
    KEPT_PAGES.with_borrow(|pages| {
        for path in pages {
            paths.push(&JsValue::from_str(path));
        }
    });
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"keep_pages".into());
    let _ = js_sys::Reflect::set(&message, &"paths".into(), &paths);
    let _ = js_sys::Reflect::set(&message, &"all_code".into(), &KEEP_ALL_CODE.get().into());
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

pub(super) async fn sleep(ms: u64) {
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
pub(super) async fn with_tab_lock<T: 'static>(
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
