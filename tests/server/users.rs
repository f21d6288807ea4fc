//! The admin's user management, and that nobody else can use it.

use crate::harness::{PASSWORD, TestApp, both, id_where, problem};
use reqwest::StatusCode;
use serde_json::json;

fn new_user(username: &str) -> serde_json::Value {
    json!({ "user": { "username": username, "display_name": "新来的师傅", "password": "welcome-2026", "roles": ["maintenance", "staff"] } })
}

async fn admin_creates_a_user_who_then_signs_in_with_their_roles(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let (status, body) = admin.call("users/create", new_user("weixiu3")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, user) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "weixiu3", "password": "welcome-2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["roles"], json!(["maintenance", "staff"]));
}
both!(admin_creates_a_user_who_then_signs_in_with_their_roles);

async fn a_guard_calling_admin_functions_is_refused_and_nothing_changes(app: TestApp) {
    let guard = app.signed_in("menwei").await;
    let users_before = app.count("SELECT COUNT(*) FROM users").await;
    let (status, body) = guard.call("users/create", new_user("sneaky")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _) = guard.call("users/list", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = guard
        .call(
            "directory/save_place",
            json!({ "id": null, "input": { "parent_id": null, "kind": "gate", "name": "后门" } }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users_before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM places WHERE name = '后门'")
            .await,
        0
    );
    let (status, body) = app
        .browser()
        .call("users/create", new_user("anonymous"))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
}
both!(a_guard_calling_admin_functions_is_refused_and_nothing_changes);

async fn bad_user_input_names_each_field_and_stores_nothing(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let before = app.count("SELECT COUNT(*) FROM users").await;
    let long_name = "长".repeat(41);
    let (status, body) = admin
        .call("users/create", json!({ "user": { "username": "", "display_name": long_name, "password": "123", "roles": [] } }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&body, "username")["rule"], "required");
    assert_eq!(
        problem(&body, "display_name"),
        json!({ "rule": "too_long", "max": 40 })
    );
    assert_eq!(
        problem(&body, "password"),
        json!({ "rule": "too_short", "min": 8 })
    );
    assert_eq!(problem(&body, "roles")["rule"], "required");
    let (_, body) = admin.call("users/create", new_user("MenWei")).await;
    assert_eq!(problem(&body, "username")["rule"], "taken");
    let (status, body) = admin
        .call("users/create", json!({ "user": { "username": "x" } }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a malformed request is refused: {body}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, before);
}
both!(bad_user_input_names_each_field_and_stores_nothing);

async fn disabling_a_user_signs_them_out_and_keeps_them_out(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let teacher = app.signed_in("jiaozhigong").await;
    let (_, users) = admin.call("users/list", json!({})).await;
    let id = id_where(&users, "username", "jiaozhigong");
    let (status, _) = admin
        .call("users/set_active", json!({ "id": id, "active": false }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(teacher.whoami().await["user"], serde_json::Value::Null);
    let (status, body) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "jiaozhigong", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("account_disabled"))
    );
    // The person stays in the list (history points at them), marked inactive.
    let (_, users) = admin.call("users/list", json!({})).await;
    let row = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "jiaozhigong")
        .unwrap()
        .clone();
    assert_eq!(row["active"], false);
    admin
        .call("users/set_active", json!({ "id": id, "active": true }))
        .await;
    let (status, _) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "jiaozhigong", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
both!(disabling_a_user_signs_them_out_and_keeps_them_out);

async fn a_reset_password_works_and_the_old_one_and_old_sessions_do_not(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let worker = app.signed_in("weixiu2").await;
    let (_, users) = admin.call("users/list", json!({})).await;
    let id = id_where(&users, "username", "weixiu2");
    let (_, body) = admin
        .call("users/reset_password", json!({ "id": id, "password": "" }))
        .await;
    assert_eq!(problem(&body, "password")["rule"], "required");
    let (status, _) = admin
        .call(
            "users/reset_password",
            json!({ "id": id, "password": "reset-by-admin" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(worker.whoami().await["user"], serde_json::Value::Null);
    let (status, _) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "weixiu2", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "weixiu2", "password": "reset-by-admin" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = admin
        .call(
            "users/reset_password",
            json!({ "id": uuid::Uuid::now_v7(), "password": "whatever-123" }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}
both!(a_reset_password_works_and_the_old_one_and_old_sessions_do_not);

async fn roles_change_what_a_user_may_do_and_the_admin_cannot_lock_themselves_out(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let (_, users) = admin.call("users/list", json!({})).await;
    let guard_id = id_where(&users, "username", "menwei");
    let admin_id = id_where(&users, "username", "zhuren");
    let (status, _) = admin
        .call(
            "users/set_roles",
            json!({ "id": guard_id, "roles": ["gate_guard", "admin"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let guard_version: i64 = sqlx::query_scalar("SELECT version FROM users WHERE id = $1")
        .bind(&guard_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        guard_version,
        app.version().await,
        "the role change stamps the user's row"
    );
    let guard = app.signed_in("menwei").await;
    let (status, _) = guard.call("users/list", json!({})).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the promoted guard may now list users"
    );
    let (_, body) = admin
        .call(
            "users/set_roles",
            json!({ "id": admin_id, "roles": ["staff"] }),
        )
        .await;
    assert_eq!(problem(&body, "roles")["rule"], "invalid");
    let (_, body) = admin
        .call(
            "users/set_active",
            json!({ "id": admin_id, "active": false }),
        )
        .await;
    assert_eq!(problem(&body, "active")["rule"], "invalid");
    let (_, body) = admin
        .call("users/set_roles", json!({ "id": guard_id, "roles": [] }))
        .await;
    assert_eq!(problem(&body, "roles")["rule"], "required");
    let (_, body) = admin
        .call(
            "users/set_roles",
            json!({ "id": guard_id, "roles": ["janitor"] }),
        )
        .await;
    assert_eq!(
        body["code"], "invalid",
        "an unknown role is refused: {body}"
    );
}
both!(roles_change_what_a_user_may_do_and_the_admin_cannot_lock_themselves_out);
