//! The server process: configuration → tracing → database → migrations → demo data → router → serve.

pub mod audit;
pub mod backup;
pub mod config;
pub mod csv;
pub mod db;
pub mod demo;
pub mod guard;
pub mod id_seal;
pub mod job;
pub mod links;
pub mod photos;
pub mod service_worker;
pub mod sessions;
pub mod state;
pub mod static_files;
pub mod throttle;
pub mod tls;

use crate::app::{App, shell};
use crate::domain::SessionUser;
use crate::error::AppError;
use axum::Router;
use axum::http::StatusCode;
use config::{Config, ConfigError};
use db::Db;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, ResponseOptions, generate_route_list};
use state::AppState;
use std::sync::{Arc, OnceLock};
use tower_http::compression::CompressionLayer;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("configuration: leptos options: {0}")]
    Leptos(String),
    #[error("database: cannot open {url}: {cause}")]
    Database { url: String, cause: sqlx::Error },
    #[error("database: migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("demo data: {0}")]
    Demo(AppError),
    #[error("cannot listen on {addr}: {cause}")]
    Listen {
        addr: std::net::SocketAddr,
        cause: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Tls(#[from] tls::TlsError),
    #[error("{0}")]
    Backup(backup::BackupError),
}

pub async fn run() -> Result<(), StartError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let config = Config::from_env()?;
    let mut leptos_options = get_configuration(None)
        .map_err(|e| StartError::Leptos(e.to_string()))?
        .leptos_options;
    if let Some(addr) = config.listen {
        leptos_options.site_addr = addr;
    }
    let addr = leptos_options.site_addr;
    // Read before anything else starts, so a wrong certificate file stops start-up at once.
    let tls = match &config.tls {
        Some(files) => Some(tls::load(files).await?),
        None => None,
    };
    let http_listen = config.http_listen;
    let state = open(config, leptos_options).await?;
    static_files::precompress_in_background(pkg_dir(&state.leptos_options));
    let app = router(state);
    let Some(tls) = tls else {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|cause| StartError::Listen { addr, cause })?;
        tracing::info!("Houqin listening on http://{addr}");
        return axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartError::Serve);
    };
    let listener =
        std::net::TcpListener::bind(addr).map_err(|cause| StartError::Listen { addr, cause })?;
    if let Some(http_addr) = http_listen {
        let redirect = tokio::net::TcpListener::bind(http_addr)
            .await
            .map_err(|cause| StartError::Listen {
                addr: http_addr,
                cause,
            })?;
        tracing::info!("Houqin redirecting http://{http_addr} to https");
        tokio::spawn(async move {
            let _ = axum::serve(redirect, tls::redirect_to_https(addr.port())).await;
        });
    }
    tracing::info!("Houqin listening on https://{addr}");
    tls::serve(listener, tls, app, shutdown_signal())
        .await
        .map_err(StartError::Serve)
}

/// `houqin new-epoch`: after restoring the database from a backup, gives it a new epoch, so every phone resets
/// its snapshot and re-sends what it sent lately (the server answers "duplicate" to what survived the restore).
pub async fn new_epoch() -> Result<(), StartError> {
    let config = Config::from_env()?;
    let db = connect(&config).await?;
    let epoch = db::start_new_epoch(&db)
        .await
        .map_err(|cause| StartError::Database {
            url: "sync_state".into(),
            cause,
        })?;
    println!("new epoch {epoch}: phones will re-send their recent entries");
    Ok(())
}

/// `houqin backup DIR`: writes one archive of the database and the photos into `DIR` while the server runs,
/// and prints what it holds.
pub async fn backup_command(dir: &std::path::Path) -> Result<(), StartError> {
    let config = Config::from_env()?;
    let db = Db::connect_with(&config.database_url, config.sqlite_synchronous)
        .await
        .map_err(|cause| StartError::Database {
            url: "HOUQIN_DATABASE_URL".into(),
            cause,
        })?;
    let taken = backup::take(&db, &config, dir)
        .await
        .map_err(StartError::Backup)?;
    let rows: i64 = taken.manifest.rows.values().sum();
    println!(
        "备份完成 backup written: {} ({:.1} MB, {} rows in {} tables, {} photos) in {:.1} s",
        taken.path.display(),
        taken.bytes as f64 / 1_000_000.0,
        rows,
        taken.manifest.rows.len(),
        taken.manifest.photos.len(),
        taken.took.as_secs_f64()
    );
    Ok(())
}

/// `houqin restore ARCHIVE [--force]`: restores a backup with the server stopped, then starts a new epoch.
pub async fn restore_command(archive: &std::path::Path, force: bool) -> Result<(), StartError> {
    let config = Config::from_env()?;
    let restored = backup::restore(&config, archive, backup::RestoreOptions { force })
        .await
        .map_err(StartError::Backup)?;
    let m = &restored.manifest;
    println!(
        "恢复完成 restored: the backup of {} ({} rows, {} photos); new epoch {}: phones will re-send what the backup lacks",
        crate::domain::clock::date_time(
            m.taken_at_ms,
            crate::domain::clock::SCHOOL_UTC_OFFSET_MINUTES
        ),
        m.rows.values().sum::<i64>(),
        m.photos.len(),
        restored.epoch
    );
    Ok(())
}

/// Connects to the configured database and applies the migrations.
async fn connect(config: &Config) -> Result<Db, StartError> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).map_err(|cause| StartError::Database {
            url: config.data_dir.display().to_string(),
            cause: sqlx::Error::Io(cause),
        })?;
    }
    let db = Db::connect_with(&config.database_url, config.sqlite_synchronous)
        .await
        .map_err(|cause| StartError::Database {
            // The URL may hold a password; name only the backend and host part.
            url: config
                .database_url
                .split('@')
                .next_back()
                .unwrap_or_default()
                .to_owned(),
            cause,
        })?;
    db.migrate().await?;
    db.warn_if_commits_are_not_durable().await;
    if db.backend == db::Backend::Sqlite && config.sqlite_synchronous == db::Synchronous::Normal {
        tracing::warn!(
            "HOUQIN_SQLITE_SYNCHRONOUS=NORMAL: a push acknowledged just before a power cut can be lost"
        );
    }
    Ok(db)
}

/// Opens the database, applies migrations and, in demo mode, seeds an empty school. Tests start here too.
pub async fn open(
    mut config: Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, StartError> {
    tracing::info!(?config, "starting");
    config.id_seal_keys = id_seal::resolve(&config.id_seal_keys, &config.data_dir)?;
    // A SQLite server holds its data folder, so `houqin restore` cannot replace the file under it.
    let data_lock = if config.database_url.starts_with("sqlite:") {
        Some(Arc::new(
            backup::hold_server_lock(&config.data_dir).map_err(|cause| StartError::Database {
                url: backup::lock_file(&config.data_dir).display().to_string(),
                cause: sqlx::Error::Io(cause),
            })?,
        ))
    } else {
        None
    };
    let db = connect(&config).await?;
    if config.demo {
        demo::seed_if_empty(&db).await.map_err(StartError::Demo)?;
    }
    let photos =
        photos::DiskPhotos::open(&config.data_dir).map_err(|cause| StartError::Database {
            url: config.data_dir.join("photos").display().to_string(),
            cause: sqlx::Error::Io(cause),
        })?;
    let hints = crate::sync::server::Hints::start(&db, &config.database_url);
    // Last, once nothing else can fail: a job's start may spawn a task (the gate log's nightly purge).
    for job in crate::jobs::SERVER {
        job.start(&db, &config)
            .await
            .map_err(|cause| StartError::Database {
                url: format!("starting {}", job.job().key),
                cause,
            })?;
    }
    let config = Arc::new(config);
    backup::start_nightly(db.clone(), config.clone());
    Ok(AppState {
        leptos_options,
        db,
        config,
        hints,
        photos,
        sign_ins: Default::default(),
        data_lock,
    })
}

fn pkg_dir(options: &LeptosOptions) -> std::path::PathBuf {
    std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref())
}

/// The app's routes, found once per process by rendering the app with resource loading switched off.
///
/// That switch is a process-wide flag in leptos_server 0.8: a resource first polled while any thread is
/// listing routes waits forever (leptos#4773). Listing them once, before the first router serves anything,
/// means no page render can ever overlap it, however many routers a process builds (the tests build one per
/// test; a page hung there once and took CI's whole time).
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The path of every page in the route table (`/places/{id}` style), for `houqin routes`.
pub fn route_paths() -> Vec<String> {
    routes().iter().map(|r| r.path().to_owned()).collect()
}

/// Each page of the route table with the roles whose jobs hold it (a page of no job, such as the home page or
/// an admin page, is listed for every role: the page itself says who may see it). The end-to-end tests open
/// each page as each of these roles.
pub fn route_roles() -> Vec<(String, Vec<crate::domain::Role>)> {
    route_paths()
        .into_iter()
        .map(|path| {
            let roles = crate::domain::Role::ALL
                .iter()
                .copied()
                .filter(|role| {
                    !crate::components::pages_for(crate::jobs::NAV, &[*role], [path.as_str()])
                        .is_empty()
                })
                .collect();
            (path, roles)
        })
        .collect()
}

pub fn router(state: AppState) -> Router {
    let routes = routes();
    let pkg_path = format!("/{}", state.leptos_options.site_pkg_dir);
    let jobs = crate::jobs::SERVER;
    let mut app = Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .merge(crate::sync::server::routes())
        .route(
            "/api/photos/{id}",
            axum::routing::put(photos::upload)
                .get(photos::serve)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        );
    for job in jobs {
        app = app.merge(job.routes());
    }
    let mut app = app
        .route("/sw.js", axum::routing::get(service_worker::script))
        .route(
            service_worker::SHELL_PATH,
            axum::routing::get(service_worker::shell),
        )
        .nest_service(
            &pkg_path,
            static_files::pkg_service(&pkg_dir(&state.leptos_options)),
        )
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    for job in jobs {
        app = job.wrap(app, &state);
    }
    app.layer(axum::middleware::from_fn(guard::guard))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The signed-in user of a plain route (downloads, photos), or 401 (no session) / 503 (database down).
pub async fn route_user(
    state: &AppState,
    jar: &axum_extra::extract::CookieJar,
) -> Result<SessionUser, StatusCode> {
    crate::sync::server::signed_in(state, jar)
        .await
        .map_err(|e| match e {
            crate::domain::sync::SyncError::Unauthorized => StatusCode::UNAUTHORIZED,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        })
}

/// Ends a server function: an error sets the HTTP status, so clients and tests see 401/403/422 rather than 500.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_status(error);
    }
    result
}

/// Sets the status of the response to a server-function call. A server function called while a page renders
/// (a resource on the server) leaves the page's status alone: the page shows the error in its place.
pub fn set_status(error: &AppError) {
    let calling_api = use_context::<axum::http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if calling_api && let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        if let Some(secs) = error.retry_after_secs() {
            response.insert_header(axum::http::header::RETRY_AFTER, secs.into());
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down");
}
