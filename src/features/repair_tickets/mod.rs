//! Job 4, repair tickets (报修): anyone reports a fault with photos; maintenance staff work it to a fix the
//! reporter confirms. Reports and every change ride on the sync engine as mutations (`ticket.report@1`,
//! `ticket.event@1`); the repair log, its CSV, the statistics and the assignment rules are server functions and
//! routes for the admin.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod export;
mod local_view;
mod log_page;
#[cfg(feature = "ssr")]
pub mod mutations;
mod repair_tickets_page;
mod report_page;
mod routes;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod server_job;
mod stats_page;
mod ticket_page;

pub use local_view::{category_name, status_name};
pub use log_page::RepairLogPage;
pub use repair_tickets_page::RepairTicketsPage;
pub use report_page::ReportTicketPage;
pub use routes::RepairTicketsRoutes;
pub use server_fns::*;
pub use stats_page::RepairStatsPage;
pub use ticket_page::TicketPage;

use crate::sync::job::{Keep, Table};

/// Repair tickets as the sync engine sees them.
pub const JOB: crate::sync::job::Job = crate::sync::job::Job {
    key: "repair_tickets",
    tables: &[
        Table {
            name: "tickets",
            children: &[("ticket_events", "ticket_id"), ("photos", "owner_id")],
            // A closed ticket stays a month (the reporter's confirmation, a look back).
            keep: Keep::DaysAfter {
                field: "closed_at",
                days: 30,
            },
        },
        Table::always("ticket_events"),
    ],
    offline_pages: &["/repair-tickets", "/repair-tickets/new"],
};

/// Its card on the home page and its tab in the bottom bar. Everyone on the staff may report a fault.
pub const NAV: crate::components::NavEntry = crate::components::NavEntry {
    path: "/repair-tickets",
    icon: crate::components::Icon::Path(
        "M14.7 6.3a4 4 0 0 0-5.4 5.2L3 17.8V21h3.2l6.3-6.3a4 4 0 0 0 5.2-5.4l-2.6 2.6-2.4-.6-.6-2.4z",
    ),
    roles: crate::domain::ticket::REPORTERS,
    name: |locale| crate::i18n::td_string!(locale, jobs.repair_tickets),
    summary: |locale| crate::i18n::td_string!(locale, jobs.repair_tickets_summary),
    admin: &[crate::components::AdminLink {
        path: "/admin/repair-tickets",
        name: |locale| crate::i18n::td_string!(locale, repair.stats),
    }],
    home_count: Some(crate::components::HomeCount {
        count: local_view::my_open,
        label: |locale| crate::i18n::td_string!(locale, home.count_open_tickets),
    }),
};
