//! Landing pages: each role's home with its jobs and its own slice of the directory, the admin's overview, and
//! the frame every signed-in page sits in.

mod admin_page;
mod app_layout;
mod backup_card;
mod home_page;

pub use admin_page::AdminPage;
pub use app_layout::AppLayout;
pub use home_page::HomePage;
