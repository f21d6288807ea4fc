//! Starts the real router on a loopback port over a fresh database, and speaks to it like a browser.

use houqin::server::config::{Config, SecretKey};
use houqin::server::db::Db;
use leptos::config::LeptosOptions;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body on both databases.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::harness::TestApp::start(crate::harness::Backend::Sqlite).await)
                    .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(
                    crate::harness::TestApp::start(crate::harness::Backend::Postgres).await,
                )
                .await;
            }
        }
    };
}
pub(crate) use both;

/// Where a server keeps its data: a fresh folder and a fresh database (a SQLite file in the folder, or a
/// PostgreSQL database of its own), dropped with it.
pub struct Location {
    pub data_dir: tempfile::TempDir,
    pub database_url: String,
    pub database: Option<PostgresDatabase>,
}

impl Location {
    pub async fn fresh(backend: Backend) -> Location {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (database_url, database) = match backend {
            Backend::Sqlite => (
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.path().join("houqin.db").display()
                ),
                None,
            ),
            Backend::Postgres => {
                let (url, db) = new_postgres_database().await;
                (url, Some(db))
            }
        };
        Location {
            data_dir,
            database_url,
            database,
        }
    }

    pub fn config(&self) -> Config {
        config(
            self.data_dir.path().to_owned(),
            self.database_url.clone(),
            false,
        )
    }
}

pub const PASSWORD: &str = houqin::server::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub database_url: String,
    _data_dir: tempfile::TempDir,
    _database: Option<PostgresDatabase>,
}

/// A PostgreSQL database made for one test, dropped when the test ends.
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("HOUQIN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub async fn new_postgres_database() -> (String, PostgresDatabase) {
    use sqlx::Connection;
    let admin_url = postgres_admin_url();
    let name = format!("houqin_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("PostgreSQL at HOUQIN_TEST_POSTGRES is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base)
        .to_owned();
    (
        format!("{base}/{name}"),
        PostgresDatabase { admin_url, name },
    )
}

pub fn config(data_dir: PathBuf, database_url: String, demo: bool) -> Config {
    Config {
        demo,
        data_dir,
        database_url,
        listen: None,
        session_key: SecretKey([7; 32]),
        id_hash_key: SecretKey([9; 32]),
        secure_cookies: false,
        session_days: 30,
        public_url: None,
        visit_retention_days: 180,
        ticket_targets: houqin::domain::ticket::Targets::default(),
        tls: None,
        http_listen: None,
        id_seal_keys: Vec::new(),
        backup_dir: None,
        backup_keep: 14,
        sqlite_synchronous: houqin::server::db::Synchronous::Full,
    }
}

impl TestApp {
    /// A demo school on a fresh database.
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, true).await
    }

    pub async fn start_with(backend: Backend, demo: bool) -> TestApp {
        Self::serve_at(Location::fresh(backend).await, demo).await
    }

    /// The server on a data folder and database prepared beforehand (a restored backup).
    pub async fn serve_at(location: Location, demo: bool) -> TestApp {
        let Location {
            data_dir,
            database_url,
            database,
        } = location;
        let config = config(data_dir.path().to_owned(), database_url.clone(), demo);
        let base = serve(config).await;
        let db = Db::connect(&database_url)
            .await
            .expect("second pool for assertions");
        TestApp {
            base: base.0,
            db,
            database_url,
            _data_dir: data_dir,
            _database: database,
        }
    }

    /// This app's configuration, as its server was started with.
    pub fn config(&self) -> Config {
        config(self.data_dir().to_owned(), self.database_url.clone(), true)
    }

    /// Another app instance on the same database (several instances behind one PostgreSQL).
    pub async fn second_instance(&self) -> String {
        let data_dir = self._data_dir.path().join("second");
        serve(config(data_dir, self.database_url.clone(), false))
            .await
            .0
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser signed in as one of the demo users.
    pub async fn signed_in(&self, username: &str) -> Browser {
        let browser = self.browser();
        let mut answer = None;
        // Tests sign many phones in at once; the server answers "busy" beyond a few at a time, as it should.
        for _ in 0..20 {
            let (status, body) = browser
                .call(
                    "auth/sign_in",
                    serde_json::json!({ "username": username, "password": PASSWORD }),
                )
                .await;
            if body["code"] != "busy" {
                answer = Some((status, body));
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        let (status, body) = answer.expect("signed in within 10 s of busy answers");
        assert_eq!(
            status,
            StatusCode::OK,
            "demo user {username} signs in: {body}"
        );
        browser
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .expect("count query")
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    pub async fn version(&self) -> i64 {
        self.count("SELECT version FROM sync_state WHERE id = 1")
            .await
    }
}

/// Starts the real router on 127.0.0.1 with an OS-chosen port.
pub async fn serve(config: Config) -> (String,) {
    let options = LeptosOptions::builder().output_name("houqin").build();
    let state = houqin::server::open(config, options)
        .await
        .expect("server opens its database");
    let app = houqin::server::router(state).layer(axum::middleware::from_fn(faults::inject));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    (format!("http://{addr}"),)
}

/// A browser: its own cookie jar, talking JSON to the server functions. A clone shares the jar (another tab).
#[derive(Clone)]
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Self::from_address(base, None)
    }

    /// A browser whose requests come from `address` (any 127.x.y.z reaches a loopback server): another
    /// client, as the server's per-address limits see it.
    pub fn from_address(base: &str, address: Option<std::net::IpAddr>) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .local_address(address)
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            // A page or call that never answers fails its test by name, instead of holding the whole run.
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("http client");
        Browser {
            base: base.to_owned(),
            client,
            jar,
        }
    }

    /// Calls a server function by its fixed path under `/api/`.
    pub async fn call(&self, path: &str, args: Value) -> (StatusCode, Value) {
        self.call_at(&self.base, path, args).await
    }

    /// Calls a server function on another instance with this browser's cookies.
    pub async fn call_at(&self, base: &str, path: &str, args: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{base}/api/{path}"))
            .header("Accept", "application/json")
            .json(&args)
            .send()
            .await
            .expect("server answers");
        let status = response.status();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Opens a page as a browser does (it accepts HTML), with extra headers; answers the status and the HTML.
    pub async fn page(&self, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
        let mut request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("Accept", "text/html");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("server answers");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// The `Cookie` header this browser sends (for requests made by hand).
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        self.jar
            .cookies(&self.base.parse().expect("base url"))
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    pub async fn whoami(&self) -> Value {
        let (status, body) = self.call("auth/whoami", serde_json::json!({})).await;
        assert_eq!(status, StatusCode::OK);
        body
    }

    pub async fn directory(&self) -> Value {
        let (status, body) = self.call("directory/load", serde_json::json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

/// The id of the first item of `list` whose `key` equals `value`.
pub fn id_where(list: &Value, key: &str, value: &str) -> String {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item[key] == value))
        .and_then(|item| item["id"].as_str())
        .unwrap_or_else(|| panic!("no item with {key} = {value}"))
        .to_owned()
}

/// The problem reported for `field` in an `invalid` error body.
pub fn problem(body: &Value, field: &str) -> Value {
    assert_eq!(
        body["code"], "invalid",
        "expected field problems, got {body}"
    );
    body["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["field"] == field))
        .map(|f| f["problem"].clone())
        .unwrap_or_else(|| panic!("no problem for {field} in {body}"))
}

/// The fault-injecting layer in front of the server: a request carrying `x-fault` is lost on the way in
/// (`drop-request`), has its answer lost after the server finished (`drop-response`), or is cut off
/// `cancel-after-us=N` microseconds into its handling, as a server stopped mid-batch would be (the handler's
/// future is dropped, so an uncommitted transaction rolls back).
pub mod faults {
    use axum::extract::Request;
    use axum::http::StatusCode;
    use axum::middleware::Next;
    use axum::response::{IntoResponse, Response};
    use std::time::Duration;

    pub async fn inject(request: Request, next: Next) -> Response {
        let fault = request
            .headers()
            .get("x-fault")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match fault.as_deref() {
            Some("drop-request") => StatusCode::BAD_GATEWAY.into_response(),
            Some("drop-response") => {
                let _ = next.run(request).await;
                StatusCode::BAD_GATEWAY.into_response()
            }
            Some(cancel) if cancel.starts_with("cancel-after-us=") => {
                let micros: u64 = cancel["cancel-after-us=".len()..].parse().unwrap_or(0);
                match tokio::time::timeout(Duration::from_micros(micros), next.run(request)).await {
                    Ok(_) | Err(_) => StatusCode::BAD_GATEWAY.into_response(),
                }
            }
            _ => next.run(request).await,
        }
    }
}
