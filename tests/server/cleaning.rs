//! Cleaning-zone scores through the real sync and server-function routes, on SQLite and PostgreSQL: scores saved
//! offline reach the league; the admin publishes; a class teacher appeals a check of their class and the league
//! follows the decision; corrections supersede; bad input is refused with a reason and changes nothing.

use crate::harness::{TestApp, both, problem};
use crate::phone::{Fault, Phone, outcomes};
use houqin::domain::cleaning::{APPEAL, AppealArgs, CHECK, CheckArgs, CheckKind, Grade, Rating};
use houqin::domain::photo::PhotoRef;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The class zone kept by grade/number, with its rubric: (zone id, rubric version, item keys).
pub fn zone_of(phone: &Phone, grade: i64, number: i64) -> (Uuid, i64, Vec<String>) {
    let (id, zone) = phone
        .snapshot
        .iter()
        .find(|((table, _), row)| {
            table == "cleaning_zones" && row["class"] == json!([grade, number])
        })
        .map(|((_, id), row)| (*id, row.clone()))
        .unwrap_or_else(|| panic!("no zone of class {grade}-{number}"));
    let rubric = phone
        .snapshot
        .iter()
        .filter(|((table, _), row)| table == "cleaning_rubrics" && row["kind"] == zone["kind"])
        .map(|(_, row)| row)
        .max_by_key(|row| row["version"].as_i64())
        .expect("a rubric");
    let keys = rubric["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect();
    (id, rubric["version"].as_i64().unwrap(), keys)
}

fn jpeg(seed: u8) -> (Vec<u8>, PhotoRef) {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend(std::iter::repeat_n(seed, 4000));
    let photo = PhotoRef {
        id: Uuid::now_v7(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        size: bytes.len() as i64,
    };
    (bytes, photo)
}

/// A daily check at 08:00: every item 好 but the `poor` ones (each with a photo).
fn score(zone: (Uuid, i64, Vec<String>), poor: &[(&str, PhotoRef)]) -> CheckArgs {
    let (zone_id, version, keys) = zone;
    CheckArgs {
        check_id: Uuid::now_v7(),
        zone_id,
        rubric_version: version,
        kind: CheckKind::Daily,
        slot: Some("08:00".into()),
        ratings: keys
            .iter()
            .map(|key| match poor.iter().find(|(k, _)| k == key) {
                Some((_, photo)) => Rating {
                    key: key.clone(),
                    grade: Grade::Poor,
                    note: "纸屑较多".into(),
                    photos: vec![photo.clone()],
                },
                None => Rating {
                    key: key.clone(),
                    grade: Grade::Good,
                    note: String::new(),
                    photos: vec![],
                },
            })
            .collect(),
        checked_at_ms: houqin::server::db::now_ms(),
        supersedes: None,
    }
}

fn today() -> String {
    houqin::domain::clock::date(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    )
}

/// The league this week: class name → (rank, score, red flag, reclean).
async fn league(app: &TestApp, username: &str) -> (StatusCode, Value) {
    let browser = app.signed_in(username).await;
    browser
        .call(
            "cleaning/league",
            json!({ "league": "class", "period": today() }),
        )
        .await
}

fn row<'a>(board: &'a Value, name: &str) -> &'a Value {
    board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in the league: {board}"))
}

/// Six zones scored on one phone reach the league: the server computes each score, the photo of a deduction is
/// declared with the check, the best class holds the red flag and a class below 6 must clean again; teachers
/// see the week only once the admin publishes it.
async fn scores_reach_the_league_and_the_admin_publishes(app: TestApp) {
    let mut inspector = Phone::new(&app, "jianduyuan").await;
    let (bytes, photo) = jpeg(3);
    let (_, photo2) = jpeg(4);
    let (_, photo3) = jpeg(5);
    let checks = [
        score(zone_of(&inspector, 1, 1), &[]),
        score(zone_of(&inspector, 1, 2), &[("litter", photo.clone())]),
        score(zone_of(&inspector, 2, 1), &[]),
        score(
            zone_of(&inspector, 2, 2),
            &[("litter", photo2), ("leaves", photo3)],
        ),
        score(zone_of(&inspector, 3, 1), &[]),
        score(zone_of(&inspector, 3, 2), &[]),
    ];
    for check in &checks {
        inspector.queue(CHECK, serde_json::to_value(check).unwrap());
    }
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), vec!["applied"; 6]);
    let stored: i64 = sqlx::query_scalar(&format!(
        "SELECT score FROM cleaning_checks WHERE id = '{}'",
        checks[1].check_id
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(stored, 8, "10 less 2 for 纸屑 差");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM photos WHERE id = '{}' AND owner_kind = 'cleaning' AND owner_id = '{}'",
            photo.id, checks[1].check_id
        ))
        .await,
        1
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
    // Not published: the class teacher is told so; the admin sees the draft.
    let (status, _) = league(&app, "banzhuren11").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, board) = league(&app, "zhuren").await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert!(board["published"].is_null());
    assert_eq!(board["counted"], 6);
    let first = row(&board, "一年级1班");
    assert_eq!(first["standing"]["score"], 1000);
    assert_eq!(first["standing"]["rank"], 1);
    assert_eq!(first["standing"]["red_flag"], true);
    assert_eq!(row(&board, "一年级2班")["standing"]["score"], 800);
    assert_eq!(row(&board, "一年级2班")["standing"]["red_flag"], false);
    let low = row(&board, "二年级2班");
    assert_eq!(low["standing"]["score"], 600);
    assert_eq!(low["standing"]["reclean"], false, "6.00 is not below 6");
    assert!(
        row(&board, "四年级1班")["standing"]["rank"].is_null(),
        "unchecked classes are unranked"
    );
    let flags = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["standing"]["red_flag"] == true)
        .count();
    assert_eq!(flags, 4, "four classes tie at 10.00 and share the flag");
    let admin = app.signed_in("zhuren").await;
    // A hallway screen's link: the admin's to make; a TV with it and no account sees nothing before publication.
    let (status, refused) = admin
        .call("cleaning/create_screen", json!({ "name": " " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = app
        .signed_in("jianduyuan")
        .await
        .call("cleaning/create_screen", json!({ "name": "一楼大厅" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, token) = admin
        .call("cleaning/create_screen", json!({ "name": "一楼大厅" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let token = token.as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64, "256 random bits, in hex");
    let tv = app.browser();
    let screen = |token: String| {
        let tv = &tv;
        async move {
            tv.call("cleaning/screen_board", json!({ "token": token }))
                .await
        }
    };
    assert_eq!(screen(token.clone()).await.0, StatusCode::NOT_FOUND);
    let (status, _) = admin
        .call(
            "cleaning/publish",
            json!({ "league": "class", "period": today() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, shown) = screen(token.clone()).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(row(&shown, "一年级1班")["standing"]["score"], 1000);
    assert!(
        shown["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["teacher"].is_null())
            && shown["published"][1] == "",
        "a hallway is not told who teaches or who published: {shown}"
    );
    assert_eq!(screen("0".repeat(64)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cleaning_screens WHERE token_hash = '{token}'"
        ))
        .await,
        0,
        "only the token's hash is kept"
    );
    let (_, screens) = admin.call("cleaning/screens", json!({})).await;
    assert_eq!(screens.as_array().unwrap().len(), 1, "{screens}");
    assert!(
        !screens.to_string().contains(&token),
        "the token is not kept"
    );
    let (status, _) = admin
        .call("cleaning/revoke_screen", json!({ "id": screens[0]["id"] }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(screen(token).await.0, StatusCode::NOT_FOUND, "revoked");
    let (status, board) = league(&app, "banzhuren11").await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["published"][1], "李主任");
    // The teacher of 一年级2班 may see the photo of their class's deduction; another class's teacher may not.
    let own = app.signed_in("banzhuren12").await;
    let seen = own
        .client
        .get(format!("{}/api/photos/{}", app.base, photo.id))
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), StatusCode::OK);
    let other = app.signed_in("banzhuren21").await;
    let refused = other
        .client
        .get(format!("{}/api/photos/{}", app.base, photo.id))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The CSV lists the six checks and the table.
    let csv = admin
        .client
        .get(format!(
            "{}/api/cleaning/checks.csv?league=class&period={}",
            app.base,
            today()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.contains("纸屑、垃圾 −2（纸屑较多）"), "{text}");
    assert!(text.contains("流动红旗"));
}
both!(scores_reach_the_league_and_the_admin_publishes);

/// A deduction with no photo, an item outside the rubric, a grade that does not exist, an unknown zone and a
/// class teacher scoring are each refused with a reason; nothing is stored.
async fn bad_scores_are_refused_and_change_nothing(app: TestApp) {
    let mut inspector = Phone::new(&app, "weisheng").await;
    let zone = zone_of(&inspector, 1, 1);
    let (_, photo) = jpeg(1);
    let mut no_photo = score(zone.clone(), &[("litter", photo)]);
    no_photo.ratings[0].photos.clear();
    let mut outside = score(zone.clone(), &[]);
    outside.ratings[0].key = "graffiti".into();
    let mut unknown_grade = serde_json::to_value(score(zone.clone(), &[])).unwrap();
    unknown_grade["ratings"][0]["grade"] = json!("excellent");
    let mut unknown_zone = score(zone.clone(), &[]);
    unknown_zone.zone_id = Uuid::now_v7();
    let mut unslotted = score(zone.clone(), &[]);
    unslotted.slot = None;
    inspector.queue(CHECK, serde_json::to_value(&no_photo).unwrap());
    inspector.queue(CHECK, serde_json::to_value(&outside).unwrap());
    inspector.queue(CHECK, unknown_grade);
    inspector.queue(CHECK, serde_json::to_value(&unknown_zone).unwrap());
    inspector.queue(CHECK, serde_json::to_value(&unslotted).unwrap());
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(
        outcomes(&answer),
        [
            "rejected:invalid",
            "rejected:invalid",
            "rejected:bad_arguments",
            "rejected:invalid",
            "rejected:invalid"
        ]
    );
    let fields = &answer["results"][0]["outcome"]["fields"];
    assert_eq!(fields[0]["field"], "ratings.litter");
    assert_eq!(fields[0]["problem"]["rule"], "required");
    assert_eq!(
        answer["results"][1]["outcome"]["fields"][0]["field"], "ratings.litter",
        "the rubric's item is missing"
    );
    let mut teacher = Phone::new(&app, "banzhuren11").await;
    let zone = zone_of(&teacher, 1, 1);
    teacher.queue(CHECK, serde_json::to_value(score(zone, &[])).unwrap());
    let answer = teacher.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["rejected:forbidden"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM cleaning_checks").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM cleaning_ratings").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM photos WHERE owner_kind = 'cleaning'")
            .await,
        0
    );
    // Settings out of range are refused field by field and the old ones stay.
    let admin = app.signed_in("zhuren").await;
    let (status, body) = admin
        .call(
            "cleaning/save_settings",
            json!({ "settings": { "daily_times": ["8点"], "spot_weight_pct": 200, "threshold_centi": 600,
                "appeal_hours": 0, "term_start": "2026-09-01" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&body, "daily_times")["rule"], "invalid");
    assert_eq!(problem(&body, "appeal_hours")["rule"], "invalid");
    let (_, setup) = admin.call("cleaning/setup", json!({})).await;
    assert_eq!(setup["settings"]["appeal_hours"], 24);
}
both!(bad_scores_are_refused_and_change_nothing);

/// The class teacher appeals a check of their own class; another class's teacher cannot, nor can anyone appeal
/// twice or after the window; the admin accepts and the league no longer counts the check; the teacher's phone
/// receives the outcome.
async fn a_teacher_appeals_and_the_league_follows_the_decision(app: TestApp) {
    let mut inspector = Phone::new(&app, "weisheng").await;
    let (_, photo) = jpeg(9);
    let low = score(zone_of(&inspector, 1, 1), &[("litter", photo.clone())]);
    let mut harsher = low.clone();
    harsher.check_id = Uuid::now_v7();
    harsher.kind = CheckKind::Spot;
    harsher.slot = None;
    let (_, photo_b) = jpeg(10);
    harsher.ratings[0].photos = vec![photo_b];
    inspector.queue(CHECK, serde_json::to_value(&low).unwrap());
    inspector.queue(CHECK, serde_json::to_value(&harsher).unwrap());
    assert_eq!(
        outcomes(&inspector.push(Fault::None).await.unwrap()),
        ["applied", "applied"]
    );
    let (_, board) = league(&app, "zhuren").await;
    assert_eq!(row(&board, "一年级1班")["standing"]["score"], 800);
    let appeal = |check: Uuid, reason: &str| AppealArgs {
        appeal_id: Uuid::now_v7(),
        check_id: check,
        reason: reason.into(),
        filed_at_ms: houqin::server::db::now_ms(),
    };
    let mut stranger = Phone::new(&app, "banzhuren12").await;
    stranger.queue(
        APPEAL,
        serde_json::to_value(appeal(low.check_id, "不是我们班")).unwrap(),
    );
    assert_eq!(
        outcomes(&stranger.push(Fault::None).await.unwrap()),
        ["rejected:forbidden"]
    );
    let mut teacher = Phone::new(&app, "banzhuren11").await;
    assert!(
        teacher
            .snapshot
            .contains_key(&("cleaning_checks".to_owned(), low.check_id)),
        "the class teacher's phone holds their class's checks"
    );
    assert!(
        !stranger
            .snapshot
            .contains_key(&("cleaning_checks".to_owned(), low.check_id)),
        "and no one else's"
    );
    let first = appeal(harsher.check_id, "检查时刚下课，学生正在打扫");
    teacher.queue(APPEAL, serde_json::to_value(&first).unwrap());
    teacher.queue(
        APPEAL,
        serde_json::to_value(appeal(harsher.check_id, "再说一次")).unwrap(),
    );
    teacher.queue(
        APPEAL,
        serde_json::to_value(appeal(low.check_id, "  ")).unwrap(),
    );
    assert_eq!(
        outcomes(&teacher.push(Fault::None).await.unwrap()),
        ["applied", "rejected:already_appealed", "rejected:invalid"]
    );
    // A check from two days ago is past the 24-hour window.
    let two_days_ago = houqin::server::db::now_ms() - 48 * 3_600_000;
    sqlx::query(&format!(
        "UPDATE cleaning_checks SET checked_at = {two_days_ago}, received_at = {two_days_ago} WHERE id = '{}'",
        low.check_id
    ))
    .execute(&app.db.pool)
    .await
    .unwrap();
    teacher.queue(
        APPEAL,
        serde_json::to_value(appeal(low.check_id, "太晚了")).unwrap(),
    );
    assert_eq!(
        outcomes(&teacher.push(Fault::None).await.unwrap()),
        ["rejected:appeal_closed"]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM cleaning_appeals").await, 1);
    // The admin accepts: the spot check no longer counts, the league follows.
    let admin = app.signed_in("zhuren").await;
    let (_, appeals) = admin.call("cleaning/appeals", json!({})).await;
    assert_eq!(appeals[0]["appeal"]["reason"], "检查时刚下课，学生正在打扫");
    assert_eq!(appeals[0]["teacher"], "杨老师");
    let (status, _) = admin
        .call(
            "cleaning/resolve_appeal",
            json!({ "appeal_id": first.appeal_id, "accept": true, "note": "情况属实" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = admin
        .call(
            "cleaning/resolve_appeal",
            json!({ "appeal_id": first.appeal_id, "accept": false, "note": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "decided once");
    teacher.settle_all().await;
    let outcome = &teacher.snapshot[&("cleaning_appeals".to_owned(), first.appeal_id)];
    assert_eq!(outcome["status"], "accepted");
    assert_eq!(outcome["resolution"], "情况属实");
    // The low daily check moved to two days ago: this week (if still this week) counts only what is in force.
    let (_, term) = admin
        .call(
            "cleaning/class_term",
            json!({ "class_id": row(&board, "一年级1班")["subject"] }),
        )
        .await;
    assert_eq!(term["checks"].as_array().unwrap().len(), 2, "{term}");
    assert!(term.to_string().contains("检查时刚下课"), "{term}");
    // An inspector follows the class's scores, but a teacher's appeal is not theirs to read (as in the pull).
    let (status, seen) = app
        .signed_in("weisheng")
        .await
        .call(
            "cleaning/class_term",
            json!({ "class_id": row(&board, "一年级1班")["subject"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["checks"].as_array().unwrap().len(), 2, "{seen}");
    assert!(!seen.to_string().contains("检查时刚下课"), "{seen}");
    let (_, board) = league(&app, "zhuren").await;
    assert_eq!(
        board["left_out"], 1,
        "the accepted appeal's check is left out"
    );
}
both!(a_teacher_appeals_and_the_league_follows_the_decision);

/// A correction supersedes the check it names (of the same zone only), and only the correction counts.
async fn a_correction_supersedes_the_earlier_score(app: TestApp) {
    let mut inspector = Phone::new(&app, "weisheng").await;
    let zone = zone_of(&inspector, 4, 1);
    let (_, photo) = jpeg(2);
    let wrong = score(zone.clone(), &[("drains", photo)]);
    let mut right = score(zone.clone(), &[]);
    right.supersedes = Some(wrong.check_id);
    let mut elsewhere = score(zone_of(&inspector, 4, 2), &[]);
    elsewhere.supersedes = Some(wrong.check_id);
    inspector.queue(CHECK, serde_json::to_value(&wrong).unwrap());
    inspector.queue(CHECK, serde_json::to_value(&right).unwrap());
    inspector.queue(CHECK, serde_json::to_value(&elsewhere).unwrap());
    inspector.queue(CHECK, serde_json::to_value(&right).unwrap());
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(
        outcomes(&answer),
        [
            "applied",
            "applied",
            "rejected:invalid",
            "rejected:already_recorded"
        ]
    );
    let (_, board) = league(&app, "zhuren").await;
    assert_eq!(row(&board, "四年级1班")["standing"]["score"], 1000);
    assert_eq!(board["counted"], 1);
    assert_eq!(board["left_out"], 1);
    // A second phone, not yet synced, corrects the first score too: both corrections are kept, the later one
    // replaces the earlier correction (never two counting at once), and its author is told.
    let mut second = Phone::new(&app, "jianduyuan").await;
    let (_, photo) = jpeg(6);
    let mut stale = score(zone.clone(), &[("walls", photo)]);
    stale.supersedes = Some(wrong.check_id);
    second.queue(CHECK, serde_json::to_value(&stale).unwrap());
    let answer = second.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["conflict_recorded:corrected_again"]);
    let chained: String = sqlx::query_scalar(&format!(
        "SELECT supersedes FROM cleaning_checks WHERE id = '{}'",
        stale.check_id
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(chained, right.check_id.to_string());
    let (_, board) = league(&app, "zhuren").await;
    assert_eq!(row(&board, "四年级1班")["standing"]["score"], 800);
    assert_eq!(board["counted"], 1);
    assert_eq!(board["left_out"], 2);
}
both!(a_correction_supersedes_the_earlier_score);

/// The zone set on a class is its zone in the league: moving the class to another zone takes the old one out
/// (phones drop it) and brings the new one in; zones the admin added stay.
async fn a_class_zone_follows_the_class(app: TestApp) {
    let (class, teacher): (String, Option<String>) =
        sqlx::query_as("SELECT id, teacher_id FROM school_classes WHERE grade = 1 AND number = 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let dining: String = sqlx::query_scalar("SELECT id FROM places WHERE name = '餐厅'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let mut inspector = Phone::new(&app, "weisheng").await;
    let (old_zone, _, _) = zone_of(&inspector, 1, 1);
    let admin = app.signed_in("zhuren").await;
    let (status, body) = admin
        .call(
            "directory/save_school_class",
            json!({ "id": class, "input": { "grade": 1, "number": 1, "teacher_id": teacher, "zone_id": dining } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let active: Vec<(String, String, i64)> = sqlx::query_as(&format!(
        "SELECT place_id, kind, automatic FROM cleaning_zones WHERE class_id = '{class}' AND active = 1"
    ))
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(active, vec![(dining.clone(), "indoor".to_owned(), 1)]);
    inspector.settle_all().await;
    assert!(
        !inspector
            .snapshot
            .contains_key(&("cleaning_zones".to_owned(), old_zone)),
        "the old zone left the phone"
    );
    let (new_zone, _, keys) = zone_of(&inspector, 1, 1);
    assert_ne!(new_zone, old_zone);
    assert!(keys.contains(&"corners".to_owned()), "the indoor rubric");
}
both!(a_class_zone_follows_the_class);

/// Makes the server's record of the phone's requests say it was last heard from at `at`, as if it had been
/// offline since.
async fn offline_since(app: &TestApp, phone: &Phone, at: i64) {
    sqlx::query(&format!(
        "UPDATE sync_client_marks SET seen_at = {at} WHERE client_id = '{}'",
        phone.client_id
    ))
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// A phone's clock decides an entry's time only as far back as the phone was out of touch: a phone that synced
/// a moment ago cannot date a check into last week's published board, nor an appeal back into its window. One
/// that really was offline since then can, and a published board still does not change until the admin
/// publishes it again (the late check is shown as waiting).
async fn a_phone_clock_set_back_neither_changes_a_published_board_nor_reopens_an_appeal(
    app: TestApp,
) {
    use houqin::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, date};
    let day = 24 * 3_600_000;
    let now = houqin::server::db::now_ms();
    let last_week = date(now - 7 * day, SCHOOL_UTC_OFFSET_MINUTES);
    let admin = app.signed_in("zhuren").await;
    let board = |period: String| {
        let admin = &admin;
        async move {
            let (status, board) = admin
                .call(
                    "cleaning/league",
                    json!({ "league": "class", "period": period }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{board}");
            board
        }
    };
    let publish = || async {
        let (status, answer) = admin
            .call(
                "cleaning/publish",
                json!({ "league": "class", "period": last_week }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    };
    publish().await;
    let mut inspector = Phone::new(&app, "jianduyuan").await;
    let mut dated_back = score(zone_of(&inspector, 1, 1), &[]);
    dated_back.checked_at_ms = now - 7 * day;
    inspector.queue(CHECK, serde_json::to_value(&dated_back).unwrap());
    assert_eq!(
        outcomes(&inspector.push(Fault::None).await.unwrap()),
        ["applied"]
    );
    // The phone synced a moment before: it cannot have written this last week. It counts as of now.
    let checked_at: i64 = sqlx::query_scalar(&format!(
        "SELECT checked_at FROM cleaning_checks WHERE id = '{}'",
        dated_back.check_id
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(checked_at >= now - 2 * 60_000, "{checked_at} vs {now}");
    let before = board(last_week.clone()).await;
    assert!(
        row(&before, "一年级1班")["standing"]["score"].is_null(),
        "{before}"
    );
    assert_eq!(before["arrived_after_publication"], 0);

    // A phone offline since before last week: its check counts there, but the published board stays as it was.
    let mut offline = Phone::new(&app, "jianduyuan").await;
    offline_since(&app, &offline, now - 8 * day).await;
    let mut late = score(zone_of(&offline, 1, 2), &[]);
    late.checked_at_ms = now - 7 * day;
    offline.queue(CHECK, serde_json::to_value(&late).unwrap());
    assert_eq!(
        outcomes(&offline.push(Fault::None).await.unwrap()),
        ["applied"]
    );
    let published = board(last_week.clone()).await;
    assert!(
        row(&published, "一年级2班")["standing"]["score"].is_null(),
        "{published}"
    );
    assert_eq!(published["arrived_after_publication"], 1, "{published}");
    publish().await;
    let again = board(last_week.clone()).await;
    assert_eq!(
        row(&again, "一年级2班")["standing"]["score"],
        1000,
        "{again}"
    );
    assert_eq!(again["arrived_after_publication"], 0);

    // The appeal window: the check arrived two days ago, its 24 hours closed yesterday.
    sqlx::query(&format!(
        "UPDATE cleaning_checks SET checked_at = {0}, received_at = {0} WHERE id = '{1}'",
        now - 2 * day,
        dated_back.check_id
    ))
    .execute(&app.db.pool)
    .await
    .unwrap();
    let appeal = |reason: &str| AppealArgs {
        appeal_id: Uuid::now_v7(),
        check_id: dated_back.check_id,
        reason: reason.into(),
        filed_at_ms: now - 2 * day + 3_600_000,
    };
    let mut teacher = Phone::new(&app, "banzhuren11").await;
    teacher.queue(
        APPEAL,
        serde_json::to_value(appeal("手机时间调回去了")).unwrap(),
    );
    assert_eq!(
        outcomes(&teacher.push(Fault::None).await.unwrap()),
        ["rejected:appeal_closed"]
    );
    // Written on a phone that really was offline since then, the same appeal is in time.
    offline_since(&app, &teacher, now - 2 * day).await;
    teacher.queue(
        APPEAL,
        serde_json::to_value(appeal("离线时写的申诉")).unwrap(),
    );
    assert_eq!(
        outcomes(&teacher.push(Fault::None).await.unwrap()),
        ["applied"]
    );
}
both!(a_phone_clock_set_back_neither_changes_a_published_board_nor_reopens_an_appeal);
