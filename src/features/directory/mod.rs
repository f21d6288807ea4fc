//! The campus directory shared by every job: places (a tree), classes and check points, their admin pages,
//! the place page a QR label opens, and the printable labels.

mod check_points_page;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
mod demo;
mod editing;
pub mod import;
mod label_page;
mod pickers;
mod place_page;
mod places_page;
mod routes;
mod school_classes_page;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod server_job;
pub mod term;

pub use check_points_page::CheckPointsPage;
pub use label_page::{CheckPointLabelPage, LabelsPage, PlaceLabelPage};
pub use pickers::{PersonOptions, PlaceOptions};
pub use place_page::{CheckPointPage, PlacePage};
pub use places_page::PlacesPage;
pub use routes::DirectoryRoutes;
pub use school_classes_page::SchoolClassesPage;
pub use server_fns::*;

use crate::sync::job::Table;

/// The directory as the sync engine sees it: everyone's phone holds the people and places.
pub const JOB: crate::sync::job::Job = crate::sync::job::Job {
    key: "directory",
    tables: &[Table::always("people"), Table::always("places")],
    offline_pages: &[],
};
