//! The phone's storage: localStorage under the user's prefix, the sync metadata and the receipts.

use super::*;

/// localStorage, or `None` when this browser gives none (private mode, blocked by settings).
pub(super) fn raw_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[derive(Clone)]
pub(super) struct Store {
    pub(super) prefix: String,
}

impl Store {
    pub(super) fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        raw_storage()?;
        LocalStorage::get(format!("{}{key}", self.prefix)).ok()
    }

    /// Writes and reads back; `Full` on `QuotaExceededError`.
    pub(super) fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<(), SaveError> {
        let storage = raw_storage().ok_or(SaveError::Unavailable)?;
        let full_key = format!("{}{key}", self.prefix);
        let text = serde_json::to_string(value).map_err(|_| SaveError::Unavailable)?;
        match LocalStorage::set(&full_key, value) {
            Ok(()) => {}
            Err(gloo_storage::errors::StorageError::JsError(error))
                if error.name == "QuotaExceededError" =>
            {
                return Err(SaveError::Full);
            }
            Err(_) => return Err(SaveError::Unavailable),
        }
        match storage.get_item(&full_key) {
            Ok(Some(back)) if back == text => Ok(()),
            _ => Err(SaveError::Unavailable),
        }
    }

    pub(super) fn remove(&self, key: &str) {
        if raw_storage().is_some() {
            LocalStorage::delete(format!("{}{key}", self.prefix));
        }
    }

    /// Keys (without the prefix) that start with `part`, sorted.
    pub(super) fn keys(&self, part: &str) -> Vec<String> {
        let Some(storage) = raw_storage() else {
            return Vec::new();
        };
        let wanted = format!("{}{part}", self.prefix);
        let count = storage.length().unwrap_or(0);
        let mut keys: Vec<String> = (0..count)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(&wanted))
            .map(|k| k[self.prefix.len()..].to_owned())
            .collect();
        keys.sort();
        keys
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Meta {
    pub(super) client_id: Uuid,
    pub(super) next_seq: i64,
    pub(super) cursor: i64,
    pub(super) epoch: String,
    pub(super) scope: String,
    pub(super) schema: u32,
    pub(super) last_sync_ms: Option<i64>,
    pub(super) clock_skew_ms: i64,
    /// Set when the server reported a gap this phone cannot fill; sent once to let the server go on.
    pub(super) accept_gap_from: Option<i64>,
}

impl Default for Meta {
    fn default() -> Meta {
        Meta::new()
    }
}

impl Meta {
    fn new() -> Meta {
        Meta {
            client_id: Uuid::now_v7(),
            next_seq: 1,
            cursor: 0,
            epoch: String::new(),
            scope: String::new(),
            schema: SCHEMA_VERSION,
            last_sync_ms: None,
            clock_skew_ms: 0,
            accept_gap_from: None,
        }
    }
}

/// A fresh `meta` when it is missing or unreadable. If numbered entries exist, numbering goes on after the
/// highest, so no number is used twice (the new client id makes the server record the earlier ones as a gap).
pub(super) fn recovered_meta(store: &Store) -> Meta {
    let highest = ["out.", "rcpt."]
        .iter()
        .flat_map(|part| store.keys(part))
        .filter_map(|key| {
            store
                .get::<Pending>(&key)
                .map(|p| p.mutation.seq)
                .or_else(|| store.get::<Receipt>(&key).map(|r| r.mutation.seq))
        })
        .max()
        .unwrap_or(0);
    Meta {
        next_seq: highest + 1,
        accept_gap_from: (highest > 0).then_some(1),
        ..Meta::new()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Receipt {
    pub(super) mutation: Mutation,
    pub(super) acked_at_ms: i64,
}
