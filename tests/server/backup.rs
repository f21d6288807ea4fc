//! Backups and restores on SQLite and PostgreSQL: a backup taken while a phone pushes, more pushed after it, the
//! restore onto a new machine, and the phones coming back: nothing lost, nothing doubled, photos included. And the
//! archives and places a restore refuses, changing nothing.

use crate::harness::{Location, TestApp, both};
use crate::phone::{Phone, assert_ledger};
use crate::tickets::{jpeg, photo_ref, put_photo, report};
use houqin::domain::ticket::Category;
use houqin::server::backup::{self, BackupError, Manifest, RestoreOptions};
use reqwest::StatusCode;
use std::path::{Path, PathBuf};

async fn a_restored_backup_loses_nothing_and_doubles_nothing(app: TestApp) {
    let backend = if app.database_url.starts_with("sqlite:") {
        crate::harness::Backend::Sqlite
    } else {
        crate::harness::Backend::Postgres
    };
    let mut gate_a = Phone::new(&app, "menwei").await;
    let mut gate_b = Phone::new(&app, "menwei2").await;
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    for n in 0..3 {
        gate_a.register(&format!("备份前甲{n}"));
    }
    gate_b.register("备份前乙");
    let photo = jpeg(40_000, 3);
    let photo_ref = photo_ref(&photo);
    let ticket = report(&mut teacher, Category::Electrical, vec![photo_ref.clone()]);
    teacher.settle_all().await;
    assert_eq!(
        put_photo(&teacher, photo_ref.id, photo.clone()).await.0,
        StatusCode::CREATED
    );
    gate_a.settle_all().await;
    gate_b.settle_all().await;

    // The backup is taken while the other guard goes on registering.
    let archives = tempfile::tempdir().unwrap();
    let config = app.config();
    let (taken, ()) = tokio::join!(backup::take(&app.db, &config, archives.path()), async {
        for n in 0..4 {
            gate_b.register(&format!("备份中乙{n}"));
            gate_b.settle_all().await;
        }
    });
    let taken = taken.expect("backup taken while the server runs");
    let manifest = &taken.manifest;
    assert_eq!(manifest.photos.len(), 1, "{manifest:?}");
    assert!(manifest.rows["visits"] >= 4, "{:?}", manifest.rows);
    assert_eq!(manifest.rows["tickets"], 1);
    assert!(
        taken
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("houqin-"),
        "{}",
        taken.path.display()
    );

    // More after the backup, from both guards.
    gate_a.register("备份后甲");
    gate_b.register("备份后乙");
    gate_a.settle_all().await;
    gate_b.settle_all().await;
    let visits_before_the_crash = app.count("SELECT COUNT(*) FROM visits").await;
    assert_eq!(visits_before_the_crash, 10);

    // The old machine is gone; the backup goes onto a new one.
    let target = Location::fresh(backend).await;
    refusals(&app, &target, &taken.path).await;
    let restored = backup::restore(&target.config(), &taken.path, RestoreOptions::default())
        .await
        .expect("restored onto a new machine");
    assert_eq!(restored.manifest, *manifest);
    let again = backup::restore(&target.config(), &taken.path, RestoreOptions::default()).await;
    assert!(
        matches!(&again, Err(BackupError::Refused(m)) if m.contains("--force")),
        "a database that holds a school is not replaced unless told: {again:?}"
    );
    backup::restore(
        &target.config(),
        &taken.path,
        RestoreOptions { force: true },
    )
    .await
    .expect("told to, it replaces it");

    let server = TestApp::serve_at(target, false).await;
    assert_eq!(
        server.count("SELECT COUNT(*) FROM visits").await,
        manifest.rows["visits"],
        "the restored database is the snapshot the manifest counted"
    );
    let epoch: String = sqlx::query_scalar("SELECT epoch FROM sync_state WHERE id = 1")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_ne!(epoch, manifest.epoch, "the restore started a new epoch");
    let (last, failed) = backup::last_backups(&server.db).await.unwrap();
    assert_eq!(
        last.map(|b| (b.finished_at, b.file)),
        Some((
            manifest.taken_at_ms,
            taken
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        )),
        "the restored archive is the last backup the admin home shows"
    );
    assert!(failed.is_none());
    // The phones come back, to the new address: they hear of the new epoch and send again what it lacks.
    for phone in [&mut gate_a, &mut gate_b, &mut teacher] {
        phone.browser.base = server.base.clone();
        phone.settle_all().await;
    }
    // And each hears of what the others sent again.
    for phone in [&mut gate_a, &mut gate_b] {
        phone.settle_all().await;
    }
    assert_eq!(
        server.count("SELECT COUNT(*) FROM visits").await,
        visits_before_the_crash,
        "every visit is back, once"
    );
    assert_ledger(&server, &[gate_a, gate_b]).await;
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM tickets WHERE id = '{ticket}'"
            ))
            .await,
        1
    );
    let got = teacher
        .browser
        .client
        .get(format!("{}/api/photos/{}", server.base, photo_ref.id))
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.status(),
        StatusCode::OK,
        "the photo came with the backup"
    );
    assert_eq!(got.bytes().await.unwrap().to_vec(), photo);
}
both!(a_restored_backup_loses_nothing_and_doubles_nothing);

/// Every refused restore onto `target` (a fresh machine) changes nothing there; onto the live server it is
/// refused too.
async fn refusals(app: &TestApp, target: &Location, archive: &Path) {
    let live = backup::restore(&app.config(), archive, RestoreOptions { force: true }).await;
    assert!(
        matches!(&live, Err(BackupError::Refused(_))),
        "not under a running server, even when forced: {live:?}"
    );
    let bytes = std::fs::read(archive).unwrap();
    let copies = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| -> PathBuf {
        let path = copies.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    // A byte changed inside the database file (the first entry's data starts after its 512-byte header).
    let mut flipped = bytes.clone();
    flipped[512 + 200] ^= 0x55;
    let cut = &bytes[..bytes.len() / 2];
    let newer = rewrite_manifest(&bytes, |m| m.format = backup::FORMAT + 1);
    let newer_schema = rewrite_manifest(&bytes, |m| m.schema_version += 1);
    let cases = [
        ("flipped.tar", flipped, "校验和"),
        ("cut.tar", cut.to_vec(), "不完整"),
        ("newer.tar", newer, "更新"),
        ("newer-schema.tar", newer_schema, "更新"),
        (
            "not-a-backup.tar",
            b"PK\x03\x04 a spreadsheet".to_vec(),
            "不完整",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = write(name, &bytes);
        let answer = backup::restore(&target.config(), &path, RestoreOptions::default()).await;
        let message = answer
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(message.contains(says), "{name}: {answer:?}");
    }
    let db = houqin::server::db::Db::connect(&target.database_url)
        .await
        .unwrap();
    let users = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await;
    assert!(users.is_err(), "nothing was restored: {users:?}");
    db.pool.close().await;
    let photos = target.data_dir.path().join("photos");
    assert!(!photos.exists(), "no photo was unpacked into place");
}

/// The archive with its manifest changed by `change` (written last, as `take` does).
fn rewrite_manifest(bytes: &[u8], change: impl FnOnce(&mut Manifest)) -> Vec<u8> {
    let mut archive = tar::Archive::new(bytes);
    let mut out = tar::Builder::new(Vec::new());
    let mut change = Some(change);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if path == "manifest.json" {
            let mut manifest: Manifest = serde_json::from_slice(&data).unwrap();
            (change.take().unwrap())(&mut manifest);
            data = serde_json::to_vec(&manifest).unwrap();
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        out.append_data(&mut header, &path, data.as_slice())
            .unwrap();
    }
    out.into_inner().unwrap()
}
