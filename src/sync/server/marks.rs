//! How far back a phone's clock is believed. A phone numbers every entry in its outbox just before each request
//! and says how far it got (`numbered_through`); anything it numbers later was written after that request
//! reached the server. So an entry's own time (when an appeal was written, when a zone was checked) is believed
//! back to the last request before it, less a margin for the time in flight, and never later than its arrival.
//! A phone that was online all week cannot date a check last week; one that was really offline can.

use crate::domain::sync::{CAUGHT_UP_MARGIN_MS, Mutation};
use sqlx::AnyConnection;

/// A marked request is recorded again at most this often while the phone's numbering stands still (an idle
/// phone polls every minute): the bound is then at most this much looser.
const RECORD_EVERY_MS: i64 = 5 * 60_000;

/// What a push knows of its phone's earlier requests: (numbered through, when it arrived).
#[derive(Debug, Clone, Default)]
pub struct Marks(Vec<(i64, i64)>);

impl Marks {
    pub async fn of(conn: &mut AnyConnection, client_id: &str) -> Result<Marks, sqlx::Error> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT numbered_through, seen_at FROM sync_client_marks WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_all(conn)
        .await?;
        Ok(Marks(rows))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The earliest time `mutation` can have been written: just before the last request that arrived before
    /// the phone numbered it. `None`: the phone never said (an older build, or its first entry ever).
    pub fn not_before(&self, mutation: &Mutation) -> Option<i64> {
        self.0
            .iter()
            .filter(|(numbered, _)| *numbered < mutation.seq)
            .map(|(_, seen)| seen - CAUGHT_UP_MARGIN_MS)
            .max()
    }
}

/// Records that the phone had numbered its outbox through `numbered` when a request of `user_id` arrived at
/// `now` (a later arrival with the same numbering moves the mark forward). Nothing for an outbox of another user
/// (the push refuses it anyway); a pull asks [`stale`] first, so an idle phone's poll writes nothing.
pub async fn record(
    conn: &mut AnyConnection,
    client_id: &str,
    user_id: &str,
    numbered: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sync_client_marks (client_id, numbered_through, seen_at) \
         SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM sync_clients WHERE id = $1 AND user_id <> $4) \
         ON CONFLICT (client_id, numbered_through) DO UPDATE SET seen_at = excluded.seen_at \
         WHERE sync_client_marks.seen_at < excluded.seen_at",
    )
    .bind(client_id)
    .bind(numbered)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a pull must record its mark: none yet for this numbering, or the last one is older than
/// `RECORD_EVERY_MS`. Read in the pull's own snapshot, so an idle phone's poll writes nothing.
pub async fn stale(
    conn: &mut AnyConnection,
    client_id: &str,
    numbered: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let seen: Option<i64> = sqlx::query_scalar(
        "SELECT seen_at FROM sync_client_marks WHERE client_id = $1 AND numbered_through = $2",
    )
    .bind(client_id)
    .bind(numbered)
    .fetch_optional(conn)
    .await?;
    Ok(seen.is_none_or(|seen| seen < now - RECORD_EVERY_MS))
}

/// Forgets the marks no later entry can need: those below the last mark at or under `acked` (every sequence
/// number still to come is above `acked`, and the latest mark under it is the one that bounds it).
pub async fn prune(
    conn: &mut AnyConnection,
    client_id: &str,
    acked: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM sync_client_marks WHERE client_id = $1 AND numbered_through < \
         (SELECT COALESCE(MAX(numbered_through), 0) FROM sync_client_marks \
          WHERE client_id = $1 AND numbered_through <= $2)",
    )
    .bind(client_id)
    .bind(acked)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64) -> Mutation {
        Mutation {
            id: uuid::Uuid::nil(),
            seq,
            name: "x@1".into(),
            args: serde_json::Value::Null,
            client_time_ms: 0,
        }
    }

    #[test]
    fn an_entry_is_bounded_by_the_last_request_before_it_was_numbered() {
        let marks = Marks(vec![(3, 1_000_000), (5, 2_000_000), (9, 3_000_000)]);
        // Numbered after the request that said "through 5" and before the one that said "through 9".
        assert_eq!(
            marks.not_before(&entry(7)),
            Some(2_000_000 - CAUGHT_UP_MARGIN_MS)
        );
        assert_eq!(
            marks.not_before(&entry(10)),
            Some(3_000_000 - CAUGHT_UP_MARGIN_MS)
        );
        assert_eq!(marks.not_before(&entry(2)), None);
    }
}
