//! Places on campus as a tree: buildings → floors → rooms and areas; outdoor zones and gates at the top.

use super::coded_enum;
use crate::error::{AppError, Checks, Problem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const PLACE_NAME_MAX: u32 = 60;

coded_enum! {
    pub enum PlaceKind {
        Building = "building",
        Floor = "floor",
        Room = "room",
        Area = "area",
        OutdoorZone = "outdoor_zone",
        Gate = "gate",
    }
}

impl PlaceKind {
    /// Where a place of this kind may hang in the tree (`None`: at the top).
    pub fn allows_parent(self, parent: Option<PlaceKind>) -> bool {
        match (self, parent) {
            (PlaceKind::Building | PlaceKind::OutdoorZone | PlaceKind::Gate, None) => true,
            (PlaceKind::Floor, Some(PlaceKind::Building)) => true,
            (PlaceKind::Room | PlaceKind::Area, Some(PlaceKind::Building | PlaceKind::Floor)) => {
                true
            }
            // An outdoor area may be split into smaller zones (操场 → 跑道东侧).
            (PlaceKind::Area | PlaceKind::OutdoorZone, Some(PlaceKind::OutdoorZone)) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: PlaceKind,
    pub name: String,
    /// The names from the top of the tree down to this place: 教学楼A · 2F · 东走廊.
    pub path: String,
    pub active: bool,
}

/// What the admin types to add or edit a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceInput {
    pub parent_id: Option<Uuid>,
    pub kind: PlaceKind,
    pub name: String,
}

impl PlaceInput {
    /// Checks the name, and that the kind may hang under the parent's kind.
    pub fn validate(self, parent_kind: Option<PlaceKind>) -> Result<PlaceInput, AppError> {
        let mut checks = Checks::new();
        let name = checks.text("name", &self.name, PLACE_NAME_MAX);
        if !self.kind.allows_parent(parent_kind) {
            checks.add("parent_id", Problem::Invalid);
        }
        checks.finish()?;
        Ok(PlaceInput { name, ..self })
    }
}

/// Joins names from the top of the tree down.
pub fn path_of(names_top_down: &[&str]) -> String {
    names_top_down.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_hang_only_under_buildings() {
        assert!(PlaceKind::Floor.allows_parent(Some(PlaceKind::Building)));
        assert!(!PlaceKind::Floor.allows_parent(None));
        assert!(!PlaceKind::Floor.allows_parent(Some(PlaceKind::Gate)));
    }

    #[test]
    fn gates_and_buildings_stand_at_the_top() {
        assert!(PlaceKind::Gate.allows_parent(None));
        assert!(!PlaceKind::Building.allows_parent(Some(PlaceKind::Building)));
    }

    #[test]
    fn a_room_under_a_gate_is_refused_with_the_field_named() {
        let err = PlaceInput {
            parent_id: Some(Uuid::nil()),
            kind: PlaceKind::Room,
            name: "传达室".into(),
        }
        .validate(Some(PlaceKind::Gate))
        .unwrap_err();
        assert_eq!(err.field_problem("parent_id"), Some(Problem::Invalid));
    }

    #[test]
    fn path_reads_top_down() {
        assert_eq!(
            path_of(&["教学楼A", "2F", "东走廊"]),
            "教学楼A · 2F · 东走廊"
        );
    }
}

/// Fills in each place's `path` from its ancestors. Places whose parent is missing are treated as top-level;
/// a cycle (which the admin pages never create) stops at the first repeat.
pub fn fill_paths(places: &mut [Place]) {
    use std::collections::HashMap;
    let by_id: HashMap<Uuid, (Option<Uuid>, String)> = places
        .iter()
        .map(|p| (p.id, (p.parent_id, p.name.clone())))
        .collect();
    for place in places.iter_mut() {
        let mut names = vec![place.name.clone()];
        let mut seen = vec![place.id];
        let mut next = place.parent_id;
        while let Some(id) = next {
            if seen.contains(&id) {
                break;
            }
            let Some((parent, name)) = by_id.get(&id) else {
                break;
            };
            names.push(name.clone());
            seen.push(id);
            next = *parent;
        }
        names.reverse();
        place.path = names.join(" · ");
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    fn place(id: u128, parent: Option<u128>, name: &str) -> Place {
        Place {
            id: Uuid::from_u128(id),
            parent_id: parent.map(Uuid::from_u128),
            kind: PlaceKind::Area,
            name: name.into(),
            path: String::new(),
            active: true,
        }
    }

    #[test]
    fn paths_follow_parents_to_the_top() {
        let mut places = vec![
            place(3, Some(2), "东走廊"),
            place(1, None, "教学楼A"),
            place(2, Some(1), "2F"),
        ];
        fill_paths(&mut places);
        assert_eq!(places[0].path, "教学楼A · 2F · 东走廊");
        assert_eq!(places[1].path, "教学楼A");
    }

    #[test]
    fn a_cycle_does_not_loop_forever() {
        let mut places = vec![place(1, Some(2), "甲"), place(2, Some(1), "乙")];
        fill_paths(&mut places);
        assert_eq!(places[0].path, "乙 · 甲");
    }
}
