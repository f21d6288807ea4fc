//! A guard's phone as the sync contract sees it: an outbox numbered in order, receipts kept for a restore, a
//! snapshot with a cursor. It speaks the real `/api/sync/` routes, optionally through a fault, and records every
//! entity and mutation it created so the ledger oracle (L1–L4 of sync.md) can be checked at the end.

use crate::harness::{Browser, TestApp};
use houqin::domain::sync::{Mutation, PROTOCOL, SCHEMA_VERSION};
use houqin::domain::visit::{IdType, SIGN_IN, SIGN_OUT, SignInArgs, SignOutArgs};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    DropRequest,
    DropResponse,
    CancelAfterMicros(u64),
}

impl Fault {
    fn header(self) -> Option<String> {
        match self {
            Fault::None => None,
            Fault::DropRequest => Some("drop-request".into()),
            Fault::DropResponse => Some("drop-response".into()),
            Fault::CancelAfterMicros(us) => Some(format!("cancel-after-us={us}")),
        }
    }
}

pub struct Phone {
    pub browser: Browser,
    pub client_id: Uuid,
    next_seq: i64,
    pub outbox: BTreeMap<i64, Mutation>,
    pub receipts: BTreeMap<i64, Mutation>,
    /// (mutation, outcome) the server refused or flagged.
    pub attention: Vec<(Mutation, Value)>,
    pub snapshot: BTreeMap<(String, Uuid), Value>,
    pub cursor: i64,
    pub epoch: String,
    pub scope: String,
    accept_gap_from: Option<i64>,
    /// Offset added to this phone's clock (a phone an hour or a year off).
    pub clock_offset_ms: i64,
    pub created_visits: Vec<Uuid>,
    pub created_sign_outs: Vec<Uuid>,
    pub created_mutations: Vec<Uuid>,
    pub host: Uuid,
}

fn now_ms() -> i64 {
    houqin::server::db::now_ms()
}

/// The outcome of each result of a push answer: `applied`, or `rejected:<code>`.
pub fn outcomes(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let o = &r["outcome"];
            match o["code"].as_str() {
                Some(code) => format!("{}:{code}", o["status"].as_str().unwrap()),
                None => o["status"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

impl Phone {
    /// A phone signed in as `username`, with its first pull done (so it knows the epoch and the hosts).
    pub async fn new(app: &TestApp, username: &str) -> Phone {
        Phone::with_browser(app.signed_in(username).await).await
    }

    /// A new outbox namespace (a fresh install) in an already signed-in browser.
    pub async fn with_browser(browser: Browser) -> Phone {
        let mut phone = Phone {
            browser,
            client_id: Uuid::now_v7(),
            next_seq: 1,
            outbox: BTreeMap::new(),
            receipts: BTreeMap::new(),
            attention: Vec::new(),
            snapshot: BTreeMap::new(),
            cursor: 0,
            epoch: String::new(),
            scope: String::new(),
            accept_gap_from: None,
            clock_offset_ms: 0,
            created_visits: Vec::new(),
            created_sign_outs: Vec::new(),
            created_mutations: Vec::new(),
            host: Uuid::nil(),
        };
        phone.pull(Fault::None).await.expect("first pull");
        phone.host = phone
            .snapshot
            .keys()
            .find(|(table, _)| table == "people")
            .map(|(_, id)| *id)
            .unwrap_or_default();
        phone
    }

    pub fn clock(&self) -> i64 {
        now_ms() + self.clock_offset_ms
    }

    /// Queues a mutation, numbered at once (the browser numbers just before the first push; same order).
    pub fn queue(&mut self, name: &str, args: Value) -> Uuid {
        let mutation = Mutation {
            id: Uuid::now_v7(),
            seq: self.next_seq,
            name: name.into(),
            args,
            client_time_ms: self.clock(),
        };
        self.next_seq += 1;
        self.created_mutations.push(mutation.id);
        let id = mutation.id;
        self.outbox.insert(mutation.seq, mutation);
        id
    }

    pub fn sign_in_args(&self, name: &str) -> SignInArgs {
        SignInArgs {
            visit_id: Uuid::now_v7(),
            visitor_name: name.into(),
            phone: "13800138000".into(),
            id_type: IdType::ResidentCard,
            id_number: "11010519491231002X".into(),
            id_from_visit: None,
            id_masked: None,
            id_sealed: None,
            organisation: "市教育局".into(),
            host_user_id: Some(self.host),
            host_place_id: None,
            reason: "检查".into(),
            party_size: 1,
            plate: String::new(),
            time_in_ms: self.clock(),
            gate_id: None,
        }
    }

    /// Registers a visitor offline; returns the visit id.
    pub fn register(&mut self, name: &str) -> Uuid {
        let args = self.sign_in_args(name);
        let visit = args.visit_id;
        self.queue(SIGN_IN, serde_json::to_value(args).unwrap());
        self.created_visits.push(visit);
        visit
    }

    pub fn sign_out(&mut self, visit: Uuid) -> Uuid {
        let args = SignOutArgs {
            sign_out_id: Uuid::now_v7(),
            visit_id: visit,
            time_out_ms: self.clock(),
        };
        let id = args.sign_out_id;
        self.queue(SIGN_OUT, serde_json::to_value(args).unwrap());
        self.created_sign_outs.push(id);
        id
    }

    async fn post(
        &self,
        path: &str,
        body: &Value,
        fault: Fault,
    ) -> Result<(StatusCode, Value), ()> {
        let mut request = self
            .browser
            .client
            .post(format!("{}/api/sync/{path}", self.browser.base))
            .json(body);
        if let Some(header) = fault.header() {
            request = request.header("x-fault", header);
        }
        let response = request.send().await.map_err(|_| ())?;
        let status = response.status();
        if status == StatusCode::BAD_GATEWAY {
            return Err(());
        }
        let text = response.text().await.map_err(|_| ())?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// The push request for the first `limit` items of the outbox.
    /// Forgets what this phone created (the oracle checks a new stretch of history).
    pub fn forget_history(&mut self) {
        self.created_visits.clear();
        self.created_sign_outs.clear();
        self.created_mutations.clear();
        self.attention.clear();
    }

    pub fn push_body(&mut self, limit: usize) -> Value {
        let batch: Vec<&Mutation> = self.outbox.values().take(limit).collect();
        json!({
            "protocol": PROTOCOL, "app_build": "test", "schema_version": SCHEMA_VERSION,
            "client_id": self.client_id, "epoch": self.epoch, "sent_at_ms": self.clock(),
            "accept_gap_from": self.accept_gap_from.take(), "mutations": batch,
            "numbered_through": self.next_seq - 1,
        })
    }

    /// One push of up to 100 items. `Err` when the answer did not arrive (the outbox is unchanged).
    pub async fn push(&mut self, fault: Fault) -> Result<Value, StatusCode> {
        if self.outbox.is_empty() {
            return Ok(json!({ "results": [] }));
        }
        let body = self.push_body(100);
        let (status, answer) = self
            .post("push", &body, fault)
            .await
            .map_err(|()| StatusCode::BAD_GATEWAY)?;
        if status == StatusCode::CONFLICT && answer["code"] == "epoch_changed" {
            // Restored from a backup: resend what was acknowledged lately, start the snapshot over.
            self.requeue_receipts(i64::MIN, i64::MAX);
            self.epoch.clear();
            self.cursor = 0;
            return Err(status);
        }
        if status != StatusCode::OK {
            return Err(status);
        }
        self.settle(&answer);
        Ok(answer)
    }

    /// Applies a push answer: acknowledged items leave the outbox, refused ones go to attention.
    pub fn settle(&mut self, answer: &Value) {
        for result in answer["results"].as_array().into_iter().flatten() {
            let seq = result["seq"].as_i64().unwrap();
            let Some(mutation) = self.outbox.get(&seq).cloned() else {
                continue;
            };
            if mutation.id.to_string() != result["id"].as_str().unwrap() {
                continue;
            }
            let status = result["outcome"]["status"].as_str().unwrap();
            if status != "applied" {
                self.attention
                    .push((mutation.clone(), result["outcome"].clone()));
            }
            if status != "rejected" {
                // Like the browser: a receipt keeps the ID number's mask, never the number.
                let mut kept = mutation.clone();
                if let Some(object) = kept.args.as_object_mut()
                    && let Some(number) = object
                        .remove("id_number")
                        .and_then(|n| n.as_str().map(str::to_owned))
                    && !number.is_empty()
                {
                    let masked = houqin::domain::visit::mask_id_number(
                        &houqin::domain::visit::normalize_id_number(&number),
                    );
                    object.insert("id_masked".into(), Value::String(masked));
                }
                self.receipts.insert(seq, kept);
            }
            self.outbox.remove(&seq);
        }
        if let Some(gap) = answer.get("gap").filter(|g| !g.is_null()) {
            let (expected, got) = (
                gap["expected"].as_i64().unwrap(),
                gap["got"].as_i64().unwrap(),
            );
            if !self.requeue_receipts(expected, got) {
                self.accept_gap_from = Some(expected);
            }
        }
    }

    fn requeue_receipts(&mut self, from: i64, to: i64) -> bool {
        let seqs: Vec<i64> = self.receipts.range(from..to).map(|(s, _)| *s).collect();
        for seq in &seqs {
            let mutation = self.receipts.remove(seq).unwrap();
            self.outbox.insert(*seq, mutation);
        }
        !seqs.is_empty()
    }

    /// Pulls every page. `Err` when an answer did not arrive.
    pub async fn pull(&mut self, fault: Fault) -> Result<(), StatusCode> {
        loop {
            let body = json!({
                "protocol": PROTOCOL, "app_build": "test", "schema_version": SCHEMA_VERSION,
                "client_id": self.client_id, "epoch": self.epoch, "cursor": self.cursor, "scope": self.scope,
                "numbered_through": self.next_seq - 1,
            });
            let (status, page) = self
                .post("pull", &body, fault)
                .await
                .map_err(|()| StatusCode::BAD_GATEWAY)?;
            if status != StatusCode::OK {
                return Err(status);
            }
            if page["reset"] == true {
                self.snapshot.clear();
            }
            if !self.epoch.is_empty() && page["epoch"] != self.epoch.as_str() {
                self.requeue_receipts(i64::MIN, i64::MAX);
            }
            for op in page["ops"].as_array().unwrap() {
                let key = (
                    op["table"].as_str().unwrap().to_owned(),
                    Uuid::parse_str(op["id"].as_str().unwrap()).unwrap(),
                );
                match op["op"].as_str().unwrap() {
                    "put" => {
                        self.snapshot.insert(key, op["row"].clone());
                    }
                    _ => {
                        self.snapshot.remove(&key);
                    }
                }
            }
            self.epoch = page["epoch"].as_str().unwrap().to_owned();
            self.scope = page["scope"].as_str().unwrap().to_owned();
            self.cursor = page["cursor"].as_i64().unwrap();
            if page["has_more"] != true {
                return Ok(());
            }
        }
    }

    /// Syncs with no faults until the outbox is empty and the snapshot is current.
    pub async fn settle_all(&mut self) {
        let mut last = String::new();
        for _ in 0..50 {
            let _ = self.pull(Fault::None).await;
            match self.push(Fault::None).await {
                Ok(_) if self.outbox.is_empty() => {
                    self.pull(Fault::None).await.expect("final pull");
                    return;
                }
                Ok(answer) => last = answer.to_string(),
                Err(status) => last = status.to_string(),
            }
        }
        panic!(
            "outbox never drained: {:?}; last answer {last}",
            self.outbox.keys().collect::<Vec<_>>()
        );
    }

    pub fn snapshot_ids(&self, table: &str) -> Vec<Uuid> {
        self.snapshot
            .keys()
            .filter(|(t, _)| t == table)
            .map(|(_, id)| *id)
            .collect()
    }
}

/// Checks the ledger oracle for `phones` once all are idle: (L1) every visit and sign-out they created exists
/// on the server exactly once, (L2) every mutation reached one final state exactly once, (L3) each phone's
/// snapshot of visits and sign-outs equals the server's, (L4) outboxes are empty.
pub async fn assert_ledger(app: &TestApp, phones: &[Phone]) {
    for phone in phones {
        assert!(phone.outbox.is_empty(), "L4: outbox empty");
        for visit in &phone.created_visits {
            let n = app
                .count(&format!("SELECT COUNT(*) FROM visits WHERE id = '{visit}'"))
                .await;
            assert_eq!(n, 1, "L1: visit {visit} exists exactly once");
        }
        for sign_out in &phone.created_sign_outs {
            let n = app
                .count(&format!(
                    "SELECT COUNT(*) FROM visit_sign_outs WHERE id = '{sign_out}'"
                ))
                .await;
            assert_eq!(n, 1, "L1: sign-out {sign_out} exists exactly once");
        }
        for mutation in &phone.created_mutations {
            let n = app
                .count(&format!(
                    "SELECT COUNT(*) FROM sync_mutations WHERE id = '{mutation}'"
                ))
                .await;
            assert_eq!(n, 1, "L2: mutation {mutation} has exactly one receipt");
        }
    }
    let server_visits: Vec<String> =
        sqlx::query_scalar("SELECT id FROM visits WHERE purged_at IS NULL ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    let server_sign_outs: Vec<String> =
        sqlx::query_scalar("SELECT id FROM visit_sign_outs ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    for phone in phones {
        let mut visits: Vec<String> = phone
            .snapshot_ids("visits")
            .iter()
            .map(Uuid::to_string)
            .collect();
        visits.sort();
        assert_eq!(
            visits, server_visits,
            "L3: the phone's visits are the server's"
        );
        let mut sign_outs: Vec<String> = phone
            .snapshot_ids("visit_sign_outs")
            .iter()
            .map(Uuid::to_string)
            .collect();
        sign_outs.sort();
        assert_eq!(
            sign_outs, server_sign_outs,
            "L3: the phone's sign-outs are the server's"
        );
    }
}
