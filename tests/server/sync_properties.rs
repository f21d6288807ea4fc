//! Random fault schedules (proptest): three guard phones register visitors, sign them out, push through lost
//! requests, lost answers and batches cut off at random points, push the same batch twice at once, and pull.
//! After each schedule every phone syncs without faults and the ledger oracle (L1–L4) must hold.
//!
//! `PROPTEST_CASES` sets the number of schedules per database (default 1000). The phones live across
//! schedules, so each schedule starts where the last one left the server and the phones.

use crate::harness::{Backend, TestApp};
use crate::phone::{Fault, Phone, assert_ledger};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::sync::Arc;
use tokio::sync::Mutex;

#[derive(Debug, Clone)]
enum Step {
    Register(usize),
    SignOut(usize, usize),
    Push(usize, Fault),
    Pull(usize, Fault),
    PushTwiceAtOnce(usize),
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        4 => Just(Fault::None),
        1 => Just(Fault::DropRequest),
        1 => Just(Fault::DropResponse),
        2 => (0u64..4000).prop_map(Fault::CancelAfterMicros),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let phone = 0usize..3;
    prop_oneof![
        4 => phone.clone().prop_map(Step::Register),
        2 => (phone.clone(), any::<usize>()).prop_map(|(p, pick)| Step::SignOut(p, pick)),
        4 => (phone.clone(), fault()).prop_map(|(p, f)| Step::Push(p, f)),
        2 => (phone.clone(), fault()).prop_map(|(p, f)| Step::Pull(p, f)),
        1 => phone.prop_map(Step::PushTwiceAtOnce),
    ]
}

async fn run_schedule(app: &TestApp, phones: &mut [Phone], schedule: &[Step]) {
    for phone in phones.iter_mut() {
        phone.forget_history();
    }
    for (n, step) in schedule.iter().enumerate() {
        match step {
            Step::Register(p) => {
                phones[*p].register(&format!("访客{n}"));
            }
            Step::SignOut(p, pick) => {
                let phone = &mut phones[*p];
                let known: Vec<uuid::Uuid> = phone.snapshot_ids("visits");
                if !known.is_empty() {
                    let visit = known[pick % known.len()];
                    phone.sign_out(visit);
                }
            }
            Step::Push(p, fault) => {
                let _ = phones[*p].push(*fault).await;
            }
            Step::Pull(p, fault) => {
                let _ = phones[*p].pull(*fault).await;
            }
            Step::PushTwiceAtOnce(p) => {
                let phone = &mut phones[*p];
                if phone.outbox.is_empty() {
                    continue;
                }
                let body = phone.push_body(100);
                let url = format!("{}/api/sync/push", phone.browser.base);
                let send = || phone.browser.client.post(&url).json(&body).send();
                let (a, _) = tokio::join!(send(), send());
                if let Ok(response) = a
                    && response.status().is_success()
                    && let Ok(answer) = response.json::<serde_json::Value>().await
                {
                    phone.settle(&answer);
                }
            }
        }
    }
    for phone in phones.iter_mut() {
        phone.settle_all().await;
    }
    // A last pull on every phone, so each sees the others' final pushes.
    for phone in phones.iter_mut() {
        phone.pull(Fault::None).await.expect("pull");
    }
    assert_ledger(app, phones).await;
}

fn random_fault_schedules_keep_the_ledger(backend: Backend) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, phones) = runtime.block_on(async {
        let app = TestApp::start(backend).await;
        let mut phones = Vec::new();
        for user in ["menwei", "menwei2", "zhuren"] {
            phones.push(Phone::new(&app, user).await);
        }
        (app, phones)
    });
    let phones = Arc::new(Mutex::new(phones));
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let started = std::time::Instant::now();
    let result = runner.run(&prop::collection::vec(step(), 1..24), |schedule| {
        let phones = phones.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(async {
                let mut phones = phones.lock().await;
                run_schedule(&app, &mut phones, &schedule).await;
            })
        }));
        outcome.map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            TestCaseError::fail(message)
        })
    });
    eprintln!(
        "{backend:?}: {cases} random fault schedules in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn random_fault_schedules_keep_the_ledger_on_sqlite() {
    random_fault_schedules_keep_the_ledger(Backend::Sqlite);
}

#[test]
fn random_fault_schedules_keep_the_ledger_on_postgres() {
    random_fault_schedules_keep_the_ledger(Backend::Postgres);
}
