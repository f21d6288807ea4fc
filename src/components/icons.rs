//! A handful of line icons, drawn inline so they need no font and no extra request.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Home,
    Gate,
    Shield,
    Sparkle,
    Wrench,
    Grid,
    User,
}

impl Icon {
    fn paths(self) -> &'static str {
        match self {
            Icon::Home => "M3 10.5 12 3l9 7.5V21h-6v-6H9v6H3z",
            Icon::Gate => "M5 21V4h14v17M3 21h18M15 12.5v.01",
            Icon::Shield => "M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6z",
            Icon::Sparkle => "M12 3v5M12 16v5M3 12h5M16 12h5M6 6l3 3M15 15l3 3M6 18l3-3M15 9l3-3",
            Icon::Wrench => {
                "M14.7 6.3a4 4 0 0 0-5.4 5.2L3 17.8V21h3.2l6.3-6.3a4 4 0 0 0 5.2-5.4l-2.6 2.6-2.4-.6-.6-2.4z"
            }
            Icon::Grid => "M3 3h7v7H3zM14 3h7v7h-7zM3 14h7v7H3zM14 14h7v7h-7z",
            Icon::User => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 4-6 8-6s8 2 8 6",
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
