//! The safety rounds' pages, one piece of the wasm (`components::lazy_pages`).

use super::{
    CheckFormPage, PointHistoryPage, SafetyBoardPage, SafetyChecksPage, SafetyLedgerPage,
    TemplatesPage,
};
use crate::components::{AdminOnly, lazy_pages};
use leptos::prelude::*;
use leptos_router::any_nested_route::IntoAnyNestedRoute;
use leptos_router::components::Route;
use leptos_router::{Lazy, path};

lazy_pages!(safety_checks {
    ChecksRoute => view! { <SafetyChecksPage /> },
    CheckFormRoute => view! { <CheckFormPage /> },
    LedgerRoute => view! { <SafetyLedgerPage /> },
    BoardRoute => view! { <AdminOnly><SafetyBoardPage /></AdminOnly> },
    PointHistoryRoute => view! { <AdminOnly><PointHistoryPage /></AdminOnly> },
    TemplatesRoute => view! { <AdminOnly><TemplatesPage /></AdminOnly> },
});

#[component(transparent)]
pub fn SafetyChecksRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/safety-checks") view={Lazy::<ChecksRoute>::new()} />
        <Route path=path!("/safety-checks/check") view={Lazy::<CheckFormRoute>::new()} />
        <Route path=path!("/safety-checks/ledger") view={Lazy::<LedgerRoute>::new()} />
        <Route path=path!("/admin/safety") view={Lazy::<BoardRoute>::new()} />
        <Route path=path!("/admin/safety/point") view={Lazy::<PointHistoryRoute>::new()} />
        <Route path=path!("/admin/safety/templates") view={Lazy::<TemplatesRoute>::new()} />
    }
    .into_inner()
    .into_any_nested_route()
}
