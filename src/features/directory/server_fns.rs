//! Reading the directory (any signed-in user) and changing it (the admin only).

use crate::domain::{CheckPointInput, PlaceInput, SchoolClassInput};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::domain::directory::Directory;

/// A printable label: what it names and the URL its QR code opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub title: String,
    pub subtitle: String,
    pub url: String,
    /// The QR code as an SVG document, made on the server.
    pub qr_svg: String,
}

#[server(endpoint = "directory/load", input = Json)]
pub async fn load_directory() -> Result<Directory, AppError> {
    crate::server::respond(handlers::load().await)
}

/// Adds a place (`id` is `None`) or changes one.
#[server(endpoint = "directory/save_place", input = Json)]
pub async fn save_place(id: Option<Uuid>, input: PlaceInput) -> Result<Uuid, AppError> {
    crate::server::respond(handlers::save_place(id, input).await)
}

#[server(endpoint = "directory/save_school_class", input = Json)]
pub async fn save_school_class(
    id: Option<Uuid>,
    input: SchoolClassInput,
) -> Result<Uuid, AppError> {
    crate::server::respond(handlers::save_school_class(id, input).await)
}

#[server(endpoint = "directory/save_check_point", input = Json)]
pub async fn save_check_point(id: Option<Uuid>, input: CheckPointInput) -> Result<Uuid, AppError> {
    crate::server::respond(handlers::save_check_point(id, input).await)
}

/// What kind of directory record an activation change is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    Place,
    SchoolClass,
    CheckPoint,
}

/// Deactivates (or brings back) a record. Nothing that history points at is ever deleted.
#[server(endpoint = "directory/set_active", input = Json)]
pub async fn set_active(entry: Entry, id: Uuid, active: bool) -> Result<(), AppError> {
    crate::server::respond(handlers::set_active(entry, id, active).await)
}

#[server(endpoint = "directory/load_label", input = Json)]
pub async fn load_label(entry: Entry, id: Uuid) -> Result<Label, AppError> {
    crate::server::respond(handlers::label(entry, id).await)
}

#[cfg(feature = "ssr")]
mod handlers {
    use super::super::db::{check_points, places, school_classes};
    use super::{Directory, Entry, Label};
    use crate::domain::{CheckPointInput, PlaceInput, Role, SchoolClassInput};
    use crate::error::{AppError, Checks, Problem};
    use crate::features::auth::{db as users, session};
    use crate::server::db::{Deactivatable, set_row_active};
    use uuid::Uuid;

    pub async fn load() -> Result<Directory, AppError> {
        let session::Caller { state, user } = session::require_user().await?;
        let db = state.db;
        let places = places::list_places(&db).await?;
        let mut people = users::list_users(&db).await?;
        // Everyone picks people by name; only the admin needs their user names and roles.
        if !user.has(Role::Admin) {
            for person in &mut people {
                person.username.clear();
                person.roles.clear();
            }
        }
        Ok(Directory {
            school_classes: school_classes::list_school_classes(&db, &places).await?,
            check_points: check_points::list_check_points(&db, &places).await?,
            people,
            places,
            id_seal_key: crate::server::id_seal::public_key(&state.config.id_seal_keys),
        })
    }

    pub async fn save_place(id: Option<Uuid>, input: PlaceInput) -> Result<Uuid, AppError> {
        let db = session::require_role(&[Role::Admin]).await?.state.db;
        let mut tx = db.begin_write().await?;
        let parent_kind = match input.parent_id {
            Some(parent) => Some(
                places::place_kind(&mut tx, parent)
                    .await?
                    .ok_or_else(|| AppError::invalid("parent_id", Problem::Unknown))?,
            ),
            None => None,
        };
        let input = input.validate(parent_kind)?;
        let id = match id {
            Some(id) => {
                if let Some(parent) = input.parent_id
                    && places::is_self_or_ancestor(&mut tx, id, parent).await?
                {
                    return Err(AppError::invalid("parent_id", Problem::Invalid));
                }
                if !places::update_place(&mut tx, id, &input).await? {
                    return Err(AppError::NotFound);
                }
                id
            }
            None => {
                let id = Uuid::now_v7();
                places::insert_place(&mut tx, id, &input, 100).await?;
                id
            }
        };
        // Phones hold cleaning zones by the place's name.
        crate::features::cleaning_scores::db::place_saved(&mut tx, id).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn save_school_class(
        id: Option<Uuid>,
        input: SchoolClassInput,
    ) -> Result<Uuid, AppError> {
        let state = session::require_role(&[Role::Admin]).await?.state;
        let input = input.validate()?;
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let mut checks = Checks::new();
        if school_classes::grade_number_taken(&mut tx, input.grade, input.number, id).await? {
            checks.add("number", Problem::Taken);
        }
        if let Some(teacher) = input.teacher_id
            && !users::user_exists(&mut tx, teacher).await?
        {
            checks.add("teacher_id", Problem::Unknown);
        }
        if let Some(zone) = input.zone_id
            && places::place_kind(&mut tx, zone).await?.is_none()
        {
            checks.add("zone_id", Problem::Unknown);
        }
        checks.finish()?;
        let id = match id {
            Some(id) => {
                if !school_classes::update_school_class(&mut tx, id, &input).await? {
                    return Err(AppError::NotFound);
                }
                id
            }
            None => {
                let id = Uuid::now_v7();
                school_classes::insert_school_class(&mut tx, id, &input).await?;
                id
            }
        };
        // The class's zone joins the class league; phones holding its zones hear of the new teacher or name.
        crate::features::cleaning_scores::db::class_saved(&mut tx, id).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn save_check_point(
        id: Option<Uuid>,
        input: CheckPointInput,
    ) -> Result<Uuid, AppError> {
        let state = session::require_role(&[Role::Admin]).await?.state;
        let input = input.validate()?;
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let mut checks = Checks::new();
        if places::place_kind(&mut tx, input.place_id).await?.is_none() {
            checks.add("place_id", Problem::Unknown);
        }
        if let Some(person) = input.responsible_id
            && !users::user_exists(&mut tx, person).await?
        {
            checks.add("responsible_id", Problem::Unknown);
        }
        checks.finish()?;
        let id = match id {
            Some(id) => {
                if !check_points::update_check_point(&mut tx, id, &input).await? {
                    return Err(AppError::NotFound);
                }
                id
            }
            None => {
                let id = Uuid::now_v7();
                check_points::insert_check_point(&mut tx, id, &input).await?;
                id
            }
        };
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_active(entry: Entry, id: Uuid, active: bool) -> Result<(), AppError> {
        let db = session::require_role(&[Role::Admin]).await?.state.db;
        let mut tx = db.begin_write().await?;
        let table = match entry {
            Entry::Place => Deactivatable::Places,
            Entry::SchoolClass => Deactivatable::SchoolClasses,
            Entry::CheckPoint => Deactivatable::CheckPoints,
        };
        let found = set_row_active(&mut tx, table, id, active).await?;
        if !found {
            return Err(AppError::NotFound);
        }
        if entry == Entry::SchoolClass {
            // A class's own zone leaves the league with it, and comes back with it.
            crate::features::cleaning_scores::db::class_saved(&mut tx, id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn label(entry: Entry, id: Uuid) -> Result<Label, AppError> {
        let state = session::require_user().await?.state;
        let db = &state.db;
        // Only the places (and, for a check point, the points) are needed to name the label.
        let places = places::list_places(db).await?;
        let base = public_base_url(&state).await?;
        let (title, subtitle, path) = match entry {
            Entry::Place => {
                let place = places
                    .iter()
                    .find(|p| p.id == id)
                    .ok_or(AppError::NotFound)?;
                (
                    place.name.clone(),
                    place.path.clone(),
                    format!("/places/{id}"),
                )
            }
            Entry::CheckPoint => {
                let point = check_points::list_check_points(db, &places)
                    .await?
                    .into_iter()
                    .find(|c| c.id == id)
                    .ok_or(AppError::NotFound)?;
                (
                    point.label.clone(),
                    point.place_path.clone(),
                    // `qr=1`: opened by scanning the label on site (recorded with a check as presence).
                    format!("/check-points/{id}?qr=1"),
                )
            }
            Entry::SchoolClass => return Err(AppError::NotFound),
        };
        // A top-level place's path is its own name; say it once.
        let subtitle = if subtitle == title {
            String::new()
        } else {
            subtitle
        };
        let url = format!("{base}{path}");
        Ok(Label {
            qr_svg: qr_svg(&url)?,
            title,
            subtitle,
            url,
        })
    }

    /// The address phones reach this server by: `HOUQIN_PUBLIC_URL`, or else the Host the request came to.
    async fn public_base_url(state: &crate::server::state::AppState) -> Result<String, AppError> {
        if let Some(url) = &state.config.public_url {
            return Ok(url.trim_end_matches('/').to_owned());
        }
        let headers: axum::http::HeaderMap = leptos_axum::extract()
            .await
            .map_err(|_| AppError::Internal)?;
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map_or_else(|| state.leptos_options.site_addr.to_string(), str::to_owned);
        Ok(format!("http://{host}"))
    }

    fn qr_svg(url: &str) -> Result<String, AppError> {
        use qrcode::render::svg;
        let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
            .map_err(|cause| {
                tracing::error!(%cause, "QR code");
                AppError::Internal
            })?;
        Ok(code
            .render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build())
    }
}
