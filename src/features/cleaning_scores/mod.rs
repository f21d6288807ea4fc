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
mod routes;
mod screen;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod server_job;
mod zones_here;

pub use admin_page::CleaningAdminPage;
pub use board_page::{ClassTermPage, LeagueBoardPage};
pub use check_page::CleaningCheckPage;
pub use cleaning_scores_page::CleaningScoresPage;
pub use routes::{CleaningScoresRoutes, ScreenRoutes};
pub use screen::{
    Screen, ScreensCard, create_screen, load_screen_board, load_screens, revoke_screen,
};
pub use server_fns::*;
pub use zones_here::ZonesAtPlace;

use crate::domain::Role;
use crate::sync::job::{Keep, Table};

/// Cleaning scores as the sync engine sees them.
pub const JOB: crate::sync::job::Job = crate::sync::job::Job {
    key: "cleaning_scores",
    tables: &[
        Table::always("cleaning_zones"),
        Table::always("cleaning_rubrics"),
        Table::always("cleaning_settings"),
        Table {
            name: "cleaning_checks",
            children: &[("cleaning_appeals", "check_id")],
            // A class teacher's month of their class's checks with the appeals (an inspector's phone is sent
            // only the last two weeks, `INSPECTOR_WINDOW_DAYS`).
            keep: Keep::DaysAfter {
                field: "checked_at",
                days: 35,
            },
        },
        Table::always("cleaning_appeals"),
    ],
    // A zone's form opens from the offline shell (its address carries the zone), the list is kept whole.
    offline_pages: &["/cleaning-scores"],
};

/// Days of checks an inspector's phone is sent (this week and last, for corrections).
pub const INSPECTOR_WINDOW_DAYS: i64 = 14;

/// Its card on the home page and its tab in the bottom bar. The inspectors who score, and the class teachers who see their class's scores.
pub const NAV: crate::components::NavEntry = crate::components::NavEntry {
    path: "/cleaning-scores",
    icon: crate::components::Icon::Path(
        "M12 3v5M12 16v5M3 12h5M16 12h5M6 6l3 3M15 15l3 3M6 18l3-3M15 9l3-3",
    ),
    roles: &[Role::CleaningInspector, Role::ClassTeacher],
    name: |locale| crate::i18n::td_string!(locale, jobs.cleaning_scores),
    summary: |locale| crate::i18n::td_string!(locale, jobs.cleaning_scores_summary),
    admin: &[crate::components::AdminLink {
        path: "/admin/cleaning",
        name: |locale| crate::i18n::td_string!(locale, cleaning.admin),
    }],
    home_count: Some(crate::components::HomeCount {
        count: local_view::zones_left_now,
        label: |locale| crate::i18n::td_string!(locale, home.count_zones_left),
    }),
};
