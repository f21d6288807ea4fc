//! The sync contract, scenario by scenario, on both databases: guard phones registering visitors through lost
//! requests, lost answers, cut-off batches, gaps, invalid items, late commits, wrong clocks and a restore.

use crate::harness::{TestApp, both};
use crate::phone::{Fault, Phone, assert_ledger};
use houqin::domain::sync::{PROTOCOL, SCHEMA_VERSION};
use houqin::domain::visit::SIGN_IN;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub fn statuses(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let status = r["outcome"]["status"].as_str().unwrap().to_owned();
            if r["duplicate"] == true {
                format!("{status}*")
            } else {
                status
            }
        })
        .collect()
}

async fn guard_registers_offline_and_each_visit_arrives_once(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    let visits: Vec<_> = (0..5)
        .map(|i| phone.register(&format!("访客{i}")))
        .collect();
    let body = phone.push_body(100);
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["applied"; 5]);
    // The very same batch again (a retry after a lost answer) gets the first answers, marked as repeats.
    let (status, again) = raw_push(&phone, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&again), vec!["applied*"; 5]);
    phone.pull(Fault::None).await.unwrap();
    for visit in &visits {
        assert!(phone.snapshot.contains_key(&("visits".into(), *visit)));
    }
    assert_ledger(&app, &[phone]).await;
}
both!(guard_registers_offline_and_each_visit_arrives_once);

async fn raw_push(phone: &Phone, body: &Value) -> (StatusCode, Value) {
    let response = phone
        .browser
        .client
        .post(format!("{}/api/sync/push", phone.browser.base))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn lost_request_and_lost_answer_both_heal(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    phone.register("张三");
    assert!(phone.push(Fault::DropRequest).await.is_err());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM visits").await,
        0,
        "nothing arrived"
    );
    phone.register("李四");
    assert!(phone.push(Fault::DropResponse).await.is_err());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM visits").await,
        2,
        "applied, answer lost"
    );
    assert_eq!(
        phone.outbox.len(),
        2,
        "only an answer removes an entry from the outbox"
    );
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["applied*", "applied*"]);
    phone.settle_all().await;
    assert_ledger(&app, &[phone]).await;
}
both!(lost_request_and_lost_answer_both_heal);

async fn the_same_batch_twice_at_once_is_applied_once(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    for i in 0..20 {
        phone.register(&format!("并发{i}"));
    }
    let body = phone.push_body(100);
    let (a, b) = tokio::join!(raw_push(&phone, &body), raw_push(&phone, &body));
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
    let fresh = [&a.1, &b.1]
        .iter()
        .flat_map(|answer| answer["results"].as_array().unwrap().clone())
        .filter(|r| r["duplicate"] == false)
        .count();
    assert_eq!(fresh, 20, "each mutation applied by exactly one of the two");
    assert_eq!(app.count("SELECT COUNT(*) FROM visits").await, 20);
    phone.settle(&a.1);
    phone.settle_all().await;
    assert_ledger(&app, &[phone]).await;
}
both!(the_same_batch_twice_at_once_is_applied_once);

async fn a_batch_cut_off_at_any_point_keeps_effects_and_receipts_together(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    // Cut the handler off at ever later points: before the lock, between items, just before the commit.
    for delay in (0..40).map(|i| i * 150) {
        for i in 0..10 {
            phone.register(&format!("断点{delay}-{i}"));
        }
        let _ = phone.push(Fault::CancelAfterMicros(delay)).await;
        // One statement, so one snapshot: a cut-off request's COMMIT may already be on its way to the database
        // and land between two separate counts.
        let receipts_minus_visits = app
            .count(&format!(
                "SELECT (SELECT COUNT(*) FROM sync_mutations WHERE name = '{SIGN_IN}') - \
                 (SELECT COUNT(*) FROM visits)"
            ))
            .await;
        assert_eq!(
            receipts_minus_visits, 0,
            "a visit never exists without its receipt, nor the reverse"
        );
    }
    phone.settle_all().await;
    assert_ledger(&app, &[phone]).await;
}
both!(a_batch_cut_off_at_any_point_keeps_effects_and_receipts_together);

async fn a_sequence_gap_is_reported_never_skipped(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    phone.register("一");
    let lost = phone.register("二");
    phone.register("三");
    // The phone's storage lost the second entry.
    phone.outbox.remove(&2);
    phone.created_visits.retain(|v| *v != lost);
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["applied"]);
    assert_eq!(answer["gap"], json!({ "expected": 2, "got": 3 }));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM visits").await,
        1,
        "nothing after the gap"
    );
    // Nothing can fill it: the phone says so, the server records the gap and goes on.
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["applied"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sync_gaps WHERE from_seq = 2 AND to_seq = 2")
            .await,
        1
    );
    phone.created_mutations.retain(|_| true);
    phone.settle_all().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM visits").await, 2);
}
both!(a_sequence_gap_is_reported_never_skipped);

async fn one_invalid_item_among_valid_ones_is_refused_alone(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    phone.register("好的一");
    let mut bad = phone.sign_in_args("坏的");
    bad.phone = "电话".into();
    bad.id_number = "110105194912310021".into();
    phone.queue(SIGN_IN, serde_json::to_value(&bad).unwrap());
    phone.register("好的二");
    let body = phone.push_body(100);
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["applied", "rejected", "applied"]);
    let refused = &answer["results"][1]["outcome"];
    assert_eq!(refused["code"], "invalid");
    let fields: Vec<&str> = refused["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["phone", "id_number"]);
    assert_eq!(
        phone.attention.len(),
        1,
        "the refused entry waits in 'needs attention'"
    );
    // A repeat gets the same refusal, and nothing more is written.
    let (_, again) = raw_push(&phone, &body).await;
    assert_eq!(statuses(&again), vec!["applied*", "rejected*", "applied*"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM visits").await, 2);
}
both!(one_invalid_item_among_valid_ones_is_refused_alone);

async fn the_same_mutation_id_with_other_content_is_reported(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    phone.register("原来的");
    let mut body = phone.push_body(100);
    phone.push(Fault::None).await.unwrap();
    body["mutations"][0]["args"]["visitor_name"] = json!("改过的");
    let (_, answer) = raw_push(&phone, &body).await;
    assert_eq!(
        answer["results"][0]["outcome"]["code"],
        "mutation_id_reused"
    );
    let name: String = sqlx::query_scalar("SELECT visitor_name FROM visits")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(name, "原来的");
}
both!(the_same_mutation_id_with_other_content_is_reported);

async fn a_late_commit_is_not_missed_by_a_pull_meanwhile(app: TestApp) {
    let mut reader = Phone::new(&app, "menwei2").await;
    // Another writer takes a version and holds its transaction open.
    let mut tx = app.db.begin_write().await.unwrap();
    let version = houqin::server::db::bump_version(&mut tx).await.unwrap();
    let guard_id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'menwei'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let late = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO visits (id, visitor_name, phone, id_type, organisation, reason, party_size, time_in, \
         registered_by, received_at, clock_skew_ms, version) VALUES ($1, '迟到', '13800000000', 'none', '', '', 1, $2, $3, $2, 0, $4)",
    )
    .bind(late.to_string())
    .bind(houqin::server::db::now_ms())
    .bind(&guard_id)
    .bind(version)
    .execute(&mut *tx)
    .await
    .unwrap();
    // The reader pulls while it is open: its cursor must stay below the open version.
    let pulled = tokio::spawn(async move {
        reader.pull(Fault::None).await.unwrap();
        reader
    })
    .await
    .unwrap();
    assert!(
        pulled.cursor < version,
        "cursor {} passed the uncommitted version {version}",
        pulled.cursor
    );
    tx.commit().await.unwrap();
    let mut reader = pulled;
    reader.pull(Fault::None).await.unwrap();
    assert!(
        reader.snapshot.contains_key(&("visits".into(), late)),
        "the late commit arrives on the next pull"
    );
}
both!(a_late_commit_is_not_missed_by_a_pull_meanwhile);

async fn phones_with_clocks_an_hour_and_a_year_off_lose_nothing(app: TestApp) {
    const HOUR: i64 = 3_600_000;
    let mut fast = Phone::new(&app, "menwei").await;
    fast.clock_offset_ms = HOUR;
    let mut slow = Phone::new(&app, "menwei2").await;
    slow.clock_offset_ms = -365 * 24 * HOUR;
    let a = fast.register("快一小时");
    let b = slow.register("慢一年");
    fast.settle_all().await;
    slow.settle_all().await;
    fast.pull(Fault::None).await.unwrap();
    // Both are in today's register, placed by the server's clock, and on both phones.
    let admin = app.signed_in("zhuren").await;
    let today = houqin::domain::clock::date(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    let (status, register) = admin
        .call("gate_visits/register", json!({ "date": today }))
        .await;
    assert_eq!(status, StatusCode::OK, "{register}");
    let names: Vec<&str> = register["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0]["visitor_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"快一小时") && names.contains(&"慢一年"),
        "{names:?}"
    );
    let skew = app
        .count(&format!(
            "SELECT clock_skew_ms FROM visits WHERE id = '{b}'"
        ))
        .await;
    assert!(
        skew < -364 * 24 * HOUR,
        "the skew is kept with the entry: {skew}"
    );
    for phone in [&fast, &slow] {
        assert!(phone.snapshot.contains_key(&("visits".into(), a)));
        assert!(phone.snapshot.contains_key(&("visits".into(), b)));
    }
    assert_ledger(&app, &[fast, slow]).await;
}
both!(phones_with_clocks_an_hour_and_a_year_off_lose_nothing);

async fn a_restore_from_backup_is_healed_by_re_sending(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    phone.register("备份前");
    phone.settle_all().await;
    let backup_version = app.version().await;
    phone.register("备份后一");
    phone.register("备份后二");
    phone.settle_all().await;
    assert!(phone.outbox.is_empty());
    // Restore the backup: everything written after it is gone, then the operator runs `houqin new-epoch`.
    for table in ["visit_sign_outs", "visits", "sync_mutations"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE version > $1"))
            .bind(backup_version)
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE sync_clients SET last_seq = 1")
        .execute(&app.db.pool)
        .await
        .unwrap();
    houqin::server::db::start_new_epoch(&app.db).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM visits").await, 1);
    phone.register("恢复后");
    assert_eq!(
        phone.push(Fault::None).await.unwrap_err(),
        StatusCode::CONFLICT
    );
    phone.settle_all().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM visits").await,
        4,
        "the lost two came back, once each"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM visits WHERE id_masked = '1101**********002X'")
            .await,
        4,
        "the re-sent ones keep their masked ID (the phone never kept the number)"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM visits WHERE id_hash IS NULL")
            .await,
        2
    );
    assert_ledger(&app, &[phone]).await;
}
both!(a_restore_from_backup_is_healed_by_re_sending);

async fn two_guards_signing_out_one_visitor_offline_do_not_conflict(app: TestApp) {
    let mut a = Phone::new(&app, "menwei").await;
    let mut b = Phone::new(&app, "menwei2").await;
    let visit = a.register("王五");
    a.settle_all().await;
    b.pull(Fault::None).await.unwrap();
    a.sign_out(visit);
    b.sign_out(visit);
    let answer_b = b.push(Fault::None).await.unwrap();
    let answer_a = a.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer_a), vec!["applied"]);
    assert_eq!(statuses(&answer_b), vec!["applied"]);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visit_sign_outs WHERE visit_id = '{visit}'"
        ))
        .await,
        2,
        "both facts are kept; the first one is the time out"
    );
    a.settle_all().await;
    b.settle_all().await;
    assert_ledger(&app, &[a, b]).await;
}
both!(two_guards_signing_out_one_visitor_offline_do_not_conflict);

async fn only_gate_roles_push_visits_and_the_server_refuses_old_or_anonymous_phones(app: TestApp) {
    let mut inspector = Phone::new(&app, "weisheng").await;
    assert!(inspector.snapshot_ids("visits").is_empty());
    assert!(
        inspector.snapshot_ids("watch_entries").is_empty()
            && inspector.snapshot_ids("visit_sign_outs").is_empty(),
        "a cleaning inspector's phone holds no gate data"
    );
    assert!(
        !inspector.snapshot_ids("places").is_empty(),
        "everyone holds the directory, to report repairs"
    );
    inspector.host = uuid::Uuid::now_v7();
    inspector.register("不该登记");
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(answer["results"][0]["outcome"]["code"], "forbidden");
    let anonymous = app.browser();
    let pull = json!({ "protocol": PROTOCOL, "app_build": "t", "schema_version": SCHEMA_VERSION,
        "client_id": uuid::Uuid::now_v7(), "epoch": "", "cursor": 0, "scope": "" });
    let response = anonymous
        .client
        .post(format!("{}/api/sync/pull", app.base))
        .json(&pull)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let mut old = pull.clone();
    old["protocol"] = json!(0);
    let response = inspector
        .browser
        .client
        .post(format!("{}/api/sync/pull", app.base))
        .json(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UPGRADE_REQUIRED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "upgrade_required");
    let response = inspector
        .browser
        .client
        .post(format!("{}/api/sync/pull", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
both!(only_gate_roles_push_visits_and_the_server_refuses_old_or_anonymous_phones);

async fn the_id_number_is_kept_masked_and_a_watch_list_match_warns(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let (status, _) = admin
        .call(
            "gate_visits/add_watch_entry",
            json!({ "input": { "phone": "", "id_type": "resident_card",
            "id_number": "11010519491231002x", "note": "曾在校门口滋事" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut phone = Phone::new(&app, "menwei").await;
    let mut args = phone.sign_in_args("赵六");
    args.phone = "13911112222".into();
    phone.queue(SIGN_IN, serde_json::to_value(&args).unwrap());
    let answer = phone.push(Fault::None).await.unwrap();
    let outcome = &answer["results"][0]["outcome"];
    assert_eq!(outcome["status"], "conflict_recorded");
    assert_eq!(outcome["code"], "watch_list");
    assert_eq!(outcome["message"], "曾在校门口滋事");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'watch_hit'")
            .await,
        1
    );
    // The full number is nowhere: not in the row, not in the receipt, not in what phones pull.
    let row: (String, String) = sqlx::query_as("SELECT id_masked, id_hash FROM visits")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(row.0, "1101**********002X");
    assert_eq!(row.1.len(), 64);
    assert!(!row.1.contains("110105"));
    phone.pull(Fault::None).await.unwrap();
    let pulled = serde_json::to_string(&phone.snapshot.values().collect::<Vec<_>>()).unwrap();
    assert!(
        !pulled.contains("11010519491231002"),
        "the full number is never sent back"
    );
    assert!(!pulled.contains(&row.1), "nor its hash");
    let stored: Vec<String> = sqlx::query_scalar("SELECT outcome FROM sync_mutations")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(stored.iter().all(|o| !o.contains("11010519491231002")));
}
both!(the_id_number_is_kept_masked_and_a_watch_list_match_warns);

async fn retention_purges_personal_data_and_phones_drop_it(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    let old = phone.register("半年前");
    let recent = phone.register("昨天");
    phone.settle_all().await;
    let now = houqin::server::db::now_ms();
    sqlx::query("UPDATE visits SET received_at = $1 WHERE id = $2")
        .bind(now - 181 * 24 * 3_600_000)
        .bind(old.to_string())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let purged = houqin::features::gate_visits::retention::purge(&app.db, 180, now)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    let (name, party): (Option<String>, i64) =
        sqlx::query_as("SELECT visitor_name, party_size FROM visits WHERE id = $1")
            .bind(old.to_string())
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (name, party),
        (None, 1),
        "personal data gone, the count stays"
    );
    phone.pull(Fault::None).await.unwrap();
    assert!(
        !phone.snapshot.contains_key(&("visits".into(), old)),
        "the phone dropped it"
    );
    assert!(phone.snapshot.contains_key(&("visits".into(), recent)));
    assert_eq!(
        houqin::features::gate_visits::retention::purge(&app.db, 180, now)
            .await
            .unwrap(),
        0
    );
}
both!(retention_purges_personal_data_and_phones_drop_it);

async fn the_register_and_its_csv_are_audited_and_refused_to_others(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    let mut args = phone.sign_in_args("=HYPERLINK(\"x\")");
    args.organisation = "某某公司,分部".into();
    phone.queue(SIGN_IN, serde_json::to_value(&args).unwrap());
    phone.settle_all().await;
    let today = houqin::domain::clock::date(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    let response = phone
        .browser
        .client
        .get(format!(
            "{}/api/gate-visits/register.csv?date={today}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.contains("'=HYPERLINK(\"\"x\"\")") && csv.contains("\"某某公司,分部\""),
        "{csv}"
    );
    assert!(csv.contains("1101**********002X"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export_register_csv'")
            .await,
        1
    );
    // The same register as .xlsx: the same rows, every cell text (the formula stays a string).
    let xlsx = crate::exports::xlsx_rows(
        &phone.browser,
        &format!("/api/gate-visits/register.xlsx?date={today}"),
    )
    .await;
    assert_eq!(xlsx.len(), csv.lines().count(), "{xlsx:?}");
    assert!(xlsx[0].contains(&"证件号码".to_owned()));
    assert!(
        xlsx.iter()
            .any(|row| row.contains(&"=HYPERLINK(\"x\")".to_owned())
                && row.contains(&"某某公司,分部".to_owned())
                && row.contains(&"1101**********002X".to_owned())),
        "{xlsx:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'export_register_xlsx'")
            .await,
        1
    );
    let teacher = app.signed_in("banzhuren11").await;
    let response = teacher
        .client
        .get(format!(
            "{}/api/gate-visits/register.csv?date={today}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, body) = teacher
        .call("gate_visits/register", json!({ "date": today }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = phone
        .browser
        .call("gate_visits/register", json!({ "date": "2026-02-30" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
both!(the_register_and_its_csv_are_audited_and_refused_to_others);

async fn a_push_through_one_instance_hints_phones_on_another(app: TestApp) {
    let second = app.second_instance().await;
    let mut pusher = Phone::new(&app, "menwei").await;
    let listener = app.signed_in("menwei2").await;
    let mut events = listener
        .client
        .get(format!("{second}/api/sync/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    pusher.register("提示");
    pusher.push(Fault::None).await.unwrap();
    let hint = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let mut seen = String::new();
        while let Ok(Some(chunk)) = events.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: change") {
                return seen;
            }
        }
        seen
    })
    .await
    .expect("a hint within 5 s");
    assert!(hint.contains("event: change"), "{hint}");
}
both!(a_push_through_one_instance_hints_phones_on_another);

/// The key guard phones seal to, as they get it with the directory.
async fn seal_key(browser: &crate::harness::Browser) -> houqin::domain::sealed_id::SealKey {
    serde_json::from_value(browser.directory().await["id_seal_key"].clone()).unwrap()
}

async fn an_id_number_sealed_on_the_phone_is_opened_hashed_and_masked_by_the_server(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    let key = seal_key(&phone.browser).await;
    // The same visitor twice: once as an older build sends it (the number in clear), once sealed.
    let clear = phone.sign_in_args("明文");
    let sealed = phone.sign_in_args("密封").sealed(&key).unwrap();
    let body = serde_json::to_string(&sealed).unwrap();
    assert!(!body.contains("11010519491231002"), "{body}");
    phone.queue(SIGN_IN, serde_json::to_value(&clear).unwrap());
    phone.queue(SIGN_IN, serde_json::to_value(&sealed).unwrap());
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["applied", "applied"]);
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT visitor_name, id_masked, id_hash FROM visits ORDER BY visitor_name")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].1, "1101**********002X");
    assert_eq!(rows[0].1, rows[1].1);
    assert_eq!(
        rows[0].2, rows[1].2,
        "the sealed number hashes as the clear one"
    );
    // Neither the number nor the box is kept anywhere on the server.
    let receipts: Vec<String> = sqlx::query_scalar("SELECT outcome FROM sync_mutations")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    let sealed_text = sealed.id_sealed.clone().unwrap();
    assert!(
        receipts
            .iter()
            .all(|o| !o.contains("11010519491231002") && !o.contains(&sealed_text))
    );
}
both!(an_id_number_sealed_on_the_phone_is_opened_hashed_and_masked_by_the_server);

async fn a_full_number_sent_as_the_mask_is_never_stored(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    // The re-send path after a restore carries only the mask; a phone (or anyone) putting the full number there
    // gets its entry refused, while a real mask is taken.
    let mut forged = phone.sign_in_args("整号");
    forged.id_masked = Some(std::mem::take(&mut forged.id_number));
    let mut lower = phone.sign_in_args("小写");
    lower.id_masked = Some(std::mem::take(&mut lower.id_number).to_lowercase());
    let mut resent = phone.sign_in_args("补发");
    resent.id_number = String::new();
    resent.id_masked = Some("1101**********002X".into());
    for args in [&forged, &lower, &resent] {
        phone.queue(SIGN_IN, serde_json::to_value(args).unwrap());
    }
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["rejected", "rejected", "applied"]);
    let masks: Vec<Option<String>> = sqlx::query_scalar("SELECT id_masked FROM visits")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(masks, vec![Some("1101**********002X".to_owned())]);
    let today = houqin::domain::clock::date(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    let csv = phone
        .browser
        .client
        .get(format!(
            "{}/api/gate-visits/register.csv?date={today}",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!csv.to_lowercase().contains("11010519491231002x"), "{csv}");
}
both!(a_full_number_sent_as_the_mask_is_never_stored);

async fn a_sealed_box_that_does_not_open_is_refused_with_a_reason_and_blocks_nothing(app: TestApp) {
    let mut phone = Phone::new(&app, "menwei").await;
    let key = seal_key(&phone.browser).await;
    // Sealed to a key this server never had, then one tampered with, then a good one.
    let stranger = houqin::domain::sealed_id::SealKey::from_public(
        crypto_box::SecretKey::from([42u8; 32])
            .public_key()
            .as_bytes(),
    );
    let foreign = phone.sign_in_args("别的学校").sealed(&stranger).unwrap();
    let mut tampered = phone.sign_in_args("被改过").sealed(&key).unwrap();
    let mut text = tampered.id_sealed.take().unwrap();
    let last = text.pop().unwrap();
    text.push(if last == '0' { '1' } else { '0' });
    tampered.id_sealed = Some(text);
    let good = phone.sign_in_args("正常").sealed(&key).unwrap();
    for args in [&foreign, &tampered, &good] {
        phone.queue(SIGN_IN, serde_json::to_value(args).unwrap());
    }
    let answer = phone.push(Fault::None).await.unwrap();
    assert_eq!(statuses(&answer), vec!["rejected", "rejected", "applied"]);
    for refused in [
        &answer["results"][0]["outcome"],
        &answer["results"][1]["outcome"],
    ] {
        assert_eq!(refused["code"], "id_unreadable");
        assert_eq!(refused["fields"][0]["field"], "id_number");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM visits").await, 1);
}
both!(a_sealed_box_that_does_not_open_is_refused_with_a_reason_and_blocks_nothing);

/// Every table with a `version` column is read by a pull as "changed since" and needs an index on it, whatever
/// job added it; only the counter itself and the receipts (never pulled) are written too often to carry one.
async fn every_versioned_table_has_an_index_on_its_version(app: TestApp) {
    let postgres = app.database_url.starts_with("postgres");
    let (tables, indexed) = if postgres {
        (
            "SELECT table_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name = 'version'",
            "SELECT DISTINCT t.relname::text FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE a.attname = 'version' AND n.nspname = current_schema()",
        )
    } else {
        (
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'version'",
            "SELECT DISTINCT i.tbl_name FROM sqlite_master i, pragma_index_info(i.name) c \
             WHERE i.type = 'index' AND c.seqno = 0 AND c.name = 'version'",
        )
    };
    let all: Vec<String> = sqlx::query_scalar(tables)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    let with_index: Vec<String> = sqlx::query_scalar(indexed)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(all.len() > 15, "{all:?}");
    let missing: Vec<&String> = all
        .iter()
        .filter(|t| {
            !with_index.contains(t) && !["sync_state", "sync_mutations"].contains(&t.as_str())
        })
        .collect();
    assert!(missing.is_empty(), "no index on version: {missing:?}");
}
both!(every_versioned_table_has_an_index_on_its_version);

/// Every table a pull sends is declared by a job (its children and how long a phone keeps its rows), so the
/// phone's pruning and the pull's windows cannot miss a new one.
async fn every_table_a_pull_sends_is_declared_by_a_job(app: TestApp) {
    let mut admin = Phone::new(&app, "zhuren").await;
    let visit = admin.register("表格检查");
    admin.settle_all().await;
    admin.sign_out(visit);
    admin.settle_all().await;
    let sent: std::collections::BTreeSet<&str> = admin
        .snapshot
        .keys()
        .map(|(table, _)| table.as_str())
        .collect();
    for table in [
        "people",
        "places",
        "visits",
        "visit_sign_outs",
        "check_points",
        "cleaning_zones",
    ] {
        assert!(sent.contains(table), "{table} not in {sent:?}");
    }
    let undeclared: Vec<&&str> = sent
        .iter()
        .filter(|table| houqin::sync::job::table_of(houqin::jobs::ALL, table).is_none())
        .collect();
    assert!(undeclared.is_empty(), "no job declares {undeclared:?}");
}
both!(every_table_a_pull_sends_is_declared_by_a_job);
