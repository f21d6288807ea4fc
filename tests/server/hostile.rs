//! Hostile and malformed requests: sign-in floods, over-long and control-character input, several instances
//! starting at once.

use crate::harness::{Browser, PASSWORD, TestApp, both, problem};
use houqin::domain::user::FREE_FAILURES;
use reqwest::StatusCode;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};

/// The `n`th of many clients, each from its own loopback address.
fn client(app_base: &str, n: u8) -> Browser {
    Browser::from_address(app_base, Some(IpAddr::V4(Ipv4Addr::new(127, 0, 1, n))))
}

async fn wrong_passwords_sent_at_once_are_not_all_checked(app: TestApp) {
    let clients: Vec<Browser> = (1..=30).map(|n| client(&app.base, n)).collect();
    let answers = futures::future::join_all(clients.iter().map(|c| {
        c.call(
            "auth/sign_in",
            json!({ "username": "anquan", "password": "guessing" }),
        )
    }))
    .await;
    let checked = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|(status, body)| {
            *status == StatusCode::TOO_MANY_REQUESTS && body["code"] == "too_many_attempts"
        })
        .count();
    assert!(
        checked <= FREE_FAILURES as usize,
        "{checked} of 30 were checked"
    );
    assert_eq!(checked + refused, 30, "{answers:?}");
    assert!(
        app.count("SELECT COUNT(*) FROM sign_in_failures WHERE username_key = 'anquan'")
            .await
            <= i64::from(FREE_FAILURES)
    );
}
both!(wrong_passwords_sent_at_once_are_not_all_checked);

async fn a_phone_that_signed_in_before_signs_in_through_a_lockout(app: TestApp) {
    let own_phone = client(&app.base, 1);
    let (status, _) = own_phone
        .call(
            "auth/sign_in",
            json!({ "username": "anquan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    own_phone.call("auth/sign_out", json!({})).await;
    // Someone who knows the user name locks it from elsewhere.
    let stranger = client(&app.base, 2);
    for _ in 0..FREE_FAILURES {
        stranger
            .call(
                "auth/sign_in",
                json!({ "username": "anquan", "password": "guessing" }),
            )
            .await;
    }
    let (status, body) = stranger
        .call(
            "auth/sign_in",
            json!({ "username": "anquan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // The admin sees the lock.
    let admin = app.signed_in("zhuren").await;
    let locked = |users: &serde_json::Value| {
        users
            .as_array()
            .and_then(|u| u.iter().find(|u| u["username"] == "anquan"))
            .map(|u| u["locked_for_secs"].as_u64().unwrap_or(0))
            .unwrap_or(0)
    };
    let (_, users) = admin.call("users/list", json!({})).await;
    assert!(locked(&users) >= 1, "{users}");
    // The phone that signed in before is not kept out.
    let (status, body) = own_phone
        .call(
            "auth/sign_in",
            json!({ "username": "anquan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, users) = admin.call("users/list", json!({})).await;
    assert_eq!(locked(&users), 0, "{users}");
    // Guessing from a known phone is throttled all the same, on a lockout of its own.
    for _ in 0..FREE_FAILURES {
        own_phone
            .call(
                "auth/sign_in",
                json!({ "username": "anquan", "password": "guessing" }),
            )
            .await;
    }
    let (status, _) = own_phone
        .call(
            "auth/sign_in",
            json!({ "username": "anquan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // A password reset by the admin lifts it at once.
    let anquan = crate::harness::id_where(&users, "username", "anquan");
    let (status, body) = admin
        .call(
            "users/reset_password",
            json!({ "id": anquan, "password": "a-new-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = own_phone
        .call(
            "auth/sign_in",
            json!({ "username": "anquan", "password": "a-new-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A forged device cookie does not get through a lock.
    let forger = client(&app.base, 3);
    forger.jar.add_cookie_str(
        "houqin_device=00000000000000000000000000000000",
        &app.base.parse().unwrap(),
    );
    for _ in 0..FREE_FAILURES {
        forger
            .call(
                "auth/sign_in",
                json!({ "username": "anquan2", "password": "guessing" }),
            )
            .await;
    }
    let (status, _) = forger
        .call(
            "auth/sign_in",
            json!({ "username": "anquan2", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
both!(a_phone_that_signed_in_before_signs_in_through_a_lockout);

async fn over_long_and_control_character_sign_ins_are_refused_before_anything_is_kept(
    app: TestApp,
) {
    let browser = app.browser();
    let (status, body) = browser
        .call(
            "auth/sign_in",
            json!({ "username": "x".repeat(200_000), "password": "guessing" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "username")["rule"], "too_long");
    let (status, body) = browser
        .call(
            "auth/sign_in",
            json!({ "username": "zhu\u{0}ren", "password": "guessing" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "username")["rule"], "invalid");
    let (status, body) = browser
        .call(
            "auth/sign_in",
            json!({ "username": "zhuren", "password": "p".repeat(100_000) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem(&body, "password")["rule"], "too_long");
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_in_failures").await, 0);
}
both!(over_long_and_control_character_sign_ins_are_refused_before_anything_is_kept);

async fn guessing_the_current_password_is_throttled(app: TestApp) {
    let phone = app.signed_in("jiaozhigong").await;
    for _ in 0..FREE_FAILURES {
        let (status, _) = phone
            .call(
                "auth/change_password",
                json!({ "current": "guessing", "new": "a-new-password" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, body) = phone
        .call(
            "auth/change_password",
            json!({ "current": PASSWORD, "new": "a-new-password" }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
    // Signing in is not locked by it.
    let (status, _) = app
        .browser()
        .call(
            "auth/sign_in",
            json!({ "username": "jiaozhigong", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
both!(guessing_the_current_password_is_throttled);

/// Several instances behind one empty PostgreSQL (SQLite serves one instance) start at once in demo mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_instances_starting_at_once_seed_the_demo_school_once() {
    let data_dir = tempfile::tempdir().unwrap();
    let (database_url, _database) = crate::harness::new_postgres_database().await;
    let opened = futures::future::join_all((0..3).map(|n| {
        let config = crate::harness::config(
            data_dir.path().join(format!("instance{n}")),
            database_url.clone(),
            true,
        );
        houqin::server::open(
            config,
            leptos::config::LeptosOptions::builder()
                .output_name("houqin")
                .build(),
        )
    }))
    .await;
    for result in &opened {
        assert!(result.is_ok(), "{:?}", result.as_ref().err());
    }
    let db = houqin::server::db::Db::connect(&database_url)
        .await
        .unwrap();
    let count = |sql: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM users WHERE username = 'zhuren'").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM places WHERE name = '南门'").await,
        1,
        "seeded once"
    );
}

/// The server's peak resident memory (`VmHWM`), in MB.
fn peak_memory_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap()
        .to_owned();
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb / 1024
}

/// The real server binary, so that its memory is its own. Stops when dropped.
struct ServerProcess {
    child: std::process::Child,
    base: String,
    _data_dir: tempfile::TempDir,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server_process() -> ServerProcess {
    let data_dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_houqin"))
        .env("HOUQIN_DEMO", "true")
        .env("HOUQIN_DATA_DIR", data_dir.path())
        .env("HOUQIN_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = ServerProcess {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _data_dir: data_dir,
    };
    let health = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(answer) = health.get(format!("{}/healthz", server.base)).send().await
            && answer.status() == StatusCode::OK
        {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sign_ins_keeps_the_servers_memory_bounded() {
    let server = start_server_process().await;
    let before = peak_memory_mb(server.child.id());
    // A hundred at once, each from its own address and for its own user name, so that every one of them reaches
    // the password check: only the bounded Argon2 queue stands between them and the memory.
    let clients: Vec<Browser> = (1..=100).map(|n| client(&server.base, n)).collect();
    let answers = futures::future::join_all(clients.iter().enumerate().map(|(n, c)| {
        c.call(
            "auth/sign_in",
            json!({ "username": format!("flood{n}"), "password": "guessing" }),
        )
    }))
    .await;
    let peak = peak_memory_mb(server.child.id());
    eprintln!("sign-in flood: peak memory {peak} MB (before the flood {before} MB)");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::UNAUTHORIZED || *status == StatusCode::TOO_MANY_REQUESTS,
            "{status} {body}"
        );
    }
    assert!(
        peak < 300,
        "peak memory {peak} MB under 100 parallel sign-ins"
    );
}

async fn cross_site_and_non_json_writes_are_refused_and_pages_carry_security_headers(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let users_before = app.count("SELECT COUNT(*) FROM users").await;
    let new_user = r#"{"user":{"username":"mole","display_name":"内鬼","password":"a-long-password","roles":["admin"]}}"#;
    let post = |content_type: &'static str, origin: Option<String>| {
        let mut request = admin
            .client
            .post(format!("{}/api/users/create", app.base))
            .header("content-type", content_type)
            .body(new_user);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    // A `<form enctype="text/plain">` from another site, carrying the admin's cookie.
    let answer = post("text/plain", Some("http://evil.example".into()))
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let answer = post("text/plain", None).await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["code"], "invalid", "{body}");
    let sibling = app.base.replace("127.0.0.1", "evil.127.0.0.1");
    let answer = post("application/json", Some(sibling)).await.unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users_before);
    // The same call from the app itself works.
    let answer = post("application/json", Some(app.base.clone()))
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        users_before + 1
    );
    // A photo must be an image.
    let answer = admin
        .client
        .put(format!("{}/api/photos/{}", app.base, uuid::Uuid::now_v7()))
        .header("content-type", "text/plain")
        .body("not a photo")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Every page says: no framing, no sniffing, no referrer to other sites, scripts only from here.
    let page = admin
        .client
        .get(format!("{}/", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let headers = page.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
}
both!(cross_site_and_non_json_writes_are_refused_and_pages_carry_security_headers);

async fn a_nul_or_an_over_long_name_refuses_its_entry_and_blocks_nothing(app: TestApp) {
    use houqin::domain::visit::SIGN_IN;
    let mut phone = crate::phone::Phone::new(&app, "menwei").await;
    let mut nul_plate = phone.sign_in_args("空字符");
    nul_plate.plate = "京A\u{0}12345".into();
    phone.queue(SIGN_IN, serde_json::to_value(&nul_plate).unwrap());
    let args = serde_json::to_value(phone.sign_in_args("怪名")).unwrap();
    phone.queue("visit.sign_in@1\u{0}", args.clone());
    phone.queue(&"x".repeat(100_000), args);
    phone.register("正常");
    let answer = phone.push(crate::phone::Fault::None).await.unwrap();
    assert_eq!(
        crate::sync::statuses(&answer),
        vec!["rejected", "rejected", "rejected", "applied"],
        "{answer}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM visits").await, 1);
    // Nothing over-long was kept in the receipts.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sync_mutations WHERE LENGTH(name) > 64")
            .await,
        0
    );
    // An `app_build` no build has is refused as a bad request, not a server error.
    let mut body = phone.push_body(1);
    body["app_build"] = json!("build\u{0}");
    let answer = phone
        .browser
        .client
        .post(format!("{}/api/sync/push", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
}
both!(a_nul_or_an_over_long_name_refuses_its_entry_and_blocks_nothing);

async fn every_refusal_under_api_is_a_json_code(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let get = |path: &str| admin.client.get(format!("{}{path}", app.base)).send();
    let cases = [
        get("/api/gate-visits/register.csv").await.unwrap(),
        get("/api/safety/ledger.csv?week=last-tuesday")
            .await
            .unwrap(),
        get("/api/photos/not-a-uuid").await.unwrap(),
        get("/api/users/list").await.unwrap(),
        admin
            .client
            .post(format!("{}/api/sync/push", app.base))
            .header("content-type", "application/json")
            .body(vec![b' '; 3 * 1024 * 1024])
            .send()
            .await
            .unwrap(),
    ];
    for answer in cases {
        let status = answer.status();
        let url = answer.url().to_string();
        assert!(status.is_client_error(), "{url}: {status}");
        let body: serde_json::Value = answer
            .json()
            .await
            .unwrap_or_else(|e| panic!("{url}: {status} is not JSON: {e}"));
        assert!(body["code"].is_string(), "{url}: {body}");
    }
}
both!(every_refusal_under_api_is_a_json_code);
