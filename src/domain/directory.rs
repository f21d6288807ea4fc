//! The campus directory as a page holds it: places, classes, check points and people, loaded once per visit
//! (and kept on the phone for opening with no network).

use super::{CheckPoint, Place, PlaceKind, SchoolClass, UserSummary};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything the pickers and pages need, in one answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub places: Vec<Place>,
    pub school_classes: Vec<SchoolClass>,
    pub check_points: Vec<CheckPoint>,
    pub people: Vec<UserSummary>,
    /// The key guard phones seal visitors' ID numbers to (`domain::sealed_id`).
    #[serde(default)]
    pub id_seal_key: Option<crate::domain::sealed_id::SealKey>,
    /// The school's name (an admin setting), at the head of printouts, QR labels and page titles.
    #[serde(default)]
    pub school_name: String,
}

/// The longest school name kept: it heads an A4 page and a small sticker.
pub const SCHOOL_NAME_MAX: u32 = 40;

/// A school name as given by the admin: trimmed, not empty, not too long.
pub fn school_name(input: &str) -> Result<String, crate::error::AppError> {
    let mut checks = crate::error::Checks::new();
    let name = checks.text("school_name", input, SCHOOL_NAME_MAX);
    checks.finish()?;
    Ok(name)
}

impl Directory {
    pub fn place(&self, id: Uuid) -> Option<&Place> {
        self.places.iter().find(|p| p.id == id)
    }

    pub fn active_places(&self) -> impl Iterator<Item = &Place> {
        self.places.iter().filter(|p| p.active)
    }

    pub fn active_people(&self) -> impl Iterator<Item = &UserSummary> {
        self.people.iter().filter(|p| p.active)
    }
}

/// A person as every phone holds them (`people`): the name and its pinyin initials (`domain::search`), whether
/// they do repairs, and whether a visitor may come to see them (staff, not guards or pupils on duty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: Uuid,
    pub display_name: String,
    #[serde(default)]
    pub initials: String,
    #[serde(default)]
    pub maintenance: bool,
    #[serde(default)]
    pub host: bool,
}

/// A place as every phone holds it (`places`), with its name's pinyin initials (`domain::search`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: PlaceKind,
    pub name: String,
    #[serde(default)]
    pub initials: String,
}

// The tables these rows are synced in (`domain::sync::Synced`).
crate::domain::sync::synced! {
    PersonRow => "people",
    PlaceRow => "places",
}
