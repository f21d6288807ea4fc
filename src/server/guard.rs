//! What every request meets before any handler: cross-site writes refused, bodies of the wrong type refused, and
//! the security headers on every answer.
//!
//! A browser sends a cross-site `<form enctype="text/plain">` with the user's cookie (SameSite=Lax lets a
//! top-level POST through on some browsers and always from a sibling subdomain), so every write under `/api/`
//! must be JSON (photos: an image type) and, when the browser names its `Origin`, come from this very host.

use crate::error::{AppError, Problem};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The app's own wasm, js, css and images; inline scripts for hydration; nothing from elsewhere, and no frames.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub async fn guard(request: Request, next: Next) -> Response {
    if let Err((status, error)) = check(request.method(), request.uri(), request.headers()) {
        let mut answer = (status, axum::Json(error)).into_response();
        secure_headers(answer.headers_mut());
        return answer;
    }
    let api = request.uri().path().starts_with("/api/");
    let mut answer = next.run(request).await;
    if api {
        answer = in_the_contract(answer);
    }
    secure_headers(answer.headers_mut());
    answer
}

/// An error answer under `/api/` that is not already JSON (a missing query parameter, a path that is not a
/// UUID, a body over the limit, the wrong method) becomes the documented `{"code": …}` with the same status.
fn in_the_contract(answer: Response) -> Response {
    let status = answer.status();
    let is_json = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return answer;
    }
    let error = match status {
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden,
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::TOO_MANY_REQUESTS => AppError::Busy {
            retry_after_secs: 1,
        },
        status if status.is_server_error() => AppError::Internal,
        _ => AppError::invalid("request", Problem::Invalid),
    };
    let (mut parts, _) = answer.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = serde_json::to_vec(&error).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Why a request is refused before it reaches its handler, if it is.
fn check(method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<(), (StatusCode, AppError)> {
    let path = uri.path();
    // The sign-in form post checks its own origin, and answers with the form rather than JSON.
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || !path.starts_with("/api/")
    {
        return Ok(());
    }
    if !same_origin(headers, uri) {
        return Err((StatusCode::FORBIDDEN, AppError::Forbidden));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let allowed = if path.starts_with("/api/photos/") {
        essence.starts_with("image/")
    } else {
        essence == "application/json"
    };
    if allowed {
        Ok(())
    } else {
        Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::invalid("content_type", Problem::Invalid),
        ))
    }
}

/// Whether the browser says the request comes from this very host (or says nothing, as old browsers and
/// non-browser clients may). The host is the `Host` header, or over HTTP/2 (which has none) the request's
/// authority.
pub fn same_origin(headers: &HeaderMap, uri: &Uri) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    });
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

fn secure_headers(headers: &mut HeaderMap) {
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
    ];
    for (name, value) in set {
        headers.entry(name).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn writes_must_be_json_from_this_host() {
        let json = headers(&[
            (header::HOST, "houqin.school"),
            (header::ORIGIN, "https://houqin.school"),
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
        ]);
        assert!(check(&Method::POST, &Uri::from_static("/api/users/create"), &json).is_ok());
        let plain = headers(&[
            (header::HOST, "houqin.school"),
            (header::CONTENT_TYPE, "text/plain"),
        ]);
        let refused = check(
            &Method::POST,
            &Uri::from_static("/api/users/create"),
            &plain,
        )
        .unwrap_err();
        assert_eq!(refused.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let sibling = headers(&[
            (header::HOST, "houqin.school"),
            (header::ORIGIN, "https://evil.houqin.school"),
            (header::CONTENT_TYPE, "application/json"),
        ]);
        let refused = check(
            &Method::POST,
            &Uri::from_static("/api/users/create"),
            &sibling,
        )
        .unwrap_err();
        assert_eq!(refused.0, StatusCode::FORBIDDEN);
        // Over HTTP/2 the host is the request's authority.
        let h2 = headers(&[
            (header::ORIGIN, "https://houqin.school"),
            (header::CONTENT_TYPE, "application/json"),
        ]);
        let uri = Uri::from_static("https://houqin.school/api/users/create");
        assert!(check(&Method::POST, &uri, &h2).is_ok());
        // Photos are images; reading is never refused here.
        let jpeg = headers(&[(header::CONTENT_TYPE, "image/jpeg")]);
        assert!(check(&Method::PUT, &Uri::from_static("/api/photos/x"), &jpeg).is_ok());
        assert!(check(&Method::PUT, &Uri::from_static("/api/photos/x"), &json).is_err());
        assert!(
            check(
                &Method::GET,
                &Uri::from_static("/api/photos/x"),
                &HeaderMap::new()
            )
            .is_ok()
        );
        // The sign-in form post is a form, and its handler checks the origin itself.
        let form = headers(&[(header::CONTENT_TYPE, "application/x-www-form-urlencoded")]);
        assert!(check(&Method::POST, &Uri::from_static("/sign-in"), &form).is_ok());
    }
}
