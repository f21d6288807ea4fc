//! User administration. Only the admin may call these; each checks that on the server.

use crate::domain::{NewUser, Role, UserSummary};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

#[server(endpoint = "users/list", input = Json)]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    crate::server::respond(handlers::list().await)
}

#[server(endpoint = "users/create", input = Json)]
pub async fn create_user(user: NewUser) -> Result<Uuid, AppError> {
    crate::server::respond(handlers::create(user).await)
}

#[server(endpoint = "users/set_roles", input = Json)]
pub async fn set_user_roles(id: Uuid, roles: Vec<Role>) -> Result<(), AppError> {
    crate::server::respond(handlers::set_roles(id, roles).await)
}

/// Sets a new password and signs the user out everywhere.
#[server(endpoint = "users/reset_password", input = Json)]
pub async fn reset_password(id: Uuid, password: String) -> Result<(), AppError> {
    crate::server::respond(handlers::reset_password(id, password).await)
}

/// Disabling signs the user out everywhere; their history stays.
#[server(endpoint = "users/set_active", input = Json)]
pub async fn set_user_active(id: Uuid, active: bool) -> Result<(), AppError> {
    crate::server::respond(handlers::set_active(id, active).await)
}

#[cfg(feature = "ssr")]
mod handlers {
    use crate::domain::user::{FAILURE_WINDOW_SECS, check_password, locked_until_ms};
    use crate::domain::{NewUser, Role, UserSummary};
    use crate::error::{AppError, Problem};
    use crate::features::auth::{db, session};
    use crate::server::db::now_ms;
    use crate::server::db::{Deactivatable, set_row_active};
    use uuid::Uuid;

    pub async fn list() -> Result<Vec<UserSummary>, AppError> {
        let state = session::require_role(&[Role::Admin]).await?.state;
        let mut users = db::list_users(&state.db).await?;
        // Shown to the admin: who is locked out of signing in, and for how long.
        let now = now_ms();
        let failures = db::failures_by_name(&state.db, now - FAILURE_WINDOW_SECS * 1000).await?;
        for user in &mut users {
            if let Some((count, latest)) = failures.get(&user.username) {
                let until = locked_until_ms(*count, *latest);
                user.locked_for_secs = u64::try_from((until - now + 999) / 1000).unwrap_or(0);
            }
        }
        Ok(users)
    }

    pub async fn create(user: NewUser) -> Result<Uuid, AppError> {
        let session::Caller { state, user: admin } = session::require_role(&[Role::Admin]).await?;
        let user = user.validate()?;
        let hash = session::hash_password(user.password.clone()).await?;
        let mut tx = state.db.begin_write().await?;
        if db::username_taken(&mut tx, &user.username).await? {
            return Err(AppError::invalid("username", Problem::Taken));
        }
        let id = db::insert_user(&mut tx, &user, &hash).await?;
        let roles: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
        let detail = format!(
            "{}（{}）{}",
            user.display_name,
            user.username,
            roles.join(",")
        );
        crate::server::audit::record(&mut tx, Some(admin.id), "user_created", Some(id), &detail)
            .await?;
        tx.commit().await?;
        tracing::info!(username = %user.username, "user created");
        Ok(id)
    }

    pub async fn set_roles(id: Uuid, mut roles: Vec<Role>) -> Result<(), AppError> {
        let session::Caller { state, user: admin } = session::require_role(&[Role::Admin]).await?;
        if roles.is_empty() {
            return Err(AppError::invalid("roles", Problem::Required));
        }
        // The admin cannot take away their own admin role and lock everyone out.
        if id == admin.id && !roles.contains(&Role::Admin) {
            return Err(AppError::invalid("roles", Problem::Invalid));
        }
        roles.sort();
        roles.dedup();
        let mut tx = state.db.begin_write().await?;
        // The user's row carries the version of this change, so a pull sees the new roles.
        if !db::stamp_user(&mut tx, id).await? {
            return Err(AppError::NotFound);
        }
        db::replace_roles(&mut tx, id, &roles).await?;
        let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        crate::server::audit::record(
            &mut tx,
            Some(admin.id),
            "user_roles_changed",
            Some(id),
            &codes.join(","),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn reset_password(id: Uuid, password: String) -> Result<(), AppError> {
        let session::Caller { state, user: admin } = session::require_role(&[Role::Admin]).await?;
        check_password(&password).map_err(|problem| AppError::invalid("password", problem))?;
        let hash = session::hash_password(password).await?;
        let mut tx = state.db.begin_write().await?;
        if !db::set_password_hash(&mut tx, id, &hash).await? {
            return Err(AppError::NotFound);
        }
        db::delete_sessions_of(&mut tx, id, None).await?;
        if let Some(username) = db::clear_failures_of_user(&mut tx, id).await? {
            state.sign_ins.forget(&username);
        }
        crate::server::audit::record(&mut tx, Some(admin.id), "user_password_reset", Some(id), "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_active(id: Uuid, active: bool) -> Result<(), AppError> {
        let session::Caller { state, user: admin } = session::require_role(&[Role::Admin]).await?;
        if id == admin.id && !active {
            return Err(AppError::invalid("active", Problem::Invalid));
        }
        let mut tx = state.db.begin_write().await?;
        if !set_row_active(&mut tx, Deactivatable::Users, id, active).await? {
            return Err(AppError::NotFound);
        }
        if !active {
            db::delete_sessions_of(&mut tx, id, None).await?;
        }
        let action = if active {
            "user_enabled"
        } else {
            "user_disabled"
        };
        crate::server::audit::record(&mut tx, Some(admin.id), action, Some(id), "").await?;
        tx.commit().await?;
        Ok(())
    }
}
