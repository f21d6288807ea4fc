//! One folder per job or area. Each holds its pages, its server functions and (server only) its SQL in `db.rs`.

pub mod auth;
pub mod cleaning_scores;
pub mod directory;
pub mod gate_visits;
pub mod home;
pub mod profile;
pub mod repair_tickets;
pub mod safety_checks;
pub mod users;
