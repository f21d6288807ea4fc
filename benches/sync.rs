//! Sync benchmarks (run by `bench/sync`; prints figures, asserts nothing):
//!
//! 1. push throughput on SQLite (durable, synchronous=FULL, and NORMAL beside it for what durability costs) and on PostgreSQL, batches of 100 visitor registrations through the real HTTP
//!    route, against a raw batched INSERT of the same rows into the same table in the same run;
//! 2. 200 simulated phones pushing and pulling for `BENCH_SECONDS` (default 60) against the release server
//!    binary started as its own process: request latency p50/p99, errors, and the server's memory.
//!
//! PostgreSQL is reached at `HOUQIN_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`).

use houqin::domain::sync::{Mutation, PROTOCOL, SCHEMA_VERSION};
use houqin::domain::visit::SIGN_IN;
use houqin::server::config::Config;
use houqin::server::db::{Synchronous, now_ms};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[path = "support/mod.rs"]
mod support;

use support::{ReleaseServer, rss_mb, serve, signed_in, visit_args};

const BATCH: usize = 100;
const ROWS: usize = 5_000;

fn config(data_dir: std::path::PathBuf, database_url: String) -> Config {
    support::demo_config(&data_dir, &database_url)
}

async fn pull(
    client: &reqwest::Client,
    base: &str,
    client_id: Uuid,
    epoch: &str,
    cursor: i64,
) -> Value {
    client
        .post(format!("{base}/api/sync/pull"))
        .json(
            &json!({ "protocol": PROTOCOL, "app_build": "bench", "schema_version": SCHEMA_VERSION,
            "client_id": client_id, "epoch": epoch, "cursor": cursor, "scope": "" }),
        )
        .send()
        .await
        .expect("pull")
        .json()
        .await
        .expect("pull json")
}

async fn push_throughput(
    label: &str,
    database_url: String,
    data_dir: std::path::PathBuf,
    synchronous: Synchronous,
) {
    let mut config = config(data_dir, database_url);
    config.sqlite_synchronous = synchronous;
    let (base, db) = serve(config).await;
    let client = signed_in(&base, "menwei").await;
    let client_id = Uuid::now_v7();
    let first = pull(&client, &base, client_id, "", 0).await;
    let epoch = first["epoch"].as_str().unwrap_or_default().to_owned();
    let host: Uuid =
        sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE username = 'zhuren'")
            .fetch_one(&db.pool)
            .await
            .expect("host")
            .parse()
            .expect("uuid");
    let registered_by: String =
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'menwei'")
            .fetch_one(&db.pool)
            .await
            .expect("guard");

    // Through the sync route: validation, hashing, receipts, one transaction per batch.
    let mut seq = 0;
    let started = Instant::now();
    for chunk in 0..ROWS / BATCH {
        let mutations: Vec<Mutation> = (0..BATCH)
            .map(|i| {
                seq += 1;
                Mutation {
                    id: Uuid::now_v7(),
                    seq,
                    name: SIGN_IN.into(),
                    args: serde_json::to_value(visit_args(host, chunk * BATCH + i)).expect("args"),
                    client_time_ms: now_ms(),
                }
            })
            .collect();
        let answer: Value = client
            .post(format!("{base}/api/sync/push"))
            .json(&json!({ "protocol": PROTOCOL, "app_build": "bench", "schema_version": SCHEMA_VERSION,
                "client_id": client_id, "epoch": epoch, "sent_at_ms": now_ms(), "mutations": mutations }))
            .send()
            .await
            .expect("push")
            .json()
            .await
            .expect("push json");
        assert_eq!(
            answer["results"].as_array().map(Vec::len),
            Some(BATCH),
            "{answer}"
        );
    }
    let synced = started.elapsed();

    // The same rows by a raw batched INSERT: 100 rows per statement, one transaction per batch.
    let started = Instant::now();
    for chunk in 0..ROWS / BATCH {
        let mut sql = String::from(
            "INSERT INTO visits (id, visitor_name, phone, id_masked, id_hash, id_type, organisation, host_user_id, \
             reason, party_size, time_in, registered_by, received_at, clock_skew_ms, version) VALUES ",
        );
        for i in 0..BATCH {
            let p = i * 8;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, '1101**********002X', 'h', 'resident_card', '市教育局', ${}, '检查', 1, ${}, ${}, ${}, 0, ${})",
                p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8
            ));
        }
        let mut query = sqlx::query(&sql);
        for i in 0..BATCH {
            let args = visit_args(host, chunk * BATCH + i);
            query = query
                .bind(args.visit_id.to_string())
                .bind(args.visitor_name)
                .bind(args.phone)
                .bind(host.to_string())
                .bind(args.time_in_ms)
                .bind(registered_by.clone())
                .bind(now_ms())
                .bind(0_i64);
        }
        let mut tx = db.begin_write().await.expect("begin");
        query.execute(&mut *tx).await.expect("raw insert");
        tx.commit().await.expect("commit");
    }
    let raw = started.elapsed();
    let rate = |d: Duration| ROWS as f64 / d.as_secs_f64();
    println!(
        "{label}: push {:.0} rows/s ({ROWS} rows in {:.2} s), raw batched INSERT {:.0} rows/s ({:.2} s): push is {:.0} % of raw (goal >= 50 %)",
        rate(synced),
        synced.as_secs_f64(),
        rate(raw),
        raw.as_secs_f64(),
        100.0 * rate(synced) / rate(raw)
    );
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// 200 phones, each a loop of: register a visitor, push, pull, wait 0.5–1.5 s. Bounded: at most one request
/// per phone in flight, so the load is what 200 guards' phones could make, not an unbounded flood.
async fn load(seconds: u64) {
    let server = ReleaseServer::start(3020).await;
    let base = server.base.clone();
    let rss_before = server.rss_mb();
    let guards = ["menwei", "menwei2", "zhuren"];
    let mut phones = Vec::new();
    for n in 0..200 {
        phones.push(signed_in(&base, guards[n % guards.len()]).await);
    }
    let host: Uuid = {
        let first = pull(&phones[2], &base, Uuid::now_v7(), "", 0).await;
        first["ops"]
            .as_array()
            .and_then(|ops| ops.iter().find(|op| op["table"] == "people"))
            .and_then(|op| op["id"].as_str())
            .and_then(|id| id.parse().ok())
            .expect("a host")
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (n, client) in phones.into_iter().enumerate() {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client_id = Uuid::now_v7();
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut seq = 0;
            let mut cursor = 0;
            let mut epoch = String::new();
            // The scope the server answered, sent back as a phone does: a stale one starts the snapshot over on
            // every pull (this load once measured that instead of the sync).
            let mut scope = String::new();
            let mut ops = 0u64;
            let mut resets = 0u64;
            let mut step = 0u64;
            while Instant::now() < deadline {
                seq += 1;
                let mutation = Mutation {
                    id: Uuid::now_v7(),
                    seq,
                    name: SIGN_IN.into(),
                    args: serde_json::to_value(visit_args(host, n * 100_000 + seq as usize)).expect("args"),
                    client_time_ms: now_ms(),
                };
                let started = Instant::now();
                let pushed = client
                    .post(format!("{base}/api/sync/push"))
                    .json(&json!({ "protocol": PROTOCOL, "app_build": "bench", "schema_version": SCHEMA_VERSION,
                        "client_id": client_id, "epoch": epoch, "sent_at_ms": now_ms(), "numbered_through": seq,
                        "mutations": [mutation] }))
                    .send()
                    .await;
                match pushed {
                    Ok(r) if r.status().is_success() => latencies.push(started.elapsed()),
                    Ok(r) if r.status().as_u16() == 409 => {
                        // First push of this phone: learn the epoch, try the same mutation again.
                        seq -= 1;
                        latencies.push(started.elapsed());
                    }
                    _ => errors += 1,
                }
                let started = Instant::now();
                let page = client
                    .post(format!("{base}/api/sync/pull"))
                    .json(&json!({ "protocol": PROTOCOL, "app_build": "bench", "schema_version": SCHEMA_VERSION,
                        "client_id": client_id, "epoch": epoch, "cursor": cursor, "scope": scope,
                        "numbered_through": seq }))
                    .send()
                    .await;
                match page {
                    Ok(r) if r.status().is_success() => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        latencies.push(started.elapsed());
                        cursor = body["cursor"].as_i64().unwrap_or(cursor);
                        epoch = body["epoch"].as_str().unwrap_or_default().to_owned();
                        if body["reset"] == true && !scope.is_empty() {
                            resets += 1;
                        }
                        scope = body["scope"].as_str().unwrap_or_default().to_owned();
                        ops += body["ops"].as_array().map_or(0, |o| o.len() as u64);
                    }
                    _ => errors += 1,
                }
                step += 1;
                let pause = 500 + (n as u64 * 7919 + step * 104_729) % 1000;
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            (latencies, errors, ops, resets, step)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut peak_rss: f64 = 0.0;
    let pid = server.pid();
    let watcher = tokio::spawn(async move {
        let mut peak: f64 = 0.0;
        while Instant::now() < deadline {
            peak = peak.max(rss_mb(pid));
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        peak
    });
    let (mut ops, mut resets, mut pulls) = (0, 0, 0);
    for task in tasks {
        let (l, e, o, r, p) = task.await.expect("phone task");
        latencies.extend(l);
        errors += e;
        ops += o;
        resets += r;
        pulls += p;
    }
    peak_rss = peak_rss.max(watcher.await.unwrap_or(0.0));
    latencies.sort();
    let total = latencies.len() as u64 + errors;
    println!(
        "200 phones for {seconds} s (SQLite, release server): {} requests ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, errors {errors} (goal p99 <= 100 ms, no errors); server memory {:.1} MB before, {:.1} MB peak",
        total,
        total as f64 / seconds as f64,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        rss_before,
        peak_rss,
    );
    println!(
        "  {:.1} changes per pull on average; {resets} snapshots started over after the first pull (must be 0)",
        ops as f64 / pulls.max(1) as f64
    );
    drop(server);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let sqlite = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        push_throughput(
            "SQLite (synchronous=FULL, durable: the default)",
            sqlite,
            dir.path().to_owned(),
            Synchronous::Full,
        )
        .await;
        // What durability costs, in the same run: the same push with commits synced only at checkpoints.
        let normal_dir = tempfile::tempdir().expect("temp dir");
        let normal = format!(
            "sqlite://{}?mode=rwc",
            normal_dir.path().join("bench.db").display()
        );
        push_throughput(
            "SQLite (synchronous=NORMAL, for comparison)",
            normal,
            normal_dir.path().to_owned(),
            Synchronous::Normal,
        )
        .await;

        use sqlx::Connection;
        let admin = std::env::var("HOUQIN_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("houqin_bench_{}", Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create");
        let url = format!(
            "{}/{name}",
            admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b)
        );
        let pg_dir = tempfile::tempdir().expect("temp dir");
        push_throughput(
            "PostgreSQL",
            url,
            pg_dir.path().to_owned(),
            Synchronous::Full,
        )
        .await;
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;

        let seconds = std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(60);
        load(seconds).await;
    });
}
