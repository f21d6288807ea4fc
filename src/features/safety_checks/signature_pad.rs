//! The signature drawn on the screen with a finger, kept as a PNG data URL.
use crate::i18n::*;
use leptos::prelude::*;

/// A box to sign in with a finger; the drawing becomes a PNG data URL in `signature` (empty until drawn).
#[component]
pub(super) fn SignaturePad(signature: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let drawing = StoredValue::new(false);
    #[cfg(feature = "hydrate")]
    let context = move || -> Option<web_sys::CanvasRenderingContext2d> {
        use wasm_bindgen::JsCast;
        canvas
            .get_untracked()?
            .get_context("2d")
            .ok()
            .flatten()?
            .dyn_into()
            .ok()
    };
    #[cfg(feature = "hydrate")]
    let point = move |ev: &leptos::ev::PointerEvent| -> (f64, f64) {
        let Some(element) = canvas.get_untracked() else {
            return (0.0, 0.0);
        };
        let rect = element.get_bounding_client_rect();
        let scale_x = f64::from(element.width()) / rect.width().max(1.0);
        let scale_y = f64::from(element.height()) / rect.height().max(1.0);
        (
            (f64::from(ev.client_x()) - rect.left()) * scale_x,
            (f64::from(ev.client_y()) - rect.top()) * scale_y,
        )
    };
    let down = move |ev: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(ctx) = context() {
            ev.prevent_default();
            drawing.set_value(true);
            let (x, y) = point(&ev);
            ctx.set_line_width(3.0);
            ctx.set_line_cap("round");
            ctx.begin_path();
            ctx.move_to(x, y);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let moved = move |ev: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        if drawing.get_value()
            && let Some(ctx) = context()
        {
            ev.prevent_default();
            let (x, y) = point(&ev);
            ctx.line_to(x, y);
            ctx.stroke();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let up = move |_: leptos::ev::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        drawing.set_value(false);
        #[cfg(feature = "hydrate")]
        if let Some(element) = canvas.get_untracked()
            && let Ok(url) = element.to_data_url_with_type("image/png")
        {
            signature.set(url);
        }
    };
    let clear = move |_| {
        #[cfg(feature = "hydrate")]
        if let (Some(element), Some(ctx)) = (canvas.get_untracked(), context()) {
            ctx.clear_rect(
                0.0,
                0.0,
                f64::from(element.width()),
                f64::from(element.height()),
            );
        }
        signature.set(String::new());
    };
    // The form cleared the signature (after a save): the drawing goes too, so nothing looks signed that is not.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if signature.with(String::is_empty)
            && let (Some(element), Some(ctx)) = (canvas.get_untracked(), context())
        {
            ctx.clear_rect(
                0.0,
                0.0,
                f64::from(element.width()),
                f64::from(element.height()),
            );
        }
    });
    view! {
        <canvas node_ref=canvas class="signature" width="600" height="240" data-testid="signature"
            on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointerleave=up></canvas>
        <button type="button" class="link" on:click=clear>{t!(i18n, safety.clear_signature)}</button>
    }
}
