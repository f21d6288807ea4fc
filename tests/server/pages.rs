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
