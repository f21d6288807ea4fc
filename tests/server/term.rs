//! The term roll-over (`/admin/term`) through the real routes, on SQLite and PostgreSQL: the preview writes
//! nothing; applying moves 一…五年级 up a grade, deactivates 六年级 (rows and names kept), adds the new 一年级 with the
//! teachers chosen, carries teachers and zones over unless the plan changes them, and starts the cleaning
//! league's term; a stale plan, a bad count, date, teacher or zone, a second roll-over into the same term and a
//! caller who is not the admin are refused and change nothing; a graduated class keeps its name in the league.

use crate::cleaning::zone_of;
use crate::harness::{Browser, TestApp, both, problem};
use crate::phone::{Fault, Phone, outcomes};
use houqin::domain::cleaning::{CHECK, CheckArgs, CheckKind, Grade, Rating};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

const TERM: &str = "2027-09-01";

async fn preview(
    admin: &Browser,
    term_start: &str,
    new_classes: Option<i64>,
) -> (StatusCode, Value) {
    admin
        .call(
            "directory/term_preview",
            json!({ "term_start": term_start, "new_classes": new_classes }),
        )
        .await
}

async fn previewed(admin: &Browser, term_start: &str, new_classes: Option<i64>) -> Value {
    let (status, body) = preview(admin, term_start, new_classes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn apply(admin: &Browser, plan: &Value) -> (StatusCode, Value) {
    admin
        .call("directory/term_apply", json!({ "plan": plan }))
        .await
}

/// The plan that confirms a preview as it stands.
fn plan_of(preview: &Value) -> Value {
    let moving: Vec<Value> = preview["moving"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({ "class_id": c["class_id"], "teacher_id": c["teacher_id"], "zone_id": c["zone_id"] }))
        .collect();
    json!({
        "term_start": preview["term_start"],
        "fingerprint": preview["fingerprint"],
        "moving": moving,
        "new_classes": preview["new_classes"],
    })
}

/// The moving class of a plan (or preview) that is `grade`-`number` now.
fn moving_entry(preview: &Value, grade: i64, number: i64) -> &Value {
    preview["moving"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["grade"] == grade && c["number"] == number)
        .unwrap_or_else(|| panic!("{grade}-{number} does not move: {preview}"))
}

/// Every class row: (id, grade, number, teacher's user name, zone's name, active), by id.
type ClassRow = (String, i64, i64, Option<String>, Option<String>, i64);

async fn class_rows(app: &TestApp) -> Vec<ClassRow> {
    sqlx::query_as(
        "SELECT c.id, c.grade, c.number, u.username, p.name, c.active FROM school_classes c \
         LEFT JOIN users u ON u.id = c.teacher_id LEFT JOIN places p ON p.id = c.zone_id ORDER BY c.id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

async fn class_id(app: &TestApp, grade: i64, number: i64) -> String {
    sqlx::query_scalar(&format!(
        "SELECT id FROM school_classes WHERE grade = {grade} AND number = {number} AND active = 1"
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn league_term_start(app: &TestApp) -> String {
    let settings: String =
        sqlx::query_scalar("SELECT settings FROM cleaning_settings WHERE id = 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    serde_json::from_str::<Value>(&settings).unwrap()["term_start"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Everything a roll-over writes: the classes, the league's term, the record of roll-overs, their audit entries,
/// the cleaning zones, and the change counter.
async fn holdings(app: &TestApp) -> (Vec<ClassRow>, String, i64, i64, i64, i64) {
    (
        class_rows(app).await,
        league_term_start(app).await,
        app.count("SELECT COUNT(*) FROM term_rollovers").await,
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'term_rollover'")
            .await,
        app.count("SELECT COUNT(*) FROM cleaning_zones WHERE active = 1")
            .await,
        app.version().await,
    )
}

async fn user_id(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE username = '{username}'"
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn place_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar(&format!("SELECT id FROM places WHERE name = '{name}'"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn the_preview_shows_the_roll_over_and_writes_nothing(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let before = holdings(&app).await;
    let sheet = previewed(&admin, TERM, Some(3)).await;
    assert_eq!(sheet["term_start"], TERM);
    assert!(sheet["done_already"].is_null(), "{sheet}");
    assert_eq!(sheet["moving"].as_array().unwrap().len(), 10, "一…五年级");
    let first = moving_entry(&sheet, 1, 1);
    assert_eq!(
        first["teacher_id"],
        user_id(&app, "banzhuren11").await,
        "the teacher carries over"
    );
    let graduating: Vec<(i64, &str)> = sheet["graduating"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["number"].as_i64().unwrap(),
                c["teacher_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(graduating.len(), 2, "{sheet}");
    assert_eq!((graduating[0].0, graduating[1].0), (1, 2));
    let new = sheet["new_classes"].as_array().unwrap();
    assert_eq!(new.len(), 3);
    let sixth_zone: String =
        sqlx::query_scalar("SELECT zone_id FROM school_classes WHERE grade = 6 AND number = 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        new[0]["zone_id"], sixth_zone,
        "the new 一年级1班 is offered the zone 六年级1班 leaves"
    );
    assert!(new[2]["zone_id"].is_null() && new[0]["teacher_id"].is_null());
    // With no count: as many new classes as graduate.
    let default = previewed(&admin, TERM, None).await;
    assert_eq!(default["new_classes"].as_array().unwrap().len(), 2);
    assert_eq!(holdings(&app).await, before, "a preview writes nothing");
}
both!(the_preview_shows_the_roll_over_and_writes_nothing);

async fn rolling_over_moves_classes_up_graduates_sixth_grade_and_adds_first_grade(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let before = class_rows(&app).await;
    let version = app.version().await;
    let sheet = previewed(&admin, TERM, Some(3)).await;
    let mut plan = plan_of(&sheet);
    let (sun, wu) = (
        user_id(&app, "jiaozhigong").await,
        user_id(&app, "anquan2").await,
    );
    let court = place_id(&app, "篮球场").await;
    plan["new_classes"][0]["teacher_id"] = json!(sun);
    plan["new_classes"][2]["teacher_id"] = json!(wu);
    plan["new_classes"][2]["zone_id"] = json!(court);
    let (status, done) = apply(&admin, &plan).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (&done["moved"], &done["graduated"], &done["created"]),
        (&json!(10), &json!(2), &json!(3))
    );
    let after = class_rows(&app).await;
    // Every class of 一…五年级 is the same row, one grade up, with its teacher and zone.
    for (id, grade, number, teacher, zone, active) in &before {
        let now = after.iter().find(|c| &c.0 == id).unwrap();
        if *grade < 6 {
            assert_eq!(
                now,
                &(
                    id.clone(),
                    grade + 1,
                    *number,
                    teacher.clone(),
                    zone.clone(),
                    1
                )
            );
        } else {
            assert_eq!(
                now,
                &(id.clone(), 6, *number, teacher.clone(), zone.clone(), 0),
                "a graduated class keeps its row, name and teacher, deactivated"
            );
            assert_eq!(*active, 1);
        }
    }
    let added: Vec<&ClassRow> = after
        .iter()
        .filter(|c| !before.iter().any(|b| b.0 == c.0))
        .collect();
    let mut added: Vec<(i64, i64, Option<&str>, i64)> = added
        .iter()
        .map(|c| (c.1, c.2, c.3.as_deref(), c.5))
        .collect();
    added.sort();
    assert_eq!(
        added,
        [
            (1, 1, Some("jiaozhigong"), 1),
            (1, 2, None, 1),
            (1, 3, Some("anquan2"), 1)
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM school_classes WHERE active = 1")
            .await,
        13
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM school_classes c JOIN places p ON p.id = c.zone_id \
             WHERE c.grade = 1 AND c.number = 3 AND c.active = 1 AND p.name = '篮球场'"
        )
        .await,
        1
    );
    // The cleaning league: the new term, the graduates' zones out, the new classes' zones in.
    assert_eq!(league_term_start(&app).await, TERM);
    let graduate = &before.iter().find(|c| c.1 == 6 && c.2 == 1).unwrap().0;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cleaning_zones WHERE class_id = '{graduate}' AND active = 1"
        ))
        .await,
        0
    );
    let new_first = class_id(&app, 1, 1).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cleaning_zones WHERE class_id = '{new_first}' AND active = 1"
        ))
        .await,
        1,
        "the zone 六年级1班 left joins the league with the new 一年级1班"
    );
    assert!(app.version().await > version, "phones hear of it");
    let audit: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'term_rollover' AND user_id IS NOT NULL",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(
        audit.contains(TERM) && audit.contains("六年级1班、六年级2班") && audit.contains("3 个班"),
        "{audit}"
    );
    // The directory names them as the school will.
    let directory = admin.directory().await;
    let names: Vec<(i64, i64, bool)> = directory["school_classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["grade"].as_i64().unwrap(),
                c["number"].as_i64().unwrap(),
                c["active"].as_bool().unwrap(),
            )
        })
        .filter(|c| c.0 == 6)
        .collect();
    assert_eq!(names.len(), 4, "two graduated, two moved up: {names:?}");
}
both!(rolling_over_moves_classes_up_graduates_sixth_grade_and_adds_first_grade);

async fn teacher_and_zone_changes_in_the_plan_apply(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let sheet = previewed(&admin, TERM, Some(0)).await;
    let mut plan = plan_of(&sheet);
    let third = moving_entry(&sheet, 3, 1)["class_id"].clone();
    let second = moving_entry(&sheet, 2, 2)["class_id"].clone();
    let court = place_id(&app, "篮球场").await;
    let sun = user_id(&app, "jiaozhigong").await;
    for choice in plan["moving"].as_array_mut().unwrap() {
        if choice["class_id"] == third {
            choice["teacher_id"] = json!(sun);
            choice["zone_id"] = json!(court);
        }
        if choice["class_id"] == second {
            choice["teacher_id"] = Value::Null;
        }
    }
    let (status, done) = apply(&admin, &plan).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let row = |id: &Value| {
        let app = &app;
        let id = id.as_str().unwrap().to_owned();
        async move {
            sqlx::query_as::<_, (i64, Option<String>, Option<String>)>(&format!(
                "SELECT c.grade, u.username, p.name FROM school_classes c LEFT JOIN users u ON u.id = c.teacher_id \
                 LEFT JOIN places p ON p.id = c.zone_id WHERE c.id = '{id}'"
            ))
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        row(&third).await,
        (4, Some("jiaozhigong".into()), Some("篮球场".into()))
    );
    assert_eq!(row(&second).await.0, 3);
    assert_eq!(row(&second).await.1, None, "the teacher taken off");
    let untouched = moving_entry(&sheet, 4, 2)["class_id"].clone();
    assert_eq!(
        row(&untouched).await.1.as_deref(),
        Some("banzhuren42"),
        "carried over"
    );
    // The cleaning zone follows the changed class.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cleaning_zones z JOIN places p ON p.id = z.place_id \
             WHERE z.class_id = '{}' AND z.active = 1 AND p.name = '篮球场'",
            third.as_str().unwrap()
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM school_classes WHERE grade = 1 AND active = 1")
            .await,
        0,
        "no new classes asked for"
    );
}
both!(teacher_and_zone_changes_in_the_plan_apply);

async fn a_stale_plan_is_refused_and_changes_nothing(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let sheet = previewed(&admin, TERM, Some(2)).await;
    // Another tab changes 三年级1班's teacher after the preview.
    let class = class_id(&app, 3, 1).await;
    let zone: String = sqlx::query_scalar(&format!(
        "SELECT zone_id FROM school_classes WHERE id = '{class}'"
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let sun = user_id(&app, "jiaozhigong").await;
    let (status, body) = admin
        .call(
            "directory/save_school_class",
            json!({ "id": class, "input": { "grade": 3, "number": 1, "teacher_id": sun, "zone_id": zone } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = holdings(&app).await;
    let (status, body) = apply(&admin, &plan_of(&sheet)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "plan")["rule"], "invalid");
    assert_eq!(holdings(&app).await, before, "nothing changed");
    // A plan that leaves a class out is as stale, even with the right fingerprint.
    let fresh = previewed(&admin, TERM, Some(2)).await;
    let mut partial = plan_of(&fresh);
    partial["moving"].as_array_mut().unwrap().pop();
    let (status, body) = apply(&admin, &partial).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "plan")["rule"], "invalid");
    assert_eq!(holdings(&app).await, before, "nothing changed");
    // Previewed again, it applies, with the teacher saved meanwhile.
    let (status, body) = apply(&admin, &plan_of(&fresh)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM school_classes WHERE id = '{class}' AND grade = 4 AND teacher_id = '{sun}'"
        ))
        .await,
        1
    );
}
both!(a_stale_plan_is_refused_and_changes_nothing);

async fn bad_counts_dates_teachers_and_zones_are_refused_and_change_nothing(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    // 三年级1班's teacher leaves the school: the preview carries no one over and says so.
    sqlx::query("UPDATE users SET active = 0 WHERE username = 'banzhuren31'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let before = holdings(&app).await;
    for (term, count, field) in [
        (TERM, Some(31), "new_classes"),
        (TERM, Some(-1), "new_classes"),
        ("2026-9-1", Some(2), "term_start"),
        ("2026-02-30", Some(2), "term_start"),
    ] {
        let (status, body) = preview(&admin, term, count).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(problem(&body, field)["rule"], "invalid", "{term} {count:?}");
    }
    let sheet = previewed(&admin, TERM, Some(2)).await;
    let third = moving_entry(&sheet, 3, 1);
    assert_eq!(third["teacher_left"], true);
    assert!(third["teacher_id"].is_null());
    let third = third["class_id"].as_str().unwrap().to_owned();
    let gone = user_id(&app, "banzhuren31").await;
    let nowhere = Uuid::now_v7().to_string();
    let plan = plan_of(&sheet);

    let mut too_many = plan.clone();
    too_many["new_classes"] = json!(vec![json!({ "teacher_id": null, "zone_id": null }); 31]);
    let mut bad_date = plan.clone();
    bad_date["term_start"] = json!("下学期");
    let mut gone_teacher = plan.clone();
    let mut no_zone = plan.clone();
    for choice in gone_teacher["moving"].as_array_mut().unwrap() {
        if choice["class_id"] == third.as_str() {
            choice["teacher_id"] = json!(gone);
        }
    }
    no_zone["new_classes"][1]["zone_id"] = json!(nowhere);
    let (status, body) = apply(&admin, &too_many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "new_classes")["rule"], "invalid");
    let (_, body) = apply(&admin, &bad_date).await;
    assert_eq!(problem(&body, "term_start")["rule"], "invalid");
    let (_, body) = apply(&admin, &gone_teacher).await;
    assert_eq!(
        problem(&body, &format!("moving.{third}.teacher_id"))["rule"],
        "unknown"
    );
    let (_, body) = apply(&admin, &no_zone).await;
    assert_eq!(problem(&body, "new_classes.2.zone_id")["rule"], "unknown");
    assert_eq!(holdings(&app).await, before, "nothing changed");
}
both!(bad_counts_dates_teachers_and_zones_are_refused_and_change_nothing);

async fn only_the_admin_rolls_over(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let (status, html) = admin.page("/admin/term", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("data-testid=\"term-form\"") && html.contains("新学期第一天"),
        "{html}"
    );
    let (_, html) = admin.page("/admin", &[]).await;
    assert!(
        html.contains("href=\"/admin/term\""),
        "管理 links to it: {html}"
    );
    let (_, html) = app
        .signed_in("banzhuren61")
        .await
        .page("/admin/term", &[])
        .await;
    assert!(!html.contains("term-form"), "{html}");
    let plan = plan_of(&previewed(&admin, TERM, Some(2)).await);
    let before = holdings(&app).await;
    for username in ["banzhuren61", "weisheng", "menwei"] {
        let someone = app.signed_in(username).await;
        let (status, body) = preview(&someone, TERM, Some(2)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
        let (status, _) = apply(&someone, &plan).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{username}");
    }
    let (status, _) = apply(&app.browser(), &plan).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(holdings(&app).await, before, "nothing changed");
}
both!(only_the_admin_rolls_over);

async fn a_second_roll_over_into_the_same_term_is_refused(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let (status, body) = apply(&admin, &plan_of(&previewed(&admin, TERM, Some(2)).await)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The preview says so, and a plan made from it is refused: the classes would move up a second time.
    let again = previewed(&admin, TERM, Some(2)).await;
    assert_eq!(again["done_already"]["term_start"], TERM, "{again}");
    let before = holdings(&app).await;
    let (status, body) = apply(&admin, &plan_of(&again)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "term_start")["rule"], "taken");
    let earlier = previewed(&admin, "2026-02-20", Some(2)).await;
    assert!(earlier["done_already"].is_object(), "{earlier}");
    let (_, body) = apply(&admin, &plan_of(&earlier)).await;
    assert_eq!(problem(&body, "term_start")["rule"], "taken");
    assert_eq!(holdings(&app).await, before, "nothing changed");
    // A year on, the next roll-over: a second pair of 六年级 graduates beside the first.
    let next = previewed(&admin, "2028-09-01", Some(2)).await;
    assert!(next["done_already"].is_null());
    let (status, body) = apply(&admin, &plan_of(&next)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM school_classes WHERE grade = 6 AND number = 1")
            .await,
        3,
        "two graduated 六年级1班 and the one now in 六年级"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM school_classes WHERE grade = 6 AND number = 1 AND active = 1"
        )
        .await,
        1
    );
    assert_eq!(league_term_start(&app).await, "2028-09-01");
}
both!(a_second_roll_over_into_the_same_term_is_refused);

/// A graduated class keeps its name where its checks are shown (the league board, the CSV); a class that moved
/// up is its new name on every phone, which hears of the roll-over on its next pull.
async fn a_graduated_class_keeps_its_name_in_the_league(app: TestApp) {
    let mut inspector = Phone::new(&app, "weisheng").await;
    let (graduate_zone, rubric, keys) = zone_of(&inspector, 6, 1);
    let (fifth_zone, _, _) = zone_of(&inspector, 5, 1);
    let graduate = class_id(&app, 6, 1).await;
    let check = CheckArgs {
        check_id: Uuid::now_v7(),
        zone_id: graduate_zone,
        rubric_version: rubric,
        kind: CheckKind::Daily,
        slot: Some("08:00".into()),
        ratings: keys
            .into_iter()
            .map(|key| Rating {
                key,
                grade: Grade::Good,
                note: String::new(),
                photos: vec![],
            })
            .collect(),
        checked_at_ms: houqin::server::db::now_ms(),
        supersedes: None,
    };
    inspector.queue(CHECK, serde_json::to_value(&check).unwrap());
    let answer = inspector.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["applied"]);
    let zone_name: String = sqlx::query_scalar(&format!(
        "SELECT p.name FROM cleaning_zones z JOIN places p ON p.id = z.place_id WHERE z.id = '{graduate_zone}'"
    ))
    .fetch_one(&app.db.pool)
    .await
    .unwrap();

    let admin = app.signed_in("zhuren").await;
    let (status, body) = apply(&admin, &plan_of(&previewed(&admin, TERM, Some(2)).await)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let today = houqin::domain::clock::date(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    let (status, board) = admin
        .call(
            "cleaning/league",
            json!({ "league": "class", "period": today }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    let rows = board["rows"].as_array().unwrap();
    let graduated = rows
        .iter()
        .find(|r| r["subject"] == graduate.as_str())
        .unwrap_or_else(|| panic!("the graduated class left the week it was scored in: {board}"));
    assert_eq!(graduated["name"], "六年级1班");
    assert_eq!(graduated["standing"]["score"], 1000);
    assert_eq!(graduated["standing"]["rank"], 1);
    let teacher: String =
        sqlx::query_scalar("SELECT display_name FROM users WHERE username = 'banzhuren61'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(graduated["teacher"], teacher.as_str());
    let csv = admin
        .client
        .get(format!(
            "{}/api/cleaning/checks.csv?league=class&period={today}",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(&format!("六年级1班,{zone_name},定时")),
        "the check still names its class: {csv}"
    );
    // The class term of the graduated class still opens (the board links to it).
    let (status, term) = admin
        .call("cleaning/class_term", json!({ "class_id": graduate }))
        .await;
    assert_eq!(status, StatusCode::OK, "{term}");
    assert_eq!(term["class"], json!([6, 1]));
    assert_eq!(term["term_start"], TERM);

    // The phone: the zone 五年级1班 kept is now 六年级1班's; the graduate's zone left it.
    inspector.settle_all().await;
    let (now_sixth, _, _) = zone_of(&inspector, 6, 1);
    assert_eq!(now_sixth, fifth_zone);
    assert!(
        !inspector
            .snapshot
            .contains_key(&("cleaning_zones".to_owned(), graduate_zone)),
        "the graduated class's zone left the phone"
    );
}
both!(a_graduated_class_keeps_its_name_in_the_league);

/// One class per grade and number among the active ones: a graduated 六年级1班 may still be corrected under its
/// name, but not brought back while the class that moved up holds it.
async fn a_graduated_class_cannot_come_back_over_the_class_that_took_its_name(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let graduate = class_id(&app, 6, 1).await;
    let (status, body) = apply(&admin, &plan_of(&previewed(&admin, TERM, Some(2)).await)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sun = user_id(&app, "jiaozhigong").await;
    let (status, body) = admin
        .call(
            "directory/save_school_class",
            json!({ "id": graduate, "input": { "grade": 6, "number": 1, "teacher_id": sun, "zone_id": null } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = holdings(&app).await;
    let (status, body) = admin
        .call(
            "directory/set_active",
            json!({ "entry": "school_class", "id": graduate, "active": true }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "number")["rule"], "taken");
    assert_eq!(holdings(&app).await, before, "nothing changed");
    // A new class cannot take an active class's name either, and may take a graduated one's free name.
    let class = |grade: i64, number: i64| json!({ "id": null, "input": { "grade": grade, "number": number, "teacher_id": null, "zone_id": null } });
    let (_, body) = admin.call("directory/save_school_class", class(6, 1)).await;
    assert_eq!(problem(&body, "number")["rule"], "taken");
    let (status, body) = admin.call("directory/save_school_class", class(6, 3)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
both!(a_graduated_class_cannot_come_back_over_the_class_that_took_its_name);
