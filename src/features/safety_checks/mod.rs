//! Job 2, Friday fire-safety and anti-theft rounds (消防、防盗设施检查): a versioned checklist per kind of check
//! point, a schedule per point (Friday by default) and its responsible person (责任到人), signed checks made
//! offline (`safety.check@1`) whose failures open repair tickets, and the safety-day board and ledger for the admin.

mod admin_pages;
mod board_page;
mod check_form;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod export;
mod local_view;
#[cfg(feature = "ssr")]
pub mod mutations;
mod routes;
mod safety_checks_page;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod server_job;
mod signature_pad;

pub use admin_pages::{PointHistoryPage, TemplatesPage};
pub use board_page::{SafetyBoardPage, SafetyLedgerPage};
pub use routes::SafetyChecksRoutes;
pub use safety_checks_page::{CheckFormPage, SafetyChecksPage};
pub use server_fns::*;

use crate::domain::Role;
use crate::sync::job::{Keep, Table};

/// The safety rounds as the sync engine sees them.
pub const JOB: crate::sync::job::Job = crate::sync::job::Job {
    key: "safety_checks",
    tables: &[
        Table::always("check_points"),
        Table::always("safety_templates"),
        Table::always("safety_holidays"),
        Table {
            name: "safety_checks",
            children: &[],
            // This period's state and the points' recent history: eight weeks.
            keep: Keep::DaysAfter {
                field: "checked_at",
                days: 56,
            },
        },
    ],
    offline_pages: &["/safety-checks", "/safety-checks/check"],
};

/// Its card on the home page and its tab in the bottom bar. The safety inspectors.
pub const NAV: crate::components::NavEntry = crate::components::NavEntry {
    path: "/safety-checks",
    icon: crate::components::Icon::Path("M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6z"),
    roles: &[Role::SafetyInspector],
    name: |locale| crate::i18n::td_string!(locale, jobs.safety_checks),
    summary: |locale| crate::i18n::td_string!(locale, jobs.safety_checks_summary),
    admin: &[
        crate::components::AdminLink {
            path: "/admin/safety",
            name: |locale| crate::i18n::td_string!(locale, safety.board),
        },
        crate::components::AdminLink {
            path: "/admin/safety/templates",
            name: |locale| crate::i18n::td_string!(locale, safety.templates),
        },
    ],
    home_count: Some(crate::components::HomeCount {
        count: local_view::due_now,
        label: |locale| crate::i18n::td_string!(locale, home.count_points_due),
    }),
};
