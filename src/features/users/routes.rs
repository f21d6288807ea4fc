//! The accounts page and the audit log, one piece of the wasm (`components::lazy_pages`): only the admin opens it.

use super::UsersPage;
use crate::components::{AdminOnly, lazy_pages};
use leptos::prelude::*;
use leptos_router::any_nested_route::IntoAnyNestedRoute;
use leptos_router::components::Route;
use leptos_router::{Lazy, path};

lazy_pages!(users {
    UsersRoute => view! { <AdminOnly><UsersPage /></AdminOnly> },
    AuditRoute => view! { <AdminOnly><super::audit::AuditPage /></AdminOnly> },
    SlipsRoute => view! { <AdminOnly><super::slips::SlipsPage /></AdminOnly> },
});

#[component(transparent)]
pub fn UsersRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/admin/users") view={Lazy::<UsersRoute>::new()} />
        <Route path=path!("/admin/audit") view={Lazy::<AuditRoute>::new()} />
        <Route path=path!("/admin/sign-in-slips") view={Lazy::<SlipsRoute>::new()} />
    }
    .into_inner()
    .into_any_nested_route()
}
