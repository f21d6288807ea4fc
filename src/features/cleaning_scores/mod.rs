//! Job 3, cleaning-zone scores (卫生评比): inspectors — teachers on duty and the student inspectors of the
//! 文明监督岗 — score each class's zone (包干区) at the day's fixed times and by random spot checks, offline
//! (`cleaning.check@1`); class teachers see their class's checks with photos and may appeal
//! (`cleaning.appeal@1`); the admin resolves appeals and publishes the weekly class league (with the red flag,
//! 流动红旗) and the monthly office league, as a board for a hallway screen or a printed page.

mod admin_page;
mod board_page;
mod check_page;
mod cleaning_scores_page;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod export;
mod local_view;
#[cfg(feature = "ssr")]
pub mod mutations;
mod server_fns;
mod zones_here;

pub use admin_page::CleaningAdminPage;
pub use board_page::{ClassTermPage, LeagueBoardPage};
pub use check_page::CleaningCheckPage;
pub use cleaning_scores_page::CleaningScoresPage;
pub use server_fns::*;
pub use zones_here::ZonesAtPlace;
