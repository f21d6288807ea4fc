//! SQL for the campus directory. Every write bumps the sync version and stamps its row.

pub mod check_points;
pub mod places;
pub mod school;
pub mod school_classes;
