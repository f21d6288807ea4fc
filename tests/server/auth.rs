//! Signing in and out, the throttle on failures, sessions across instances, first-run setup.

use crate::harness::{Backend, PASSWORD, TestApp, both, problem};
use reqwest::StatusCode;
use serde_json::json;

async fn staff_member_signs_in_and_gets_their_roles_and_an_http_only_cookie(app: TestApp) {
    let browser = app.browser();
    let response = browser
        .client
        .post(format!("{}/api/auth/sign_in", app.base))
        .json(&json!({ "username": " MenWei ", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("houqin_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let user: serde_json::Value = response.json().await.unwrap();
    assert_eq!(user["username"], "menwei");
    assert_eq!(user["roles"], json!(["gate_guard"]));
    assert_eq!(browser.whoami().await["user"]["display_name"], "王师傅");
    // The database keeps only a keyed hash of the token, never the token itself.
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("houqin_session=")
        .to_owned();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
        .bind(&token)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}
both!(staff_member_signs_in_and_gets_their_roles_and_an_http_only_cookie);

async fn wrong_password_is_refused_in_words_and_signs_nobody_in(app: TestApp) {
    let browser = app.browser();
    let (status, body) = browser
        .call(
            "auth/sign_in",
            json!({ "username": "menwei", "password": "wrong-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "wrong_credentials");
    let (status, body) = browser
        .call(
            "auth/sign_in",
            json!({ "username": "nobody-here", "password": "wrong-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["code"], "wrong_credentials",
        "an unknown name looks the same as a wrong password"
    );
    assert_eq!(browser.whoami().await["user"], serde_json::Value::Null);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}
both!(wrong_password_is_refused_in_words_and_signs_nobody_in);

async fn empty_sign_in_fields_are_named(app: TestApp) {
    let (status, body) = app
        .browser()
        .call("auth/sign_in", json!({ "username": "  ", "password": "x" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&body, "username")["rule"], "required");
    let (_, body) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "menwei", "password": "" }),
        )
        .await;
    assert_eq!(problem(&body, "password")["rule"], "required");
}
both!(empty_sign_in_fields_are_named);

async fn repeated_failures_slow_down_sign_in_even_with_the_right_password(app: TestApp) {
    let browser = app.browser();
    for _ in 0..5 {
        let (status, _) = browser
            .call(
                "auth/sign_in",
                json!({ "username": "anquan", "password": "guessing-1" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = browser
        .call(
            "auth/sign_in",
            json!({ "username": "anquan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
    let wait = body["retry_after_secs"].as_u64().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    // Another user is not locked out by someone guessing at anquan.
    let (status, _) = browser
        .call(
            "auth/sign_in",
            json!({ "username": "anquan2", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
both!(repeated_failures_slow_down_sign_in_even_with_the_right_password);

async fn sign_out_ends_the_session_on_the_server(app: TestApp) {
    let browser = app.signed_in("weixiu").await;
    let (status, _) = browser.call("auth/sign_out", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(browser.whoami().await["user"], serde_json::Value::Null);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}
both!(sign_out_ends_the_session_on_the_server);

async fn language_is_remembered_per_user_and_checked(app: TestApp) {
    let browser = app.signed_in("weisheng").await;
    let (status, _) = browser
        .call("auth/set_locale", json!({ "locale": "en" }))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Another phone signing in as the same person gets English.
    let other_phone = app.signed_in("weisheng").await;
    assert_eq!(other_phone.whoami().await["user"]["locale"], "en");
    let (status, body) = browser
        .call("auth/set_locale", json!({ "locale": "fr" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&body, "locale")["rule"], "invalid");
    let (status, body) = app
        .browser()
        .call("auth/set_locale", json!({ "locale": "en" }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
}
both!(language_is_remembered_per_user_and_checked);

async fn changing_password_needs_the_current_one_and_signs_out_other_phones(app: TestApp) {
    let phone = app.signed_in("jiaozhigong").await;
    let other_phone = app.signed_in("jiaozhigong").await;
    let (status, body) = phone
        .call(
            "auth/change_password",
            json!({ "current": "not-it-at-all", "new": "a-new-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(&body, "current")["rule"], "invalid");
    let (_, body) = phone
        .call(
            "auth/change_password",
            json!({ "current": PASSWORD, "new": "short" }),
        )
        .await;
    assert_eq!(problem(&body, "new")["rule"], "too_short");
    let (status, _) = phone
        .call(
            "auth/change_password",
            json!({ "current": PASSWORD, "new": "a-new-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(phone.whoami().await["user"]["username"], "jiaozhigong");
    assert_eq!(other_phone.whoami().await["user"], serde_json::Value::Null);
    let (status, _) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "jiaozhigong", "password": "a-new-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
both!(changing_password_needs_the_current_one_and_signs_out_other_phones);

async fn an_empty_installation_asks_for_its_first_admin_once(backend: Backend) {
    let app = TestApp::start_with(backend, false).await;
    let browser = app.browser();
    assert_eq!(browser.whoami().await["needs_setup"], true);
    let admin = json!({ "user": { "username": "director", "display_name": "李主任", "password": "first-admin-pw", "roles": [] } });
    let (status, body) = browser.call("auth/setup", admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["roles"].as_array().unwrap().contains(&json!("admin")));
    assert_eq!(browser.whoami().await["user"]["username"], "director");
    let (status, body) = app.browser().call("auth/setup", admin).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("setup_done"))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.browser().whoami().await["needs_setup"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_admin_setup_on_sqlite() {
    an_empty_installation_asks_for_its_first_admin_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_admin_setup_on_postgres() {
    an_empty_installation_asks_for_its_first_admin_once(Backend::Postgres).await;
}

/// Sessions live in the database, so a phone signed in through one app instance is known to every other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_made_on_one_instance_works_on_another_sharing_postgres() {
    let app = TestApp::start(Backend::Postgres).await;
    let second = app.second_instance().await;
    let browser = app.signed_in("zhuren").await;
    // reqwest keeps cookies per host; both instances are 127.0.0.1, so the session cookie goes to both.
    let (status, body) = browser.call_at(&second, "auth/whoami", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["username"], "zhuren");
}

/// The form as the browser posts it before the wasm has loaded (or without JavaScript): form-encoded, to the
/// page's own address, from the page at `origin` (the browser sends it) or with no `Origin` at all.
async fn post_sign_in_form(
    app: &TestApp,
    browser: &crate::harness::Browser,
    password: &str,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = browser
        .client
        .post(format!("{}/sign-in", app.base))
        .header("Accept", "text/html");
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request
        .form(&[("username", "menwei"), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn sign_in_form_posted_before_the_wasm_loads_signs_in_and_goes_home(app: TestApp) {
    let browser = app.browser();
    let response = post_sign_in_form(&app, &browser, PASSWORD, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("houqin_session=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert_eq!(browser.whoami().await["user"]["username"], "menwei");
}
both!(sign_in_form_posted_before_the_wasm_loads_signs_in_and_goes_home);

async fn sign_in_form_with_a_wrong_password_comes_back_with_the_error_and_never_the_password(
    app: TestApp,
) {
    let browser = app.browser();
    let response = post_sign_in_form(&app, &browser, "secret-wrong-pw", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Back to the form's own address; the error and the user name ride in a cookie read once, no session.
    assert_eq!(response.headers()["location"], "/sign-in");
    let cookies: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].starts_with("houqin_sign_in="), "{cookies:?}");
    assert!(!cookies[0].contains("secret-wrong-pw"), "{cookies:?}");
    // The page it leads to says what went wrong and keeps the user name typed.
    let (status, html) = browser.page("/sign-in", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("用户名或密码不正确"), "{html}");
    assert!(html.contains(r#"value="menwei""#), "{html}");
    assert!(!html.contains("secret-wrong-pw"));
    // Once: the next visit is a clean form.
    let (_, html) = browser.page("/sign-in", &[]).await;
    assert!(!html.contains("用户名或密码不正确"), "{html}");
    assert_eq!(browser.whoami().await["user"], serde_json::Value::Null);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}
both!(sign_in_form_with_a_wrong_password_comes_back_with_the_error_and_never_the_password);

async fn the_language_buttons_of_a_page_without_wasm_post_and_come_back(app: TestApp) {
    let browser = app.browser();
    let response = browser
        .client
        .post(format!("{}/locale", app.base))
        .header("Origin", app.base.as_str())
        .form(&[("locale", "en"), ("back", "/sign-in")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/sign-in");
    let (_, html) = browser.page("/sign-in", &[]).await;
    assert!(
        html.contains("lang=\"en\"") && html.contains("User name"),
        "{html}"
    );
    // Only to an address of this site; a form on another site changes nothing.
    let other = app.browser();
    let response = other
        .client
        .post(format!("{}/locale", app.base))
        .header("Origin", "https://evil.example")
        .form(&[("locale", "en"), ("back", "//evil.example/x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/");
    assert!(response.headers().get("set-cookie").is_none());
}
both!(the_language_buttons_of_a_page_without_wasm_post_and_come_back);

async fn a_phone_that_signed_out_offline_has_its_session_ended_at_the_next_contact(app: TestApp) {
    let browser = app.signed_in("menwei").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    // What the wasm writes when "仍然退出" is tapped with no network.
    browser
        .jar
        .add_cookie_str("houqin_signed_out=1; Path=/", &app.base.parse().unwrap());
    let (status, body) = browser.call("auth/whoami", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"], serde_json::Value::Null);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // Both cookies were cleared in the browser.
    let cookies = browser.cookie_header();
    assert!(!cookies.contains("houqin_signed_out"), "{cookies}");
    assert!(!cookies.contains("houqin_session"), "{cookies}");
}
both!(a_phone_that_signed_out_offline_has_its_session_ended_at_the_next_contact);

async fn the_next_person_signing_in_after_an_offline_sign_out_stays_signed_in(app: TestApp) {
    let browser = app.signed_in("menwei").await;
    browser
        .jar
        .add_cookie_str("houqin_signed_out=1; Path=/", &app.base.parse().unwrap());
    let (status, _) = browser
        .call(
            "auth/sign_in",
            serde_json::json!({ "username": "menwei2", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(browser.whoami().await["user"]["username"], "menwei2");
    // Only the new session is left: the first guard's was ended by the marker.
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}
both!(the_next_person_signing_in_after_an_offline_sign_out_stays_signed_in);

async fn a_sign_in_form_posted_from_another_site_signs_nobody_in(app: TestApp) {
    let browser = app.browser();
    let response = post_sign_in_form(&app, &browser, PASSWORD, Some("https://evil.example")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(response.headers()["location"], "/sign-in");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // The same form from the app's own page is fine.
    let own = post_sign_in_form(&app, &browser, PASSWORD, Some(&app.base)).await;
    assert_eq!(own.headers()["location"], "/");
}
both!(a_sign_in_form_posted_from_another_site_signs_nobody_in);

/// A language chosen with no network (the marker cookie the wasm writes) is kept for the user by the first
/// request that reaches the server, before that request reads the user; the marker is then cleared. A marker
/// with no session, or naming no language of the app, changes nothing.
async fn a_language_chosen_offline_is_kept_at_the_next_contact(app: TestApp) {
    let browser = app.signed_in("weisheng").await;
    assert_eq!(browser.whoami().await["user"]["locale"], "zh");
    let url = app.base.parse().unwrap();
    browser
        .jar
        .add_cookie_str("houqin_locale_unsaved=fr; Path=/", &url);
    assert_eq!(
        browser.whoami().await["user"]["locale"],
        "zh",
        "not a language of the app"
    );
    browser
        .jar
        .add_cookie_str("houqin_locale_unsaved=en; Path=/", &url);
    assert_eq!(
        browser.whoami().await["user"]["locale"],
        "en",
        "kept before whoami read it"
    );
    let cookies = browser.cookie_header();
    assert!(!cookies.contains("houqin_locale_unsaved"), "{cookies}");
    let other_phone = app.signed_in("weisheng").await;
    assert_eq!(other_phone.whoami().await["user"]["locale"], "en");
    // Signed out, the marker is nobody's: no user changes.
    let stranger = app.browser();
    stranger
        .jar
        .add_cookie_str("houqin_locale_unsaved=zh; Path=/", &url);
    assert_eq!(stranger.whoami().await["user"], serde_json::Value::Null);
    assert_eq!(other_phone.whoami().await["user"]["locale"], "en");
}
both!(a_language_chosen_offline_is_kept_at_the_next_contact);
