//! The gate log's server functions: the printable daily register (guards and the admin) and the watch list
//! (the admin). Registration and sign-out are not here: they are sync mutations (see `mutations.rs`).

use crate::domain::visit::{Visit, WatchEntryInput};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One day's visits, as the register (访客登记簿) prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Register {
    pub date: String,
    pub rows: Vec<(Visit, Option<i64>)>,
}

/// A watch-list entry as the admin sees it: never the ID hash, only the masked number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchListRow {
    pub id: Uuid,
    pub phone: Option<String>,
    pub id_masked: Option<String>,
    pub note: String,
    pub active: bool,
}

#[server(endpoint = "gate_visits/register", input = Json)]
pub async fn load_register(date: String) -> Result<Register, AppError> {
    crate::server::respond(handlers::register(date).await)
}

#[server(endpoint = "gate_visits/watch_list", input = Json)]
pub async fn load_watch_list() -> Result<Vec<WatchListRow>, AppError> {
    crate::server::respond(handlers::watch_list().await)
}

#[server(endpoint = "gate_visits/add_watch_entry", input = Json)]
pub async fn add_watch_entry(input: WatchEntryInput) -> Result<Uuid, AppError> {
    crate::server::respond(handlers::add_watch_entry(input).await)
}

#[server(endpoint = "gate_visits/set_watch_entry_active", input = Json)]
pub async fn set_watch_entry_active(id: Uuid, active: bool) -> Result<(), AppError> {
    crate::server::respond(handlers::set_watch_entry_active(id, active).await)
}

#[cfg(feature = "ssr")]
pub(super) mod handlers {
    use super::super::db;
    use super::super::mutations::id_hash;
    use super::{Register, WatchListRow};
    use crate::domain::clock::{SCHOOL_UTC_OFFSET_MINUTES, day_range};
    use crate::domain::visit::{IdType, WatchEntryInput, mask_id_number};
    use crate::domain::{Role, SessionUser};
    use crate::error::{AppError, Problem};
    use crate::features::auth::session;
    use crate::server::db::{bump_version, now_ms};
    use uuid::Uuid;

    pub async fn register(date: String) -> Result<Register, AppError> {
        let session::Caller { state, user } = session::require_role(&[Role::GateGuard]).await?;
        let db = state.db;
        let (from, to) = day_range(&date, SCHOOL_UTC_OFFSET_MINUTES)
            .ok_or_else(|| AppError::invalid("date", Problem::Invalid))?;
        let mut tx = db.begin_write().await?;
        let rows = db::visits_between(&mut tx, from, to).await?;
        audit_view(&mut tx, &user, "view_register", &date).await?;
        tx.commit().await?;
        Ok(Register { date, rows })
    }

    /// Every look at visitors' personal data is written down.
    pub async fn audit_view(
        conn: &mut sqlx::AnyConnection,
        user: &SessionUser,
        action: &str,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        db::audit_by(conn, Some(user.id), now_ms(), action, None, detail).await
    }

    pub async fn watch_list() -> Result<Vec<WatchListRow>, AppError> {
        let db = session::require_role(&[Role::Admin]).await?.state.db;
        let mut conn = db.pool.acquire().await?;
        Ok(db::list_watch_entries(&mut conn)
            .await?
            .into_iter()
            .map(|(entry, id_masked, active)| WatchListRow {
                id: entry.id,
                phone: entry.phone,
                id_masked,
                note: entry.note,
                active,
            })
            .collect())
    }

    pub async fn add_watch_entry(input: WatchEntryInput) -> Result<Uuid, AppError> {
        let session::Caller { state, user } = session::require_role(&[Role::Admin]).await?;
        let (phone, number, note) = input.validate()?;
        let id_type = input.id_type.unwrap_or(IdType::ResidentCard);
        let hash = number
            .as_deref()
            .map(|n| id_hash(&state.config.id_hash_key.0, id_type, n));
        let masked = number.as_deref().map(mask_id_number);
        let id = Uuid::now_v7();
        let now = now_ms();
        let mut tx = state.db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        db::insert_watch_entry(
            &mut tx,
            id,
            phone.as_deref(),
            hash.as_deref(),
            masked.as_deref(),
            &note,
            user.id,
            now,
            version,
        )
        .await?;
        db::audit_by(
            &mut tx,
            Some(user.id),
            now,
            "watch_entry_added",
            Some(id),
            &note,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_watch_entry_active(id: Uuid, active: bool) -> Result<(), AppError> {
        let session::Caller { state, user } = session::require_role(&[Role::Admin]).await?;
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        if !db::set_watch_entry_active(&mut tx, id, active, version).await? {
            return Err(AppError::NotFound);
        }
        db::audit_by(
            &mut tx,
            Some(user.id),
            now_ms(),
            if active {
                "watch_entry_reactivated"
            } else {
                "watch_entry_deactivated"
            },
            Some(id),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
