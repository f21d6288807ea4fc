//! `<option>` lists for choosing a place or a person. They render once the directory has loaded, inside a
//! `Transition`, so the server and the browser render the same options (no hydration mismatch).

use crate::components::use_directory;
use leptos::prelude::*;

/// The active places, by path, with `selected` marking the chosen id.
#[component]
pub fn PlaceOptions(selected: RwSignal<String>) -> impl IntoView {
    let directory = use_directory();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let places = directory.await.unwrap_or_default().places;
                places.into_iter().filter(|p| p.active).map(|p| {
                    let value = p.id.to_string();
                    let this = value.clone();
                    view! { <option value=value selected=move || selected.get() == this>{p.path}</option> }
                }).collect_view()
            })}
        </Transition>
    }
}

/// The active people, by name, with `selected` marking the chosen id.
#[component]
pub fn PersonOptions(selected: RwSignal<String>) -> impl IntoView {
    let directory = use_directory();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let people = directory.await.unwrap_or_default().people;
                people.into_iter().filter(|p| p.active).map(|p| {
                    let value = p.id.to_string();
                    let this = value.clone();
                    view! { <option value=value selected=move || selected.get() == this>{p.display_name}</option> }
                }).collect_view()
            })}
        </Transition>
    }
}
