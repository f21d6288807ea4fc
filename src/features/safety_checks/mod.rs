//! Job 2, Friday fire-safety and anti-theft rounds (消防、防盗设施检查): a versioned checklist per kind of check
//! point, a schedule per point (Friday by default) and its responsible person (责任到人), signed checks made
//! offline (`safety.check@1`) whose failures open repair tickets, and the safety-day board and ledger for the admin.

mod admin_pages;
mod board_page;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod mutations;
mod safety_checks_page;
mod server_fns;

pub use admin_pages::{PointHistoryPage, TemplatesPage};
pub use board_page::{SafetyBoardPage, SafetyLedgerPage};
pub use safety_checks_page::{CheckFormPage, SafetyChecksPage};
pub use server_fns::*;
