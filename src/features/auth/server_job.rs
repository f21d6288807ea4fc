//! Signing in as the server sees it: the sign-in page's plain form posts (the page loads no wasm), and the
//! middleware that ends a session signed out on a phone with no network.

use crate::server::job::ServerJob;
use crate::server::state::AppState;
use crate::sync::job::Job;
use axum::Router;

pub struct Auth;

#[async_trait::async_trait]
impl ServerJob for Auth {
    fn job(&self) -> &'static Job {
        &super::JOB
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route(
                "/sign-in",
                axum::routing::post(super::form_post::sign_in_form),
            )
            .route(
                "/locale",
                axum::routing::post(super::form_post::locale_form),
            )
    }

    fn wrap(&self, router: Router<AppState>, state: &AppState) -> Router<AppState> {
        router.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::session::revoke_signed_out,
        ))
    }
}
