//! The photos a push's records declare, for every job: which ids are still free, and the rows that reserve
//! them with their record (the bytes follow by upload, `server::photos`, checked against the declared hash).

use super::registry::Context;
use crate::domain::photo::{PhotoRef, declared_in};
use crate::domain::sync::Mutation;
use crate::server::db::{Param, existing_ids, insert_rows};
use sqlx::AnyConnection;
use std::collections::HashSet;
use uuid::Uuid;

#[derive(Default)]
pub struct PhotoBatch {
    /// Photo ids already declared, by an earlier push or earlier in this one.
    taken: HashSet<Uuid>,
    rows: Vec<Vec<Param>>,
}

impl PhotoBatch {
    pub async fn prefetch(
        conn: &mut AnyConnection,
        mutations: &[&Mutation],
    ) -> Result<PhotoBatch, sqlx::Error> {
        let declared: HashSet<Uuid> = mutations
            .iter()
            .flat_map(|m| declared_in(&m.args))
            .collect();
        if declared.is_empty() {
            return Ok(PhotoBatch::default());
        }
        Ok(PhotoBatch {
            taken: existing_ids(conn, "photos", &declared).await?,
            rows: Vec::new(),
        })
    }

    /// Whether a record may use these photo ids: none twice, none taken by another record.
    pub fn free(&self, photos: &[PhotoRef]) -> bool {
        let unique: HashSet<Uuid> = photos.iter().map(|p| p.id).collect();
        unique.len() == photos.len() && !photos.iter().any(|p| self.taken.contains(&p.id))
    }

    /// Declares the photos of a record (`owner_kind` names the job's kind of record: `ticket`, `cleaning`) and
    /// the part they belong to; check [`PhotoBatch::free`] first.
    pub fn declare(
        &mut self,
        context: &Context<'_>,
        owner_kind: &str,
        owner: Uuid,
        part: Uuid,
        photos: &[PhotoRef],
    ) {
        for photo in photos {
            self.taken.insert(photo.id);
            self.rows.push(vec![
                photo.id.into(),
                owner_kind.into(),
                owner.into(),
                part.into(),
                photo.sha256.as_str().into(),
                photo.size.into(),
                context.user.id.into(),
                context.now.into(),
                context.version.into(),
            ]);
        }
    }

    pub async fn flush(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        insert_rows(
            conn,
            "photos",
            &[
                "id",
                "owner_kind",
                "owner_id",
                "part_id",
                "sha256",
                "size",
                "declared_by",
                "declared_at",
                "version",
            ],
            &self.rows,
        )
        .await
    }
}
