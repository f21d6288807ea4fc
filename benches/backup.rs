//! A term's backup (run by `bench/backup`; prints figures, asserts nothing): a demo school given a term of gate
//! visits (6,000, pushed through the real sync route as the guard's phone sends them) and 400 photos of 150 KB
//! (the repair and cleaning photos of a term), on SQLite and PostgreSQL: the time and size of `backup::take`
//! while the server runs, and of `backup::restore` onto a new machine.
//!
//! PostgreSQL is reached at `HOUQIN_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`).

use houqin::domain::sync::{Mutation, PROTOCOL, SCHEMA_VERSION};
use houqin::domain::visit::SIGN_IN;
use houqin::server::backup::{self, RestoreOptions};
use houqin::server::db::now_ms;
use serde_json::{Value, json};
use std::time::Instant;
use uuid::Uuid;

#[path = "support/mod.rs"]
mod support;

use support::{demo_config, serve, signed_in, visit_args};

const VISITS: usize = 6_000;
const PHOTOS: usize = 400;
const PHOTO_BYTES: usize = 150_000;

async fn term_backup(
    label: &str,
    data_dir: &std::path::Path,
    database_url: String,
    target_url: String,
) {
    let config = demo_config(data_dir, &database_url);
    let (base, db) = serve(config.clone()).await;
    let client = signed_in(&base, "menwei").await;
    let host: Uuid =
        sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE username = 'zhuren'")
            .fetch_one(&db.pool)
            .await
            .expect("host")
            .parse()
            .expect("uuid");
    let client_id = Uuid::now_v7();
    let first: Value = client
        .post(format!("{base}/api/sync/pull"))
        .json(
            &json!({ "protocol": PROTOCOL, "app_build": "bench", "schema_version": SCHEMA_VERSION,
            "client_id": client_id, "epoch": "", "cursor": 0, "scope": "" }),
        )
        .send()
        .await
        .expect("pull")
        .json()
        .await
        .expect("pull json");
    let epoch = first["epoch"].as_str().unwrap_or_default().to_owned();
    for chunk in 0..VISITS / 100 {
        let mutations: Vec<Mutation> = (0..100)
            .map(|i| Mutation {
                id: Uuid::now_v7(),
                seq: (chunk * 100 + i + 1) as i64,
                name: SIGN_IN.into(),
                args: serde_json::to_value(visit_args(host, chunk * 100 + i)).expect("args"),
                client_time_ms: now_ms(),
            })
            .collect();
        client
            .post(format!("{base}/api/sync/push"))
            .json(&json!({ "protocol": PROTOCOL, "app_build": "bench", "schema_version": SCHEMA_VERSION,
                "client_id": client_id, "epoch": epoch, "sent_at_ms": now_ms(), "mutations": mutations }))
            .send()
            .await
            .expect("push");
    }
    // Photos as the server keeps them: photos/<first two hex digits>/<id>.
    let mut seed = 1u64;
    for _ in 0..PHOTOS {
        let name = Uuid::now_v7().simple().to_string();
        let folder = data_dir.join("photos").join(&name[..2]);
        std::fs::create_dir_all(&folder).expect("photo folder");
        let bytes: Vec<u8> = (0..PHOTO_BYTES)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 56) as u8
            })
            .collect();
        std::fs::write(folder.join(&name), bytes).expect("photo");
    }
    let archives = tempfile::tempdir().expect("temp dir");
    let taken = backup::take(&db, &config, archives.path())
        .await
        .expect("backup");
    let rows: i64 = taken.manifest.rows.values().sum();
    println!(
        "{label}: backup of {} visits, {rows} rows in all, {} photos: {:.2} s, {:.1} MB (database {:.1} MB)",
        taken.manifest.rows["visits"],
        taken.manifest.photos.len(),
        taken.took.as_secs_f64(),
        taken.bytes as f64 / 1e6,
        taken.manifest.database.bytes as f64 / 1e6,
    );
    let target = tempfile::tempdir().expect("temp dir");
    let target_url = if target_url.is_empty() {
        format!(
            "sqlite://{}?mode=rwc",
            target.path().join("houqin.db").display()
        )
    } else {
        target_url
    };
    let started = Instant::now();
    backup::restore(
        &demo_config(target.path(), &target_url),
        &taken.path,
        RestoreOptions::default(),
    )
    .await
    .expect("restore");
    println!(
        "{label}: restore onto a new machine (checked, unpacked, migrated, new epoch): {:.2} s",
        started.elapsed().as_secs_f64()
    );
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
            dir.path().join("houqin.db").display()
        );
        term_backup("SQLite", dir.path(), sqlite, String::new()).await;

        use sqlx::Connection;
        let admin = std::env::var("HOUQIN_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL");
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(b, _)| b)
            .to_owned();
        let names = [0, 1].map(|_| format!("houqin_bench_{}", Uuid::now_v7().simple()));
        for name in &names {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create");
        }
        let pg_dir = tempfile::tempdir().expect("temp dir");
        term_backup(
            "PostgreSQL",
            pg_dir.path(),
            format!("{base}/{}", names[0]),
            format!("{base}/{}", names[1]),
        )
        .await;
        for name in &names {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    });
}
