//! What the benchmarks share: the release server started as its own process, its memory, and signed-in clients.

#![allow(dead_code)]

use serde_json::json;
use std::time::Duration;

/// The release binary (`target/release/houqin`, built by `cargo leptos build --release`) on a demo school in a
/// temporary folder. Killed when dropped.
pub struct ReleaseServer {
    pub base: String,
    process: std::process::Child,
    _data: tempfile::TempDir,
}

impl ReleaseServer {
    pub async fn start(port: u16) -> ReleaseServer {
        let data = tempfile::tempdir().expect("temp dir");
        let process = std::process::Command::new("target/release/houqin")
            .env("HOUQIN_DEMO", "1")
            .env("HOUQIN_DATA_DIR", data.path())
            .env("HOUQIN_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("start target/release/houqin (run `cargo leptos build --release` first)");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{base}/healthz"))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ReleaseServer {
            base,
            process,
            _data: data,
        }
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// The server's resident memory now, in MB.
    pub fn rss_mb(&self) -> f64 {
        rss_mb(self.pid())
    }
}

impl Drop for ReleaseServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The resident memory of a process, in MB (0 if it cannot be read).
pub fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// An HTTP client signed in as a demo user, with its session cookie.
pub async fn signed_in(base: &str, username: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let response = client
        .post(format!("{base}/api/auth/sign_in"))
        .header("Accept", "application/json")
        .json(&json!({ "username": username, "password": houqin::server::demo::DEMO_PASSWORD }))
        .send()
        .await
        .expect("sign in");
    assert!(response.status().is_success(), "sign in as {username}");
    client
}

/// A demo server's configuration on `data_dir` and `database_url`, with every other setting at the default the
/// server itself reads (`Config::from_vars`), so a bench never drifts from a real start.
pub fn demo_config(
    data_dir: &std::path::Path,
    database_url: &str,
) -> houqin::server::config::Config {
    let data_dir = data_dir.display().to_string();
    houqin::server::config::Config::from_vars(|name| match name {
        "HOUQIN_DEMO" => Some("true".into()),
        "HOUQIN_DATA_DIR" => Some(data_dir.clone()),
        "HOUQIN_DATABASE_URL" => Some(database_url.to_owned()),
        _ => None,
    })
    .expect("bench configuration")
}

/// The app served in this process on a loopback port: its address and its database.
pub async fn serve(config: houqin::server::config::Config) -> (String, houqin::server::db::Db) {
    let options = leptos::config::LeptosOptions::builder()
        .output_name("houqin")
        .build();
    let state = houqin::server::open(config, options)
        .await
        .expect("server opens");
    let db = state.db.clone();
    let app = houqin::server::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), db)
}

/// The `n`th made-up visitor, received by `host`.
pub fn visit_args(host: uuid::Uuid, n: usize) -> houqin::domain::visit::SignInArgs {
    use houqin::domain::visit::{IdType, SignInArgs};
    SignInArgs {
        visit_id: uuid::Uuid::now_v7(),
        visitor_name: format!("访客{n}"),
        phone: format!("139{n:08}"),
        id_type: IdType::ResidentCard,
        id_number: "11010519491231002X".into(),
        id_from_visit: None,
        id_masked: None,
        id_sealed: None,
        organisation: "市教育局".into(),
        host_user_id: Some(host),
        host_place_id: None,
        reason: "检查".into(),
        party_size: 1,
        plate: String::new(),
        time_in_ms: houqin::server::db::now_ms(),
        gate_id: None,
    }
}
