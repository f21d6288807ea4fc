//! Malformed and oversized values sent to every server function and every sync mutation, from the code's own
//! lists (the registered server functions, `registry::mutation_names`): no answer is a server error, and a refusal
//! changes nothing (for a server function: the change counter every write bumps stays; for a mutation: every
//! table's rows).

use crate::harness::{TestApp, both};
use crate::phone::{Fault, Phone};
use serde_json::{Value, json};

/// Bodies no server function should take: wrong shapes, a NUL, control characters, text far over any limit.
fn hostile_bodies() -> Vec<String> {
    let huge = "长".repeat(400_000);
    vec![
        "null".into(),
        "[]".into(),
        "\"\\u0000\"".into(),
        "{".into(),
        "{\"id\": \"not-a-uuid\", \"input\": 7, \"user\": [], \"args\": null}".into(),
        json!({ "id": "\u{0}", "name": "\u{0}\u{1}\u{7f}", "username": huge, "note": huge })
            .to_string(),
    ]
}

/// What the database holds, table by table (every table the migrations made, read from the database itself):
/// the row counts, and the change counter.
async fn holdings(app: &TestApp) -> Vec<(String, i64)> {
    let tables: Vec<String> = if app.database_url.starts_with("sqlite") {
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
    } else {
        sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
    };
    let mut counts = Vec::new();
    for table in tables {
        // What a refused request may still leave: its receipt, the phone's client row, the session, a failure.
        if [
            "sync_mutations",
            "sync_clients",
            "sync_state",
            "sessions",
            "sign_in_failures",
            "audit_log",
        ]
        .contains(&table.as_str())
        {
            continue;
        }
        let n = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        counts.push((table, n));
    }
    counts.sort();
    counts
}

async fn every_server_function_refuses_hostile_bodies_without_a_server_error(app: TestApp) {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    assert!(paths.len() > 20, "{paths:?}");
    // Signing out takes any body (it has no arguments): last, so the others are called signed in.
    paths.sort_by_key(|p| p.ends_with("/auth/sign_out"));
    for username in ["zhuren", "menwei", "banzhuren11"] {
        let browser = app.signed_in(username).await;
        for path in &paths {
            for body in hostile_bodies() {
                let version = app.version().await;
                let answer = browser
                    .client
                    .post(format!("{}{path}", app.base))
                    .header("content-type", "application/json")
                    .header("accept", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = answer.status();
                let text = answer.text().await.unwrap();
                assert!(
                    !status.is_server_error(),
                    "{username} {path} {}: {status} {text}",
                    &body[..body.len().min(80)]
                );
                if status.is_client_error() {
                    let parsed: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|_| panic!("{path}: {status} is not JSON: {text}"));
                    assert!(parsed["code"].is_string(), "{path}: {text}");
                    // Every write bumps the version: a refusal wrote nothing.
                    assert_eq!(
                        app.version().await,
                        version,
                        "{username} {path}: refused, yet wrote"
                    );
                }
            }
        }
    }
}
both!(every_server_function_refuses_hostile_bodies_without_a_server_error);

async fn every_sync_mutation_refuses_hostile_arguments_and_blocks_nothing(app: TestApp) {
    let names: Vec<&str> = houqin::sync::server::registry::mutation_names();
    assert!(names.len() >= 8, "{names:?}");
    // Over every field's limit, while a batch of them stays under the push's byte cap.
    let huge = "长".repeat(20_000);
    let hostile = [
        Value::Null,
        json!([]),
        json!("\u{0}"),
        json!({}),
        json!({ "visit_id": "\u{0}", "ticket_id": 7, "check_id": [], "zone_id": huge }),
    ];
    for username in ["zhuren", "menwei", "weisheng"] {
        let mut phone = Phone::new(&app, username).await;
        phone.settle_all().await;
        let before = holdings(&app).await;
        for name in &names {
            for args in &hostile {
                phone.queue(name, args.clone());
            }
        }
        let last = phone.register("最后一位");
        while !phone.outbox.is_empty() {
            let answer = phone.push(Fault::None).await;
            let answer =
                answer.unwrap_or_else(|status| panic!("{username}: push answered {status}"));
            for result in answer["results"].as_array().unwrap() {
                let status = result["outcome"]["status"].as_str().unwrap();
                let seq = result["seq"].as_i64().unwrap();
                assert!(
                    status == "rejected" || status == "applied",
                    "{username} item {seq}: {result}"
                );
            }
        }
        let mut after = holdings(&app).await;
        // Only the last, well-formed registration (guards only) may have changed anything.
        if username != "weisheng" {
            assert_eq!(
                app.count(&format!("SELECT COUNT(*) FROM visits WHERE id = '{last}'"))
                    .await,
                1
            );
            for (table, n) in &mut after {
                if table == "visits" {
                    *n -= 1;
                }
            }
        }
        assert_eq!(after, before, "{username}: hostile entries changed nothing");
    }
}
both!(every_sync_mutation_refuses_hostile_arguments_and_blocks_nothing);
