//! The gate's pages, one piece of the wasm (`components::lazy_pages`).

use super::{GateVisitsPage, RollCallPage, VisitRegisterPage, WatchListPage};
use crate::components::{AdminOnly, lazy_pages};
use leptos::prelude::*;
use leptos_router::any_nested_route::IntoAnyNestedRoute;
use leptos_router::components::Route;
use leptos_router::{Lazy, path};

lazy_pages!(gate_visits {
    VisitsRoute => view! { <GateVisitsPage /> },
    RollCallRoute => view! { <RollCallPage /> },
    RegisterRoute => view! { <VisitRegisterPage /> },
    WatchListRoute => view! { <AdminOnly><WatchListPage /></AdminOnly> },
});

#[component(transparent)]
pub fn GateVisitsRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/gate-visits") view={Lazy::<VisitsRoute>::new()} />
        <Route path=path!("/gate-visits/roll-call") view={Lazy::<RollCallRoute>::new()} />
        <Route path=path!("/gate-visits/register") view={Lazy::<RegisterRoute>::new()} />
        <Route path=path!("/admin/watch-list") view={Lazy::<WatchListRoute>::new()} />
    }
    .into_inner()
    .into_any_nested_route()
}
