//! Photo upload benchmark (run by `bench/photos`; prints figures, asserts nothing): twenty phones upload one photo
//! each at the same time to the release server binary, started as its own process, for photos of 0.3, 3 and
//! 6 MB. Prints the wall time, the throughput, and the server's resident memory before and at its peak, so one
//! can see whether memory grows with the size of the files (it should not: uploads are streamed to disk).

use houqin::domain::photo::PhotoRef;
use houqin::domain::sync::{Mutation, PROTOCOL, SCHEMA_VERSION};
use houqin::domain::ticket::{Category, REPORT, ReportArgs, Urgency};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[path = "support/mod.rs"]
mod support;

use support::{ReleaseServer, rss_mb, signed_in};

const PHONES: usize = 20;

async fn sync(client: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    client
        .post(format!("{base}/api/sync/{path}"))
        .json(&body)
        .send()
        .await
        .expect("sync answers")
        .json()
        .await
        .expect("json")
}

/// Bytes that pass for a JPEG, different for each photo.
fn photo(size: usize, seed: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..size - 4).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 ^ seed as u8));
    bytes
}

/// A phone signed in once, with its outbox namespace and the epoch and a place from its first pull.
struct PhonePlace {
    client: reqwest::Client,
    client_id: Uuid,
    epoch: Value,
    place: String,
    next_seq: i64,
}

async fn phone(base: &str) -> PhonePlace {
    let client = signed_in(base, "jiaozhigong").await;
    let client_id = Uuid::now_v7();
    let first = sync(&client, base, "pull", json!({ "protocol": PROTOCOL, "app_build": "bench",
        "schema_version": SCHEMA_VERSION, "client_id": client_id, "epoch": "", "cursor": 0, "scope": "" }))
    .await;
    let place = first["ops"]
        .as_array()
        .and_then(|ops| ops.iter().find(|op| op["table"] == "places"))
        .and_then(|op| op["id"].as_str())
        .expect("a place")
        .to_owned();
    PhonePlace {
        client,
        client_id,
        epoch: first["epoch"].clone(),
        place,
        next_seq: 1,
    }
}

/// Reports a ticket declaring one photo of `size` bytes; answers the photo id and its bytes.
async fn declare(base: &str, phone: &mut PhonePlace, size: usize, seed: usize) -> (Uuid, Vec<u8>) {
    let bytes = photo(size, seed);
    let reference = PhotoRef {
        id: Uuid::now_v7(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        size: bytes.len() as i64,
    };
    let args = ReportArgs {
        ticket_id: Uuid::now_v7(),
        place_id: phone.place.parse().expect("uuid"),
        category: Category::Building,
        urgency: Urgency::Normal,
        description: "墙皮脱落".into(),
        photos: vec![reference.clone()],
        reported_at_ms: houqin::server::db::now_ms(),
    };
    let mutation = Mutation {
        id: Uuid::now_v7(),
        seq: phone.next_seq,
        name: REPORT.into(),
        args: serde_json::to_value(args).expect("args"),
        client_time_ms: houqin::server::db::now_ms(),
    };
    phone.next_seq += 1;
    let answer = sync(
        &phone.client,
        base,
        "push",
        json!({ "protocol": PROTOCOL, "app_build": "bench",
        "schema_version": SCHEMA_VERSION, "client_id": phone.client_id, "epoch": phone.epoch,
        "sent_at_ms": houqin::server::db::now_ms(), "mutations": [mutation] }),
    )
    .await;
    assert_eq!(
        answer["results"][0]["outcome"]["status"], "applied",
        "{answer}"
    );
    (reference.id, bytes)
}

/// Uploads one photo; answers how long it took.
async fn upload(base: String, client: reqwest::Client, id: Uuid, bytes: Vec<u8>) -> Duration {
    let started = Instant::now();
    let response = client
        .put(format!("{base}/api/photos/{id}"))
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status().as_u16(), 201, "stored");
    started.elapsed()
}

async fn round(base: &str, pid: u32, phones: &mut [PhonePlace], size: usize) {
    let mut uploads = Vec::new();
    for (n, phone) in phones.iter_mut().enumerate() {
        let (id, bytes) = declare(base, phone, size, n).await;
        uploads.push((phone.client.clone(), id, bytes));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_mb(pid);
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = watching.clone();
    let watcher = tokio::spawn(async move {
        let mut peak: f64 = 0.0;
        while flag.load(std::sync::atomic::Ordering::Relaxed) {
            peak = peak.max(rss_mb(pid));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        peak
    });
    let started = Instant::now();
    let tasks: Vec<_> = uploads
        .into_iter()
        .map(|(client, id, bytes)| tokio::spawn(upload(base.to_owned(), client, id, bytes)))
        .collect();
    let mut slowest = Duration::ZERO;
    for task in tasks {
        slowest = slowest.max(task.await.expect("phone"));
    }
    let wall = started.elapsed();
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    let peak = watcher.await.unwrap_or(0.0);
    let megabytes = (size * PHONES) as f64 / 1_048_576.0;
    println!(
        "{PHONES} concurrent uploads of {:.1} MB: {:.2} s in all (slowest upload {:.2} s), {:.1} MB/s; server memory {:.1} MB before, {:.1} MB peak (+{:.1} MB)",
        size as f64 / 1_048_576.0,
        wall.as_secs_f64(),
        slowest.as_secs_f64(),
        megabytes / wall.as_secs_f64(),
        before,
        peak,
        peak - before,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = ReleaseServer::start(3021).await;
        let base = server.base.clone();
        // Twenty phones signed in once (signing in hashes a password with Argon2, 19 MB each, which the
        // allocator keeps), a warm-up round, then the three sizes.
        let mut phones = Vec::new();
        for _ in 0..PHONES {
            phones.push(phone(&base).await);
        }
        println!(
            "server memory after {PHONES} sign-ins: {:.1} MB",
            rss_mb(server.pid())
        );
        round(&base, server.pid(), &mut phones, 300 * 1024).await;
        for size in [300 * 1024, 3 * 1024 * 1024, 6 * 1024 * 1024] {
            round(&base, server.pid(), &mut phones, size).await;
        }
    });
}
