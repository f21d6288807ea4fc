//! A school's staff moves in, on SQLite and PostgreSQL: the staff sheet previews, refuses whole, applies, and
//! updates by user name; the people it adds cannot sign in until the admin prints their slips; a one-time code
//! signs in once, asks for a password of the person's own, and is spent; an expired code says so.

use crate::harness::{Browser, PASSWORD, TestApp, both};
use crate::import::{counted, import, refused};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn import_staff(admin: &Browser, sheet: &str, apply: bool) -> Value {
    import(admin, "staff", "人员.csv", sheet.as_bytes(), apply).await
}

async fn roles_of(app: &TestApp, username: &str) -> Vec<String> {
    let mut roles: Vec<String> = sqlx::query_scalar(
        "SELECT r.role FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.username = $1",
    )
    .bind(username)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    roles.sort();
    roles
}

async fn staff_sheet_previews_refuses_whole_applies_and_updates_by_user_name(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let users_before = app.count("SELECT COUNT(*) FROM users").await;
    let sheet = "姓名,用户名,手机号,角色,任教班级\n\
                 王晓红,wangxh,138 0013 8000,教职工,三年级2班\n\
                 李强,liqiang,,门卫,\n\
                 赵六,WangXH,,教职工,\n\
                 钱七,qian7,12345,教职工,\n\
                 孙八,sun8,,校长,\n\
                 周九,zhou9,,教职工,六年级9班\n\
                 吴十,wu10,,教职工,三年级2班\n\
                 李主任,zhuren,,教职工,\n";
    let preview = import_staff(&admin, sheet, false).await;
    assert_eq!(counted(&preview, "add"), 2, "{preview}");
    let refusals = refused(&preview);
    let rows: Vec<(u64, &str)> = refusals.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        rows,
        [
            (4, "用户名"),
            (5, "手机号"),
            (6, "角色"),
            (7, "任教班级"),
            (8, "任教班级"),
            (9, "角色"),
        ],
        "{refusals:?}"
    );
    assert!(refusals[0].2.contains("第 2 行"), "{refusals:?}");
    assert!(refusals[2].2.contains("“校长”不是角色"), "{refusals:?}");
    assert!(refusals[3].2.contains("先导入班级"), "{refusals:?}");
    assert!(refusals[4].2.contains("第 2 行已是"), "{refusals:?}");
    assert!(refusals[5].2.contains("后勤主任"), "{refusals:?}");
    let refused_whole = import_staff(&admin, sheet, true).await;
    assert_eq!(refused_whole["applied"], false);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users_before);

    // The clean rows, and a person already here whose roles and phone the sheet changes.
    let clean = "姓名,用户名,手机号,角色,任教班级\n\
                 王晓红,wangxh,138 0013 8000,教职工,三年级2班\n\
                 李强,liqiang,,门卫,\n\
                 孙老师,jiaozhigong,13900000000,教职工、维修工,\n";
    let applied = import_staff(&admin, clean, true).await;
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(
        (counted(&applied, "add"), counted(&applied, "update")),
        (2, 1),
        "{applied}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        users_before + 2
    );
    assert_eq!(
        roles_of(&app, "wangxh").await,
        ["class_teacher", "staff"],
        "who teaches a class is a class teacher"
    );
    assert_eq!(
        roles_of(&app, "jiaozhigong").await,
        ["maintenance", "staff"]
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM school_classes c JOIN users u ON c.teacher_id = u.id \
             WHERE c.grade = 3 AND c.number = 2 AND u.username = 'wangxh' AND u.phone = '13800138000'"
        )
        .await,
        1,
        "三年级2班 has its new class teacher"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE username = 'jiaozhigong' AND phone = '13900000000'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE password_set = 0")
            .await,
        2,
        "the people added have no password of their own"
    );
    // Nobody signs in as a person imported until they have a code, whatever they try.
    for password in [PASSWORD, "-"] {
        let (status, body) = app
            .browser()
            .call(
                "auth/sign_in",
                json!({ "username": "wangxh", "password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{password:?}: {body}");
        assert_eq!(body["code"], "wrong_credentials", "{password:?}");
    }
    // The existing person kept their password.
    app.signed_in("jiaozhigong").await;

    // The same sheet again changes nothing and doubles nobody.
    let again = import_staff(&admin, clean, true).await;
    assert_eq!(
        (counted(&again, "add"), counted(&again, "update")),
        (0, 0),
        "{again}"
    );
    assert_eq!(again["preview"]["unchanged"], 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        users_before + 2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'import_staff'")
            .await,
        1
    );

    // A class teacher whose row drops the role while still teaching is refused, naming the class; someone
    // disabled cannot be given a class.
    let (status, _) = admin
        .call(
            "users/set_active",
            json!({ "id": crate::harness::id_where(&admin.directory().await["people"], "username", "liqiang"), "active": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let dropped = "姓名,用户名,角色,任教班级
王晓红,wangxh,教职工,
李强,liqiang,门卫,四年级1班
";
    let answer = import_staff(&admin, dropped, true).await;
    let refusals = refused(&answer);
    assert_eq!(
        refusals
            .iter()
            .map(|(r, c, _)| (*r, c.as_str()))
            .collect::<Vec<_>>(),
        [(2, "角色"), (3, "任教班级")],
        "{refusals:?}"
    );
    assert!(refusals[0].2.contains("三年级2班"), "{refusals:?}");
    assert!(refusals[1].2.contains("已停用"), "{refusals:?}");
    assert_eq!(answer["applied"], false);
}
both!(staff_sheet_previews_refuses_whole_applies_and_updates_by_user_name);

/// Posts a plain form as the browser does before (or without) the wasm.
async fn post_form(browser: &Browser, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    browser
        .client
        .post(format!("{}{path}", browser.base))
        .header("Accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The first sign-in's ticket a sign-in with a code answered with (its whole `Set-Cookie`).
fn ticket_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("houqin_first_sign_in="))
        .expect("a ticket")
}

/// Posts the new-password form from a browser holding `ticket` (a `name=value` cookie pair) and nothing else:
/// answers whether it was signed in.
async fn new_password_with(app: &TestApp, ticket: &str, password: &str) -> bool {
    let browser = app.browser();
    let answer = browser
        .client
        .post(format!("{}/sign-in/new-password", app.base))
        .header("Cookie", ticket)
        .form(&[("password", password), ("again", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["location"], "/sign-in", "{password}");
    !browser.whoami().await["user"].is_null()
}

async fn a_one_time_code_signs_in_once_and_asks_for_a_password_of_ones_own(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    import_staff(
        &admin,
        "姓名,用户名,角色\n新老师,xinlaoshi,教职工\n另一位,lingyiwei,门卫\n",
        true,
    )
    .await;
    let directory = admin.directory().await;
    let id_of =
        |username: &str| crate::harness::id_where(&directory["people"], "username", username);
    let (newbie, other) = (id_of("xinlaoshi"), id_of("lingyiwei"));

    // Only the admin prints slips, and not for their own account.
    let guard = app.signed_in("menwei").await;
    let (status, _) = guard
        .call("users/make_slips", json!({ "ids": [newbie] }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let own = id_of("zhuren");
    let (status, _) = admin
        .call("users/make_slips", json!({ "ids": [own] }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A first slip, then a second one for the same person: the first code no longer signs in, and a ticket it
    // gave is no good either.
    let (_, first) = admin
        .call("users/make_slips", json!({ "ids": [newbie] }))
        .await;
    let first_code = first["slips"][0]["code"].as_str().unwrap().to_owned();
    let early = app.browser();
    let answer = post_form(
        &early,
        "/sign-in",
        &[("username", "xinlaoshi"), ("password", &first_code)],
    )
    .await;
    let early_ticket = ticket_of(&answer);
    let (status, slips) = admin
        .call("users/make_slips", json!({ "ids": [newbie, other] }))
        .await;
    assert_eq!(status, StatusCode::OK, "{slips}");
    let (status, body) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "xinlaoshi", "password": first_code }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrong_credentials")),
        "the first code is void"
    );
    assert!(
        !new_password_with(
            &app,
            early_ticket.split(';').next().unwrap(),
            "too-early-2026"
        )
        .await,
        "a ticket from a voided code signs nobody in"
    );
    let code_of = |username: &str| {
        slips["slips"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["username"] == username)
            .unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let code = code_of("xinlaoshi");
    assert!(
        slips["url"].as_str().unwrap().ends_with("/sign-in"),
        "{slips}"
    );
    assert!(
        slips["qr_svg"].as_str().unwrap().contains("<svg"),
        "{slips}"
    );

    // Typed from paper, in capitals with a space: a ticket, and no session yet.
    let phone = app.browser();
    let typed = code.to_uppercase().replace('-', " ");
    let answer = post_form(
        &phone,
        "/sign-in",
        &[("username", "xinlaoshi"), ("password", &typed)],
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()["location"], "/sign-in");
    let ticket = ticket_of(&answer);
    assert!(
        ticket.contains("HttpOnly") && ticket.contains("Path=/sign-in"),
        "{ticket}"
    );
    assert!(
        phone.whoami().await["user"].is_null(),
        "no session from a code"
    );
    let (_, page) = phone.page("/sign-in", &[]).await;
    assert!(
        page.contains("设置密码")
            && page.contains("新老师")
            && page.contains("/sign-in/new-password"),
        "the sign-in page asks for a new password"
    );

    // A ticket altered by hand (another person's id, a later time) is refused.
    use base64::Engine;
    let value = ticket.split(';').next().unwrap().split_once('=').unwrap().1;
    let fields = String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value)
            .unwrap(),
    )
    .unwrap();
    let forged = fields.replace("until=", "until=9");
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
    assert!(
        !new_password_with(
            &app,
            &format!("houqin_first_sign_in={forged}"),
            "forged-it-2026"
        )
        .await
    );

    // Two different entries, then one too short: back to the form with the reason; nothing set.
    let answer = post_form(
        &phone,
        "/sign-in/new-password",
        &[
            ("password", "xin-laoshi-2026"),
            ("again", "xin-laoshi-2027"),
        ],
    )
    .await;
    assert_eq!(answer.headers()["location"], "/sign-in");
    let (_, page) = phone.page("/sign-in", &[]).await;
    assert!(page.contains("两次输入不一致"), "the mismatch is explained");
    let answer = post_form(
        &phone,
        "/sign-in/new-password",
        &[("password", "short"), ("again", "short")],
    )
    .await;
    assert_eq!(answer.headers()["location"], "/sign-in");
    assert!(phone.whoami().await["user"].is_null());

    let answer = post_form(
        &phone,
        "/sign-in/new-password",
        &[
            ("password", "xin-laoshi-2026"),
            ("again", "xin-laoshi-2026"),
        ],
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()["location"], "/");
    assert_eq!(phone.whoami().await["user"]["username"], "xinlaoshi");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'xinlaoshi' AND password_set = 1 AND code_expires_at IS NULL")
            .await,
        1
    );

    // The ticket is spent: sent again from another browser, it signs nobody in.
    assert!(!new_password_with(&app, ticket.split(';').next().unwrap(), "taken-over-2026").await);
    // And the code is spent: it no longer signs in; the new password does.
    let (status, body) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "xinlaoshi", "password": code }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "xinlaoshi", "password": "xin-laoshi-2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Through the server function (the app already running): the same second step is asked for.
    let (status, body) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "lingyiwei", "password": code_of("lingyiwei") }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "new_password_needed");
    // A code past its date says so.
    sqlx::query("UPDATE users SET code_expires_at = 1 WHERE username = 'lingyiwei'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (status, body) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "lingyiwei", "password": code_of("lingyiwei") }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "code_expired");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('sign_in_codes_issued', 'first_sign_in')")
            .await,
        3
    );
    // A password is a password: typed in capitals it does not sign in (only codes forgive case and dashes).
    let (status, _) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "xinlaoshi", "password": "XIN-LAOSHI-2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
both!(a_one_time_code_signs_in_once_and_asks_for_a_password_of_ones_own);
