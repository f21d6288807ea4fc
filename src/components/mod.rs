//! App-wide building blocks that know no feature: who is signed in (as the app's frame provides it), icons,
//! form fields, photos, and the names of enums and errors in the user's language.

mod clock;
mod form;
mod icons;
mod insecure_notice;
mod lazy_pages;
mod names;
mod nav;
mod photos;
mod picker;
mod signed_in;
mod undo;

pub use clock::{now_anywhere_ms, phone_now_ms, phone_utc_offset, this_month_text, today_text};
pub use form::{
    ErrorNotice, Field, NotOnThisPhone, Page, SignatureLines, StorageErrorNotice, problem_of,
    reveal_first_problem, start_form_over, use_query_or,
};
pub use icons::{Icon, IconSvg};
pub use insecure_notice::InsecureNotice;
pub(crate) use lazy_pages::lazy_pages;
pub use names::*;
pub use nav::{AdminLink, HomeCount, NavEntry, entries_for, pages_for};
pub use photos::{PhotoPicker, PhotoThumb, ServerPhoto};
pub use picker::{Choice, ChoiceGroup, SearchPicker};
pub use signed_in::{AdminOnly, CurrentUser, DirectoryResource, use_directory, use_user};
pub use undo::{HeldSwitchOff, UndoBar};
