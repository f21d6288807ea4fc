//! App-wide building blocks that know no feature: the layout with its bottom navigation, icons, form fields,
//! the names of enums and errors in the user's language, and the language switch.

mod app_layout;
mod clock;
mod form;
mod icons;
mod insecure_notice;
mod language_switch;
mod names;
mod photos;
mod undo;

pub use app_layout::{AdminOnly, AppLayout, use_directory, use_user};
pub use clock::{now_anywhere_ms, phone_now_ms, phone_utc_offset, this_month_text, today_text};
pub use form::{
    ErrorNotice, Field, NotOnThisPhone, Page, StorageErrorNotice, problem_of, use_query_or,
};
pub use icons::{Icon, IconSvg};
pub use insecure_notice::InsecureNotice;
pub use language_switch::LanguageSwitch;
pub use names::*;
pub use photos::{PhotoPicker, PhotoThumb};
pub use undo::{HeldSwitchOff, UndoBar};
