//! Photos in any job's forms and pages: take or choose them (each shrunk and hashed on the phone at once and
//! previewed; the form keeps them in IndexedDB when it saves), and show one, from the phone until it is
//! uploaded, then from the server.

use crate::domain::photo::PHOTOS_MAX;
use crate::i18n::*;
use crate::sync::local::{LocalData, PreparedPhoto};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn PhotoPicker(
    photos: RwSignal<Vec<PreparedPhoto>>,
    /// How many photos are still being shrunk (the form waits for them before saving).
    preparing: RwSignal<usize>,
    /// Set when the form requires a photo and has none.
    #[prop(into)]
    missing: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let unreadable = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(files) = input.files() else {
                return;
            };
            unreadable.set(false);
            let room = PHOTOS_MAX.saturating_sub(photos.with_untracked(Vec::len));
            for index in 0..files.length().min(room as u32) {
                let Some(file) = files.get(index) else {
                    continue;
                };
                preparing.update(|n| *n += 1);
                leptos::task::spawn_local(async move {
                    match crate::sync::photos::prepare(file.into()).await {
                        Ok(photo) => photos.update(|p| p.push(photo)),
                        Err(_) => unreadable.set(true),
                    }
                    preparing.update(|n| *n -= 1);
                });
            }
            // The same picture can be chosen again after removing it.
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <fieldset class="field">
            <legend class="field-label">{t!(i18n, repair.photos)}</legend>
            <div class="photos">
                <For each=move || photos.get() key=|p| p.reference.id let:photo>
                    {
                        let id = photo.reference.id;
                        view! {
                            <span class="photo">
                                <img src=photo.preview_url.clone() alt="" />
                                <button type="button" class="photo-remove" aria-label=move || t_string!(i18n, repair.remove_photo).to_string()
                                    on:click=move |_| photos.update(|p| p.retain(|x| x.reference.id != id))>"×"</button>
                            </span>
                        }
                    }
                </For>
            </div>
            <Show when=move || { preparing.get() > 0 }>
                <p class="muted">{t!(i18n, repair.preparing)}</p>
            </Show>
            <Show when=move || photos.with(|p| p.len() < PHOTOS_MAX)>
                <label class="button button-secondary photo-add">
                    {t!(i18n, repair.add_photo)}
                    <input type="file" accept="image/*" capture="environment" multiple class="visually-hidden"
                        data-testid="photo-input" on:change=on_change />
                </label>
            </Show>
            <Show when=move || unreadable.get()>
                <p class="field-problem">{t!(i18n, repair.photo_unreadable)}</p>
            </Show>
            <Show when=move || missing.get()>
                <p class="field-problem" role="alert">{t!(i18n, problems.required)}</p>
            </Show>
        </fieldset>
    }
}

/// One photo: from this phone while it waits to be uploaded, else from the server once it arrived there.
#[component]
pub fn PhotoThumb(local: LocalData, id: Uuid, stored: bool) -> impl IntoView {
    let i18n = use_i18n();
    let user = local.user_id();
    let source = LocalResource::new(move || async move {
        #[cfg(feature = "hydrate")]
        {
            if let Some(url) = crate::sync::photos::local_url(user, id).await {
                return Some(url);
            }
        }
        let _ = user;
        stored.then(|| format!("/api/photos/{id}"))
    });
    view! {
        {move || match source.get().flatten() {
            Some(src) => view! {
                <a href=src.clone() target="_blank" class="photo" aria-label=move || t_string!(i18n, common.open_photo).to_string()>
                    <img src=src.clone() alt="" loading="lazy" />
                    {(!stored).then(|| view! { <span class="photo-state">{t!(i18n, repair.photo_uploading)}</span> })}
                </a>
            }.into_any(),
            None => view! {
                <span class="photo photo-missing" data-testid="photo-uploading">{t!(i18n, repair.photo_uploading)}</span>
            }.into_any(),
        }}
    }
}

/// A photo the server holds, as a thumbnail that opens the full picture (pages read online).
#[component]
pub fn ServerPhoto(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/api/photos/{id}");
    let src = href.clone();
    view! {
        <a href=href target="_blank" class="photo" aria-label=move || t_string!(i18n, common.open_photo).to_string()>
            <img src=src alt="" loading="lazy" />
        </a>
    }
}
