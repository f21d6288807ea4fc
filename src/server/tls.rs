//! The built-in HTTPS listener: a school with a certificate (the district's, or one for its public name) serves
//! phones a secure context without a reverse proxy. Plain http loses the service worker, Web Locks, persistent
//! storage and `crypto.subtle`, so the app could not open offline (see the README, "Deploying at a school").
//!
//! rustls through axum-server, with the ring provider. With `HOUQIN_HTTP_LISTEN` set too, a second listener
//! answers plain http with a permanent redirect to the same path on https.

use super::config::TlsFiles;
use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_server::tls_rustls::RustlsConfig;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("configuration: {variable}: cannot read {path}: {cause}")]
    Read {
        variable: &'static str,
        path: String,
        cause: std::io::Error,
    },
    #[error(
        "configuration: HOUQIN_TLS_CERT / HOUQIN_TLS_KEY: {cert} and {key} are not a PEM certificate chain and its private key: {cause}"
    )]
    Invalid {
        cert: String,
        key: String,
        cause: std::io::Error,
    },
}

/// Reads and checks the certificate and key, so a wrong file stops start-up naming its variable.
pub async fn load(files: &TlsFiles) -> Result<RustlsConfig, TlsError> {
    // ring is the one provider compiled in; installing it is a no-op when already done.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let read = |variable: &'static str, path: &std::path::Path| {
        let path = path.to_owned();
        async move {
            tokio::fs::read(&path)
                .await
                .map_err(|cause| TlsError::Read {
                    variable,
                    path: path.display().to_string(),
                    cause,
                })
        }
    };
    let cert = read("HOUQIN_TLS_CERT", &files.cert).await?;
    let key = read("HOUQIN_TLS_KEY", &files.key).await?;
    RustlsConfig::from_pem(cert, key)
        .await
        .map_err(|cause| TlsError::Invalid {
            cert: files.cert.display().to_string(),
            key: files.key.display().to_string(),
            cause,
        })
}

/// Serves `app` over HTTPS on `listener` until `shutdown` resolves, then lets open requests finish.
pub async fn serve(
    listener: std::net::TcpListener,
    tls: RustlsConfig,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown.await;
            handle.graceful_shutdown(Some(Duration::from_secs(10)));
        }
    });
    axum_server::from_tcp_rustls(listener, tls)?
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .await
}

/// The plain-http listener's whole app: every request goes to the same path on `https_port`.
pub fn redirect_to_https(https_port: u16) -> Router {
    Router::new().fallback(move |headers: axum::http::HeaderMap, uri: Uri| async move {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        redirect(host, &uri, https_port)
    })
}

fn redirect(host: Option<&str>, uri: &Uri, https_port: u16) -> Response {
    // The name the phone used, without its http port; an address without a name cannot be redirected.
    let Some(name) = host.map(strip_port).filter(|n| !n.is_empty()) else {
        return (StatusCode::BAD_REQUEST, "https only").into_response();
    };
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{name}{port}{path}");
    match header::HeaderValue::from_str(&location) {
        Ok(location) => (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "https only").into_response(),
    }
}

/// `school.example:80` → `school.example`; `[::1]:80` → `[::1]`.
fn strip_port(host: &str) -> &str {
    match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => &host[..colon],
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_sent_to_the_same_path_on_https() {
        let uri: Uri = "/places/1?qr=1".parse().unwrap();
        let answer = redirect(Some("houqin.school:80"), &uri, 443);
        assert_eq!(answer.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(
            answer.headers()[header::LOCATION],
            "https://houqin.school/places/1?qr=1"
        );
        let answer = redirect(Some("[::1]:8080"), &uri, 8443);
        assert_eq!(
            answer.headers()[header::LOCATION],
            "https://[::1]:8443/places/1?qr=1"
        );
        assert_eq!(redirect(None, &uri, 443).status(), StatusCode::BAD_REQUEST);
    }
}
