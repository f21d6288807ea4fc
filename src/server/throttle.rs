//! What keeps a flood of sign-ins from locking people out or taking the server down.
//!
//! - **Attempts in flight count.** The failures in the database are read before a password is checked and
//!   written after, so thirty wrong passwords sent at once would all be checked. Every attempt being checked
//!   is counted here, under one lock, per user name and per client address: the sixth one in flight is
//!   refused as if the five before it had already failed.
//! - **A known phone is not locked out by strangers.** A successful sign-in leaves a device cookie: a keyed tag
//!   of the user name and the current password hash, which only this server can make and which a new password
//!   voids. A phone carrying it is counted under a lockout of its own (`known_key`), so whoever knows the
//!   director's user name cannot keep the director out, and guessing from a known phone is still throttled.
//!   Nor do the per-address limits apply to it (a school behind one address).
//! - **Behind a proxy on this host** (the peer is loopback), the client is the last address of
//!   `X-Forwarded-For`, or `X-Real-IP`.
//! - **Argon2 runs a few at a time.** Each check takes about 19 MB; [`ARGON2_AT_ONCE`] run together and the rest
//!   wait up to [`ARGON2_WAIT`], then get 429 with `Retry-After`. Memory stays bounded whatever the flood.
//!
//! The counts in flight live in this process; several instances behind one PostgreSQL each keep their own, and
//! the failures in the database are shared.

use crate::domain::user::{FAILURE_WINDOW_SECS, locked_until_ms};
use crate::error::AppError;
use crate::server::config::SecretKey;
use axum_extra::extract::CookieJar;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Argon2 checks and hashes that run at once (about 19 MB each).
pub const ARGON2_AT_ONCE: usize = 4;
/// How long an Argon2 job waits for its turn before the request is refused as busy.
pub const ARGON2_WAIT: Duration = Duration::from_secs(4);
/// Sign-ins checked at once from one client address.
pub const IN_FLIGHT_PER_ADDRESS: u32 = 8;
/// Failed sign-ins from one address within the failure window before it is refused for the rest of the
/// window (a school behind one NAT address is far below this; a known phone is never refused).
pub const FAILURES_PER_ADDRESS: usize = 100;

pub const DEVICE_COOKIE: &str = "houqin_device";
/// User names a device cookie remembers (a shared phone at the gate knows a few guards).
const DEVICE_NAMES: usize = 8;

static ARGON2: Semaphore = Semaphore::const_new(ARGON2_AT_ONCE);

/// Waits for a turn to run Argon2, or refuses as busy once [`ARGON2_WAIT`] has passed.
pub async fn argon2_turn() -> Result<SemaphorePermit<'static>, AppError> {
    match tokio::time::timeout(ARGON2_WAIT, ARGON2.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_closed)) => Err(AppError::Internal),
        Err(_elapsed) => Err(AppError::Busy {
            retry_after_secs: 2,
        }),
    }
}

/// The sign-in attempts in flight and the recent failures per address, shared by every request.
#[derive(Debug, Clone, Default)]
pub struct Throttle {
    inner: Arc<Mutex<Counts>>,
}

#[derive(Debug, Default)]
struct Counts {
    by_name: HashMap<String, Name>,
    by_address: HashMap<IpAddr, Address>,
}

#[derive(Debug, Default)]
struct Name {
    in_flight: u32,
    /// Failures this process saw within the window (ms), oldest first: an attempt that read the database's
    /// count just before another failed is still counted against it.
    failures: Vec<i64>,
}

/// Names and addresses kept before the expired ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
struct Address {
    in_flight: u32,
    /// When each failure in the window happened (ms), oldest first.
    failures: Vec<i64>,
}

/// What the database says about a user name's recent failures.
#[derive(Debug, Clone, Copy)]
pub struct Recorded {
    pub failures: u32,
    pub latest_ms: i64,
}

/// Who is asking: the client's address and whether the phone has signed in to this user name before.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: Option<IpAddr>,
    pub known_device: bool,
}

impl Throttle {
    /// Lets one attempt for `key` be checked, or refuses it. The attempt counts as in flight until the
    /// returned guard is dropped; [`Attempt::failed`] counts it against the address too.
    pub fn admit(
        &self,
        key: &str,
        client: &Client,
        recorded: Recorded,
        now_ms: i64,
    ) -> Result<Attempt, AppError> {
        let mut counts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let since = now_ms - FAILURE_WINDOW_SECS * 1000;
        if counts.by_name.len() + counts.by_address.len() > SWEEP_ABOVE {
            counts.by_name.retain(|_, n| {
                n.failures.retain(|at| *at > since);
                n.in_flight > 0 || !n.failures.is_empty()
            });
            counts.by_address.retain(|_, a| {
                a.failures.retain(|at| *at > since);
                a.in_flight > 0 || !a.failures.is_empty()
            });
        }
        let name = counts.by_name.entry(key.to_owned()).or_default();
        name.failures.retain(|at| *at > since);
        let in_flight = name.in_flight;
        {
            // The failures known here or in the database, whichever is more (the database has other
            // instances'; this process has those not read yet); attempts still being checked may all fail:
            // they count as failures that happen now.
            let seen = u32::try_from(name.failures.len()).unwrap_or(u32::MAX);
            let failures = recorded.failures.max(seen).saturating_add(in_flight);
            let latest = if in_flight > 0 {
                now_ms
            } else {
                recorded
                    .latest_ms
                    .max(name.failures.last().copied().unwrap_or(0))
            };
            let locked_until = locked_until_ms(failures, latest);
            if locked_until > now_ms {
                return Err(too_many(locked_until - now_ms));
            }
        }
        if let Some(address) = client.address.filter(|_| !client.known_device) {
            let entry = counts.by_address.entry(address).or_default();
            entry.failures.retain(|at| *at > since);
            if entry.in_flight >= IN_FLIGHT_PER_ADDRESS {
                return Err(AppError::Busy {
                    retry_after_secs: 1,
                });
            }
            if entry.failures.len() >= FAILURES_PER_ADDRESS {
                let oldest = entry.failures.first().copied().unwrap_or(now_ms);
                return Err(too_many(oldest + FAILURE_WINDOW_SECS * 1000 - now_ms));
            }
            entry.in_flight += 1;
        }
        counts.by_name.entry(key.to_owned()).or_default().in_flight += 1;
        Ok(Attempt {
            throttle: self.clone(),
            key: key.to_owned(),
            address: client.address.filter(|_| !client.known_device),
        })
    }

    /// Forgets the failures seen for a user name, from known phones and others (a password reset lifts the lock).
    pub fn forget(&self, username_key: &str) {
        let mut counts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for key in [username_key.to_owned(), known_key(username_key)] {
            if let Some(name) = counts.by_name.get_mut(&key) {
                name.failures.clear();
            }
        }
    }
}

/// The key a user name's attempts from known phones are counted under (a user name holds no control
/// characters, so it is no one's user name).
pub fn known_key(username_key: &str) -> String {
    format!("{username_key}\u{1}known")
}

/// The client's address: the connection's, or behind a proxy on this host, the one the proxy names.
pub fn client_address(peer: Option<IpAddr>, headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    let peer = peer?;
    if !peer.is_loopback() {
        return Some(peer);
    }
    let named = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    named("x-forwarded-for")
        .and_then(|list| list.rsplit(',').next())
        .or_else(|| named("x-real-ip"))
        .and_then(|a| a.trim().parse().ok())
        .or(Some(peer))
}

fn too_many(wait_ms: i64) -> AppError {
    AppError::TooManyAttempts {
        retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1),
    }
}

/// One sign-in attempt being checked.
#[derive(Debug)]
pub struct Attempt {
    throttle: Throttle,
    key: String,
    address: Option<IpAddr>,
}

impl Attempt {
    /// Counts this attempt's failure against its user name and its client address.
    pub fn failed(&self, now_ms: i64) {
        let mut counts = self
            .throttle
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(name) = counts.by_name.get_mut(&self.key) {
            name.failures.push(now_ms);
        }
        if let Some(address) = self.address
            && let Some(entry) = counts.by_address.get_mut(&address)
        {
            entry.failures.push(now_ms);
        }
    }

    /// The right password: the user name's failures are forgotten (as in the database).
    pub fn succeeded(&self) {
        let mut counts = self
            .throttle
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(name) = counts.by_name.get_mut(&self.key) {
            name.failures.clear();
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let mut counts = self
            .throttle
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(name) = counts.by_name.get_mut(&self.key) {
            name.in_flight = name.in_flight.saturating_sub(1);
            if name.in_flight == 0 && name.failures.is_empty() {
                counts.by_name.remove(&self.key);
            }
        }
        if let Some(address) = self.address
            && let Some(entry) = counts.by_address.get_mut(&address)
        {
            entry.in_flight = entry.in_flight.saturating_sub(1);
            if entry.in_flight == 0 && entry.failures.is_empty() {
                counts.by_address.remove(&address);
            }
        }
    }
}

/// The tag a device cookie holds for one user name with its current password: only this server (holding
/// `key`) can make it, and a new password voids it.
fn device_tag(key: &SecretKey, username_key: &str, password_hash: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"device-v2:");
    mac.update(username_key.as_bytes());
    mac.update(b"\0");
    mac.update(password_hash.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Whether the request's device cookie says this phone has signed in to `username_key` with its current
/// password before.
pub fn known_device(
    jar: &CookieJar,
    key: &SecretKey,
    username_key: &str,
    password_hash: &str,
) -> bool {
    let tag = device_tag(key, username_key, password_hash);
    jar.get(DEVICE_COOKIE)
        .is_some_and(|c| c.value().split('.').any(|t| t == tag))
}

/// The device cookie after a successful sign-in to `username_key`: its tag first, the few before it kept.
pub fn device_cookie(
    jar: &CookieJar,
    key: &SecretKey,
    username_key: &str,
    password_hash: &str,
    secure: bool,
) -> String {
    let tag = device_tag(key, username_key, password_hash);
    let mut tags = vec![tag.clone()];
    if let Some(cookie) = jar.get(DEVICE_COOKIE) {
        tags.extend(
            cookie
                .value()
                .split('.')
                .filter(|t| *t != tag && t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
                .take(DEVICE_NAMES - 1)
                .map(str::to_owned),
        );
    }
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{DEVICE_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        tags.join("."),
        400 * 86_400
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000_000;
    const FRESH: Recorded = Recorded {
        failures: 0,
        latest_ms: 0,
    };

    fn stranger(address: Option<IpAddr>) -> Client {
        Client {
            address,
            known_device: false,
        }
    }

    #[test]
    fn the_sixth_attempt_in_flight_is_refused() {
        let throttle = Throttle::default();
        let held: Vec<Attempt> = (0..5)
            .map(|_| {
                throttle
                    .admit("zhuren", &stranger(None), FRESH, NOW)
                    .unwrap()
            })
            .collect();
        let refused = throttle.admit("zhuren", &stranger(None), FRESH, NOW);
        assert!(
            matches!(refused, Err(AppError::TooManyAttempts { .. })),
            "{refused:?}"
        );
        // Another user name is not affected.
        assert!(
            throttle
                .admit("menwei", &stranger(None), FRESH, NOW)
                .is_ok()
        );
        drop(held);
        assert!(
            throttle
                .admit("zhuren", &stranger(None), FRESH, NOW)
                .is_ok()
        );
    }

    #[test]
    fn a_failure_not_yet_read_from_the_database_still_counts() {
        let throttle = Throttle::default();
        let held: Vec<Attempt> = (0..5)
            .map(|_| {
                throttle
                    .admit("zhuren", &stranger(None), FRESH, NOW)
                    .unwrap()
            })
            .collect();
        // The first fails and is done; a sixth attempt read the database (no failures) before it was written.
        held[0].failed(NOW);
        let mut held = held;
        drop(held.remove(0));
        let refused = throttle.admit("zhuren", &stranger(None), FRESH, NOW);
        assert!(
            matches!(refused, Err(AppError::TooManyAttempts { .. })),
            "{refused:?}"
        );
    }

    #[test]
    fn a_known_device_has_a_lockout_of_its_own_and_no_address_limit() {
        let throttle = Throttle::default();
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        let locked = Recorded {
            failures: 9,
            latest_ms: NOW - 1000,
        };
        assert!(
            throttle
                .admit("zhuren", &stranger(address), locked, NOW)
                .is_err()
        );
        let known = Client {
            address,
            known_device: true,
        };
        let held: Vec<Attempt> = (0..=IN_FLIGHT_PER_ADDRESS)
            .map(|n| {
                throttle
                    .admit(&known_key(&format!("user{n}")), &known, FRESH, NOW)
                    .unwrap()
            })
            .collect();
        drop(held);
        // Its own failures still lock it; forgetting them lifts it.
        let attempt = throttle
            .admit(&known_key("zhuren"), &known, FRESH, NOW)
            .unwrap();
        for _ in 0..5 {
            attempt.failed(NOW);
        }
        drop(attempt);
        assert!(
            throttle
                .admit(&known_key("zhuren"), &known, FRESH, NOW)
                .is_err()
        );
        throttle.forget("zhuren");
        assert!(
            throttle
                .admit(&known_key("zhuren"), &known, FRESH, NOW)
                .is_ok()
        );
    }

    #[test]
    fn behind_a_proxy_on_this_host_the_client_is_the_one_it_names() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", "10.0.0.9, 192.168.1.20".parse().unwrap());
        let loopback = Some(IpAddr::from([127, 0, 0, 1]));
        assert_eq!(
            client_address(loopback, &headers),
            Some(IpAddr::from([192, 168, 1, 20]))
        );
        // A client elsewhere cannot name another address.
        let outside = Some(IpAddr::from([203, 0, 113, 5]));
        assert_eq!(client_address(outside, &headers), outside);
        assert_eq!(
            client_address(loopback, &axum::http::HeaderMap::new()),
            loopback
        );
    }

    #[test]
    fn one_address_has_a_bounded_number_in_flight_and_of_failures() {
        let throttle = Throttle::default();
        let address = Some(IpAddr::from([192, 168, 1, 20]));
        let held: Vec<Attempt> = (0..IN_FLIGHT_PER_ADDRESS)
            .map(|n| {
                throttle
                    .admit(&format!("user{n}"), &stranger(address), FRESH, NOW)
                    .unwrap()
            })
            .collect();
        let busy = throttle.admit("another", &stranger(address), FRESH, NOW);
        assert!(matches!(busy, Err(AppError::Busy { .. })), "{busy:?}");
        drop(held);
        for n in 0..FAILURES_PER_ADDRESS {
            let attempt = throttle
                .admit(&format!("guess{n}"), &stranger(address), FRESH, NOW)
                .unwrap();
            attempt.failed(NOW);
        }
        let refused = throttle.admit("guess", &stranger(address), FRESH, NOW);
        assert!(
            matches!(refused, Err(AppError::TooManyAttempts { .. })),
            "{refused:?}"
        );
        // Another address is not affected.
        let other = Some(IpAddr::from([192, 168, 1, 21]));
        assert!(
            throttle
                .admit("guess", &stranger(other), FRESH, NOW)
                .is_ok()
        );
    }

    #[test]
    fn a_device_cookie_keeps_the_latest_names_and_refuses_forged_tags() {
        let key = SecretKey([3; 32]);
        let cookie = device_cookie(&CookieJar::new(), &key, "menwei", "hash1", false);
        let value = cookie
            .split(';')
            .next()
            .and_then(|c| c.split_once('='))
            .map(|(_, v)| v.to_owned())
            .unwrap();
        let jar = CookieJar::new().add(axum_extra::extract::cookie::Cookie::new(
            DEVICE_COOKIE,
            value,
        ));
        assert!(known_device(&jar, &key, "menwei", "hash1"));
        assert!(
            !known_device(&jar, &key, "menwei", "hash2"),
            "a new password voids it"
        );
        assert!(!known_device(&jar, &key, "zhuren", "hash1"));
        assert!(!known_device(&jar, &SecretKey([4; 32]), "menwei", "hash1"));
        let second = device_cookie(&jar, &key, "zhuren", "hash3", true);
        assert!(second.contains(&device_tag(&key, "menwei", "hash1")));
        assert!(second.starts_with(&format!(
            "{DEVICE_COOKIE}={}",
            device_tag(&key, "zhuren", "hash3")
        )));
        assert!(second.ends_with("; Secure"));
    }
}
