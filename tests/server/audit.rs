//! The audit log viewer, on SQLite and PostgreSQL: what the admin does to people, imports and backups is there,
//! filtered by kind, person and date, downloadable; nobody else reads it.

use crate::harness::{TestApp, both};
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn audit(admin: &crate::harness::Browser, query: Value) -> Vec<Value> {
    let (status, rows) = admin.call("users/audit", json!({ "query": query })).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    rows.as_array().unwrap().clone()
}

fn actions(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["action"].as_str().unwrap()).collect()
}

async fn the_admins_changes_imports_and_backups_are_in_the_audit_log(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let (status, id) = admin
        .call(
            "users/create",
            json!({ "user": { "username": "weixiu3", "display_name": "新来的师傅",
                "password": "welcome-2026", "roles": ["maintenance"] } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{id}");
    let (status, _) = admin
        .call(
            "users/set_roles",
            json!({ "id": id, "roles": ["maintenance", "staff"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let sheet = base64::engine::general_purpose::STANDARD.encode("场所路径,类型\n科学楼,楼栋\n");
    let (status, _) = admin
        .call(
            "directory/import",
            json!({ "kind": "places", "file_name": "places.csv", "data": sheet, "apply": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let archives = tempfile::tempdir().unwrap();
    houqin::server::backup::take(&app.db, &app.config(), archives.path())
        .await
        .unwrap();

    let all = audit(&admin, json!({})).await;
    let all_actions = actions(&all);
    for expected in [
        "user_created",
        "user_roles_changed",
        "import_places",
        "backup_taken",
    ] {
        assert!(
            all_actions.contains(&expected),
            "{expected}: {all_actions:?}"
        );
    }
    assert_eq!(all_actions[0], "backup_taken", "newest first");
    let created = all.iter().find(|r| r["action"] == "user_created").unwrap();
    assert_eq!(created["person"], "李主任");
    assert!(
        created["detail"].as_str().unwrap().contains("weixiu3"),
        "{created}"
    );

    assert_eq!(
        actions(&audit(&admin, json!({ "kind": "users" })).await),
        ["user_roles_changed", "user_created"]
    );
    assert_eq!(
        actions(&audit(&admin, json!({ "kind": "backups" })).await),
        ["backup_taken"]
    );
    let imports = audit(&admin, json!({ "kind": "import" })).await;
    assert!(
        imports[0]["detail"].as_str().unwrap().contains("新增 1"),
        "{imports:?}"
    );
    let admin_id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'zhuren'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let by_admin = actions(&audit(&admin, json!({ "person": admin_id })).await).len();
    assert_eq!(
        by_admin,
        all.len() - 1,
        "the nightly-style backup has no person"
    );
    let tomorrow = houqin::domain::clock::date(
        houqin::server::db::now_ms() + houqin::domain::clock::DAY_MS,
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    assert!(audit(&admin, json!({ "from": tomorrow })).await.is_empty());
    let (status, _) = admin
        .call("users/audit", json!({ "query": { "from": "yesterday" } }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let csv = admin
        .client
        .get(format!("{}/api/audit.csv?kind=users", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("添加人员") && text.contains("修改角色"),
        "{text}"
    );
    assert!(!text.contains("备份"), "{text}");
    let xlsx = crate::exports::xlsx_rows(&admin, "/api/audit.xlsx?kind=backups").await;
    assert_eq!(xlsx.len(), 2, "{xlsx:?}");

    let guard = app.signed_in("menwei").await;
    let (status, _) = guard.call("users/audit", json!({ "query": {} })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let refused = guard
        .client
        .get(format!("{}/api/audit.csv", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
both!(the_admins_changes_imports_and_backups_are_in_the_audit_log);
