//! 我的: who I am, my language, my password, sign out.

mod profile_page;

pub use profile_page::ProfilePage;
