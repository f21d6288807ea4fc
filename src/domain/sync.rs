//! The sync wire contract (`/api/sync/push`, `/api/sync/pull`), shared by the phone and the server.
//!
//! Stable, versioned JSON: an offline phone may run an old build for days. Every request carries the protocol,
//! the app build and the schema version; mutation names carry their own version (`visit.sign_in@1`) and the
//! server keeps old handlers for as long as a phone may stay offline.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A row type as the pull sends it and the phone keeps it: one type per synced table, shared by the server
/// (which serializes it into `Op::Put`) and the phone (which reads it back), so the two cannot drift apart.
pub trait Synced: Serialize + serde::de::DeserializeOwned {
    /// Its table's name on the wire, as its job declares it (`sync::job::Table`).
    const TABLE: &'static str;
}

/// Declares the synced table of each row type, beside the types (`synced! { Visit => "visits" }`).
macro_rules! synced {
    ($($row:ty => $table:literal),+ $(,)?) => {
        $(impl $crate::domain::sync::Synced for $row { const TABLE: &'static str = $table; })+
    };
}
pub(crate) use synced;

synced! {
    super::photo::PhotoRow => "photos",
}
use uuid::Uuid;

/// The wire protocol this build speaks. A phone with an older one gets HTTP 426 and keeps its outbox.
pub const PROTOCOL: u32 = 1;
/// The oldest protocol the server still accepts.
pub const OLDEST_PROTOCOL: u32 = 1;
/// The shape of the rows in pull answers; a phone whose snapshot has another shape starts it over.
pub const SCHEMA_VERSION: u32 = 3;
/// At most this many mutations in one push, and at most this many bytes in its body.
pub const PUSH_MAX_ITEMS: usize = 200;
pub const PUSH_MAX_BYTES: usize = 1024 * 1024;

/// How much earlier than the server's record of a phone's last request an entry's own time is still believed:
/// the request's time in flight (at most the phone's 30 s timeout) and an undo hold (5 s), with room to spare.
pub const CAUGHT_UP_MARGIN_MS: i64 = 60_000;
/// Rows per pull page (a page may run over to keep one commit's rows together).
pub const PULL_PAGE: usize = 500;
/// A phone clock further than this from the server's is shown as skewed.
pub const CLOCK_SKEW_WARN_MS: i64 = 5 * 60 * 1000;

/// One change made on a phone. Frozen once queued: a later edit is a new mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Born on the phone (UUIDv7); retries and reloads reuse it.
    pub id: Uuid,
    /// The phone's order of this change among all its changes for this user, from 1 with no holes.
    pub seq: i64,
    /// Name and version of the handler, such as `visit.sign_in@1`.
    pub name: String,
    pub args: serde_json::Value,
    /// The phone's clock when the change was made. Shown, never used to order.
    pub client_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    pub app_build: String,
    pub schema_version: u32,
    /// One per user on one browser: the outbox namespace that numbers `seq`.
    pub client_id: Uuid,
    /// The epoch the phone last saw; a different one on the server means it was restored from a backup.
    pub epoch: String,
    /// The phone's clock when it sent the batch, to measure skew.
    pub sent_at_ms: i64,
    /// Set after the server reported a gap the phone cannot fill: the server records the gap and goes on.
    #[serde(default)]
    pub accept_gap_from: Option<i64>,
    /// The highest sequence number the phone had handed out when it sent this request (its outbox numbers every
    /// entry not held back for undo just before sending). Whatever it numbers later was written after this
    /// request: the server's bound on how far back a phone's clock is believed.
    #[serde(default)]
    pub numbered_through: Option<i64>,
    pub mutations: Vec<Mutation>,
}

/// What became of one mutation. A repeat of a mutation gets the answer its first arrival got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    Applied,
    /// Applied, and something the user must see happened: a watch-list match, a collision with another
    /// phone's change (recorded in the timeline, not discarded).
    ConflictRecorded {
        code: String,
        message: String,
    },
    /// Refused for good; the phone moves it to "needs attention" with this reason.
    Rejected {
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fields: Vec<FieldError>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    pub id: Uuid,
    pub seq: i64,
    /// True when this was a repeat and `outcome` is the first arrival's answer.
    pub duplicate: bool,
    pub outcome: Outcome,
}

/// The server expected `expected` next and got `got`; the items from `got` on were not looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub expected: i64,
    pub got: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub epoch: String,
    pub results: Vec<ItemResult>,
    pub gap: Option<Gap>,
    /// The highest sequence number the server holds for this client.
    pub last_seq: i64,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub protocol: u32,
    pub app_build: String,
    pub schema_version: u32,
    pub client_id: Uuid,
    /// Empty on the first pull.
    pub epoch: String,
    /// The `cursor` of the last page applied; 0 for everything.
    pub cursor: i64,
    /// The scope key of the last page applied; another one means the user's roles changed.
    pub scope: String,
    /// The highest sequence number the phone had handed out when it sent this request (its outbox numbers every
    /// entry not held back for undo just before sending). Whatever it numbers later was written after this
    /// request: the server's bound on how far back a phone's clock is believed.
    #[serde(default)]
    pub numbered_through: Option<i64>,
}

/// One change to the phone's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Op {
    Put {
        table: String,
        id: Uuid,
        row: serde_json::Value,
    },
    /// The row is gone for good (personal data purged, an entry withdrawn).
    Delete { table: String, id: Uuid },
    /// The row still exists but this user may no longer see it (deactivated, out of their scope).
    Leave { table: String, id: Uuid },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub epoch: String,
    pub scope: String,
    /// Drop the whole snapshot before applying these ops: new epoch, new scope, or a new schema.
    pub reset: bool,
    pub ops: Vec<Op>,
    /// Pass back on the next pull. Every change up to it is in this page or an earlier one.
    pub cursor: i64,
    pub has_more: bool,
    /// The highest sequence the server holds for this client: heals a push whose answer was lost.
    pub last_seq: i64,
    pub server_time_ms: i64,
}

/// Every refusal of a whole sync request, as `{"code": …}` with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum SyncError {
    #[error("sign-in required")]
    Unauthorized,
    /// The phone's build is too old for this server: update, the outbox is kept.
    #[error("this app version is too old")]
    UpgradeRequired { oldest_protocol: u32 },
    /// The server was restored from a backup since the phone last synced.
    #[error("server restored from a backup")]
    EpochChanged { epoch: String },
    #[error("bad request: {message}")]
    BadRequest { message: String },
    #[error("batch too large")]
    TooLarge { max_items: usize, max_bytes: usize },
    /// Try again later; nothing in the batch was applied.
    #[error("server busy")]
    Unavailable,
}

impl SyncError {
    pub fn status(&self) -> u16 {
        match self {
            SyncError::Unauthorized => 401,
            SyncError::UpgradeRequired { .. } => 426,
            SyncError::EpochChanged { .. } => 409,
            SyncError::BadRequest { .. } => 400,
            SyncError::TooLarge { .. } => 413,
            SyncError::Unavailable => 503,
        }
    }
}

/// Exponential backoff with full jitter, capped at five minutes. `random` is in 0..1.
pub fn backoff_ms(failures: u32, random: f64) -> u64 {
    const BASE_MS: f64 = 1_000.0;
    const CAP_MS: f64 = 300_000.0;
    let ceiling = (BASE_MS * 2f64.powi(failures.min(20) as i32)).min(CAP_MS);
    (ceiling * random.clamp(0.0, 1.0)).max(BASE_MS.min(ceiling) / 2.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_at_five_minutes() {
        assert!(backoff_ms(0, 1.0) <= 1_000);
        assert_eq!(backoff_ms(3, 1.0), 8_000);
        assert_eq!(backoff_ms(30, 1.0), 300_000);
        // Jitter never makes the wait zero, so a dead server is not hammered.
        assert_eq!(backoff_ms(5, 0.0), 500);
    }

    #[test]
    fn outcomes_travel_as_tagged_json() {
        let json = serde_json::to_string(&Outcome::Rejected {
            code: "invalid".into(),
            message: "x".into(),
            fields: vec![],
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"status":"rejected","code":"invalid","message":"x"}"#
        );
        assert_eq!(
            serde_json::to_string(&Outcome::Applied).unwrap(),
            r#"{"status":"applied"}"#
        );
    }
}
