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
                "/sign-in/new-password",
                axum::routing::post(super::first_sign_in::new_password_form),
            )
            .route(
                "/locale",
                axum::routing::post(super::form_post::locale_form),
            )
            // The admin's audit log, downloaded (`features::users::audit`).
            .route(
                "/api/audit.csv",
                axum::routing::get(crate::features::users::audit::handlers::download_csv),
            )
            .route(
                "/api/audit.xlsx",
                axum::routing::get(crate::features::users::audit::handlers::download_xlsx),
            )
    }

    fn wrap(&self, router: Router<AppState>, state: &AppState) -> Router<AppState> {
        // The outer layer runs first: a phone that signed out offline is signed out before any choice is kept.
        router
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                super::session::save_unsaved_locale,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                super::session::revoke_signed_out,
            ))
    }
}
