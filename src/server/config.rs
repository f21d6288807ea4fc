//! Configuration from the environment, read once at start-up into one typed struct.
//!
//! Every variable is documented in `.env.example`. A wrong value stops start-up with a message that names the
//! variable. In demo mode everything has a default, so `./run` works with no configuration at all.

use rand::RngCore;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Config {
    /// Seed an empty database with a real-looking school and its demo sign-ins.
    pub demo: bool,
    /// Where the SQLite file, photos and generated demo keys live.
    pub data_dir: PathBuf,
    /// `sqlite://…` (default, embedded) or `postgres://…`.
    pub database_url: String,
    /// Overrides the listen address cargo-leptos configured (`LEPTOS_SITE_ADDR`).
    pub listen: Option<SocketAddr>,
    /// Keys the stored hashes of session tokens, so a leaked database holds no usable session.
    pub session_key: SecretKey,
    /// Keys the hash of visitors' ID numbers, so the hash cannot be reversed by trying every number.
    pub id_hash_key: SecretKey,
    /// Send cookies only over HTTPS (turn on behind a TLS proxy).
    pub secure_cookies: bool,
    /// Days a session lasts without signing in again.
    pub session_days: i64,
    /// The address phones use to reach the server (`https://houqin.example.edu.cn`), printed into QR labels.
    /// Unset: the address the admin's browser used.
    pub public_url: Option<String>,
    /// Days a visitor's personal data is kept; older visits keep only their counts.
    pub visit_retention_days: i64,
    /// Target times to fix a repair ticket, per urgency.
    pub ticket_targets: crate::domain::ticket::Targets,
    /// Serve HTTPS from these PEM files (`HOUQIN_TLS_CERT`, `HOUQIN_TLS_KEY`), so phones get a secure context.
    pub tls: Option<TlsFiles>,
    /// The X25519 secret keys that open visitors' sealed ID numbers, newest first (`HOUQIN_ID_SEAL_KEYS`, comma
    /// separated). Phones seal to the first; the others still open boxes sealed before a rotation. Empty until
    /// start-up: then kept in the data folder (`server::id_seal::resolve`). Several instances must share them.
    pub id_seal_keys: Vec<SecretKey>,
    /// With TLS, also answer plain http on this address, redirecting every request to https
    /// (`HOUQIN_HTTP_LISTEN`, e.g. `0.0.0.0:80`).
    pub http_listen: Option<SocketAddr>,
    /// Where the nightly backup is written (`HOUQIN_BACKUP_DIR`); unset: none is taken (`server::backup`).
    pub backup_dir: Option<PathBuf>,
    /// How many nightly archives are kept (`HOUQIN_BACKUP_KEEP`, 14).
    pub backup_keep: usize,
    /// SQLite's `synchronous` (`HOUQIN_SQLITE_SYNCHRONOUS`): FULL, the default, makes every push the server
    /// acknowledged survive a power cut; NORMAL is faster and may lose the last ones, which the phones, holding
    /// their receipts, will not send again.
    pub sqlite_synchronous: super::db::Synchronous,
}

/// The certificate chain and private key for the built-in HTTPS listener, as PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// 32 secret bytes, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(pub [u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("demo", &self.demo)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_url.split(':').next())
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("http_listen", &self.http_listen)
            .field("backup_dir", &self.backup_dir)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn problem(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `var`, so tests can pass their own environment.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let demo = parse_bool("HOUQIN_DEMO", var("HOUQIN_DEMO"), false)?;
        let data_dir = PathBuf::from(var("HOUQIN_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = match var("HOUQIN_DATABASE_URL") {
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => {
                return Err(problem(
                    "HOUQIN_DATABASE_URL",
                    "must start with sqlite: or postgres://",
                ));
            }
            None => format!("sqlite://{}?mode=rwc", data_dir.join("houqin.db").display()),
        };
        let listen = parse_addr("HOUQIN_LISTEN", var("HOUQIN_LISTEN"), "127.0.0.1:3000")?;
        let tls = match (var("HOUQIN_TLS_CERT"), var("HOUQIN_TLS_KEY")) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: PathBuf::from(cert),
                key: PathBuf::from(key),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(problem(
                    "HOUQIN_TLS_KEY",
                    "is required with HOUQIN_TLS_CERT (the certificate's private key, a PEM file)",
                ));
            }
            (None, Some(_)) => {
                return Err(problem(
                    "HOUQIN_TLS_CERT",
                    "is required with HOUQIN_TLS_KEY (the certificate chain, a PEM file)",
                ));
            }
        };
        let http_listen = match var("HOUQIN_HTTP_LISTEN") {
            Some(_) if tls.is_none() => {
                return Err(problem(
                    "HOUQIN_HTTP_LISTEN",
                    "redirects plain http to https, so it needs HOUQIN_TLS_CERT and HOUQIN_TLS_KEY",
                ));
            }
            addr => parse_addr("HOUQIN_HTTP_LISTEN", addr, "0.0.0.0:80")?,
        };
        let id_seal_keys = match var("HOUQIN_ID_SEAL_KEYS") {
            Some(list) => list
                .split(',')
                .filter(|k| !k.trim().is_empty())
                .map(|k| parse_key("HOUQIN_ID_SEAL_KEYS", k))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        // Behind the built-in HTTPS listener, cookies are always Secure.
        let secure_cookies =
            parse_bool("HOUQIN_SECURE_COOKIES", var("HOUQIN_SECURE_COOKIES"), false)?
                || tls.is_some();
        let session_days = match var("HOUQIN_SESSION_DAYS") {
            Some(days) => days
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=365).contains(d))
                .ok_or_else(|| {
                    problem(
                        "HOUQIN_SESSION_DAYS",
                        "must be a whole number of days from 1 to 365",
                    )
                })?,
            None => 60,
        };
        let (session_key, id_hash_key) =
            match (var("HOUQIN_SESSION_KEY"), var("HOUQIN_ID_HASH_KEY")) {
                (Some(s), Some(i)) => (
                    parse_key("HOUQIN_SESSION_KEY", &s)?,
                    parse_key("HOUQIN_ID_HASH_KEY", &i)?,
                ),
                (s, i) if demo => {
                    let (demo_s, demo_i) = demo_keys(&data_dir)?;
                    let s = s
                        .map(|s| parse_key("HOUQIN_SESSION_KEY", &s))
                        .transpose()?
                        .unwrap_or(demo_s);
                    let i = i
                        .map(|i| parse_key("HOUQIN_ID_HASH_KEY", &i))
                        .transpose()?
                        .unwrap_or(demo_i);
                    (s, i)
                }
                (None, _) => {
                    return Err(problem(
                        "HOUQIN_SESSION_KEY",
                        "is required outside demo mode (64 hex characters; `openssl rand -hex 32`)",
                    ));
                }
                (_, None) => {
                    return Err(problem(
                        "HOUQIN_ID_HASH_KEY",
                        "is required outside demo mode (64 hex characters; `openssl rand -hex 32`)",
                    ));
                }
            };
        let public_url = match var("HOUQIN_PUBLIC_URL") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => Some(url),
            Some(_) => {
                return Err(problem(
                    "HOUQIN_PUBLIC_URL",
                    "must start with http:// or https://",
                ));
            }
            None => None,
        };
        let visit_retention_days = match var("HOUQIN_VISIT_RETENTION_DAYS") {
            Some(days) => days
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    problem(
                        "HOUQIN_VISIT_RETENTION_DAYS",
                        "must be a whole number of days from 1 to 3650",
                    )
                })?,
            None => 180,
        };
        let ticket_targets = match var("HOUQIN_TICKET_TARGET_HOURS") {
            Some(text) => crate::domain::ticket::Targets::parse(&text).ok_or_else(|| {
                problem(
                    "HOUQIN_TICKET_TARGET_HOURS",
                    "must look like urgent=4,normal=72,low=168 (whole hours above 0)",
                )
            })?,
            None => crate::domain::ticket::Targets::default(),
        };
        let backup_dir = var("HOUQIN_BACKUP_DIR").map(PathBuf::from);
        let backup_keep = match var("HOUQIN_BACKUP_KEEP") {
            Some(n) => n
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=365).contains(n))
                .ok_or_else(|| {
                    problem(
                        "HOUQIN_BACKUP_KEEP",
                        "must be a whole number of backups from 1 to 365",
                    )
                })?,
            None => 14,
        };
        let sqlite_synchronous = match var("HOUQIN_SQLITE_SYNCHRONOUS")
            .map(|v| v.to_ascii_uppercase())
            .as_deref()
        {
            None | Some("FULL") => super::db::Synchronous::Full,
            Some("NORMAL") => super::db::Synchronous::Normal,
            Some(_) => {
                return Err(problem(
                    "HOUQIN_SQLITE_SYNCHRONOUS",
                    "must be FULL (every acknowledged push survives a power cut) or NORMAL",
                ));
            }
        };
        Ok(Config {
            demo,
            data_dir,
            database_url,
            listen,
            session_key,
            id_hash_key,
            secure_cookies,
            session_days,
            public_url,
            visit_retention_days,
            ticket_targets,
            tls,
            http_listen,
            id_seal_keys,
            backup_dir,
            backup_keep,
            sqlite_synchronous,
        })
    }
}

fn parse_bool(
    variable: &'static str,
    value: Option<String>,
    default: bool,
) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(problem(variable, format!("{other:?} is not true or false"))),
    }
}

/// A listening address, if the variable is set.
fn parse_addr(
    variable: &'static str,
    value: Option<String>,
    example: &str,
) -> Result<Option<SocketAddr>, ConfigError> {
    value
        .map(|addr| {
            addr.parse().map_err(|_| {
                problem(
                    variable,
                    format!("{addr:?} is not an address like {example}"),
                )
            })
        })
        .transpose()
}

fn parse_key(variable: &'static str, value: &str) -> Result<SecretKey, ConfigError> {
    let bytes =
        hex::decode(value.trim()).map_err(|_| problem(variable, "must be 64 hex characters"))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| problem(variable, "must be 64 hex characters (32 bytes)"))?;
    Ok(SecretKey(key))
}

/// Demo keys are made once and kept in the data folder, so sessions survive a restart.
fn demo_keys(data_dir: &Path) -> Result<(SecretKey, SecretKey), ConfigError> {
    let mut keys = kept_keys(&data_dir.join("demo-keys"), 2, "demo keys")?.into_iter();
    match (keys.next(), keys.next()) {
        (Some(session), Some(id_hash)) => Ok((session, id_hash)),
        _ => Err(problem(
            "HOUQIN_DATA_DIR",
            "the demo keys file is incomplete",
        )),
    }
}

/// `count` secret keys kept in `file`, one hex line each: read when the file holds them, else made and written.
/// `what` names them in the error, which points at the data folder.
pub(crate) fn kept_keys(
    file: &Path,
    count: usize,
    what: &str,
) -> Result<Vec<SecretKey>, ConfigError> {
    let unusable = |e: std::io::Error| {
        problem(
            "HOUQIN_DATA_DIR",
            format!("cannot keep {what} in {}: {e}", file.display()),
        )
    };
    if let Ok(text) = std::fs::read_to_string(file) {
        let lines: Vec<&str> = text.lines().take(count).collect();
        if lines.len() == count {
            return lines
                .into_iter()
                .map(|line| parse_key("HOUQIN_DATA_DIR", line))
                .collect();
        }
    }
    let keys: Vec<SecretKey> = (0..count)
        .map(|_| {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            SecretKey(key)
        })
        .collect();
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(unusable)?;
    }
    let text: String = keys
        .iter()
        .map(|k| format!("{}\n", hex::encode(k.0)))
        .collect();
    std::fs::write(file, text).map_err(unusable)?;
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn demo_mode_needs_nothing_and_keeps_its_keys() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let first = config(&[("HOUQIN_DEMO", "1"), ("HOUQIN_DATA_DIR", data)]).unwrap();
        let second = config(&[("HOUQIN_DEMO", "true"), ("HOUQIN_DATA_DIR", data)]).unwrap();
        assert!(first.demo);
        assert_eq!(first.session_key, second.session_key);
        assert_ne!(first.session_key, first.id_hash_key);
        assert!(first.database_url.starts_with("sqlite://"));
    }

    #[test]
    fn production_without_keys_names_the_missing_variable() {
        let err = config(&[]).unwrap_err();
        assert_eq!(err.variable, "HOUQIN_SESSION_KEY");
        let err = config(&[("HOUQIN_SESSION_KEY", KEY)]).unwrap_err();
        assert_eq!(err.variable, "HOUQIN_ID_HASH_KEY");
        assert!(config(&[("HOUQIN_SESSION_KEY", KEY), ("HOUQIN_ID_HASH_KEY", KEY)]).is_ok());
    }

    #[test]
    fn wrong_values_name_their_variable() {
        let keys = [("HOUQIN_SESSION_KEY", KEY), ("HOUQIN_ID_HASH_KEY", KEY)];
        let with = |extra: (&'static str, &'static str)| {
            let mut vars = keys.to_vec();
            vars.push(extra);
            config(&vars).unwrap_err().variable
        };
        assert_eq!(with(("HOUQIN_LISTEN", "port 3000")), "HOUQIN_LISTEN");
        assert_eq!(
            with(("HOUQIN_DATABASE_URL", "mysql://x")),
            "HOUQIN_DATABASE_URL"
        );
        assert_eq!(with(("HOUQIN_DEMO", "maybe")), "HOUQIN_DEMO");
        assert_eq!(with(("HOUQIN_SESSION_DAYS", "0")), "HOUQIN_SESSION_DAYS");
        assert_eq!(
            config(&[("HOUQIN_SESSION_KEY", "abc"), ("HOUQIN_ID_HASH_KEY", KEY)])
                .unwrap_err()
                .variable,
            "HOUQIN_SESSION_KEY"
        );
    }

    #[test]
    fn tls_needs_both_files_and_makes_cookies_secure() {
        let keys = [("HOUQIN_SESSION_KEY", KEY), ("HOUQIN_ID_HASH_KEY", KEY)];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars = keys.to_vec();
            vars.extend_from_slice(extra);
            config(&vars)
        };
        assert_eq!(
            with(&[("HOUQIN_TLS_CERT", "/etc/houqin/cert.pem")])
                .unwrap_err()
                .variable,
            "HOUQIN_TLS_KEY"
        );
        assert_eq!(
            with(&[("HOUQIN_TLS_KEY", "/etc/houqin/key.pem")])
                .unwrap_err()
                .variable,
            "HOUQIN_TLS_CERT"
        );
        assert_eq!(
            with(&[("HOUQIN_HTTP_LISTEN", "0.0.0.0:80")])
                .unwrap_err()
                .variable,
            "HOUQIN_HTTP_LISTEN"
        );
        let both = [
            ("HOUQIN_TLS_CERT", "/etc/houqin/cert.pem"),
            ("HOUQIN_TLS_KEY", "/etc/houqin/key.pem"),
        ];
        let plain = with(&[]).unwrap();
        assert!(!plain.secure_cookies && plain.tls.is_none());
        let tls = with(&both).unwrap();
        assert!(tls.secure_cookies);
        assert_eq!(tls.tls.unwrap().key, PathBuf::from("/etc/houqin/key.pem"));
        let mut bad_port = both.to_vec();
        bad_port.push(("HOUQIN_HTTP_LISTEN", "port 80"));
        assert_eq!(with(&bad_port).unwrap_err().variable, "HOUQIN_HTTP_LISTEN");
    }
}
