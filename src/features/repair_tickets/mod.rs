//! Job 4, repair tickets (报修). Reporting arrives with its issue; for now anyone can find the place where
//! something is broken, which is where a report will start.

mod repair_tickets_page;

pub use repair_tickets_page::RepairTicketsPage;
