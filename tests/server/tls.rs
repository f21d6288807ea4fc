//! The built-in HTTPS listener (`HOUQIN_TLS_CERT`, `HOUQIN_TLS_KEY`), with certificates made in the test.

use crate::harness::config;
use houqin::server::config::TlsFiles;
use houqin::server::tls::{self, TlsError};
use std::path::Path;

fn certificate(dir: &Path, name: &str) -> (TlsFiles, String) {
    let made = rcgen::generate_simple_self_signed(vec!["houqin.test".to_owned()]).unwrap();
    let cert = dir.join(format!("{name}-cert.pem"));
    let key = dir.join(format!("{name}-key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (TlsFiles { cert, key }, made.cert.pem())
}

#[tokio::test]
async fn the_server_speaks_https_with_the_schools_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (files, cert_pem) = certificate(dir.path(), "school");
    let tls = tls::load(&files).await.unwrap();
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("houqin.db").display()
    );
    let options = leptos::config::LeptosOptions::builder()
        .output_name("houqin")
        .build();
    let state = houqin::server::open(config(dir.path().to_owned(), database_url, true), options)
        .await
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(tls::serve(
        listener,
        tls,
        houqin::server::router(state),
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .resolve("houqin.test", addr)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let base = format!("https://houqin.test:{}", addr.port());
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    let page = client
        .get(format!("{base}/sign-in"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert!(page.text().await.unwrap().contains("登录"));
    // A client that does not trust the school's certificate is refused at the handshake.
    let stranger = reqwest::Client::builder()
        .resolve("houqin.test", addr)
        .build()
        .unwrap();
    assert!(
        stranger
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_missing_or_wrong_certificate_file_stops_start_up_naming_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let (good, _) = certificate(dir.path(), "good");
    let (other, _) = certificate(dir.path(), "other");

    let missing_key = TlsFiles {
        cert: good.cert.clone(),
        key: dir.path().join("no-such-key.pem"),
    };
    let error = tls::load(&missing_key).await.unwrap_err();
    assert!(
        matches!(
            error,
            TlsError::Read {
                variable: "HOUQIN_TLS_KEY",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("no-such-key.pem"), "{error}");

    let not_pem = dir.path().join("cert.txt");
    std::fs::write(&not_pem, "这不是证书").unwrap();
    let garbage = TlsFiles {
        cert: not_pem,
        key: good.key.clone(),
    };
    let error = tls::load(&garbage).await.unwrap_err();
    assert!(matches!(error, TlsError::Invalid { .. }), "{error}");
    assert!(error.to_string().contains("HOUQIN_TLS_CERT"), "{error}");

    // A certificate with another certificate's key.
    let mismatched = TlsFiles {
        cert: good.cert,
        key: other.key,
    };
    assert!(matches!(
        tls::load(&mismatched).await.unwrap_err(),
        TlsError::Invalid { .. }
    ));
}
