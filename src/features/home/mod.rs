//! Landing pages: each role's home with its jobs and its own slice of the directory, and the admin's overview.

mod admin_page;
mod home_page;

pub use admin_page::AdminPage;
pub use home_page::HomePage;
