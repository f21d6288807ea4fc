//! Photos, which every job's records may carry: a record declares each by id, hash and size (`PhotoRef`), and
//! the bytes follow separately once the record is stored; the synced `photos` table says which have arrived.

use crate::error::{Checks, Problem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Photos on one record (a report, an event, a check item).
pub const PHOTOS_MAX: usize = 6;
/// The largest photo the server takes. Phones send a few hundred KB; this leaves room for an unshrunk one.
pub const PHOTO_MAX_BYTES: i64 = 8 * 1024 * 1024;

/// A photo a record declares: the bytes follow separately, checked against the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: Uuid,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: i64,
}

impl PhotoRef {
    pub fn valid(&self) -> bool {
        self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && (1..=PHOTO_MAX_BYTES).contains(&self.size)
    }
}

/// A photo of a record as phones see it; `stored` once its bytes arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRow {
    pub id: Uuid,
    pub owner_kind: String,
    pub owner_id: Uuid,
    pub part_id: Option<Uuid>,
    pub stored: bool,
    pub declared_at: i64,
}

/// Checks a record's photos: at most [`PHOTOS_MAX`], each a valid reference.
pub fn check(checks: &mut Checks, photos: &[PhotoRef]) {
    if photos.len() > PHOTOS_MAX {
        checks.add(
            "photos",
            Problem::TooLong {
                max: PHOTOS_MAX as u32,
            },
        );
    } else if photos.iter().any(|p| !p.valid()) {
        checks.add("photos", Problem::Invalid);
    }
}

/// The photo ids a record's arguments declare: `photos[].id`, and those of each of its parts (a safety check's
/// answers, a cleaning check's ratings: any array of objects with `photos`). The server reserves them with the
/// record; the phone keeps their bytes until they are uploaded.
pub fn declared_in(args: &serde_json::Value) -> Vec<Uuid> {
    let photos_of = |value: &serde_json::Value| -> Vec<Uuid> {
        value
            .get("photos")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("id").and_then(|id| id.as_str()))
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect()
    };
    let mut ids = photos_of(args);
    for part in args
        .as_object()
        .into_iter()
        .flat_map(|args| args.values())
        .filter_map(|value| value.as_array())
        .flatten()
    {
        ids.extend(photos_of(part));
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_records_photos_and_its_parts_photos_are_declared() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let args = json!({
            "photos": [{ "id": a }],
            "answers": [{ "key": "x", "photos": [{ "id": b }] }, { "key": "y" }],
            "ratings": [{ "photos": [{ "id": c }, { "id": "not an id" }] }],
            "note": "no photos here",
        });
        let mut declared = declared_in(&args);
        declared.sort();
        let mut expected = vec![a, b, c];
        expected.sort();
        assert_eq!(declared, expected);
    }
}
