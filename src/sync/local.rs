//! The phone's data as pages see it: the synced snapshot ⊕ the pending outbox, and the sync status.
//!
//! Pages call [`use_local_data`] and read `revision` to recompute when anything changed. On the server the
//! handle is inert (nothing pending, no rows): server rendering never touches storage, and the page fills in
//! once hydrated. In the browser the engine in `super::browser` does the work.

use crate::domain::SessionUser;
use crate::domain::sync::{Mutation, Outcome};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A change saved on this phone and not yet acknowledged by the server. `mutation.seq` is 0 until the sync
/// loop numbers it (under a lock shared by all tabs), just before its first push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub mutation: Mutation,
    pub saved_at_ms: i64,
    /// Not sent before this time (the phone's clock), so it can still be taken back: a sign-out's undo. Saved
    /// like any entry meanwhile, so a closed tab loses nothing; it simply goes out later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_until_ms: Option<i64>,
}

/// The arguments of the pending changes named `name`, each with the time it was saved on the phone (a change
/// whose arguments no longer parse is left out: the server will refuse it and say why).
pub fn pending_args<T: serde::de::DeserializeOwned>(
    pending: &[Pending],
    name: &str,
) -> Vec<(T, i64)> {
    pending
        .iter()
        .filter(|p| p.mutation.name == name)
        .filter_map(|p| {
            T::deserialize(&p.mutation.args)
                .ok()
                .map(|a| (a, p.saved_at_ms))
        })
        .collect()
}

/// A change the server refused, or applied with something the user must see (a watch-list match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attention {
    pub mutation: Mutation,
    pub outcome: Outcome,
    pub at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Not started yet (server rendering, or before hydration).
    #[default]
    Starting,
    Idle,
    Syncing,
    /// The last try could not reach the server; it will try again.
    Offline,
    /// The session ended: sign in again; the outbox waits.
    SignedOut,
    /// The server needs a newer app: reload; the outbox waits.
    UpdateRequired,
    /// This browser gives no storage (private mode, blocked): entries cannot be kept offline.
    StorageUnavailable,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncStatus {
    pub link: Link,
    pub pending: usize,
    pub oldest_pending_ms: Option<i64>,
    pub last_sync_ms: Option<i64>,
    pub attention: Vec<Attention>,
    /// Whether the browser granted persistent storage; `None` until it answered.
    pub persisted: Option<bool>,
    /// This phone's clock minus the server's, from the last sync.
    pub clock_skew_ms: i64,
    /// Photos kept on this phone that the server does not have yet.
    pub photos_waiting: usize,
}

/// A photo shrunk and hashed on the phone, ready to be kept until uploaded (see `super::photos`).
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedPhoto {
    pub reference: crate::domain::photo::PhotoRef,
    pub bytes: Vec<u8>,
    /// An object URL of the shrunk picture, for the form's preview.
    pub preview_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    #[error("storage full")]
    Full,
    #[error("storage unavailable")]
    Unavailable,
}

#[derive(Clone, Copy)]
pub struct LocalData {
    pub status: RwSignal<SyncStatus>,
    /// Bumped whenever the snapshot or the outbox changes.
    pub revision: RwSignal<u64>,
    user_id: Uuid,
}

/// Gives the signed-in user's pages their local data, and starts the sync engine in the browser.
pub fn provide_local_data(user: &SessionUser) -> LocalData {
    let local = LocalData {
        status: RwSignal::new(SyncStatus::default()),
        revision: RwSignal::new(0),
        user_id: user.id,
    };
    provide_context(local);
    #[cfg(feature = "hydrate")]
    {
        // Effects run only in the browser, after hydration.
        Effect::new(move |_| super::browser::start(local));
    }
    local
}

pub fn use_local_data() -> LocalData {
    expect_context::<LocalData>()
}

impl LocalData {
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    /// Whether this phone's data is as complete as it gets for now: a sync has finished at least once, or none
    /// can run. Until then a record not found may still arrive; after, "not on this phone" is the answer.
    pub fn settled(&self) -> bool {
        self.status
            .with(|s| s.last_sync_ms.is_some() || !matches!(s.link, Link::Starting | Link::Syncing))
    }

    /// Queues a mutation. `Ok` only after it was written and read back from storage.
    pub fn save(&self, name: &str, args: serde_json::Value) -> Result<Uuid, SaveError> {
        #[cfg(feature = "hydrate")]
        {
            super::browser::save(name, args)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (name, args);
            Err(SaveError::Unavailable)
        }
    }

    /// Queues a mutation that is not sent for `hold_ms`, so that [`LocalData::withdraw`] can still take it back.
    pub fn save_undoable(
        &self,
        name: &str,
        args: serde_json::Value,
        hold_ms: i64,
    ) -> Result<Uuid, SaveError> {
        #[cfg(feature = "hydrate")]
        {
            super::browser::save_held(name, args, Some(hold_ms))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (name, args, hold_ms);
            Err(SaveError::Unavailable)
        }
    }

    /// Takes back a mutation saved with [`LocalData::save_undoable`] while it is still held; `false` once it
    /// is on its way (or gone), when only a new entry can change it.
    pub fn withdraw(&self, id: Uuid) -> bool {
        #[cfg(feature = "hydrate")]
        {
            super::browser::withdraw(id)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = id;
            false
        }
    }

    /// The synced rows of one type's table (tracked: recomputes when the snapshot changes).
    pub fn rows<T: crate::domain::sync::Synced>(&self) -> Vec<T> {
        self.revision.track();
        #[cfg(feature = "hydrate")]
        {
            super::browser::rows(T::TABLE)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Vec::new()
        }
    }

    /// The arguments of pending mutations named `name`, oldest first (tracked).
    pub fn pending_args<T: DeserializeOwned>(&self, name: &str) -> Vec<T> {
        self.revision.track();
        #[cfg(feature = "hydrate")]
        {
            super::browser::pending_args(name)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            Vec::new()
        }
    }

    /// The outbox, oldest first (tracked).
    pub fn pending(&self) -> Vec<Pending> {
        self.revision.track();
        #[cfg(feature = "hydrate")]
        {
            super::browser::pending()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Vec::new()
        }
    }

    /// Keeps photos on this phone until the server has them; `Ok` once all are stored. Call before saving the
    /// record that declares them, so a record never points at photos the phone does not hold.
    pub async fn keep_photos(&self, photos: &[PreparedPhoto]) -> Result<(), SaveError> {
        #[cfg(feature = "hydrate")]
        {
            super::photos::keep(self.user_id, photos).await
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = photos;
            Err(SaveError::Unavailable)
        }
    }

    /// Keeps the photos, then queues the mutation that declares them, so a saved record never points at photos
    /// the phone does not hold. `Ok` only once both are stored.
    pub async fn save_with_photos(
        &self,
        name: &str,
        args: &impl Serialize,
        photos: &[PreparedPhoto],
    ) -> Result<Uuid, SaveError> {
        self.keep_photos(photos).await?;
        let value = serde_json::to_value(args).map_err(|_| SaveError::Unavailable)?;
        self.save(name, value)
    }

    pub fn sync_now(&self) {
        #[cfg(feature = "hydrate")]
        super::browser::wake();
    }

    /// Removes an item from "needs attention" once the user has read it.
    pub fn dismiss(&self, mutation_id: Uuid) {
        #[cfg(feature = "hydrate")]
        super::browser::dismiss(mutation_id);
        #[cfg(not(feature = "hydrate"))]
        let _ = mutation_id;
    }

    /// Offers the outbox as a JSON file download (before signing out with unsent entries).
    pub fn download_pending(&self) {
        #[cfg(feature = "hydrate")]
        super::browser::download_pending();
    }
}
