//! `/sw.js`: the service worker that lets an installed app open with no network.
//!
//! Its precache list is generated from the built files in `/pkg` (the wasm, js and css cargo-leptos wrote,
//! under their hashed names when `hash-files` is on) plus the manifest and icons, and its version is a hash of
//! their contents. So a new build is a new worker: the browser installs it beside the old one and it takes over
//! on the next start. The outbox lives in localStorage, which a worker update never touches.
//!
//! `/offline-shell` is the page the worker answers a navigation with when the network is gone and it holds no
//! copy of that page: it loads the same wasm and calls its `mount` export, which renders the route from the
//! phone's own data (no server HTML to hydrate, so nothing can mismatch).

use crate::server::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const TEMPLATE: &str = include_str!("service_worker.js");
const PUBLIC_FILES: &[&str] = &[
    "/manifest.webmanifest",
    "/icons/icon.svg",
    "/icons/icon-192.png",
];

pub const SHELL_PATH: &str = "/offline-shell";

static SCRIPT: OnceLock<String> = OnceLock::new();
static SHELL: OnceLock<String> = OnceLock::new();

/// The offline shell: the app's head, and a script that starts the wasm with `mount` instead of `hydrate`.
pub async fn shell(State(state): State<AppState>) -> Response {
    generated(&SHELL, "text/html; charset=utf-8", || {
        shell_page(&state.leptos_options)
    })
}

/// A file made once from the build and served with `no-cache`: the browser checks the worker and the shell on
/// every start, so neither may come from a stale cache.
fn generated(
    cell: &'static OnceLock<String>,
    content_type: &'static str,
    make: impl FnOnce() -> String,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        cell.get_or_init(make).clone(),
    )
        .into_response()
}

fn shell_page(options: &leptos::config::LeptosOptions) -> String {
    let files = built_files(options);
    // The app's own files (`houqin.js`, or `houqin.<hash>.js` with hashed names), not the loader of the pieces.
    let main = format!("/{}/{}.", options.site_pkg_dir, options.output_name);
    let pick = |ext: &str| {
        files
            .iter()
            .find(|f| f.starts_with(&main) && f.ends_with(ext))
            .cloned()
            .unwrap_or_default()
    };
    let (js, wasm, css) = (pick(".js"), pick(".wasm"), pick(".css"));
    format!(
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"><meta name="theme-color" content="#0f5f58"><link rel="manifest" href="/manifest.webmanifest"><link rel="icon" href="/icons/icon.svg" type="image/svg+xml"><link rel="stylesheet" href="{css}"><title>后勤</title></head><body><script type="module">import init, {{ mount }} from "{js}"; init({{ module_or_path: "{wasm}" }}).then(() => mount());</script></body></html>"##
    )
}

/// Whether a built file is a piece of the wasm split off for one job's pages (`cargo leptos build --split`
/// writes `split_<name>.wasm` and, for code several pieces share, `chunk_<n>.wasm`). The worker keeps those
/// with the pages that name them, not at install.
fn is_piece(name: &str) -> bool {
    name.starts_with("split_") || name.starts_with("chunk_")
}

/// The built wasm, js and css under `/pkg`, as absolute paths, sorted.
fn built_files(options: &leptos::config::LeptosOptions) -> Vec<String> {
    let site_root = std::path::Path::new(options.site_root.as_ref());
    let pkg = site_root.join(options.site_pkg_dir.as_ref());
    let mut files: Vec<String> = std::fs::read_dir(&pkg)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| {
                    [".wasm", ".js", ".css"]
                        .iter()
                        .any(|ext| name.ends_with(ext))
                })
                .map(|name| format!("/{}/{name}", options.site_pkg_dir))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

pub async fn script(State(state): State<AppState>) -> Response {
    generated(&SCRIPT, "text/javascript; charset=utf-8", || {
        build(&state.leptos_options)
    })
}

fn build(options: &leptos::config::LeptosOptions) -> String {
    let site_root = std::path::Path::new(options.site_root.as_ref());
    let files = built_files(options);
    let mut hasher = Sha256::new();
    for file in files
        .iter()
        .map(String::as_str)
        .chain(PUBLIC_FILES.iter().copied())
    {
        hasher.update(file.as_bytes());
        let on_disk = site_root.join(file.trim_start_matches('/'));
        if let Ok(bytes) = std::fs::read(on_disk) {
            hasher.update(&bytes);
        }
    }
    hasher.update(TEMPLATE.as_bytes());
    let version = &hex::encode(hasher.finalize())[..16];
    // Every page needs these; a job's pieces are kept with its pages (the worker's `keepPageWithItsCode`).
    let (pieces, mut files): (Vec<String>, Vec<String>) = files
        .into_iter()
        .partition(|file| file.rsplit('/').next().is_some_and(is_piece));
    files.extend(PUBLIC_FILES.iter().map(|f| (*f).to_owned()));
    files.push(SHELL_PATH.to_owned());
    let list = serde_json::to_string(&files).unwrap_or_else(|_| "[]".into());
    let plain = serde_json::to_string(crate::app::PLAIN_PAGES).unwrap_or_else(|_| "[]".into());
    let pieces = serde_json::to_string(&pieces).unwrap_or_else(|_| "[]".into());
    TEMPLATE
        .replace("\"__VERSION__\"", &format!("\"{version}\""))
        .replace("\"__SHELL__\"", &format!("\"{SHELL_PATH}\""))
        .replace("[/*__PRECACHE__*/]", &list)
        .replace("[/*__PLAIN__*/]", &plain)
        .replace("[/*__PIECES__*/]", &pieces)
}
