//! The campus model's pages. A place's and a check point's page and label stay in the main wasm: anyone may
//! scan a QR label, with no network, on a phone that never opened it. The admin's editors are one piece of the
//! wasm (`components::lazy_pages`).

use super::{
    CheckPointLabelPage, CheckPointPage, CheckPointsPage, LabelsPage, PlaceLabelPage, PlacePage,
    PlacesPage, SchoolClassesPage,
};
use crate::components::{AdminOnly, lazy_pages};
use leptos::prelude::*;
use leptos_router::any_nested_route::IntoAnyNestedRoute;
use leptos_router::components::Route;
use leptos_router::{Lazy, path};

lazy_pages!(directory_admin {
    PlacesRoute => view! { <AdminOnly><PlacesPage /></AdminOnly> },
    ClassesRoute => view! { <AdminOnly><SchoolClassesPage /></AdminOnly> },
    CheckPointsRoute => view! { <AdminOnly><CheckPointsPage /></AdminOnly> },
    LabelsRoute => view! { <AdminOnly><LabelsPage /></AdminOnly> },
    ImportRoute => view! { <AdminOnly><super::import::ImportPage /></AdminOnly> },
    TermRoute => view! { <AdminOnly><super::term::TermPage /></AdminOnly> },
});

#[component(transparent)]
pub fn DirectoryRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/places/:id") view=PlacePage />
        <Route path=path!("/places/:id/label") view=PlaceLabelPage />
        <Route path=path!("/check-points/:id") view=CheckPointPage />
        <Route path=path!("/check-points/:id/label") view=CheckPointLabelPage />
        <Route path=path!("/admin/places") view={Lazy::<PlacesRoute>::new()} />
        <Route path=path!("/admin/classes") view={Lazy::<ClassesRoute>::new()} />
        <Route path=path!("/admin/check-points") view={Lazy::<CheckPointsRoute>::new()} />
        <Route path=path!("/admin/labels") view={Lazy::<LabelsRoute>::new()} />
        <Route path=path!("/admin/import") view={Lazy::<ImportRoute>::new()} />
        <Route path=path!("/admin/term") view={Lazy::<TermRoute>::new()} />
    }
    .into_inner()
    .into_any_nested_route()
}
