//! The admin's list of people: create users, change roles, reset passwords, disable and enable.

pub mod audit;
mod routes;
mod server_fns;
pub mod slips;
mod users_page;

pub use routes::UsersRoutes;
pub use server_fns::*;
pub use users_page::UsersPage;
