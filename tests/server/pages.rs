//! Server-rendered pages: the sign-in page in Chinese by default, English by cookie, redirects for strangers.

use crate::harness::{TestApp, both};
use reqwest::StatusCode;

async fn the_sign_in_page_speaks_chinese_by_default_and_english_on_request(app: TestApp) {
    let browser = app.browser();
    let (status, html) = browser.page("/sign-in", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("lang=\"zh\""), "{html}");
    assert!(html.contains("用户名") && html.contains("登录"));
    let (_, html) = browser
        .page("/sign-in", &[("Cookie", "i18n_pref_locale=en")])
        .await;
    assert!(
        html.contains("lang=\"en\"") && html.contains("User name"),
        "{html}"
    );
}
both!(the_sign_in_page_speaks_chinese_by_default_and_english_on_request);

/// The first contact on a weak link: the sign-in page is the form alone, with no wasm to download; the pages
/// after it carry the app.
async fn the_sign_in_page_loads_no_wasm_and_the_app_pages_do(app: TestApp) {
    let (status, html) = app.browser().page("/sign-in", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains(".wasm") && !html.contains("houqin.js"),
        "{html}"
    );
    assert!(html.contains(r#"action="/sign-in""#), "{html}");
    let (status, html) = app.signed_in("menwei").await.page("/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("houqin.js") || html.contains(".wasm"),
        "{html}"
    );
}
both!(the_sign_in_page_loads_no_wasm_and_the_app_pages_do);

async fn a_stranger_opening_a_job_page_is_sent_to_sign_in(app: TestApp) {
    let response = app
        .browser()
        .client
        .get(format!("{}/gate-visits", app.base))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap_or_default().to_owned());
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::FOUND, Some("/sign-in"))
    );
}
both!(a_stranger_opening_a_job_page_is_sent_to_sign_in);

async fn a_signed_in_guard_gets_their_page_rendered_with_their_navigation(app: TestApp) {
    let guard = app.signed_in("menwei").await;
    let (status, html) = guard.page("/gate-visits", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("王师傅"), "the header names the guard");
    assert!(html.contains("href=\"/gate-visits\"") && html.contains("href=\"/repair-tickets\""));
    assert!(
        !html.contains("href=\"/admin\""),
        "a guard has no admin tab"
    );
}
both!(a_signed_in_guard_gets_their_page_rendered_with_their_navigation);

/// Building a router lists the app's routes, which once made a page rendering at that moment wait forever
/// (leptos#4773: resource loading is switched off process-wide while routes are listed, and the tests build a
/// router per test). Pages opened while routers are being built, over and over, must all answer.
async fn pages_render_while_other_routers_are_built(app: TestApp) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let config = crate::harness::config(
        app.data_dir().join("builder"),
        app.database_url.clone(),
        false,
    );
    let options = leptos::config::LeptosOptions::builder()
        .output_name("houqin")
        .build();
    let state = houqin::server::open(config, options).await.unwrap();
    /// Stops the builder however the test ends: a panic would otherwise leave it looping, and the test's
    /// runtime waits for it forever.
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stop_on_drop = StopOnDrop(stop.clone());
    let built = Arc::new(AtomicUsize::new(0));
    let builder = tokio::task::spawn_blocking({
        let (stop, built) = (stop.clone(), built.clone());
        move || {
            while !stop.load(Ordering::Relaxed) {
                drop(houqin::server::router(state.clone()));
                built.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let guard = app.signed_in("menwei").await;
    for round in 0..20 {
        let (status, html) = guard.page("/gate-visits", &[]).await;
        assert_eq!(status, StatusCode::OK, "round {round}");
        assert!(
            html.contains("王师傅"),
            "round {round}: the page finished rendering"
        );
    }
    drop(stop_on_drop);
    builder.await.unwrap();
    assert!(
        built.load(Ordering::Relaxed) > 0,
        "routers were built while the pages rendered"
    );
}
both!(pages_render_while_other_routers_are_built);
