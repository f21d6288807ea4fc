//! Photos on the phone (browser only): shrunk and compressed where they are taken, kept in IndexedDB (they do not
//! fit localStorage) until the server confirms it has them, and uploaded by the sync loop after the record that
//! declares them.
//!
//! A photo is shrunk to at most 1600 px on its long side and saved as JPEG (quality 0.8): a phone camera's 4 MB
//! picture becomes a few hundred KB. Its SHA-256 is taken here, in Rust, because `crypto.subtle` is missing on
//! plain-http school networks. Keys are `<user id>.<photo id>`, so a second user on the phone never uploads the
//! first one's photos.

use super::local::SaveError;
use crate::domain::photo::PhotoRef;
use idb::builder::ObjectStoreBuilder;
use idb::{Database, KeyRange, TransactionMode};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

const DB_NAME: &str = "houqin-photos";
const STORE: &str = "photos";
/// The long side of a shrunk photo, in pixels.
pub const LONG_SIDE: u32 = 1600;
const JPEG_QUALITY: f64 = 0.8;

pub use super::local::PreparedPhoto as Prepared;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    /// The browser could not read the file as a picture.
    NotAnImage,
    /// This browser cannot shrink pictures (no canvas).
    Unsupported,
}

async fn open() -> Result<Database, idb::Error> {
    Database::builder(DB_NAME)
        .version(1)
        .add_object_store(ObjectStoreBuilder::new(STORE))
        .build()
        .await
}

fn key(user: Uuid, photo: Uuid) -> JsValue {
    JsValue::from_str(&format!("{user}.{photo}"))
}

fn user_range(user: Uuid) -> Result<KeyRange, idb::Error> {
    KeyRange::bound(
        &JsValue::from_str(&format!("{user}.")),
        &JsValue::from_str(&format!("{user}.\u{ffff}")),
        None,
        None,
    )
}

async fn js<T: JsCast>(promise: js_sys::Promise) -> Result<T, PhotoError> {
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| PhotoError::NotAnImage)?
        .dyn_into::<T>()
        .map_err(|_| PhotoError::NotAnImage)
}

/// Shrinks, compresses and hashes a picture the user took or chose.
pub async fn prepare(file: web_sys::Blob) -> Result<Prepared, PhotoError> {
    let window = web_sys::window().ok_or(PhotoError::Unsupported)?;
    let bitmap: web_sys::ImageBitmap = js(window
        .create_image_bitmap_with_blob(&file)
        .map_err(|_| PhotoError::NotAnImage)?)
    .await?;
    let (width, height) = (bitmap.width().max(1), bitmap.height().max(1));
    let scale = (f64::from(LONG_SIDE) / f64::from(width.max(height))).min(1.0);
    let (w, h) = (
        ((f64::from(width) * scale).round() as u32).max(1),
        ((f64::from(height) * scale).round() as u32).max(1),
    );
    let document = window.document().ok_or(PhotoError::Unsupported)?;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| PhotoError::Unsupported)?
        .dyn_into()
        .map_err(|_| PhotoError::Unsupported)?;
    canvas.set_width(w);
    canvas.set_height(h);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or(PhotoError::Unsupported)?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, f64::from(w), f64::from(h))
        .map_err(|_| PhotoError::NotAnImage)?;
    bitmap.close();
    let (sender, receiver) = futures::channel::oneshot::channel::<Option<web_sys::Blob>>();
    let sender = std::cell::RefCell::new(Some(sender));
    let done = Closure::once_into_js(move |blob: JsValue| {
        if let Some(sender) = sender.borrow_mut().take() {
            let _ = sender.send(blob.dyn_into::<web_sys::Blob>().ok());
        }
    });
    canvas
        .to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            "image/jpeg",
            &JsValue::from_f64(JPEG_QUALITY),
        )
        .map_err(|_| PhotoError::Unsupported)?;
    let jpeg = receiver
        .await
        .ok()
        .flatten()
        .ok_or(PhotoError::Unsupported)?;
    let buffer: js_sys::ArrayBuffer = js(jpeg.array_buffer()).await?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let preview_url = web_sys::Url::create_object_url_with_blob(&jpeg).unwrap_or_default();
    Ok(Prepared {
        reference: PhotoRef {
            id: Uuid::now_v7(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            size: bytes.len() as i64,
        },
        bytes,
        preview_url,
    })
}

/// Keeps the photos on this phone until the server has them. All or nothing: `Ok` once every one is stored.
pub async fn keep(user: Uuid, photos: &[Prepared]) -> Result<(), SaveError> {
    if photos.is_empty() {
        return Ok(());
    }
    let failed = |error: idb::Error| {
        if error.to_string().contains("Quota") {
            SaveError::Full
        } else {
            SaveError::Unavailable
        }
    };
    let database = open().await.map_err(failed)?;
    let transaction = database
        .transaction(&[STORE], TransactionMode::ReadWrite)
        .map_err(failed)?;
    let store = transaction.object_store(STORE).map_err(failed)?;
    for photo in photos {
        let value = js_sys::Uint8Array::from(photo.bytes.as_slice());
        store
            .put(&value, Some(&key(user, photo.reference.id)))
            .map_err(failed)?
            .await
            .map_err(failed)?;
    }
    let result = transaction
        .commit()
        .map_err(failed)?
        .await
        .map_err(failed)?;
    database.close();
    if result.is_committed() {
        Ok(())
    } else {
        Err(SaveError::Unavailable)
    }
}

/// The bytes of a photo kept on this phone.
pub async fn load(user: Uuid, photo: Uuid) -> Option<Vec<u8>> {
    let database = open().await.ok()?;
    let transaction = database
        .transaction(&[STORE], TransactionMode::ReadOnly)
        .ok()?;
    let store = transaction.object_store(STORE).ok()?;
    let value = store.get(key(user, photo)).ok()?.await.ok()??;
    database.close();
    value
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
        .map(|a| a.to_vec())
}

/// The photos this user's phone still has to upload.
pub async fn waiting(user: Uuid) -> Vec<Uuid> {
    let Ok(database) = open().await else {
        return Vec::new();
    };
    let keys = async {
        let transaction = database
            .transaction(&[STORE], TransactionMode::ReadOnly)
            .ok()?;
        let store = transaction.object_store(STORE).ok()?;
        let range = user_range(user).ok()?;
        store
            .get_all_keys(Some(range.into()), None)
            .ok()?
            .await
            .ok()
    }
    .await
    .unwrap_or_default();
    database.close();
    keys.iter()
        .filter_map(|k| k.as_string())
        .filter_map(|k| {
            k.split_once('.')
                .and_then(|(_, id)| Uuid::parse_str(id).ok())
        })
        .collect()
}

/// Drops a photo the server confirmed.
pub async fn forget(user: Uuid, photo: Uuid) {
    let Ok(database) = open().await else {
        return;
    };
    if let Ok(transaction) = database.transaction(&[STORE], TransactionMode::ReadWrite)
        && let Ok(store) = transaction.object_store(STORE)
        && let Ok(request) = store.delete(key(user, photo))
    {
        let _ = request.await;
        if let Ok(commit) = transaction.commit() {
            let _ = commit.await;
        }
    }
    database.close();
}

/// What became of one upload.
pub enum Upload {
    /// The server has the bytes (now, or from an earlier try).
    Stored,
    /// No network, or the server busy: try again after a backoff.
    Later,
    /// The record that declares it has not reached the server yet (or was refused).
    NotYet,
    /// The session ended.
    SignedOut,
    /// The server will never take these bytes (not the declared ones, not an image).
    Refused(u16),
}

/// Sends one photo's bytes.
pub async fn upload(photo: Uuid, bytes: &[u8]) -> Upload {
    let abort = web_sys::AbortController::new().ok();
    let mut request = gloo_net::http::RequestBuilder::new(&format!("/api/photos/{photo}"))
        .method(gloo_net::http::Method::PUT)
        .header("content-type", "image/jpeg");
    if let Some(abort) = &abort {
        request = request.abort_signal(Some(&abort.signal()));
    }
    let Ok(request) = request.body(js_sys::Uint8Array::from(bytes)) else {
        return Upload::Later;
    };
    // A stalled upload on a weak signal is given up and sent again on a later round.
    let timer = abort.map(|abort| {
        leptos::prelude::set_timeout_with_handle(
            move || abort.abort(),
            std::time::Duration::from_secs(120),
        )
    });
    let response = request.send().await;
    if let Some(Ok(timer)) = timer {
        timer.clear();
    }
    match response.map(|r| r.status()) {
        Ok(200 | 201) => Upload::Stored,
        Ok(401) => Upload::SignedOut,
        Ok(404) => Upload::NotYet,
        Ok(status @ (403 | 409 | 413 | 415)) => Upload::Refused(status),
        _ => Upload::Later,
    }
}

/// An object URL showing a photo kept on this phone (revoke it when done).
pub async fn local_url(user: Uuid, photo: Uuid) -> Option<String> {
    let bytes = load(user, photo).await?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
