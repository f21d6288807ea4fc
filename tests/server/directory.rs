//! The campus directory: the demo school, the admin's edits and their rules, labels, and the version counter.

use crate::harness::{TestApp, both, id_where, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn place(parent: Option<&str>, kind: &str, name: &str) -> Value {
    json!({ "id": null, "input": { "parent_id": parent, "kind": kind, "name": name } })
}

async fn the_demo_school_has_classes_zones_check_points_and_one_user_per_role(app: TestApp) {
    let directory = app.signed_in("zhuren").await.directory().await;
    let classes = directory["school_classes"].as_array().unwrap();
    assert_eq!(classes.len(), 12);
    assert!(
        classes
            .iter()
            .all(|c| c["teacher_name"].is_string() && c["zone_path"].is_string())
    );
    assert_eq!(
        (classes[0]["grade"].as_i64(), classes[11]["number"].as_i64()),
        (Some(1), Some(2))
    );
    let points = directory["check_points"].as_array().unwrap();
    assert!(points.len() >= 20, "{} check points", points.len());
    assert!(points.iter().all(|p| p["responsible_name"].is_string()));
    let kinds: std::collections::HashSet<_> =
        points.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    for kind in [
        "extinguisher",
        "hydrant",
        "emergency_light",
        "exit_sign",
        "lock",
        "camera",
    ] {
        assert!(kinds.contains(kind), "a {kind} check point");
    }
    let places = directory["places"].as_array().unwrap();
    for name in ["南门", "教学楼A", "教学楼B", "综合办公楼", "食堂", "操场"] {
        assert!(places.iter().any(|p| p["name"] == name), "{name}");
    }
    assert!(places.iter().any(|p| p["path"] == "教学楼A · 2F · 东走廊"));
    let people = directory["people"].as_array().unwrap();
    for role in [
        "admin",
        "gate_guard",
        "safety_inspector",
        "cleaning_inspector",
        "maintenance",
        "staff",
        "class_teacher",
    ] {
        assert!(
            people
                .iter()
                .any(|p| p["roles"].as_array().unwrap().contains(&json!(role))),
            "someone is {role}"
        );
    }
    // The guard picks people by name, and learns nothing more of them.
    let guard = app.signed_in("menwei").await.directory().await;
    let seen = guard["people"].as_array().unwrap();
    assert_eq!(seen.len(), people.len());
    assert!(
        seen.iter().all(|p| p["display_name"].is_string()
            && p["username"] == ""
            && p["roles"].as_array().unwrap().is_empty()),
        "{guard}"
    );
}
both!(the_demo_school_has_classes_zones_check_points_and_one_user_per_role);

async fn nobody_signed_in_sees_no_directory(app: TestApp) {
    let (status, body) = app.browser().call("directory/load", json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
}
both!(nobody_signed_in_sees_no_directory);

async fn admin_builds_a_building_floor_and_room_and_every_write_bumps_the_version(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let v0 = app.version().await;
    let (status, building) = admin
        .call("directory/save_place", place(None, "building", "实验楼"))
        .await;
    assert_eq!(status, StatusCode::OK, "{building}");
    let building = building.as_str().unwrap().to_owned();
    let (_, floor) = admin
        .call(
            "directory/save_place",
            place(Some(&building), "floor", "1F"),
        )
        .await;
    let floor = floor.as_str().unwrap().to_owned();
    let (_, room) = admin
        .call(
            "directory/save_place",
            place(Some(&floor), "room", " 科学实验室 "),
        )
        .await;
    let room = room.as_str().unwrap().to_owned();
    let directory = admin.directory().await;
    assert_eq!(
        id_where(&directory["places"], "path", "实验楼 · 1F · 科学实验室"),
        room
    );
    let v1 = app.version().await;
    assert_eq!(v1, v0 + 3, "three writes, three versions");
    let room_version: i64 = sqlx::query_scalar("SELECT version FROM places WHERE id = $1")
        .bind(&room)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        room_version, v1,
        "the row carries the version of the write that made it"
    );
}
both!(admin_builds_a_building_floor_and_room_and_every_write_bumps_the_version);

async fn the_place_tree_refuses_impossible_shapes(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let directory = admin.directory().await;
    let gate = id_where(&directory["places"], "name", "南门");
    let building = id_where(&directory["places"], "name", "教学楼A");
    let floor = id_where(&directory["places"], "path", "教学楼A · 2F");
    let before = app.count("SELECT COUNT(*) FROM places").await;
    let (status, body) = admin
        .call("directory/save_place", place(Some(&gate), "room", "传达室"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&body, "parent_id")["rule"], "invalid");
    let (_, body) = admin
        .call(
            "directory/save_place",
            place(Some(&uuid::Uuid::now_v7().to_string()), "room", "x"),
        )
        .await;
    assert_eq!(problem(&body, "parent_id")["rule"], "unknown");
    let (_, body) = admin
        .call(
            "directory/save_place",
            place(None, "gate", &"门".repeat(61)),
        )
        .await;
    assert_eq!(
        problem(&body, "name"),
        json!({ "rule": "too_long", "max": 60 })
    );
    let (_, body) = admin
        .call("directory/save_place", place(None, "spaceship", "x"))
        .await;
    assert_eq!(
        body["code"], "invalid",
        "an unknown kind is refused: {body}"
    );
    // Moving the building under its own floor would make a loop.
    let (_, body) = admin
        .call("directory/save_place", json!({ "id": building, "input": { "parent_id": floor, "kind": "building", "name": "教学楼A" } }))
        .await;
    assert_eq!(problem(&body, "parent_id")["rule"], "invalid");
    assert_eq!(app.count("SELECT COUNT(*) FROM places").await, before);
}
both!(the_place_tree_refuses_impossible_shapes);

async fn deactivated_places_stay_in_history_and_leave_the_pickers(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let directory = admin.directory().await;
    let canteen = id_where(&directory["places"], "name", "食堂");
    let (status, _) = admin
        .call(
            "directory/set_active",
            json!({ "entry": "place", "id": canteen, "active": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let directory = admin.directory().await;
    let row = directory["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == canteen)
        .unwrap()
        .clone();
    assert_eq!(row["active"], false);
    // A deactivated place cannot be chosen for a new check point.
    let (_, body) = admin
        .call("directory/save_check_point", json!({ "id": null, "input": { "place_id": canteen, "kind": "extinguisher", "label": "食堂 灭火器#9", "responsible_id": null } }))
        .await;
    assert_eq!(problem(&body, "place_id")["rule"], "unknown");
    let (status, body) = admin
        .call(
            "directory/set_active",
            json!({ "entry": "place", "id": uuid::Uuid::now_v7(), "active": false }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}
both!(deactivated_places_stay_in_history_and_leave_the_pickers);

async fn classes_are_unique_by_grade_and_number_within_primary_grades(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let directory = admin.directory().await;
    let zone = id_where(&directory["places"], "name", "篮球场");
    let teacher = id_where(&directory["people"], "username", "jiaozhigong");
    let class = |grade: i64, number: i64| json!({ "id": null, "input": { "grade": grade, "number": number, "teacher_id": teacher, "zone_id": zone } });
    let (_, body) = admin.call("directory/save_school_class", class(3, 2)).await;
    assert_eq!(problem(&body, "number")["rule"], "taken");
    let (_, body) = admin.call("directory/save_school_class", class(7, 1)).await;
    assert_eq!(problem(&body, "grade")["rule"], "invalid");
    let (status, _) = admin.call("directory/save_school_class", class(3, 3)).await;
    assert_eq!(status, StatusCode::OK);
    let directory = admin.directory().await;
    let added = directory["school_classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["grade"] == 3 && c["number"] == 3)
        .unwrap()
        .clone();
    assert_eq!(added["teacher_name"], "孙老师");
    assert_eq!(added["zone_path"], "操场 · 篮球场");
}
both!(classes_are_unique_by_grade_and_number_within_primary_grades);

async fn check_points_need_a_label_a_real_place_and_a_real_person(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let directory = admin.directory().await;
    let corridor = id_where(&directory["places"], "path", "教学楼B · 3F · 东走廊");
    let inspector = id_where(&directory["people"], "username", "anquan2");
    let point = |label: &str, person: &str| json!({ "id": null, "input": { "place_id": corridor, "kind": "extinguisher", "label": label, "responsible_id": person } });
    let (_, body) = admin
        .call("directory/save_check_point", point("  ", &inspector))
        .await;
    assert_eq!(problem(&body, "label")["rule"], "required");
    let (_, body) = admin
        .call(
            "directory/save_check_point",
            point("灭火器#2", &uuid::Uuid::now_v7().to_string()),
        )
        .await;
    assert_eq!(problem(&body, "responsible_id")["rule"], "unknown");
    let (status, id) = admin
        .call(
            "directory/save_check_point",
            point("教学楼B 3F 灭火器#2", &inspector),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let directory = app.signed_in("anquan2").await.directory().await;
    let added = directory["check_points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(added["responsible_name"], "吴老师");
    assert_eq!(added["place_path"], "教学楼B · 3F · 东走廊");
}
both!(check_points_need_a_label_a_real_place_and_a_real_person);

async fn a_qr_label_points_a_phone_at_the_place_page(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let directory = admin.directory().await;
    let gate = id_where(&directory["places"], "name", "北门");
    let (status, sheet) = admin
        .call(
            "directory/load_labels",
            json!({ "entry": "place", "ids": [gate] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    let label = &sheet["labels"][0];
    assert_eq!(label["url"], format!("{}/places/{gate}", app.base));
    assert!(label["qr_svg"].as_str().unwrap().contains("<svg"));
    assert_eq!(
        (label["title"].as_str(), label["subtitle"].as_str()),
        (Some("北门"), Some(""))
    );
    // A sheet of stickers: every check point, in the order asked.
    let points: Vec<String> = directory["check_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .rev()
        .collect();
    let (status, sheet) = admin
        .call(
            "directory/load_labels",
            json!({ "entry": "check_point", "ids": points }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    let labels = sheet["labels"].as_array().unwrap();
    assert_eq!(labels.len(), points.len());
    for (label, point) in labels.iter().zip(&points) {
        assert!(
            label["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/check-points/{point}?qr=1"))
        );
    }
    let last = directory["check_points"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(
        labels[0]["subtitle"], last["place_path"],
        "a check point's label names where it is"
    );
    let (status, _) = admin
        .call(
            "directory/load_labels",
            json!({ "entry": "place", "ids": [gate, uuid::Uuid::now_v7()] }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, refused) = admin
        .call(
            "directory/load_labels",
            json!({ "entry": "place", "ids": [] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&refused, "ids")["rule"], "required");
}
both!(a_qr_label_points_a_phone_at_the_place_page);

/// The school's name is the admin's to set; everyone's directory and every label sheet carries it.
async fn the_school_name_heads_labels_and_every_directory(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    assert_eq!(admin.directory().await["school_name"], "");
    let (status, refused) = admin
        .call("directory/save_school_name", json!({ "name": "   " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&refused, "school_name")["rule"], "required");
    let long = "小".repeat(houqin::domain::directory::SCHOOL_NAME_MAX as usize + 1);
    let (status, refused) = admin
        .call("directory/save_school_name", json!({ "name": long }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&refused, "school_name")["rule"], "too_long");
    let guard = app.signed_in("menwei").await;
    let (status, _) = guard
        .call("directory/save_school_name", json!({ "name": "别的学校" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for name in ["城南实验小学", " 城南实验小学（东校区） "] {
        let (status, body) = admin
            .call("directory/save_school_name", json!({ "name": name }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        guard.directory().await["school_name"],
        "城南实验小学（东校区）",
        "saved trimmed, the second save replacing the first"
    );
    let gate = id_where(&admin.directory().await["places"], "name", "北门");
    let (_, sheet) = guard
        .call(
            "directory/load_labels",
            json!({ "entry": "place", "ids": [gate] }),
        )
        .await;
    assert_eq!(sheet["school_name"], "城南实验小学（东校区）");
}
both!(the_school_name_heads_labels_and_every_directory);
