//! A job's pages as lazy routes: one piece of the wasm per job, which a phone downloads the first time it opens
//! one of that job's pages (or, installed, when the service worker keeps the user's pages for offline use).
//!
//! `lazy_pages!` takes the name of the piece (it names the file cargo-leptos writes with `--split`) and the
//! job's pages, each a route type and the view it shows:
//!
//! ```ignore
//! lazy_pages!(gate_visits {
//!     VisitsRoute => view! { <GateVisitsPage /> },
//!     RollCallRoute => view! { <RollCallPage /> },
//! });
//! // in the job's routes: <Route path=path!("/gate-visits") view=Lazy::<VisitsRoute>::new() />
//! ```
//!
//! All the views sit behind one `#[lazy]` function, so the job's pages and whatever only they use land in one
//! file, and the first page of a job brings the others with it. On the server the function is an ordinary
//! `async fn`; rendering it records the piece, so the page's HTML tells the browser to fetch it at once and the
//! page hydrates with its code already there (`leptos::mount::hydrate_lazy` waits for it).

macro_rules! lazy_pages {
    ($split:ident { $($route:ident => $view:expr),+ $(,)? }) => {
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        enum LazyPage {
            $($route),+
        }

        #[::leptos::lazy($split)]
        fn lazy_view(page: LazyPage) -> ::leptos::prelude::AnyView {
            use ::leptos::prelude::IntoAny;
            match page {
                $(LazyPage::$route => $view.into_any()),+
            }
        }

        $(
            pub struct $route;

            impl ::leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> ::leptos::prelude::AnyView {
                    lazy_view(LazyPage::$route).await
                }

                async fn preload() {
                    // The piece exists only in the browser's build; the server renders the view directly.
                    #[cfg(target_arch = "wasm32")]
                    __preload_lazy_view().await;
                }
            }
        )+
    };
}

pub(crate) use lazy_pages;
