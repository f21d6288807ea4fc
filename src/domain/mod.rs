//! The campus model and its rules: plain types shared by server and browser, no IO.
//!
//! What belongs here: enums with their stable storage codes, validation of what users type, and any rule a
//! unit test can check without a database or a browser. SQL lives in each feature's `db.rs`; views in its pages.

pub mod check_point;
pub mod cleaning;
pub mod clock;
pub mod directory;
pub mod photo;
pub mod place;
pub mod role;
pub mod safety;
pub mod school_class;
pub mod sealed_id;
pub mod search;
pub mod sync;
pub mod term;
pub mod ticket;
pub mod user;
pub mod visit;

pub use check_point::{CheckPoint, CheckPointInput, CheckPointKind};
pub use place::{Place, PlaceInput, PlaceKind};
pub use role::Role;
pub use school_class::{SchoolClass, SchoolClassInput};
pub use user::{NewUser, SessionUser, UserSummary};

/// Defines a closed set of values stored in the database by a stable snake_case code.
macro_rules! coded_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used in URLs.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use coded_enum;
