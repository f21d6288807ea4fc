//! The roll-over worked out against the database. The preview reads one snapshot and writes nothing; applying
//! reads the classes again inside its write transaction, refuses a plan made from classes that have changed
//! since, a teacher or zone no longer active, or a second roll-over into the same term, and otherwise writes
//! everything — classes, their cleaning zones, the league's term, the record of the roll-over and its audit
//! entry — or nothing.

use super::{DoneAlready, GraduatingClass, MovingClass, NewClass, TermDone, TermPlan, TermPreview};
use crate::domain::SchoolClassInput;
use crate::domain::school_class::chinese_name;
use crate::domain::term::{fingerprint, next_grade};
use crate::error::{AppError, Checks, Problem};
use crate::features::cleaning_scores::db as cleaning;
use crate::features::directory::db::school_classes::{self, ActiveClass, active_classes};
use crate::server::db::{Db, Deactivatable, bump_version, now_ms, set_row_active, uuid};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The ids of the active rows of `table` (people or places: who may teach a class, where it may clean).
async fn active_ids(
    conn: &mut AnyConnection,
    table: &'static str,
) -> Result<HashSet<Uuid>, sqlx::Error> {
    sqlx::query_scalar::<_, String>(&format!("SELECT id FROM {table} WHERE active = 1"))
        .fetch_all(conn)
        .await?
        .iter()
        .map(|id| uuid(id))
        .collect()
}

/// The roll-over into this term or a later one, if one was made: the latest of them.
async fn done_already(
    conn: &mut AnyConnection,
    term_start: &str,
) -> Result<Option<DoneAlready>, sqlx::Error> {
    let latest: Option<(String, i64)> = sqlx::query_as(
        "SELECT term_start, rolled_over_at FROM term_rollovers ORDER BY term_start DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    Ok(latest
        .filter(|(latest, _)| latest.as_str() >= term_start)
        .map(|(term_start, at)| DoneAlready { term_start, at }))
}

fn fingerprint_of(classes: &[ActiveClass]) -> String {
    let pairs: Vec<(Uuid, i64)> = classes.iter().map(|c| (c.id, c.version)).collect();
    fingerprint(&pairs)
}

pub async fn preview(
    db: &Db,
    term_start: String,
    new_classes: Option<i64>,
) -> Result<TermPreview, AppError> {
    let mut tx = db.begin_snapshot().await?;
    let classes = active_classes(&mut tx).await?;
    let places = active_ids(&mut tx, "places").await?;
    // Every person's name (a teacher no longer active is still named), and who is active: one read.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut people: HashSet<Uuid> = HashSet::new();
    for (id, name, active) in
        sqlx::query_as::<_, (String, String, i64)>("SELECT id, display_name, active FROM users")
            .fetch_all(&mut *tx)
            .await?
    {
        if active == 1 {
            people.insert(uuid(&id)?);
        }
        names.insert(id, name);
    }
    let current_term_start = cleaning::settings(&mut tx).await?.term_start;
    let done_already = done_already(&mut tx, &term_start).await?;
    tx.rollback().await?;
    let still = |id: Option<Uuid>, active: &HashSet<Uuid>| id.filter(|id| active.contains(id));
    let moving: Vec<MovingClass> = classes
        .iter()
        .filter(|c| next_grade(c.grade).is_some())
        .map(|c| MovingClass {
            class_id: c.id,
            grade: c.grade,
            number: c.number,
            teacher_id: still(c.teacher, &people),
            zone_id: still(c.zone, &places),
            teacher_left: c.teacher.is_some() && still(c.teacher, &people).is_none(),
            zone_left: c.zone.is_some() && still(c.zone, &places).is_none(),
        })
        .collect();
    let leaving: Vec<&ActiveClass> = classes
        .iter()
        .filter(|c| next_grade(c.grade).is_none())
        .collect();
    let count = new_classes.unwrap_or(leaving.len() as i64);
    // A new 一年级 class is offered the zone the graduating class with its number kept: someone must keep it.
    let new_classes = (1..=count)
        .map(|number| NewClass {
            teacher_id: None,
            zone_id: still(
                leaving
                    .iter()
                    .find(|c| c.number == number)
                    .and_then(|c| c.zone),
                &places,
            ),
        })
        .collect();
    Ok(TermPreview {
        fingerprint: fingerprint_of(&classes),
        term_start,
        current_term_start,
        done_already,
        moving,
        graduating: leaving
            .iter()
            .map(|c| GraduatingClass {
                class_id: c.id,
                number: c.number,
                teacher_name: c.teacher.and_then(|t| names.get(&t.to_string()).cloned()),
            })
            .collect(),
        new_classes,
    })
}

pub async fn apply(db: &Db, plan: TermPlan, by: Uuid) -> Result<TermDone, AppError> {
    let mut tx = db.begin_write().await?;
    // The counter first: it holds a second roll-over sent at the same moment until this one ends, and that one
    // then finds the classes changed.
    let version = bump_version(&mut tx).await?;
    if done_already(&mut tx, &plan.term_start).await?.is_some() {
        return Err(AppError::invalid("term_start", Problem::Taken));
    }
    let classes = active_classes(&mut tx).await?;
    let (moving, leaving): (Vec<&ActiveClass>, Vec<&ActiveClass>) =
        classes.iter().partition(|c| next_grade(c.grade).is_some());
    let chosen: HashMap<Uuid, &super::ClassChoice> =
        plan.moving.iter().map(|c| (c.class_id, c)).collect();
    // The classes changed since the preview (saved, added, deactivated, or another roll-over): the admin must see
    // what the roll-over would do now.
    let stale = fingerprint_of(&classes) != plan.fingerprint
        || chosen.len() != plan.moving.len()
        || chosen.len() != moving.len()
        || moving.iter().any(|c| !chosen.contains_key(&c.id));
    if stale {
        return Err(AppError::invalid("plan", Problem::Invalid));
    }
    let people = active_ids(&mut tx, "users").await?;
    let places = active_ids(&mut tx, "places").await?;
    let mut checks = Checks::new();
    let mut check = |field: String, id: Option<Uuid>, active: &HashSet<Uuid>| {
        if id.is_some_and(|id| !active.contains(&id)) {
            checks.add(&field, Problem::Unknown);
        }
    };
    for choice in &plan.moving {
        let class = choice.class_id;
        check(
            format!("moving.{class}.teacher_id"),
            choice.teacher_id,
            &people,
        );
        check(format!("moving.{class}.zone_id"), choice.zone_id, &places);
    }
    for (at, new) in plan.new_classes.iter().enumerate() {
        let number = at + 1;
        check(
            format!("new_classes.{number}.teacher_id"),
            new.teacher_id,
            &people,
        );
        check(
            format!("new_classes.{number}.zone_id"),
            new.zone_id,
            &places,
        );
    }
    checks.finish()?;

    // Graduates leave first and the highest grade moves next, so each class takes a grade and number just freed
    // (`school_classes_active_grade_number` holds at every row).
    for class in &leaving {
        set_row_active(&mut tx, Deactivatable::SchoolClasses, class.id, false).await?;
        // Its own zone leaves the league with it.
        cleaning::class_saved(&mut tx, class.id).await?;
    }
    let mut up = moving.clone();
    up.sort_by_key(|c| (-c.grade, c.number));
    let (mut teachers_changed, mut zones_changed) = (0, 0);
    for class in up {
        let choice = chosen[&class.id];
        teachers_changed += usize::from(choice.teacher_id != class.teacher);
        zones_changed += usize::from(choice.zone_id != class.zone);
        let input = SchoolClassInput {
            grade: next_grade(class.grade).unwrap_or(class.grade),
            number: class.number,
            teacher_id: choice.teacher_id,
            zone_id: choice.zone_id,
        };
        school_classes::update_school_class(&mut tx, class.id, &input).await?;
        // Phones hold its zones with the class's name and teacher.
        cleaning::class_saved(&mut tx, class.id).await?;
    }
    for (at, new) in plan.new_classes.iter().enumerate() {
        let id = Uuid::now_v7();
        let input = SchoolClassInput {
            grade: 1,
            number: at as i64 + 1,
            teacher_id: new.teacher_id,
            zone_id: new.zone_id,
        };
        school_classes::insert_school_class(&mut tx, id, &input).await?;
        cleaning::class_saved(&mut tx, id).await?;
    }
    // The cleaning league (its trend chart, a class's term) counts from the new term's first day.
    let mut settings = cleaning::settings(&mut tx).await?;
    let previous = std::mem::replace(&mut settings.term_start, plan.term_start.clone());
    cleaning::save_settings(&mut tx, &settings, version).await?;
    sqlx::query(
        "INSERT INTO term_rollovers (term_start, rolled_over_at, rolled_over_by) VALUES ($1, $2, $3)",
    )
    .bind(&plan.term_start)
    .bind(now_ms())
    .bind(by.to_string())
    .execute(&mut *tx)
    .await?;
    let graduated: Vec<String> = leaving
        .iter()
        .map(|c| chinese_name(c.grade, c.number))
        .collect();
    let done = TermDone {
        term_start: plan.term_start.clone(),
        moved: moving.len(),
        graduated: leaving.len(),
        created: plan.new_classes.len(),
    };
    let detail = format!(
        "新学期 {}（原 {previous}）：{} 个班升一个年级（班主任改 {teachers_changed}，卫生区改 {zones_changed}），\
         {} 个班毕业{}，新建一年级 {} 个班",
        done.term_start,
        done.moved,
        done.graduated,
        if graduated.is_empty() {
            String::new()
        } else {
            format!("（{}）", graduated.join("、"))
        },
        done.created,
    );
    crate::server::audit::record(&mut tx, Some(by), "term_rollover", None, &detail).await?;
    tx.commit().await?;
    Ok(done)
}
