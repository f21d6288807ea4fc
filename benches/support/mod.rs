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
