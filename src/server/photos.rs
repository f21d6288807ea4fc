//! Photos for every job: uploaded after the record that declares them (id, SHA-256, size), by id, idempotent.
//!
//! `PUT /api/photos/{id}` streams the body to a temporary file while hashing it, so memory stays flat whatever
//! the size; the bytes are kept only if their type is an image, their size and hash are the declared ones. The
//! same bytes again answer success and store nothing; other bytes under the same id answer 409. A cut upload
//! leaves nothing behind and is simply sent again. `GET /api/photos/{id}` serves a photo only to users allowed
//! to see its record.

use crate::domain::Role;
use crate::domain::photo::PHOTO_MAX_BYTES;
use crate::server::db::{bump_version, now_ms};
use crate::server::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// Where photo bytes live. The disk under the data folder now; an object store can implement the same four
/// steps later.
pub trait PhotoStore: Clone + Send + Sync + 'static {
    type Upload: tokio::io::AsyncWrite + Unpin + Send;
    type Reader: tokio::io::AsyncRead + Unpin + Send + 'static;
    /// Starts an upload whose bytes are not visible until kept.
    fn begin(&self) -> impl Future<Output = io::Result<Self::Upload>> + Send;
    /// Makes the upload the photo `id` (replacing nothing: the same id always has the same bytes).
    fn keep(&self, upload: Self::Upload, id: Uuid) -> impl Future<Output = io::Result<()>> + Send;
    fn discard(&self, upload: Self::Upload) -> impl Future<Output = ()> + Send;
    fn open(&self, id: Uuid) -> impl Future<Output = io::Result<Option<Self::Reader>>> + Send;
}

/// Photos as files: `<data>/photos/<first two hex digits>/<id>`, uploads under `<data>/photos/incoming`.
#[derive(Clone, Debug)]
pub struct DiskPhotos {
    root: PathBuf,
}

pub struct DiskUpload {
    file: tokio::fs::File,
    path: PathBuf,
}

impl tokio::io::AsyncWrite for DiskUpload {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.file).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.file).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.file).poll_shutdown(cx)
    }
}

impl DiskPhotos {
    /// Opens the folder, dropping uploads a crash or restart left half written.
    pub fn open(data_dir: &std::path::Path) -> io::Result<DiskPhotos> {
        let root = data_dir.join("photos");
        let incoming = root.join("incoming");
        std::fs::create_dir_all(&incoming)?;
        for entry in std::fs::read_dir(&incoming)?.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
        Ok(DiskPhotos { root })
    }

    fn path_of(&self, id: Uuid) -> PathBuf {
        let name = id.simple().to_string();
        self.root.join(&name[..2]).join(name)
    }
}

impl PhotoStore for DiskPhotos {
    type Upload = DiskUpload;
    type Reader = tokio::fs::File;

    async fn begin(&self) -> io::Result<DiskUpload> {
        let path = self
            .root
            .join("incoming")
            .join(format!("{}.part", Uuid::now_v7().simple()));
        let file = tokio::fs::File::create(&path).await?;
        Ok(DiskUpload { file, path })
    }

    async fn keep(&self, upload: DiskUpload, id: Uuid) -> io::Result<()> {
        upload.file.sync_all().await?;
        let target = self.path_of(id);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        // Atomic: a reader sees the whole photo or none. Two uploads of the same bytes at once end the same.
        tokio::fs::rename(&upload.path, &target).await
    }

    async fn discard(&self, upload: DiskUpload) {
        drop(upload.file);
        let _ = tokio::fs::remove_file(&upload.path).await;
    }

    async fn open(&self, id: Uuid) -> io::Result<Option<tokio::fs::File>> {
        match tokio::fs::File::open(self.path_of(id)).await {
            Ok(file) => Ok(Some(file)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Every refusal of a photo request, as `{"code": …}` with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum PhotoError {
    #[error("sign-in required")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    /// No record declared this photo (yet: the phone sends the record first).
    #[error("no record declares this photo")]
    NotDeclared,
    #[error("not stored")]
    NotFound,
    #[error("larger than declared or allowed")]
    TooLarge { max_bytes: i64 },
    #[error("not a JPEG, PNG or WebP image")]
    NotAnImage,
    /// The bytes are not the ones the record declared (size or SHA-256).
    #[error("other bytes than declared")]
    Conflict,
    #[error("the upload was cut off")]
    Incomplete,
    #[error("server busy")]
    Unavailable,
}

impl PhotoError {
    fn status(&self) -> StatusCode {
        match self {
            PhotoError::Unauthorized => StatusCode::UNAUTHORIZED,
            PhotoError::Forbidden => StatusCode::FORBIDDEN,
            PhotoError::NotDeclared | PhotoError::NotFound => StatusCode::NOT_FOUND,
            PhotoError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            PhotoError::NotAnImage => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            PhotoError::Conflict => StatusCode::CONFLICT,
            PhotoError::Incomplete => StatusCode::BAD_REQUEST,
            PhotoError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for PhotoError {
    fn into_response(self) -> Response {
        (self.status(), Json(self)).into_response()
    }
}

impl From<sqlx::Error> for PhotoError {
    fn from(cause: sqlx::Error) -> Self {
        tracing::warn!(%cause, "photos: database error");
        PhotoError::Unavailable
    }
}

impl From<io::Error> for PhotoError {
    fn from(cause: io::Error) -> Self {
        tracing::error!(%cause, "photos: storage error");
        PhotoError::Unavailable
    }
}

/// The image type from the first bytes, never from what the client claims.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

struct Declared {
    owner_kind: String,
    owner_id: Uuid,
    sha256: String,
    size: i64,
    declared_by: Uuid,
    stored: bool,
    content_type: Option<String>,
}

/// A `photos` row: owner kind, owner id, SHA-256, size, declared by, stored at, content type.
type PhotoRecord = (
    String,
    String,
    String,
    i64,
    String,
    Option<i64>,
    Option<String>,
);

async fn declared(state: &AppState, id: Uuid) -> Result<Option<Declared>, PhotoError> {
    let row: Option<PhotoRecord> =
        sqlx::query_as(
            "SELECT owner_kind, owner_id, sha256, size, declared_by, stored_at, content_type FROM photos \
             WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&state.db.pool)
        .await?;
    let Some((owner_kind, owner_id, sha256, size, declared_by, stored_at, content_type)) = row
    else {
        return Ok(None);
    };
    let parse = |text: &str| Uuid::parse_str(text).map_err(|_| PhotoError::Unavailable);
    Ok(Some(Declared {
        owner_kind,
        owner_id: parse(&owner_id)?,
        sha256,
        size,
        declared_by: parse(&declared_by)?,
        stored: stored_at.is_some(),
        content_type,
    }))
}

async fn user_of(
    state: &AppState,
    jar: &CookieJar,
) -> Result<crate::domain::SessionUser, PhotoError> {
    super::route_user(state, jar).await.map_err(|status| {
        if status == StatusCode::UNAUTHORIZED {
            PhotoError::Unauthorized
        } else {
            PhotoError::Unavailable
        }
    })
}

/// `PUT /api/photos/{id}`.
/// The most a refused upload is read to its end before answering: a client that is still sending when the
/// answer comes sees its connection reset instead of the answer (and a phone would retry for ever).
const DRAIN_MAX_BYTES: i64 = 2 * PHOTO_MAX_BYTES;

pub async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PhotoError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let refusal = match user_of(&state, &jar).await {
        Err(error) => Err(error),
        Ok(user) => match declared(&state, id).await {
            Err(error) => Err(error),
            Ok(None) => Err(PhotoError::NotDeclared),
            Ok(Some(photo)) if photo.declared_by != user.id => Err(PhotoError::Forbidden),
            Ok(Some(photo)) => Ok(photo),
        },
    };
    let photo = match refusal {
        Ok(photo) => photo,
        Err(error) => {
            drain(body, announced).await;
            return Err(error);
        }
    };
    let limit = photo.size.min(PHOTO_MAX_BYTES);
    if announced.is_some_and(|length| length > limit) {
        drain(body, announced).await;
        return Err(PhotoError::TooLarge {
            max_bytes: PHOTO_MAX_BYTES,
        });
    }
    let store = state.photos.clone();
    // Already stored: hash what came, keep nothing.
    let mut upload = if photo.stored {
        None
    } else {
        Some(store.begin().await?)
    };
    let received = receive(body, upload.as_mut(), limit).await;
    let (hash, size, head) = match received {
        Ok(received) => received,
        Err(error) => {
            if let Some(upload) = upload {
                store.discard(upload).await;
            }
            return Err(error);
        }
    };
    let verdict = if size != photo.size || hash != photo.sha256 {
        Err(PhotoError::Conflict)
    } else {
        sniff(&head).ok_or(PhotoError::NotAnImage)
    };
    let content_type = match (verdict, upload) {
        (Err(error), Some(upload)) => {
            store.discard(upload).await;
            return Err(error);
        }
        (Err(error), None) => return Err(error),
        (Ok(_), None) => {
            return Ok((
                StatusCode::OK,
                Json(serde_json::json!({ "stored": true, "duplicate": true })),
            )
                .into_response());
        }
        (Ok(content_type), Some(upload)) => {
            store.keep(upload, id).await?;
            content_type
        }
    };
    let mut tx = state.db.begin_write().await?;
    let version = bump_version(&mut tx).await?;
    let done = sqlx::query(
        "UPDATE photos SET stored_at = $1, content_type = $2, version = $3 WHERE id = $4 AND stored_at IS NULL",
    )
    .bind(now_ms())
    .bind(content_type)
    .bind(version)
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    state.hints.notify(0);
    let first = done.rows_affected() == 1;
    Ok((
        if first {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(serde_json::json!({ "stored": true, "duplicate": !first })),
    )
        .into_response())
}

/// Reads a refused upload to its end (up to [`DRAIN_MAX_BYTES`]) so the client gets to read the answer.
async fn drain(body: Body, announced: Option<i64>) {
    if announced.is_some_and(|length| length > DRAIN_MAX_BYTES) {
        return;
    }
    let mut stream = body.into_data_stream();
    let mut read: i64 = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len() as i64;
        if read > DRAIN_MAX_BYTES {
            return;
        }
    }
}

/// Streams the body into `upload` (if any) while hashing it: (hex SHA-256, size, first bytes).
async fn receive(
    body: Body,
    mut upload: Option<&mut DiskUpload>,
    limit: i64,
) -> Result<(String, i64, Vec<u8>), PhotoError> {
    let mut stream = body.into_data_stream();
    let mut hasher = Sha256::new();
    let mut size: i64 = 0;
    let mut head = Vec::with_capacity(16);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| PhotoError::Incomplete)?;
        size += chunk.len() as i64;
        if size > limit {
            // Read what is left (bounded) so the client sees the answer.
            while size <= DRAIN_MAX_BYTES
                && let Some(Ok(rest)) = stream.next().await
            {
                size += rest.len() as i64;
            }
            return Err(PhotoError::TooLarge {
                max_bytes: PHOTO_MAX_BYTES,
            });
        }
        if head.len() < 16 {
            let wanted = (16 - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..wanted]);
        }
        hasher.update(&chunk);
        if let Some(upload) = upload.as_mut() {
            upload.write_all(&chunk).await?;
        }
    }
    if let Some(upload) = upload {
        upload.flush().await?;
    }
    Ok((hex::encode(hasher.finalize()), size, head))
}

/// `GET /api/photos/{id}`.
pub async fn serve(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<Uuid>,
) -> Result<Response, PhotoError> {
    let user = user_of(&state, &jar).await?;
    let photo = declared(&state, id).await?.ok_or(PhotoError::NotFound)?;
    // The job whose records declare this kind says who may see them; a kind no job claims, the admin only.
    let owner = crate::jobs::SERVER
        .iter()
        .find(|job| job.photo_owner() == Some(photo.owner_kind.as_str()));
    let allowed = match owner {
        Some(job) => {
            let mut conn = state.db.pool.acquire().await?;
            job.may_see_photo(&mut conn, photo.owner_id, &user).await?
        }
        None => user.has(Role::Admin),
    };
    if !allowed {
        return Err(PhotoError::Forbidden);
    }
    if !photo.stored {
        return Err(PhotoError::NotFound);
    }
    let file = state.photos.open(id).await?.ok_or(PhotoError::NotFound)?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                photo.content_type.unwrap_or_else(|| "image/jpeg".into()),
            ),
            // A photo id never gets other bytes; only its own users may fetch it.
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn images_are_told_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nxxxx"), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
    }
}
