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

/// Names the school (printouts, labels and page titles carry it).
#[server(endpoint = "directory/save_school_name", input = Json)]
pub async fn save_school_name(name: String) -> Result<(), AppError> {
    crate::server::respond(handlers::save_school_name(name).await)
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

/// A sheet of labels: the school's name, and one label per record asked for, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub school_name: String,
    pub labels: Vec<Label>,
}

/// The most labels one sheet makes (ten A4 pages of stickers).
pub const LABELS_MAX: usize = 120;

#[server(endpoint = "directory/load_labels", input = Json)]
pub async fn load_labels(entry: Entry, ids: Vec<Uuid>) -> Result<Labels, AppError> {
    crate::server::respond(handlers::labels(entry, ids).await)
}

#[cfg(feature = "ssr")]
mod handlers {
    use super::super::db::{check_points, places, school, school_classes};
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
                person.awaiting_first_sign_in = false;
                person.has_code = false;
            }
        }
        Ok(Directory {
            school_classes: school_classes::list_school_classes(&db, &places).await?,
            check_points: check_points::list_check_points(&db, &places).await?,
            people,
            places,
            id_seal_key: crate::server::id_seal::public_key(&state.config.id_seal_keys),
            school_name: school::school_name(&mut *db.pool.acquire().await?).await?,
        })
    }

    pub async fn save_school_name(name: String) -> Result<(), AppError> {
        let db = session::require_role(&[Role::Admin]).await?.state.db;
        let name = crate::domain::directory::school_name(&name)?;
        let mut tx = db.begin_write().await?;
        school::save_school_name(&mut tx, &name).await?;
        tx.commit().await?;
        Ok(())
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
        // Only active classes share out grades and numbers: a deactivated (graduated) class may be corrected
        // under the name it had.
        let active = match id {
            Some(id) => {
                school_classes::grade_number_active(&mut tx, id)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .2
            }
            None => true,
        };
        if active
            && school_classes::grade_number_taken(&mut tx, input.grade, input.number, id).await?
        {
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
        // A class brought back needs its grade and number free among the active classes (a graduated 六年级1班
        // while the class that moved up holds the name).
        if entry == Entry::SchoolClass
            && active
            && let Some((grade, number, _)) =
                school_classes::grade_number_active(&mut tx, id).await?
            && school_classes::grade_number_taken(&mut tx, grade, number, Some(id)).await?
        {
            return Err(AppError::invalid("number", Problem::Taken));
        }
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

    pub async fn labels(entry: Entry, ids: Vec<Uuid>) -> Result<super::Labels, AppError> {
        if ids.is_empty() {
            return Err(AppError::invalid("ids", Problem::Required));
        }
        if ids.len() > super::LABELS_MAX {
            return Err(AppError::invalid(
                "ids",
                Problem::TooLong {
                    max: super::LABELS_MAX as u32,
                },
            ));
        }
        let state = session::require_user().await?.state;
        let db = &state.db;
        // Only the places (and, for check points, the points) are needed to name the labels.
        let places = places::list_places(db).await?;
        let base = crate::server::links::public_base_url(&state).await?;
        let named: Vec<(Uuid, String, String, String)> = match entry {
            Entry::Place => places
                .iter()
                .map(|p| {
                    (
                        p.id,
                        p.name.clone(),
                        p.path.clone(),
                        format!("/places/{}", p.id),
                    )
                })
                .collect(),
            Entry::CheckPoint => check_points::list_check_points(db, &places)
                .await?
                .into_iter()
                // `qr=1`: opened by scanning the label on site (recorded with a check as presence).
                .map(|c| {
                    (
                        c.id,
                        c.label,
                        c.place_path,
                        format!("/check-points/{}?qr=1", c.id),
                    )
                })
                .collect(),
            Entry::SchoolClass => return Err(AppError::NotFound),
        };
        let mut labels = Vec::with_capacity(ids.len());
        for id in ids {
            let (_, title, subtitle, path) =
                named.iter().find(|n| n.0 == id).ok_or(AppError::NotFound)?;
            let url = format!("{base}{path}");
            labels.push(Label {
                qr_svg: crate::server::links::qr_svg(&url)?,
                title: title.clone(),
                // A top-level place's path is its own name; say it once.
                subtitle: if subtitle == title {
                    String::new()
                } else {
                    subtitle.clone()
                },
                url,
            });
        }
        let school_name = school::school_name(&mut *db.pool.acquire().await?).await?;
        Ok(super::Labels {
            school_name,
            labels,
        })
    }
}
