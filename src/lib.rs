//! Houqin 后勤: the logistics office's phone app for a primary school.
//!
//! One crate compiled twice: with `ssr` it is the axum server (see `server`), with `hydrate` the wasm that takes
//! over the server-rendered page. The module map is the architecture:

// Leptos views nest deeply in their types; the release build needs more room than the default 128.
#![recursion_limit = "256"]

pub mod app;
/// App-wide building blocks that know no feature: layout, form fields, error messages.
pub mod components;
/// The campus model and its rules, shared by server and browser, no IO.
pub mod domain;
pub mod error;
/// One folder per job or area: pages, server functions and (server only) SQL together.
pub mod features;
/// The list of jobs, given to the engine at start.
pub mod jobs;
/// Process wiring: configuration, database, state, router, demo data. Never compiled to wasm.
#[cfg(feature = "ssr")]
pub mod server;
/// The offline sync engine: the phone's outbox, snapshot and loop, and the server's push and pull.
pub mod sync;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Takes over the page the server rendered.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    sync::job::install(jobs::ALL);
    // A job's page is a piece of the wasm of its own (`components::lazy_pages`): hydration waits for it (the
    // page's HTML asked for it first thing), so the page is interactive once it has arrived.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        started();
    });
}

/// Renders the page from nothing, from the phone's own data: what the service worker's offline shell calls when
/// the network is gone and it holds no copy of the page (a QR label never opened on this phone). No server
/// HTML is hydrated, so nothing from another page can mismatch.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount() {
    console_error_panic_hook::set_once();
    sync::job::install(jobs::ALL);
    leptos::mount::mount_to_body(app::App);
    started();
}

#[cfg(feature = "hydrate")]
fn started() {
    sync::browser::register_service_worker();
    // Lets end-to-end tests (and curious people) know the page is interactive.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__houqin_hydrated".into(), &true.into());
    }
}
