//! Pushing the outbox and pulling the snapshot, settling each answer, receipts after a restore, and pruning
//! what the phone no longer needs.

use super::*;

pub(super) async fn pull_all(store: &Store, meta: &mut Meta) -> Result<(), Stop> {
    loop {
        number_pending(store, meta)?;
        let request = PullRequest {
            protocol: PROTOCOL,
            app_build: app_build(),
            schema_version: SCHEMA_VERSION,
            client_id: meta.client_id,
            epoch: meta.epoch.clone(),
            cursor: meta.cursor,
            scope: meta.scope.clone(),
            numbered_through: Some(meta.next_seq - 1),
        };
        let page: PullResponse = post("/api/sync/pull", &request).await.map_err(stop_for)?;
        if page.reset {
            for key in store.keys("row.") {
                store.remove(&key);
            }
        }
        for op in &page.ops {
            let written = match op {
                Op::Put { table, id, row } => store.set(&format!("row.{table}.{id}"), row),
                Op::Delete { table, id } | Op::Leave { table, id } => {
                    remove_row(store, table, *id);
                    Ok(())
                }
            };
            if written.is_err() {
                // Storage is full. The snapshot can always be fetched again, the outbox cannot: give the
                // snapshot's room back and start it over on a later round.
                for key in store.keys("row.") {
                    store.remove(&key);
                }
                meta.cursor = 0;
                meta.scope.clear();
                let _ = store.set("meta", &*meta);
                return Err(Stop::Transient);
            }
        }
        if page.epoch != meta.epoch && !meta.epoch.is_empty() {
            // Restored from a backup: what this phone sent lately may be gone; send it again (the server
            // answers "duplicate" to what it still has).
            requeue_receipts(store);
        }
        meta.epoch = page.epoch;
        meta.scope = page.scope;
        meta.cursor = page.cursor;
        meta.clock_skew_ms = now_ms() - page.server_time_ms;
        let _ = store.set("meta", &*meta);
        if !page.has_more {
            return Ok(());
        }
    }
}

pub(super) async fn push_all(store: &Store, meta: &mut Meta) -> Result<(), Stop> {
    let mut gaps_refilled = std::collections::HashSet::new();
    // Once the server refuses a whole batch, entries go one at a time to find the one it refuses.
    let mut one_at_a_time = false;
    loop {
        // Numbered just before each request, so what it says it numbered is true when it arrives (the server's
        // bound on how far back this phone's clock is believed).
        number_pending(store, meta)?;
        let mut batch: Vec<Mutation> = store
            .keys("out.")
            .iter()
            .filter_map(|k| store.get::<Pending>(k))
            .map(|p| p.mutation)
            .filter(|m| m.seq > 0)
            .collect();
        if batch.is_empty() {
            return Ok(());
        }
        batch.sort_by_key(|m| m.seq);
        batch.truncate(PUSH_BATCH);
        // The server takes at most PUSH_MAX_BYTES per push: signed checks carry a signature picture each, so a
        // day's round can outgrow it. Always at least one item (a single entry is far below the limit).
        let mut bytes = 1024;
        let fits = batch
            .iter()
            .take_while(|m| {
                bytes += serde_json::to_string(m).map_or(0, |text| text.len());
                bytes <= crate::domain::sync::PUSH_MAX_BYTES * 9 / 10
            })
            .count();
        batch.truncate(if one_at_a_time { 1 } else { fits.max(1) });
        let request = PushRequest {
            protocol: PROTOCOL,
            app_build: app_build(),
            schema_version: SCHEMA_VERSION,
            client_id: meta.client_id,
            epoch: meta.epoch.clone(),
            sent_at_ms: now_ms(),
            accept_gap_from: meta.accept_gap_from.take(),
            numbered_through: Some(meta.next_seq - 1),
            mutations: batch.clone(),
        };
        let answer: PushResponse = match post("/api/sync/push", &request).await {
            Ok(answer) => answer,
            Err(Failure::EpochChanged) => {
                // Restored from a backup: start the snapshot over (an empty epoch makes the server reset it)
                // and send again what this phone sent lately.
                requeue_receipts(store);
                meta.epoch.clear();
                meta.cursor = 0;
                let _ = store.set("meta", &*meta);
                pull_all(store, meta).await?;
                continue;
            }
            Err(Failure::Refused(_)) if batch.len() > 1 => {
                one_at_a_time = true;
                continue;
            }
            Err(Failure::Refused(status)) => {
                // This one entry is refused whatever happens: it goes to "needs attention" with the reason,
                // and the outbox moves on instead of retrying it for ever.
                let refused = Outcome::Rejected {
                    code: "request_refused".into(),
                    message: format!("HTTP {status}"),
                    fields: vec![],
                };
                if !settle(store, &batch[0], &refused, false, now_ms()) {
                    return Err(Stop::Transient);
                }
                continue;
            }
            Err(failure) => return Err(stop_for(failure)),
        };
        let now = now_ms();
        let mut progress = false;
        for result in &answer.results {
            let Some(mutation) = batch.iter().find(|m| m.id == result.id) else {
                continue;
            };
            progress |= settle(store, mutation, &result.outcome, result.duplicate, now);
        }
        if let Some(gap) = answer.gap {
            // Receipts fill a gap once (after a restore); a gap nothing here can fill is reported to the
            // server, which records it and goes on.
            if gaps_refilled.insert(gap.expected)
                && requeue_receipts_between(store, gap.expected, gap.got)
            {
                continue;
            }
            meta.accept_gap_from = Some(gap.expected);
            progress = true;
        }
        if !progress {
            // Nothing moved (every answer a repeat that could not be settled): stop instead of spinning.
            return Err(Stop::Transient);
        }
    }
}

/// Drops a row and, as its table declares, the rows that belong to it (a visit's sign-outs, a ticket's events
/// and photos).
pub(super) fn remove_row(store: &Store, table: &str, id: Uuid) {
    store.remove(&format!("row.{table}.{id}"));
    let Some(spec) = crate::sync::job::table_of(crate::sync::job::installed(), table) else {
        return;
    };
    let parent = id.to_string();
    for (child, field) in spec.children {
        for (child_id, row) in rows_of(store, child) {
            if row.get(*field).and_then(|v| v.as_str()) == Some(parent.as_str()) {
                remove_row(store, child, child_id);
            }
        }
    }
}

/// The snapshot's rows of `table`, with their ids (read from their keys, `row.<table>.<id>`).
fn rows_of(store: &Store, table: &str) -> Vec<(Uuid, serde_json::Value)> {
    store
        .keys(&format!("row.{table}."))
        .into_iter()
        .filter_map(|key| {
            let id = key
                .rsplit('.')
                .next()
                .and_then(|id| Uuid::parse_str(id).ok())?;
            Some((id, store.get::<serde_json::Value>(&key)?))
        })
        .collect()
}

/// Takes an acknowledged (or refused) mutation out of the outbox; `false` if it had to stay (no room to keep
/// the reason a refused entry needs attention).
pub(super) fn settle(
    store: &Store,
    mutation: &Mutation,
    outcome: &Outcome,
    duplicate: bool,
    now: i64,
) -> bool {
    let mut kept = mutation.clone();
    // The full ID number is not kept once the server has it: the receipt keeps its mask, enough to register the
    // visit again after a server restore.
    if let Some(object) = kept.args.as_object_mut()
        && let Some(number) = object
            .remove("id_number")
            .and_then(|n| n.as_str().map(str::to_owned))
        && !number.trim().is_empty()
    {
        let masked = crate::domain::visit::mask_id_number(
            &crate::domain::visit::normalize_id_number(&number),
        );
        object.insert("id_masked".into(), serde_json::Value::String(masked));
    }
    // A repeat's answer may be the first this phone hears of it (the first answer was lost), so a warning is
    // shown again rather than risk never showing it; the gate page hides one the guard already decided.
    let _ = duplicate;
    if !matches!(outcome, Outcome::Applied) {
        let attention = Attention {
            mutation: kept.clone(),
            outcome: outcome.clone(),
            at_ms: now,
        };
        if store
            .set(&format!("att.{}", mutation.id), &attention)
            .is_err()
        {
            return false;
        }
    }
    if matches!(outcome, Outcome::Rejected { .. }) {
        // A refused record's photos will never be taken: free their room (the entry itself stays in "needs
        // attention" with the reason).
        let photos = crate::domain::photo::declared_in(&mutation.args);
        if let (false, Some(user)) = (photos.is_empty(), with_engine(|e| e.local.user_id())) {
            wasm_bindgen_futures::spawn_local(async move {
                for photo in photos {
                    crate::sync::photos::forget(user, photo).await;
                }
            });
        }
    }
    if !matches!(outcome, Outcome::Rejected { .. }) {
        // Best effort: a receipt only helps after a restore from backup.
        let _ = store.set(
            &format!("rcpt.{}", mutation.id),
            &Receipt {
                mutation: kept,
                acked_at_ms: now,
            },
        );
    }
    store.remove(&format!("out.{}", mutation.id));
    true
}

/// Puts every kept receipt back in the outbox (after a restore from backup).
pub(super) fn requeue_receipts(store: &Store) {
    requeue_receipts_between(store, i64::MIN, i64::MAX);
}

/// Puts receipts with `from <= seq < to` back in the outbox; `true` if any was found.
pub(super) fn requeue_receipts_between(store: &Store, from: i64, to: i64) -> bool {
    let mut found = false;
    for key in store.keys("rcpt.") {
        let Some(receipt) = store.get::<Receipt>(&key) else {
            continue;
        };
        if (from..to).contains(&receipt.mutation.seq) {
            let pending = Pending {
                saved_at_ms: receipt.mutation.client_time_ms,
                mutation: receipt.mutation,
                hold_until_ms: None,
            };
            if store
                .set(&format!("out.{}", pending.mutation.id), &pending)
                .is_ok()
            {
                store.remove(&key);
                found = true;
            }
        }
    }
    found
}

/// Drops the rows past their table's window (visits after a month, closed tickets after a month, checks after
/// their job's weeks), with the rows that belong to them: the server stops sending them but sends no deletion,
/// and a phone must not fill its storage with last year's records. Measured on the server's clock (the phone's
/// corrected by its measured skew), as the tables' times are the server's.
pub(super) fn prune_expired(store: &Store, clock_skew_ms: i64) {
    let now = now_ms() - clock_skew_ms;
    for table in crate::sync::job::installed()
        .iter()
        .flat_map(|job| job.tables)
    {
        if table.keep == crate::sync::job::Keep::Always {
            continue;
        }
        for (id, row) in rows_of(store, table.name) {
            if table.keep.expired(&row, now) {
                remove_row(store, table.name, id);
            }
        }
    }
}

pub(super) fn trim_receipts(store: &Store) {
    let too_old = now_ms() - RECEIPT_DAYS * DAY_MS;
    for key in store.keys("rcpt.") {
        if store
            .get::<Receipt>(&key)
            .is_none_or(|r| r.acked_at_ms < too_old)
        {
            store.remove(&key);
        }
    }
}
