//! A handful of line icons, drawn inline so they need no font and no extra request.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Home,
    Grid,
    User,
    /// A job's own icon: SVG path data on a 24 × 24 grid, stroked.
    Path(&'static str),
}

impl Icon {
    fn paths(self) -> &'static str {
        match self {
            Icon::Home => "M3 10.5 12 3l9 7.5V21h-6v-6H9v6H3z",
            Icon::Grid => "M3 3h7v7H3zM14 3h7v7h-7zM3 14h7v7H3zM14 14h7v7h-7z",
            Icon::User => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 4-6 8-6s8 2 8 6",
            Icon::Path(d) => d,
        }
    }
}

#[component]
pub fn IconSvg(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round">
            <path d=icon.paths()></path>
        </svg>
    }
}
