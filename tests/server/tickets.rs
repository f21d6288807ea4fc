//! Repair tickets through the real sync routes and the photo routes: the lifecycle, two phones changing one ticket
//! offline, many phones commenting, reassignment away, assignment rules, photos stored once, and bad input that
//! changes nothing. Each on SQLite and PostgreSQL.

use crate::harness::{TestApp, both};
use crate::phone::{Fault, Phone, outcomes};
use houqin::domain::photo::PhotoRef;
use houqin::domain::ticket::{
    Action, Base, Category, EVENT, EventArgs, REPORT, ReportArgs, Status, Urgency,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Bytes that pass for a JPEG (the server looks at the first bytes), different for each seed.
pub fn jpeg(size: usize, seed: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes
        .extend((0..size.saturating_sub(4)).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

pub fn photo_ref(bytes: &[u8]) -> PhotoRef {
    PhotoRef {
        id: Uuid::now_v7(),
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len() as i64,
    }
}

fn place_of(phone: &Phone) -> Uuid {
    phone.snapshot_ids("places")[0]
}

fn person(phone: &Phone, name: &str) -> Uuid {
    phone
        .snapshot
        .iter()
        .find(|((table, _), row)| table == "people" && row["display_name"] == name)
        .map(|((_, id), _)| *id)
        .unwrap_or_else(|| panic!("no person {name}"))
}

/// Queues a report; answers the ticket id.
pub fn report(phone: &mut Phone, category: Category, photos: Vec<PhotoRef>) -> Uuid {
    let args = ReportArgs {
        ticket_id: Uuid::now_v7(),
        place_id: place_of(phone),
        category,
        urgency: Urgency::Urgent,
        description: "三楼东侧走廊灯不亮".into(),
        photos,
        reported_at_ms: phone.clock(),
    };
    let id = args.ticket_id;
    phone.queue(REPORT, serde_json::to_value(args).unwrap());
    id
}

/// The ticket as this phone's snapshot has it.
fn ticket(phone: &Phone, id: Uuid) -> Option<Value> {
    phone.snapshot.get(&("tickets".to_owned(), id)).cloned()
}

fn base(phone: &Phone, id: Uuid) -> Base {
    let row = ticket(phone, id).expect("ticket on the phone");
    serde_json::from_value(json!({ "status": row["status"], "assignee_id": row["assignee_id"] }))
        .unwrap()
}

/// Queues a change made from the state this phone shows; answers the event id.
fn change(
    phone: &mut Phone,
    id: Uuid,
    action: Action,
    note: &str,
    extra: impl FnOnce(&mut EventArgs),
) -> Uuid {
    let mut args = EventArgs {
        event_id: Uuid::now_v7(),
        ticket_id: id,
        action,
        from: base(phone, id),
        note: note.into(),
        rating: None,
        assignee_id: None,
        photos: vec![],
    };
    extra(&mut args);
    let event = args.event_id;
    phone.queue(EVENT, serde_json::to_value(args).unwrap());
    event
}

/// A phone's timeline of one ticket, in the server's order: (event id, action, applied).
fn timeline(phone: &Phone, id: Uuid) -> Vec<(String, String, bool)> {
    let mut events: Vec<&Value> = phone
        .snapshot
        .iter()
        .filter(|((table, _), row)| table == "ticket_events" && row["ticket_id"] == id.to_string())
        .map(|(_, row)| row)
        .collect();
    events.sort_by_key(|e| (e["version"].as_i64(), e["ord"].as_i64()));
    events
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["applied"].as_bool().unwrap(),
            )
        })
        .collect()
}

pub async fn put_photo(phone: &Phone, id: Uuid, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = phone
        .browser
        .client
        .put(format!("{}/api/photos/{id}", phone.browser.base))
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn status_of(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar(&format!("SELECT status FROM tickets WHERE id = '{id}'"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// A teacher reports with a photo; the admin assigns; the worker's phone receives it, works it to done with a
/// photo; the teacher confirms and rates. Photos are served only to those who see the ticket.
async fn lifecycle_from_report_to_rated_fix(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let mut admin = Phone::new(&app, "zhuren").await;
    let mut worker = Phone::new(&app, "weixiu").await;
    let before = jpeg(300_000, 1);
    let before_ref = photo_ref(&before);
    let id = report(&mut teacher, Category::Electrical, vec![before_ref.clone()]);
    teacher.settle_all().await;
    assert_eq!(
        put_photo(&teacher, before_ref.id, before.clone()).await.0,
        StatusCode::CREATED
    );
    admin.settle_all().await;
    let weixiu = person(&admin, "赵师傅");
    change(&mut admin, id, Action::Assign, "", |a| {
        a.assignee_id = Some(weixiu)
    });
    admin.settle_all().await;
    worker.settle_all().await;
    let row = ticket(&worker, id).expect("the new ticket reached the worker's phone");
    assert_eq!(row["status"], "assigned");
    assert_eq!(row["urgency"], "urgent");
    // The worker's phone has the whole story, the report's photo marked stored.
    let photo = &worker.snapshot[&("photos".to_owned(), before_ref.id)];
    assert_eq!(photo["stored"], true);
    change(&mut worker, id, Action::Start, "", |_| {});
    worker.settle_all().await;
    let after = jpeg(200_000, 2);
    let after_ref = photo_ref(&after);
    change(&mut worker, id, Action::Done, "更换了灯管", |a| {
        a.photos = vec![after_ref.clone()]
    });
    worker.settle_all().await;
    assert_eq!(
        put_photo(&worker, after_ref.id, after.clone()).await.0,
        StatusCode::CREATED
    );
    teacher.settle_all().await;
    assert_eq!(ticket(&teacher, id).unwrap()["status"], "done");
    assert_eq!(
        teacher.snapshot[&("photos".to_owned(), after_ref.id)]["stored"],
        true
    );
    change(&mut teacher, id, Action::Confirm, "", |a| {
        a.rating = Some(5)
    });
    teacher.settle_all().await;
    assert!(teacher.attention.is_empty(), "{:?}", teacher.attention);
    assert_eq!(status_of(&app, id).await, "confirmed");
    let rating: Option<i64> =
        sqlx::query_scalar(&format!("SELECT rating FROM tickets WHERE id = '{id}'"))
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(rating, Some(5));
    let actions: Vec<String> = timeline(&teacher, id).into_iter().map(|e| e.1).collect();
    assert_eq!(actions, ["report", "assign", "start", "done", "confirm"]);
    // The reporter gets the worker's photo back byte for byte; another worker gets nothing.
    let got = teacher
        .browser
        .client
        .get(format!("{}/api/photos/{}", app.base, after_ref.id))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().to_vec(), after);
    let stranger = app.signed_in("weixiu2").await;
    let refused = stranger
        .client
        .get(format!("{}/api/photos/{}", app.base, after_ref.id))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
both!(lifecycle_from_report_to_rated_fix);

/// Two phones change one ticket offline: the first to arrive wins; the other change is kept in the timeline,
/// not applied, on every device, and its author is told. Run in both orders on two tickets.
async fn two_phones_change_one_ticket_offline(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let mut admin = Phone::new(&app, "zhuren").await;
    let mut worker = Phone::new(&app, "weixiu").await;
    let first = report(&mut teacher, Category::Plumbing, vec![]);
    let second = report(&mut teacher, Category::Plumbing, vec![]);
    teacher.settle_all().await;
    admin.settle_all().await;
    let weixiu = person(&admin, "赵师傅");
    for id in [first, second] {
        change(&mut admin, id, Action::Assign, "", |a| {
            a.assignee_id = Some(weixiu)
        });
    }
    admin.settle_all().await;
    worker.settle_all().await;
    // Both offline, from the same state: the worker finishes, the admin puts it on hold.
    let photo = jpeg(1000, 3);
    let mut worker_events = vec![];
    let mut admin_events = vec![];
    for id in [first, second] {
        worker_events.push(change(&mut worker, id, Action::Done, "修好了", |a| {
            a.photos = vec![photo_ref(&photo)]
        }));
        admin_events.push(change(&mut admin, id, Action::Hold, "等配件", |_| {}));
    }
    // The worker's phone reaches the server first, for both tickets.
    let worker_answer = worker.push(Fault::None).await.unwrap();
    let admin_answer = admin.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&worker_answer), ["applied", "applied"]);
    assert_eq!(
        outcomes(&admin_answer),
        [
            "conflict_recorded:ticket_moved",
            "conflict_recorded:ticket_moved"
        ]
    );
    assert_eq!(status_of(&app, first).await, "done");
    // Now the other order, on fresh changes from the state each phone shows.
    let third = report(&mut teacher, Category::Plumbing, vec![]);
    teacher.settle_all().await;
    admin.settle_all().await;
    change(&mut admin, third, Action::Assign, "", |a| {
        a.assignee_id = Some(weixiu)
    });
    admin.settle_all().await;
    worker.settle_all().await;
    let late_done = change(&mut worker, third, Action::Done, "修好了", |a| {
        a.photos = vec![photo_ref(&photo)]
    });
    let early_hold = change(&mut admin, third, Action::Hold, "等配件", |_| {});
    assert_eq!(
        outcomes(&admin.push(Fault::None).await.unwrap()),
        ["applied"]
    );
    assert_eq!(
        outcomes(&worker.push(Fault::None).await.unwrap()),
        ["conflict_recorded:ticket_moved"]
    );
    assert_eq!(status_of(&app, third).await, "on_hold");
    for phone in [&mut teacher, &mut admin, &mut worker] {
        phone.settle_all().await;
    }
    // Every device shows the same timeline, the losing change in it, not applied.
    for phone in [&teacher, &admin, &worker] {
        let first_line = timeline(phone, first);
        assert!(first_line.contains(&(worker_events[0].to_string(), "done".into(), true)));
        assert!(first_line.contains(&(admin_events[0].to_string(), "hold".into(), false)));
        let third_line = timeline(phone, third);
        assert!(third_line.contains(&(early_hold.to_string(), "hold".into(), true)));
        assert!(third_line.contains(&(late_done.to_string(), "done".into(), false)));
        assert_eq!(timeline(phone, first), timeline(&teacher, first));
    }
    assert_eq!(
        admin.attention.len(),
        2,
        "the admin is told both holds lost"
    );
    assert_eq!(
        worker.attention.len(),
        1,
        "the worker is told the late done lost"
    );
    // The losing done's photo is still declared: nothing anyone took is lost.
    assert_eq!(app.count("SELECT COUNT(*) FROM photos").await, 3);
}
both!(two_phones_change_one_ticket_offline);

/// Three phones add ten comments each offline: all thirty, once each, in the same order everywhere.
async fn three_phones_comment_one_ticket(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let mut admin = Phone::new(&app, "zhuren").await;
    let mut worker = Phone::new(&app, "weixiu").await;
    let id = report(&mut teacher, Category::Furniture, vec![]);
    teacher.settle_all().await;
    admin.settle_all().await;
    let weixiu = person(&admin, "赵师傅");
    change(&mut admin, id, Action::Assign, "", |a| {
        a.assignee_id = Some(weixiu)
    });
    admin.settle_all().await;
    worker.settle_all().await;
    teacher.settle_all().await;
    let mut written = vec![];
    for n in 0..10 {
        for (who, phone) in [
            ("teacher", &mut teacher),
            ("admin", &mut admin),
            ("worker", &mut worker),
        ] {
            written.push(change(
                phone,
                id,
                Action::Comment,
                &format!("{who} {n}"),
                |_| {},
            ));
        }
    }
    // Interleaved arrival, one answer lost on the way back (the phone sends again).
    worker.push(Fault::DropResponse).await.unwrap_err();
    for phone in [&mut admin, &mut teacher, &mut worker] {
        phone.settle_all().await;
    }
    for phone in [&mut admin, &mut teacher, &mut worker] {
        phone.pull(Fault::None).await.unwrap();
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = '{id}' AND action = 'comment'"
        ))
        .await,
        30
    );
    let reference = timeline(&teacher, id);
    assert_eq!(reference.len(), 32, "report, assign and thirty comments");
    for event in &written {
        assert_eq!(
            reference
                .iter()
                .filter(|e| e.0 == event.to_string())
                .count(),
            1
        );
    }
    assert_eq!(timeline(&admin, id), reference);
    assert_eq!(timeline(&worker, id), reference);
}
both!(three_phones_comment_one_ticket);

/// Reassigning a ticket away removes it from the old assignee's phone; the new one gets its whole history.
async fn reassignment_away_leaves_the_old_phone(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let mut admin = Phone::new(&app, "zhuren").await;
    let mut zhao = Phone::new(&app, "weixiu").await;
    let mut qian = Phone::new(&app, "weixiu2").await;
    let photo = jpeg(5000, 4);
    let photo = photo_ref(&photo);
    let id = report(&mut teacher, Category::DoorsLocks, vec![photo.clone()]);
    teacher.settle_all().await;
    admin.settle_all().await;
    let zhao_id = person(&admin, "赵师傅");
    let qian_id = person(&admin, "钱师傅");
    change(&mut admin, id, Action::Assign, "", |a| {
        a.assignee_id = Some(zhao_id)
    });
    admin.settle_all().await;
    zhao.settle_all().await;
    qian.settle_all().await;
    assert!(ticket(&zhao, id).is_some());
    assert!(ticket(&qian, id).is_none(), "not Qian's ticket yet");
    change(&mut admin, id, Action::Assign, "", |a| {
        a.assignee_id = Some(qian_id)
    });
    admin.settle_all().await;
    zhao.settle_all().await;
    qian.settle_all().await;
    assert!(
        ticket(&zhao, id).is_none(),
        "reassigned away: gone from Zhao's phone"
    );
    assert_eq!(
        ticket(&qian, id).unwrap()["assignee_id"],
        qian_id.to_string()
    );
    let actions: Vec<String> = timeline(&qian, id).into_iter().map(|e| e.1).collect();
    assert_eq!(
        actions,
        ["report", "assign", "assign"],
        "the whole history came with it"
    );
    assert!(qian.snapshot.contains_key(&("photos".to_owned(), photo.id)));
    // Zhao, who was offline, finishes it anyway: kept in the timeline, not applied, and he is told.
    let mut zhao_late = Phone::new(&app, "weixiu").await;
    zhao_late.snapshot.insert(
        ("tickets".into(), id),
        json!({ "status": "assigned", "assignee_id": zhao_id }),
    );
    change(&mut zhao_late, id, Action::Done, "修好了", |a| {
        a.photos = vec![photo_ref(&jpeg(900, 5))]
    });
    // His comment written offline is kept too, though the ticket is no longer his.
    let comment = change(&mut zhao_late, id, Action::Comment, "锁芯已订货", |_| {});
    let answer = zhao_late.push(Fault::None).await.unwrap();
    assert_eq!(
        outcomes(&answer),
        ["conflict_recorded:ticket_moved", "applied"]
    );
    qian.settle_all().await;
    assert!(timeline(&qian, id).contains(&(comment.to_string(), "comment".into(), true)));
    assert_eq!(status_of(&app, id).await, "assigned");
}
both!(reassignment_away_leaves_the_old_phone);

/// An assignment rule sends a new electrical ticket straight to its worker's phone.
async fn rule_assigns_new_tickets(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let (status, rules) = admin.call("repair_tickets/rules", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    let zhao = rules["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w[1] == "赵师傅")
        .map(|w| w[0].clone())
        .unwrap();
    let (status, body) = admin
        .call(
            "repair_tickets/set_rule",
            json!({ "category": "electrical", "assignee": zhao }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A teacher cannot set rules, nor name someone who does not do repairs.
    let teacher_browser = app.signed_in("jiaozhigong").await;
    let (status, _) = teacher_browser
        .call(
            "repair_tickets/set_rule",
            json!({ "category": "plumbing", "assignee": zhao }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = admin
        .call(
            "repair_tickets/set_rule",
            json!({ "category": "plumbing", "assignee": Uuid::now_v7() }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let mut worker = Phone::new(&app, "weixiu").await;
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let electrical = report(&mut teacher, Category::Electrical, vec![]);
    let plumbing = report(&mut teacher, Category::Plumbing, vec![]);
    teacher.settle_all().await;
    worker.pull(Fault::None).await.unwrap();
    assert_eq!(
        ticket(&worker, electrical).expect("assigned by the rule")["status"],
        "assigned"
    );
    assert!(ticket(&worker, plumbing).is_none(), "no rule for plumbing");
    assert_eq!(ticket(&teacher, electrical).unwrap()["status"], "assigned");
}
both!(rule_assigns_new_tickets);

/// Sends `bytes` with a Content-Length for all of them but stops halfway and hangs up, as a phone losing its
/// signal does.
async fn cut_upload(app: &TestApp, phone: &Phone, id: Uuid, bytes: &[u8]) {
    use tokio::io::AsyncWriteExt;
    let host = app.base.trim_start_matches("http://").to_owned();
    let token = phone.browser.cookie_header();
    assert!(!token.is_empty(), "the phone holds a session cookie");
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "PUT /api/photos/{id} HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nCookie: {token}\r\n\r\n",
        bytes.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&bytes[..bytes.len() / 2]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(stream);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

fn stored_files(app: &TestApp) -> usize {
    walk(&app.data_dir().join("photos"))
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() { walk(&path) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Photos: the same bytes twice are stored once; other bytes under the id are refused; a cut upload leaves
/// nothing and completes when sent again; only an image, only the declared size, only by whoever declared it.
async fn photos_are_stored_once_and_checked(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let good = jpeg(400_000, 6);
    let cut = jpeg(600_000, 7);
    let pdf = {
        let mut b = b"%PDF-1.7 ".to_vec();
        b.extend(vec![b'x'; 2000]);
        b
    };
    let (good_ref, cut_ref, pdf_ref) = (photo_ref(&good), photo_ref(&cut), photo_ref(&pdf));
    report(
        &mut teacher,
        Category::Building,
        vec![good_ref.clone(), cut_ref.clone(), pdf_ref.clone()],
    );
    teacher.settle_all().await;
    assert_eq!(stored_files(&app), 0);
    assert_eq!(
        put_photo(&teacher, good_ref.id, good.clone()).await.0,
        StatusCode::CREATED
    );
    let (status, body) = put_photo(&teacher, good_ref.id, good.clone()).await;
    assert_eq!(
        (status, body["duplicate"].clone()),
        (StatusCode::OK, json!(true))
    );
    assert_eq!(stored_files(&app), 1, "stored once");
    let (status, body) = put_photo(&teacher, good_ref.id, jpeg(400_000, 8)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!("conflict"))
    );
    let (status, body) = put_photo(&teacher, pdf_ref.id, pdf).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, json!("not_an_image"))
    );
    let (status, _) = put_photo(&teacher, cut_ref.id, jpeg(600_001, 7)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "more than declared");
    let (status, _) = put_photo(&teacher, Uuid::now_v7(), good.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no record declares it");
    let other = Phone::new(&app, "weixiu").await;
    assert_eq!(
        put_photo(&other, cut_ref.id, cut.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    // Cut halfway: nothing kept, nothing half written left behind.
    cut_upload(&app, &teacher, cut_ref.id, &cut).await;
    assert_eq!(stored_files(&app), 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM photos WHERE id = '{}' AND stored_at IS NOT NULL",
            cut_ref.id
        ))
        .await,
        0
    );
    assert_eq!(
        put_photo(&teacher, cut_ref.id, cut.clone()).await.0,
        StatusCode::CREATED
    );
    assert_eq!(stored_files(&app), 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM photos WHERE stored_at IS NOT NULL")
            .await,
        2
    );
    // A photo declared larger than the server takes is refused with its record.
    let huge = PhotoRef {
        size: houqin::domain::photo::PHOTO_MAX_BYTES + 1,
        ..photo_ref(&good)
    };
    report(&mut teacher, Category::Building, vec![huge]);
    let answer = teacher.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["rejected:invalid"]);
    assert_eq!(
        answer["results"][0]["outcome"]["fields"][0]["field"],
        "photos"
    );
}
both!(photos_are_stored_once_and_checked);

/// Bad input gets a clear refusal and changes nothing: an unknown place, an empty description, a transition the
/// state machine forbids, a worker closing someone else's ticket, a role that does not report.
async fn bad_input_changes_nothing(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let mut admin = Phone::new(&app, "zhuren").await;
    let id = report(&mut teacher, Category::Other, vec![]);
    teacher.settle_all().await;
    admin.settle_all().await;
    let zhao = person(&admin, "赵师傅");
    change(&mut admin, id, Action::Assign, "", |a| {
        a.assignee_id = Some(zhao)
    });
    admin.settle_all().await;
    teacher.settle_all().await;
    let events_before = app.count("SELECT COUNT(*) FROM ticket_events").await;
    let tickets_before = app.count("SELECT COUNT(*) FROM tickets").await;
    let version_of = |app: &TestApp| {
        let sql = format!("SELECT version FROM tickets WHERE id = '{id}'");
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let ticket_version = version_of(&app).await;
    // Unknown place; empty description.
    let mut unknown_place = ReportArgs {
        ticket_id: Uuid::now_v7(),
        place_id: Uuid::now_v7(),
        category: Category::Other,
        urgency: Urgency::Low,
        description: "坏了".into(),
        photos: vec![],
        reported_at_ms: teacher.clock(),
    };
    teacher.queue(REPORT, serde_json::to_value(&unknown_place).unwrap());
    unknown_place.ticket_id = Uuid::now_v7();
    unknown_place.place_id = place_of(&teacher);
    unknown_place.description = "   ".into();
    teacher.queue(REPORT, serde_json::to_value(&unknown_place).unwrap());
    // The reporter confirms a ticket that is not done; and cancels one already assigned.
    change(&mut teacher, id, Action::Confirm, "", |a| {
        a.rating = Some(4)
    });
    change(&mut teacher, id, Action::Cancel, "", |_| {});
    let answer = teacher.push(Fault::None).await.unwrap();
    assert_eq!(
        outcomes(&answer),
        [
            "rejected:invalid",
            "rejected:invalid",
            "rejected:transition_forbidden",
            "rejected:transition_forbidden"
        ]
    );
    assert_eq!(
        answer["results"][0]["outcome"]["fields"][0]["field"],
        "place_id"
    );
    assert_eq!(
        answer["results"][1]["outcome"]["fields"][0]["field"],
        "description"
    );
    // Another worker closes Zhao's ticket.
    let mut qian = Phone::new(&app, "weixiu2").await;
    let qian_id = person(&qian, "钱师傅");
    qian.snapshot.insert(
        ("tickets".into(), id),
        json!({ "status": "assigned", "assignee_id": zhao }),
    );
    change(&mut qian, id, Action::Done, "修好了", |a| {
        a.photos = vec![photo_ref(&jpeg(100, 9))]
    });
    change(&mut qian, id, Action::Comment, "我来看看", |_| {});
    // Claiming to have seen the ticket assigned to himself does not make it his.
    change(&mut qian, id, Action::Hold, "等配件", |a| {
        a.from.assignee_id = Some(qian_id)
    });
    assert_eq!(
        outcomes(&qian.push(Fault::None).await.unwrap()),
        [
            "rejected:forbidden",
            "rejected:forbidden",
            "rejected:forbidden"
        ]
    );
    // A student cleaning inspector does not report repairs; a done without its photo is refused with the field named.
    let mut inspector = Phone::new(&app, "jianduyuan").await;
    report(&mut inspector, Category::Other, vec![]);
    assert_eq!(
        outcomes(&inspector.push(Fault::None).await.unwrap()),
        ["rejected:forbidden"]
    );
    let mut zhao_phone = Phone::new(&app, "weixiu").await;
    change(&mut zhao_phone, id, Action::Done, "修好了", |_| {});
    let answer = zhao_phone.push(Fault::None).await.unwrap();
    assert_eq!(outcomes(&answer), ["rejected:invalid"]);
    assert_eq!(
        answer["results"][0]["outcome"]["fields"][0]["field"],
        "photos"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM ticket_events").await,
        events_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tickets").await,
        tickets_before
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM photos").await, 0);
    assert_eq!(version_of(&app).await, ticket_version);
    assert_eq!(status_of(&app, id).await, Status::Assigned.code());
}
both!(bad_input_changes_nothing);

/// The repair log and its CSV list the month's tickets; the stats count them; neither is open to a teacher.
async fn repair_log_and_stats(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    report(&mut teacher, Category::Electrical, vec![]);
    report(&mut teacher, Category::Plumbing, vec![]);
    teacher.settle_all().await;
    let month = houqin::domain::clock::month(
        houqin::server::db::now_ms(),
        houqin::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
    );
    let admin = app.signed_in("zhuren").await;
    let (status, log) = admin
        .call("repair_tickets/log", json!({ "month": month }))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert_eq!(log["rows"].as_array().unwrap().len(), 2);
    assert_eq!(log["rows"][0]["reporter"], "孙老师");
    let (status, stats) = admin
        .call("repair_tickets/stats", json!({ "month": month }))
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let electrical = stats["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[0] == "electrical")
        .unwrap();
    let reported = electrical[1]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "reported")
        .unwrap();
    assert_eq!(reported[1], 1);
    let (status, body) = admin
        .call("repair_tickets/log", json!({ "month": "2026-13" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let csv = admin
        .client
        .get(format!(
            "{}/api/repair-tickets/log.csv?month={month}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("三楼东侧走廊灯不亮") && text.contains("水暖"));
    let xlsx = crate::exports::xlsx_rows(
        &admin,
        &format!("/api/repair-tickets/log.xlsx?month={month}"),
    )
    .await;
    assert_eq!(xlsx.len(), text.lines().count(), "{xlsx:?}");
    assert!(
        xlsx.iter().any(|row| row.contains(&"水暖".to_owned())),
        "the screen's words: {xlsx:?}"
    );
    let (status, _) = teacher
        .browser
        .call("repair_tickets/log", json!({ "month": month }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let refused = teacher
        .browser
        .client
        .get(format!(
            "{}/api/repair-tickets/log.csv?month={month}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
both!(repair_log_and_stats);

/// References are checked by the handler (a comment naming a person who does not exist, a report reusing an
/// event's id from an earlier push), and rows the database refuses for a reason no handler foresaw (here a
/// constraint added by the test) reject their own entry: the entries after them are applied, and nothing waits
/// behind a gap.
async fn an_entry_the_database_refuses_is_rejected_and_the_outbox_moves_on(app: TestApp) {
    let mut teacher = Phone::new(&app, "jiaozhigong").await;
    let id = report(&mut teacher, Category::Electrical, vec![]);
    teacher.settle_all().await;
    let earlier = change(&mut teacher, id, Action::Comment, "先记一笔", |_| {});
    teacher.settle_all().await;
    let nobody = Uuid::now_v7();
    let comment = change(&mut teacher, id, Action::Comment, "谁来修？", |a| {
        a.assignee_id = Some(nobody)
    });
    let second = report(&mut teacher, Category::Electrical, vec![]);
    // A report whose id is an event's, sent in an earlier push.
    let mut reused =
        serde_json::from_value::<ReportArgs>(teacher.outbox.values().last().unwrap().args.clone())
            .unwrap();
    reused.ticket_id = earlier;
    teacher.queue(REPORT, serde_json::to_value(&reused).unwrap());
    // A constraint the handlers know nothing about, as a future schema or a database's own limit might add.
    let refuse = if app.database_url.starts_with("postgres") {
        vec![
            "CREATE FUNCTION refuse_note() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END; $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_note BEFORE INSERT ON ticket_events FOR EACH ROW \
             WHEN (NEW.note = '拒收') EXECUTE FUNCTION refuse_note()",
        ]
    } else {
        vec![
            "CREATE TRIGGER refuse_note BEFORE INSERT ON ticket_events WHEN NEW.note = '拒收' \
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ]
    };
    for statement in refuse {
        sqlx::query(statement).execute(&app.db.pool).await.unwrap();
    }
    let refused = change(&mut teacher, id, Action::Comment, "拒收", |_| {});
    let after = change(&mut teacher, id, Action::Comment, "还是不亮", |_| {});
    let answer = teacher
        .push(Fault::None)
        .await
        .expect("the batch is answered");
    let outcomes = outcomes(&answer);
    let stored = |event: Uuid| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!(
                "SELECT COUNT(*) FROM ticket_events WHERE id = '{event}'"
            ))
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        outcomes,
        [
            "rejected:invalid",
            "applied",
            "rejected:already_registered",
            "rejected:not_stored",
            "applied"
        ],
        "{answer}"
    );
    assert!(answer.to_string().contains("assignee_id"), "{answer}");
    assert_eq!(stored(comment).await, 0);
    assert_eq!(stored(refused).await, 0);
    assert_eq!(stored(after).await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM tickets WHERE id = '{second}'"
        ))
        .await,
        1
    );
    // Everything was answered: nothing is left to retry.
    teacher.settle_all().await;
    assert!(teacher.outbox.is_empty());
}
both!(an_entry_the_database_refuses_is_rejected_and_the_outbox_moves_on);
