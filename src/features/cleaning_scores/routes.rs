//! The cleaning scores' pages, one piece of the wasm (`components::lazy_pages`).

use super::{
    ClassTermPage, CleaningAdminPage, CleaningCheckPage, CleaningScoresPage, LeagueBoardPage,
};
use crate::components::{AdminOnly, lazy_pages};
use leptos::prelude::*;
use leptos_router::any_nested_route::IntoAnyNestedRoute;
use leptos_router::components::Route;
use leptos_router::{Lazy, path};

lazy_pages!(cleaning_scores {
    ScoresRoute => view! { <CleaningScoresPage /> },
    CheckRoute => view! { <CleaningCheckPage /> },
    BoardRoute => view! { <LeagueBoardPage /> },
    ClassRoute => view! { <ClassTermPage /> },
    AdminRoute => view! { <AdminOnly><CleaningAdminPage /></AdminOnly> },
    ScreenRoute => view! { <super::screen::ScreenBoardPage /> },
});

#[component(transparent)]
pub fn CleaningScoresRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/cleaning-scores") view={Lazy::<ScoresRoute>::new()} />
        <Route path=path!("/cleaning-scores/check") view={Lazy::<CheckRoute>::new()} />
        <Route path=path!("/cleaning-scores/board") view={Lazy::<BoardRoute>::new()} />
        <Route path=path!("/cleaning-scores/class") view={Lazy::<ClassRoute>::new()} />
        <Route path=path!("/admin/cleaning") view={Lazy::<AdminRoute>::new()} />
    }
    .into_inner()
    .into_any_nested_route()
}

/// The hallway screen, outside the app's frame: a TV opens it with no account (`screen`).
#[component(transparent)]
pub fn ScreenRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/screen") view={Lazy::<ScreenRoute>::new()} />
    }
    .into_inner()
    .into_any_nested_route()
}
