//! Job 1, the gate visitor log (门卫登记). Registration and sign-out arrive with the sync engine; for now the
//! guard's page lists the gates and the people visitors come to see.

mod gate_visits_page;

pub use gate_visits_page::GateVisitsPage;
