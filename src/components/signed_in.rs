//! What every signed-in page reads: who is signed in and the campus directory, both provided once by the app's
//! frame (the home page's `AppLayout`), and the guard for admin-only pages.

use crate::domain::directory::Directory;
use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use leptos::prelude::*;

/// The campus directory of this visit, as the frame loads it.
pub type DirectoryResource = Resource<Result<Directory, AppError>>;

/// Who is signed in, as the frame knows it.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Signal<Option<SessionUser>>);

/// The signed-in user. Pages render inside the frame only once this is known.
pub fn use_user() -> Signal<Option<SessionUser>> {
    expect_context::<CurrentUser>().0
}

/// The campus directory, loaded once for all pages of a visit; `refetch()` after a change.
pub fn use_directory() -> DirectoryResource {
    expect_context::<DirectoryResource>()
}

/// Shows its children only to the admin; anyone else reads that their role does not allow it.
/// (The server refuses their calls anyway; this spares them a form that cannot work.)
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let user = use_user();
    let forbidden = Signal::derive(|| Some(AppError::Forbidden));
    view! {
        <Show
            when=move || user.get().is_some_and(|u| u.has(Role::Admin))
            fallback=move || view! { <section class="page"><super::form::ErrorNotice error=forbidden /></section> }
        >
            {children()}
        </Show>
    }
}
