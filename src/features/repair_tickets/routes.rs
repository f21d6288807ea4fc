//! The repair tickets' pages, one piece of the wasm (`components::lazy_pages`).

use super::{RepairLogPage, RepairStatsPage, RepairTicketsPage, ReportTicketPage, TicketPage};
use crate::components::{AdminOnly, lazy_pages};
use leptos::prelude::*;
use leptos_router::any_nested_route::IntoAnyNestedRoute;
use leptos_router::components::Route;
use leptos_router::{Lazy, path};

lazy_pages!(repair_tickets {
    TicketsRoute => view! { <RepairTicketsPage /> },
    ReportRoute => view! { <ReportTicketPage /> },
    LogRoute => view! { <RepairLogPage /> },
    TicketRoute => view! { <TicketPage /> },
    StatsRoute => view! { <AdminOnly><RepairStatsPage /></AdminOnly> },
});

#[component(transparent)]
pub fn RepairTicketsRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/repair-tickets") view={Lazy::<TicketsRoute>::new()} />
        <Route path=path!("/repair-tickets/new") view={Lazy::<ReportRoute>::new()} />
        <Route path=path!("/repair-tickets/log") view={Lazy::<LogRoute>::new()} />
        <Route path=path!("/repair-tickets/:id") view={Lazy::<TicketRoute>::new()} />
        <Route path=path!("/admin/repair-tickets") view={Lazy::<StatsRoute>::new()} />
    }
    .into_inner()
    .into_any_nested_route()
}
