//! Friday safety rounds through the real sync and server-function routes, on SQLite and PostgreSQL: a failed
//! item opens a linked repair ticket with its photo; template versions are kept by checks; a correction
//! supersedes; the board's schedule, overdue and holiday rules; bad input changes nothing.

use crate::harness::{TestApp, both};
use crate::phone::{Fault, Phone, outcomes};
use houqin::domain::photo::PhotoRef;
use houqin::domain::safety::{Answer, CHECK, CheckArgs, ItemResult, SIGNATURE_PREFIX};
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A point this inspector answers for, of the given kind: (id, template version, item keys).
fn point_of(phone: &Phone, kind: &str, label_part: &str) -> (Uuid, i64, Vec<String>) {
    let (id, _) = phone
        .snapshot
        .iter()
        .find(|((table, _), row)| {
            table == "check_points"
                && row["kind"] == kind
                && row["label"].as_str().unwrap().contains(label_part)
        })
        .map(|((_, id), row)| (*id, row.clone()))
        .unwrap_or_else(|| panic!("no {kind} point {label_part}"));
    let template = phone
        .snapshot
        .iter()
        .filter(|((table, _), row)| table == "safety_templates" && row["kind"] == kind)
        .map(|(_, row)| row)
        .max_by_key(|row| row["version"].as_i64())
        .expect("a template");
    let keys = template["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect();
    (id, template["version"].as_i64().unwrap(), keys)
}

fn check(
    point: Uuid,
    version: i64,
    keys: &[String],
    fail: Option<(&str, &str, Vec<PhotoRef>)>,
) -> CheckArgs {
    CheckArgs {
        check_id: Uuid::now_v7(),
        point_id: point,
        template_version: version,
        answers: keys
            .iter()
            .map(|key| match &fail {
                Some((failed, note, photos)) if failed == key => Answer {
                    key: key.clone(),
                    result: ItemResult::Fail,
                    note: (*note).into(),
                    photos: photos.clone(),
                },
                _ => Answer {
                    key: key.clone(),
                    result: ItemResult::Pass,
                    note: String::new(),
                    photos: vec![],
                },
            })
            .collect(),
        signature: format!(
            "{SIGNATURE_PREFIX}iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        ),
        opened_by_scan: true,
        checked_at_ms: houqin::server::db::now_ms(),
        supersedes: None,
    }
}

async fn board_state(app: &TestApp, label: &str, date: &str) -> String {
    let admin = app.signed_in("zhuren").await;
    let (status, board) = admin.call("safety/board", json!({ "date": date })).await;
    assert_eq!(status, StatusCode::OK, "{board}");
    board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .map(|r| r["state"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{label} not on the board"))
}

/// A failed item opens a repair ticket (place from the point, category from the item, the photo attached),
/// linked both ways; the inspector's phone receives the ticket; the board shows the point failed.
async fn a_failure_opens_a_linked_ticket_with_its_photo(app: TestApp) {
    let mut inspector = Phone::new(&app, "anquan").await;
    let (point, version, keys) = point_of(&inspector, "extinguisher", "教学楼A 1F");
    let bytes = {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
        b.extend(std::iter::repeat_n(7u8, 5000));
        b
    };
    let photo = PhotoRef {
        id: Uuid::now_v7(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        size: bytes.len() as i64,
    };
    let failed = check(
        point,
        version,
        &keys,
        Some(("pressure", "指针在红区", vec![photo.clone()])),
    );
    let passed = {
        let (other, v, k) = point_of(&inspector, "hydrant", "教学楼A");
        check(other, v, &k, None)
    };
    inspector.queue(CHECK, serde_json::to_value(&failed).unwrap());
    inspector.queue(CHECK, serde_json::to_value(&passed).unwrap());
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["applied", "applied"]);
    let ticket: String = sqlx::query_scalar(&format!(
        "SELECT ticket_id FROM safety_answers WHERE check_id = '{}' AND item_key = 'pressure'",
        failed.check_id
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let (source, place, category, description): (String, String, String, String) = sqlx::query_as(&format!(
        "SELECT source_check_id, place_id, category, description FROM tickets WHERE id = '{ticket}'"
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        source,
        failed.check_id.to_string(),
        "the ticket points back at the check"
    );
    let point_place: String = sqlx::query_scalar(&format!(
        "SELECT place_id FROM check_points WHERE id = '{point}'"
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(place, point_place);
    assert_eq!(category, "other");
    assert!(
        description.contains("压力表指针在绿区") && description.contains("指针在红区"),
        "{description}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM photos WHERE id = '{}' AND owner_id = '{ticket}'",
            photo.id
        ))
        .await,
        1,
        "the check's photo is the ticket's"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tickets").await,
        1,
        "only the failure opened a ticket"
    );
    let upload = inspector
        .browser
        .client
        .put(format!("{}/api/photos/{}", app.base, photo.id))
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    inspector.settle_all().await;
    assert!(
        inspector
            .snapshot
            .contains_key(&("tickets".to_owned(), ticket.parse().unwrap()))
    );
    let check_row = &inspector.snapshot[&("safety_checks".to_owned(), failed.check_id)];
    assert_eq!(check_row["failed"], true);
    let today = houqin::domain::clock::date(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    assert_eq!(
        board_state(&app, "教学楼A 1F 灭火器#1", &today).await,
        "failed"
    );
    assert_eq!(board_state(&app, "教学楼A 1F 消火栓", &today).await, "done");
    // The ledger lists both, signed; its CSV too.
    let admin = app.signed_in("zhuren").await;
    let month = &today[..7];
    let (status, ledger) = admin.call("safety/ledger", json!({ "month": month })).await;
    assert_eq!(status, StatusCode::OK, "{ledger}");
    assert_eq!(ledger["rows"].as_array().unwrap().len(), 2);
    assert!(
        ledger["rows"][0]["signature"]
            .as_str()
            .unwrap()
            .starts_with(SIGNATURE_PREFIX)
    );
    let csv = admin
        .client
        .get(format!("{}/api/safety/ledger.csv?month={month}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("不合格") && csv.contains("张老师"));
    // The week's ledger (any day of the week) has the same two; the point's history shows its ticket.
    let (status, week) = admin.call("safety/ledger", json!({ "month": today })).await;
    assert_eq!(status, StatusCode::OK, "{week}");
    assert_eq!(week["rows"].as_array().unwrap().len(), 2);
    let (status, history) = admin
        .call("safety/point_history", json!({ "point_id": point }))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["checks"].as_array().unwrap().len(), 1);
    assert_eq!(history["tickets"][0][0], json!(ticket));
    assert_eq!(history["tickets"][0][1], "reported");
    // The ticket names the check that opened it, and that check's id finds the same history.
    let ticket_row = &inspector.snapshot[&("tickets".to_owned(), ticket.parse().unwrap())];
    assert_eq!(ticket_row["source_check_id"], json!(failed.check_id));
    let (status, by_check) = admin
        .call(
            "safety/point_history",
            json!({ "check_id": failed.check_id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{by_check}");
    assert_eq!(by_check, history);
    let (status, _) = admin
        .call(
            "safety/point_history",
            json!({ "check_id": Uuid::now_v7() }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both!(a_failure_opens_a_linked_ticket_with_its_photo);

/// A check keeps the template version it was made with; a correction supersedes without changing the first.
async fn template_versions_and_corrections(app: TestApp) {
    let mut inspector = Phone::new(&app, "anquan").await;
    let (point, v1, keys) = point_of(&inspector, "extinguisher", "教学楼A 2F");
    let admin = app.signed_in("zhuren").await;
    let (status, v2) = admin
        .call(
            "safety/save_template",
            json!({ "kind": "extinguisher", "items": [
                { "key": "pressure", "label": "压力表指针在绿区", "category": "other" },
                { "key": "hose", "label": "喷管无老化开裂", "category": "other" }
            ] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v2}");
    assert_eq!(v2, json!(v1 + 1));
    // A phone still on version 1 (offline since before the edit) is accepted, and keeps version 1.
    let old = check(point, v1, &keys, Some(("seal", "铅封脱落", vec![])));
    inspector.queue(CHECK, serde_json::to_value(&old).unwrap());
    assert_eq!(
        outcomes(&inspector.push(Fault::None).await.unwrap()),
        ["applied"]
    );
    inspector.settle_all().await;
    let (_, latest, new_keys) = point_of(&inspector, "extinguisher", "教学楼A 2F");
    assert_eq!(latest, v1 + 1);
    assert_eq!(new_keys, ["pressure", "hose"]);
    // A correction that still finds the seal broken keeps the same ticket (no second one for one fault).
    let mut still_broken = check(point, v1, &keys, Some(("seal", "铅封脱落，已拍照", vec![])));
    still_broken.supersedes = Some(old.check_id);
    inspector.queue(CHECK, serde_json::to_value(&still_broken).unwrap());
    assert_eq!(
        outcomes(&inspector.push(Fault::None).await.unwrap()),
        ["applied"]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(DISTINCT ticket_id) FROM safety_answers WHERE check_id IN ('{}', '{}')",
            old.check_id, still_broken.check_id
        ))
        .await,
        1
    );
    let old = still_broken;
    // The correction, on the new version, supersedes the first check; both stay.
    let mut correction = check(point, latest, &new_keys, None);
    correction.supersedes = Some(old.check_id);
    inspector.queue(CHECK, serde_json::to_value(&correction).unwrap());
    assert_eq!(
        outcomes(&inspector.push(Fault::None).await.unwrap()),
        ["applied"]
    );
    let versions: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT template_version FROM safety_checks WHERE point_id = '{point}' ORDER BY checked_at"
    ))
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(versions, [v1, v1, v1 + 1]);
    let today = houqin::domain::clock::date(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    assert_eq!(
        board_state(&app, "教学楼A 2F 灭火器#1", &today).await,
        "done",
        "the correction is in force"
    );
    // A template no phone could have: refused.
    let unknown = check(point, 99, &new_keys, None);
    inspector.queue(CHECK, serde_json::to_value(&unknown).unwrap());
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["rejected:invalid"]);
    assert_eq!(
        answer["results"][0]["outcome"]["fields"][0]["field"],
        "template_version"
    );
}
both!(template_versions_and_corrections);

/// The schedule: due on its weekday, overdue after, skipped on a holiday the admin marks; a rule moves it.
/// The demo school is created today: its first due Friday is this week's (Monday to Friday) or next week's.
async fn schedule_overdue_and_holidays(app: TestApp) {
    use houqin::domain::clock::{DAY_MS, SCHOOL_UTC_OFFSET_MINUTES, date};
    use houqin::domain::safety::{day_number, week_start};
    let today = day_number(&date(
        houqin::server::db::now_ms(),
        SCHOOL_UTC_OFFSET_MINUTES,
    ))
    .unwrap();
    let this_monday = week_start(today);
    let monday = if today - this_monday <= 4 {
        this_monday
    } else {
        this_monday + 7
    };
    let day = |n: i64| date((monday + n) * DAY_MS, 0);
    let (wednesday, friday, saturday) = (day(2), day(4), day(5));
    let label = "教学楼B 1F 灭火器#1";
    assert_eq!(board_state(&app, label, &wednesday).await, "not_yet");
    assert_eq!(board_state(&app, label, &friday).await, "due_today");
    assert_eq!(board_state(&app, label, &saturday).await, "overdue");
    // Still owed on the Monday after.
    assert_eq!(board_state(&app, label, &day(7)).await, "overdue");
    let admin = app.signed_in("zhuren").await;
    let (status, body) = admin
        .call(
            "safety/set_holiday",
            json!({ "day": friday, "holiday": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(board_state(&app, label, &saturday).await, "not_due");
    let (status, body) = admin
        .call(
            "safety/set_holiday",
            json!({ "day": "2026-11-31", "holiday": true }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Moving the point to Mondays: the Monday after is due, and overdue by that Wednesday.
    let (_, board) = admin
        .call("safety/board", json!({ "date": saturday }))
        .await;
    let point = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap()["point_id"]
        .clone();
    let (status, body) = admin
        .call(
            "safety/set_rule",
            json!({ "point_id": point, "rule": { "weekday": 1, "every_weeks": 1 } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(board_state(&app, label, &day(9)).await, "overdue");
    let (status, _) = admin
        .call(
            "safety/set_rule",
            json!({ "point_id": point, "rule": { "weekday": 9, "every_weeks": 1 } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Not the teacher's to see.
    let teacher = app.signed_in("jiaozhigong").await;
    let (status, _) = teacher.call("safety/board", json!({ "date": "" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
both!(schedule_overdue_and_holidays);

/// Bad input gets a clear refusal and changes nothing: a failure with neither note nor photo, an unknown point,
/// a missing item, an unsigned check, a role that does not check.
async fn bad_checks_change_nothing(app: TestApp) {
    let mut inspector = Phone::new(&app, "anquan").await;
    let (point, version, keys) = point_of(&inspector, "extinguisher", "教学楼A 3F");
    let bare_fail = check(point, version, &keys, Some(("seal", "", vec![])));
    let unknown_point = check(Uuid::now_v7(), version, &keys, None);
    let missing_item = check(point, version, &keys[..keys.len() - 1], None);
    let mut unsigned = check(point, version, &keys, None);
    unsigned.signature.clear();
    for args in [&bare_fail, &unknown_point, &missing_item, &unsigned] {
        inspector.queue(CHECK, serde_json::to_value(args).unwrap());
    }
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["rejected:invalid"; 4]);
    let fields: Vec<&str> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"]["fields"][0]["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["answers.seal", "point_id", "answers.label", "signature"]
    );
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    teacher.queue(
        CHECK,
        serde_json::to_value(check(point, version, &keys, None)).unwrap(),
    );
    assert_eq!(
        outcomes(&teacher.push(Fault::None).await.unwrap()),
        ["rejected:forbidden"]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM safety_checks").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM safety_answers").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM tickets").await, 0);
    assert!(
        teacher.snapshot_ids("check_points").is_empty(),
        "a teacher's phone holds no rounds"
    );
}
both!(bad_checks_change_nothing);
