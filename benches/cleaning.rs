//! The cleaning league's cost (run by `bench/cleaning`; prints figures, asserts nothing):
//!
//! 1. the term's ranking for 60 classes from about 6,000 checks, as the board and the trend compute it: the
//!    checks read from SQLite (and PostgreSQL) with their ratings, then ranked — the read and the ranking
//!    timed apart;
//! 2. how the ranking alone grows with the number of checks (1,500 … 48,000), with 60 classes.
//!
//! A term here is 18 weeks of school days; each class is checked at both fixed times on most days, and spot
//! checked about twice a week; a few checks are corrected and a few withdrawn on appeal.

use houqin::domain::cleaning::{
    CheckKind, CheckRow, Grade, League, RatingRow, ScoreRow, Settings, league_table,
};
use houqin::domain::clock::DAY_MS;
use houqin::features::cleaning_scores::mutations::{CHECK_COLUMNS, RATING_COLUMNS};
use houqin::server::db::{Db, Param, insert_rows};
use std::collections::HashSet;
use std::time::Instant;
use uuid::Uuid;

#[path = "support/mod.rs"]
mod support;

const CLASSES: usize = 60;
const WEEKS: i64 = 18;
/// 2026-09-07, a Monday, at 08:00 in China.
const TERM_START_MS: i64 = 1_788_739_200_000;

/// A small deterministic generator, so every run ranks the same term.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// About `target` checks over the term for `classes` (class id, zone id), with corrections and appeals.
fn term(classes: &[(Uuid, Uuid)], target: usize, seed: u64) -> (Vec<CheckRow>, HashSet<Uuid>) {
    let mut rng = Lcg(seed);
    let school_days = (WEEKS * 5) as usize;
    // Checks per class per school day, so the term holds about `target`.
    let per_day = target as f64 / (classes.len() * school_days) as f64;
    let mut checks = Vec::with_capacity(target + target / 10);
    let mut withdrawn = HashSet::new();
    for week in 0..WEEKS {
        for weekday in 0..5 {
            let day_ms = TERM_START_MS + (week * 7 + weekday) * DAY_MS;
            for (class, zone) in classes {
                let mut count = per_day.floor() as usize;
                if (rng.below(1000) as f64) < per_day.fract() * 1000.0 {
                    count += 1;
                }
                for n in 0..count {
                    let kind = if rng.below(5) == 0 {
                        CheckKind::Spot
                    } else {
                        CheckKind::Daily
                    };
                    let poor = rng.below(3) as i64;
                    let fair = rng.below(3) as i64;
                    let ratings = ["litter", "leaves", "drains", "walls", "bins"]
                        .iter()
                        .enumerate()
                        .map(|(i, key)| {
                            let (grade, deduction) = if (i as i64) < poor {
                                (Grade::Poor, 2)
                            } else if (i as i64) < poor + fair {
                                (Grade::Fair, 1)
                            } else {
                                (Grade::Good, 0)
                            };
                            RatingRow {
                                key: (*key).into(),
                                label: (*key).into(),
                                grade,
                                deduction,
                                note: String::new(),
                                photos: if deduction > 0 {
                                    vec![Uuid::now_v7()]
                                } else {
                                    vec![]
                                },
                            }
                        })
                        .collect::<Vec<_>>();
                    let score = 10 - ratings.iter().map(|r| r.deduction).sum::<i64>();
                    let id = Uuid::now_v7();
                    let at = day_ms + (n as i64) * 6 * 3_600_000;
                    checks.push(CheckRow {
                        id,
                        zone_id: *zone,
                        league: League::Class,
                        class_id: Some(*class),
                        kind,
                        slot: (kind == CheckKind::Daily).then(|| "08:00".into()),
                        rubric_version: 1,
                        full_score: 10,
                        score,
                        inspector_id: *class,
                        checked_at: at,
                        received_at: at,
                        supersedes: None,
                        ratings,
                    });
                    match rng.below(100) {
                        0 => {
                            // A correction made a minute later.
                            let mut fixed = checks[checks.len() - 1].clone();
                            fixed.id = Uuid::now_v7();
                            fixed.supersedes = Some(id);
                            fixed.score = (fixed.score + 1).min(10);
                            fixed.checked_at += 60_000;
                            checks.push(fixed);
                        }
                        1 => {
                            withdrawn.insert(id);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    (checks, withdrawn)
}

fn classes() -> Vec<(Uuid, Uuid)> {
    (0..CLASSES)
        .map(|_| (Uuid::now_v7(), Uuid::now_v7()))
        .collect()
}

/// The term ranked as one period, and week by week (the trend chart), best of `runs`.
fn rank(
    classes: &[(Uuid, Uuid)],
    checks: &[ScoreRow],
    withdrawn: &HashSet<Uuid>,
    runs: usize,
) -> (f64, f64) {
    let subjects: Vec<Uuid> = classes.iter().map(|c| c.0).collect();
    let settings = Settings::default();
    let mut whole = f64::MAX;
    let mut weekly = f64::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let (table, counted, _) =
            league_table(League::Class, &subjects, checks, withdrawn, &settings, 480);
        std::hint::black_box((&table, counted));
        whole = whole.min(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        for week in 0..WEEKS {
            let from = TERM_START_MS - 8 * 3_600_000 + week * 7 * DAY_MS;
            let of_week: Vec<ScoreRow> = checks
                .iter()
                .filter(|c| (from..from + 7 * DAY_MS).contains(&c.checked_at))
                .copied()
                .collect();
            std::hint::black_box(league_table(
                League::Class,
                &subjects,
                &of_week,
                withdrawn,
                &settings,
                480,
            ));
        }
        weekly = weekly.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    (whole, weekly)
}

/// Writes the term into a fresh database (classes, zones, checks, ratings) and times reading it back.
async fn from_database(
    db: &Db,
    classes: &[(Uuid, Uuid)],
    checks: &[CheckRow],
    withdrawn: &HashSet<Uuid>,
) {
    let mut tx = db.begin_write().await.expect("write");
    let place: String = sqlx::query_scalar("SELECT id FROM places LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .expect("a place");
    let user: String = sqlx::query_scalar("SELECT id FROM users LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .expect("a user");
    let class_rows: Vec<Vec<Param>> = classes
        .iter()
        .enumerate()
        .map(|(i, (class, _))| {
            vec![
                (*class).into(),
                // Grades 1–6 as the demo, numbers from 11 up so they never collide with its classes.
                ((i % 6) as i64 + 1).into(),
                ((i / 6) as i64 + 11).into(),
                1i64.into(),
                0i64.into(),
                1i64.into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        "school_classes",
        &["id", "grade", "number", "active", "created_at", "version"],
        &class_rows,
    )
    .await
    .expect("classes");
    let zone_rows: Vec<Vec<Param>> = classes
        .iter()
        .map(|(class, zone)| {
            vec![
                (*zone).into(),
                place.as_str().into(),
                "outdoor".into(),
                "class".into(),
                (*class).into(),
                0i64.into(),
                1i64.into(),
                0i64.into(),
                1i64.into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        "cleaning_zones",
        &[
            "id",
            "place_id",
            "kind",
            "league",
            "class_id",
            "automatic",
            "active",
            "created_at",
            "version",
        ],
        &zone_rows,
    )
    .await
    .expect("zones");
    for chunk in checks.chunks(1000) {
        let rows: Vec<Vec<Param>> = chunk
            .iter()
            .map(|c| {
                vec![
                    c.id.into(),
                    c.zone_id.into(),
                    "class".into(),
                    c.class_id.into(),
                    c.kind.code().into(),
                    Param::Text(c.slot.clone()),
                    "outdoor".into(),
                    1i64.into(),
                    10i64.into(),
                    c.score.into(),
                    user.as_str().into(),
                    c.checked_at.into(),
                    c.received_at.into(),
                    c.supersedes.into(),
                    1i64.into(),
                ]
            })
            .collect();
        insert_rows(&mut tx, "cleaning_checks", CHECK_COLUMNS, &rows)
            .await
            .expect("checks");
        let ratings: Vec<Vec<Param>> = chunk
            .iter()
            .flat_map(|c| {
                c.ratings.iter().enumerate().map(|(position, r)| {
                    vec![
                        c.id.into(),
                        r.key.as_str().into(),
                        (position as i64).into(),
                        r.label.as_str().into(),
                        r.grade.code().into(),
                        r.deduction.into(),
                        "".into(),
                        serde_json::to_string(&r.photos).unwrap_or_default().into(),
                    ]
                })
            })
            .collect();
        insert_rows(&mut tx, "cleaning_ratings", RATING_COLUMNS, &ratings)
            .await
            .expect("ratings");
    }
    tx.commit().await.expect("commit");
    let mut conn = db.pool.acquire().await.expect("connection");
    let from = TERM_START_MS - DAY_MS;
    let to = TERM_START_MS + WEEKS * 7 * DAY_MS;
    use houqin::features::cleaning_scores::db::{checks_between, scores_between};
    let mut scores_ms = f64::MAX;
    let mut full_ms = f64::MAX;
    let mut count = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let rows = scores_between(&mut conn, from, to).await.expect("read");
        scores_ms = scores_ms.min(started.elapsed().as_secs_f64() * 1000.0);
        count = rows.len();
        let started = Instant::now();
        let rows = checks_between(&mut conn, from, to).await.expect("read");
        full_ms = full_ms.min(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(rows);
    }
    let rows = scores_between(&mut conn, from, to).await.expect("read");
    let (whole, weekly) = rank(classes, &rows, withdrawn, 5);
    println!(
        " read the scores of {count} checks: {scores_ms:.1} ms; rank the term: {whole:.2} ms (each week: {weekly:.2} ms); \
         total {:.1} ms. Reading them with all their ratings instead (the CSV's way): {full_ms:.1} ms",
        scores_ms + whole
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let classes = classes();
    let (checks, withdrawn) = term(&classes, 6_000, 7);
    println!(
        "== the term's ranking: {CLASSES} classes, {WEEKS} weeks, {} checks ({} corrections, {} withdrawn on appeal)",
        checks.len(),
        checks.iter().filter(|c| c.supersedes.is_some()).count(),
        withdrawn.len()
    );
    let scores: Vec<ScoreRow> = checks.iter().map(ScoreRow::from).collect();
    let (whole, weekly) = rank(&classes, &scores, &withdrawn, 20);
    println!(
        "  rank the term as one period: {whole:.2} ms; rank each of its {WEEKS} weeks (the trend): {weekly:.2} ms"
    );

    println!("\n== from the database (checks and ratings read, then ranked)");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        let db = open(&url, dir.path()).await;
        print!("SQLite:");
        from_database(&db, &classes, &checks, &withdrawn).await;
        let admin = std::env::var("HOUQIN_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        if let Some((url, drop_it)) = postgres(&admin).await {
            let db = open(&url, dir.path()).await;
            print!("PostgreSQL:");
            from_database(&db, &classes, &checks, &withdrawn).await;
            db.pool.close().await;
            drop_it.await;
        } else {
            println!("PostgreSQL: not reachable at {admin}; skipped");
        }
    });

    println!(
        "\n== growth with the number of checks ({CLASSES} classes; ranking alone, best of 10)"
    );
    println!(
        "  {:>8}  {:>10}  {:>12}",
        "checks", "term ms", "µs per check"
    );
    for target in [1_500, 3_000, 6_000, 12_000, 24_000, 48_000] {
        let (checks, withdrawn) = term(&classes, target, 11);
        let scores: Vec<ScoreRow> = checks.iter().map(ScoreRow::from).collect();
        let (whole, _) = rank(&classes, &scores, &withdrawn, 10);
        println!(
            "  {:>8}  {:>10.2}  {:>12.3}",
            checks.len(),
            whole,
            whole * 1000.0 / checks.len() as f64
        );
    }
}

async fn open(url: &str, dir: &std::path::Path) -> Db {
    let config = support::demo_config(dir, url);
    let options = leptos::config::LeptosOptions::builder()
        .output_name("houqin")
        .build();
    houqin::server::open(config, options)
        .await
        .expect("database opens")
        .db
}

/// A fresh PostgreSQL database, and a future that drops it.
async fn postgres(admin: &str) -> Option<(String, impl std::future::Future<Output = ()>)> {
    use sqlx::Connection;
    let name = format!("houqin_bench_{}", Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(admin).await.ok()?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .ok()?;
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b).to_owned();
    let admin = admin.to_owned();
    let drop_name = name.clone();
    Some((format!("{base}/{name}"), async move {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {drop_name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }))
}
