//! Job 1, the gate visitor log (门卫登记): registration and sign-out ride on the sync engine as mutations
//! (`visit.sign_in@1`, `visit.sign_out@1`, `visit.watch_decision@1`); the watch list, the printable register
//! and the CSV export are server functions and routes.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod export;
mod gate_visits_page;
mod local_view;
#[cfg(feature = "ssr")]
pub mod mutations;
mod register_page;
#[cfg(feature = "ssr")]
pub mod retention;
mod roll_call_page;
mod routes;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod server_job;
mod watch_list_page;

pub use gate_visits_page::GateVisitsPage;
pub use register_page::VisitRegisterPage;
pub use roll_call_page::RollCallPage;
pub use routes::GateVisitsRoutes;
pub use server_fns::*;
pub use watch_list_page::WatchListPage;

use crate::domain::Role;
use crate::sync::job::{Keep, Table};

/// The gate log as the sync engine sees it.
pub const JOB: crate::sync::job::Job = crate::sync::job::Job {
    key: "gate_visits",
    tables: &[
        Table {
            name: "visits",
            children: &[("visit_sign_outs", "visit_id")],
            // For the on-campus list and returning visitors.
            keep: Keep::DaysAfter {
                field: "time_in_ms",
                days: 30,
            },
        },
        Table::always("visit_sign_outs"),
        Table::always("watch_entries"),
    ],
    offline_pages: &["/gate-visits", "/gate-visits/roll-call"],
};

/// Its card on the home page and its tab in the bottom bar. The guards (and the admin, who opens every job).
pub const NAV: crate::components::NavEntry = crate::components::NavEntry {
    path: "/gate-visits",
    icon: crate::components::Icon::Path("M5 21V4h14v17M3 21h18M15 12.5v.01"),
    roles: &[Role::GateGuard],
    name: |locale| crate::i18n::td_string!(locale, jobs.gate_visits),
    summary: |locale| crate::i18n::td_string!(locale, jobs.gate_visits_summary),
    admin: &[crate::components::AdminLink {
        path: "/admin/watch-list",
        name: |locale| crate::i18n::td_string!(locale, admin.watch_list),
    }],
    home_count: Some(crate::components::HomeCount {
        count: local_view::on_campus_now,
        label: |locale| crate::i18n::td_string!(locale, home.count_on_campus),
    }),
};
