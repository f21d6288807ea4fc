//! What a sheet would change, worked out against the database, and applied in the same transaction: the preview
//! the admin confirmed is what is written, or, if the database moved meanwhile, what it says now.

use super::sheet::{self, Sheet};
use super::{ImportKind, Imported, Line, Preview, Refusal};
use crate::components::{check_point_kind_name, class_name, place_kind_name, problem_text};
use crate::domain::{CheckPointInput, CheckPointKind, PlaceInput, PlaceKind, SchoolClassInput};
use crate::error::{AppError, Problem};
use crate::features::directory::db::school_classes::{self, ActiveClass};
use crate::features::directory::db::{check_points, places};
use crate::i18n::Locale;
use crate::server::db::{Db, opt_uuid, uuid};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use uuid::Uuid;

mod staff;

/// One change the sheet asks for.
#[derive(Debug)]
enum Op {
    AddPlace(Uuid, PlaceInput),
    UpdatePlace(Uuid, PlaceInput),
    AddUser(staff::StaffRow),
    UpdateUser(Uuid, staff::StaffRow),
    AddClass(SchoolClassInput),
    UpdateClass(Uuid, SchoolClassInput),
    AddPoint(CheckPointInput),
    UpdatePoint(Uuid, CheckPointInput),
}

/// Reads the file, previews it against the database and, with `apply` and nothing refused, applies it whole.
pub async fn run(
    db: &Db,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
    apply: bool,
    by: Option<Uuid>,
) -> Result<Imported, AppError> {
    let sheet = match sheet::read(file_name, bytes, kind.columns()) {
        Ok(sheet) => sheet,
        Err(problem) => {
            return Ok(Imported {
                preview: Preview {
                    file_problem: Some(problem),
                    ..Preview::default()
                },
                applied: false,
            });
        }
    };
    let mut tx = if apply {
        db.begin_write().await?
    } else {
        db.begin_snapshot().await?
    };
    let mut plan = Plan::default();
    match kind {
        ImportKind::Places => plan_places(&mut tx, &sheet, &mut plan).await?,
        ImportKind::Staff => staff::plan_staff(&mut tx, &sheet, &mut plan, by).await?,
        ImportKind::Classes => plan_classes(&mut tx, &sheet, &mut plan).await?,
        ImportKind::CheckPoints => plan_check_points(&mut tx, &sheet, &mut plan).await?,
    }
    let mut preview = plan.preview;
    preview.rows = sheet.rows.len();
    preview.refused.sort_by_key(|r| r.row);
    preview.add.sort_by_key(|l| l.row);
    preview.update.sort_by_key(|l| l.row);
    if !apply || !preview.can_apply() {
        tx.rollback().await?;
        return Ok(Imported {
            preview,
            applied: false,
        });
    }
    for op in plan.ops {
        execute(&mut tx, op).await?;
    }
    let detail = format!(
        "{}（{}）：新增 {}，更新 {}{}",
        file_name,
        kind.title(),
        preview.add.len(),
        preview.update.len(),
        if by.is_none() { "（命令行）" } else { "" }
    );
    crate::server::audit::record(
        &mut tx,
        by,
        &format!("import_{}", kind.code().replace('-', "_")),
        None,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(Imported {
        preview,
        applied: true,
    })
}

#[derive(Default)]
struct Plan {
    preview: Preview,
    ops: Vec<Op>,
}

impl Plan {
    fn refuse(&mut self, row: u32, column: &str, problem: impl Into<String>) {
        self.preview.refused.push(Refusal {
            row,
            column: column.to_owned(),
            problem: problem.into(),
        });
    }

    fn add(&mut self, row: u32, text: String, op: Op) {
        self.preview.add.push(Line { row, text });
        self.ops.push(op);
    }

    fn update(&mut self, row: u32, text: String, op: Op) {
        self.preview.update.push(Line { row, text });
        self.ops.push(op);
    }
}

async fn execute(tx: &mut AnyConnection, op: Op) -> Result<(), AppError> {
    match op {
        Op::AddPlace(id, input) => {
            places::insert_place(tx, id, &input, 100).await?;
            crate::features::cleaning_scores::db::place_saved(tx, id).await?;
        }
        Op::UpdatePlace(id, input) => {
            places::update_place(tx, id, &input).await?;
            crate::features::cleaning_scores::db::place_saved(tx, id).await?;
        }
        Op::AddUser(row) => {
            staff::add(tx, row).await?;
        }
        Op::UpdateUser(id, row) => staff::update(tx, id, row).await?,
        Op::AddClass(input) => {
            let id = Uuid::now_v7();
            school_classes::insert_school_class(tx, id, &input).await?;
            crate::features::cleaning_scores::db::class_saved(tx, id).await?;
        }
        Op::UpdateClass(id, input) => {
            school_classes::update_school_class(tx, id, &input).await?;
            crate::features::cleaning_scores::db::class_saved(tx, id).await?;
        }
        Op::AddPoint(input) => {
            check_points::insert_check_point(tx, Uuid::now_v7(), &input).await?;
        }
        Op::UpdatePoint(id, input) => {
            check_points::update_check_point(tx, id, &input).await?;
        }
    }
    Ok(())
}

/// `教学楼A/2F/201教室` as its names, top down; `/`, `／`, `\`, `>` and `·` all separate.
fn split_path(cell: &str) -> Result<Vec<String>, String> {
    let parts: Vec<String> = cell
        .split(['/', '／', '\\', '>', '·'])
        .map(|p| p.trim().to_owned())
        .collect();
    if parts.iter().all(String::is_empty) {
        return Err("不能为空".into());
    }
    if parts.iter().any(String::is_empty) {
        return Err(format!("“{cell}”里有空的一级（两个 / 之间没有名称）"));
    }
    Ok(parts)
}

fn joined(path: &[String]) -> String {
    path.join("/")
}

/// A known place: its id and kind, by its path of names.
struct KnownPlace {
    id: Uuid,
    kind: PlaceKind,
    parent_id: Option<Uuid>,
}

/// Every place in the database by its path of names (the first of two with one path).
async fn place_paths(
    conn: &mut AnyConnection,
) -> Result<HashMap<Vec<String>, KnownPlace>, sqlx::Error> {
    let all = places::places_on(conn).await?;
    let by_id: HashMap<Uuid, &crate::domain::Place> = all.iter().map(|p| (p.id, p)).collect();
    let mut paths = HashMap::new();
    for place in &all {
        let mut names = vec![place.name.clone()];
        let mut at = place.parent_id;
        // A tree of a school is shallow; the bound only guards against a loop.
        for _ in 0..32 {
            let Some(parent) = at.and_then(|id| by_id.get(&id)) else {
                break;
            };
            names.push(parent.name.clone());
            at = parent.parent_id;
        }
        names.reverse();
        paths.entry(names).or_insert(KnownPlace {
            id: place.id,
            kind: place.kind,
            parent_id: place.parent_id,
        });
    }
    Ok(paths)
}

fn place_kind(cell: &str) -> Option<PlaceKind> {
    PlaceKind::ALL.iter().copied().find(|kind| {
        cell == place_kind_name(Locale::zh, *kind)
            || cell.eq_ignore_ascii_case(place_kind_name(Locale::en, *kind))
            || cell.eq_ignore_ascii_case(kind.code())
    })
}

fn check_point_kind(cell: &str) -> Option<CheckPointKind> {
    CheckPointKind::ALL.iter().copied().find(|kind| {
        cell == check_point_kind_name(Locale::zh, *kind)
            || cell.eq_ignore_ascii_case(check_point_kind_name(Locale::en, *kind))
            || cell.eq_ignore_ascii_case(kind.code())
    })
}

fn kinds_list<K: Copy>(all: &[K], name: fn(Locale, K) -> &'static str) -> String {
    all.iter()
        .map(|k| name(Locale::zh, *k))
        .collect::<Vec<_>>()
        .join("、")
}

/// The first problem a validation found, in Chinese.
fn first_problem(error: &AppError) -> (String, String) {
    match error {
        AppError::Invalid { fields } if !fields.is_empty() => (
            fields[0].field.clone(),
            problem_text(Locale::zh, fields[0].problem),
        ),
        other => (String::new(), other.to_string()),
    }
}

async fn plan_places(
    conn: &mut AnyConnection,
    sheet: &Sheet,
    plan: &mut Plan,
) -> Result<(), sqlx::Error> {
    const PATH: &str = "场所路径";
    const KIND: &str = "类型";
    let known = place_paths(conn).await?;
    // Parsed rows, parents first: a building's row is planned before its floors', wherever it is in the sheet.
    let mut rows: Vec<(u32, Vec<String>, PlaceKind)> = Vec::new();
    let mut first_row: HashMap<Vec<String>, u32> = HashMap::new();
    for (row, cells) in &sheet.rows {
        let path = match split_path(&cells[PATH]) {
            Ok(path) => path,
            Err(problem) => {
                plan.refuse(*row, PATH, problem);
                continue;
            }
        };
        let Some(kind) = place_kind(&cells[KIND]) else {
            plan.refuse(
                *row,
                KIND,
                format!(
                    "“{}”不是场所类型；应为 {}",
                    cells[KIND],
                    kinds_list(PlaceKind::ALL, place_kind_name)
                ),
            );
            continue;
        };
        if let Some(first) = first_row.get(&path) {
            plan.refuse(*row, PATH, format!("与第 {first} 行是同一个场所"));
            continue;
        }
        first_row.insert(path.clone(), *row);
        rows.push((*row, path, kind));
    }
    rows.sort_by_key(|(row, path, _)| (path.len(), *row));
    // Places this sheet adds or keeps, and the rows it refused, by path.
    let mut planned: HashMap<Vec<String>, (Uuid, PlaceKind)> = HashMap::new();
    let refused_rows: HashMap<Vec<String>, u32> = HashMap::new();
    let mut refused_rows = refused_rows;
    for (row, path, kind) in rows {
        let parent_path = &path[..path.len() - 1];
        let parent = if parent_path.is_empty() {
            None
        } else if let Some((id, kind)) = planned.get(parent_path) {
            Some((*id, *kind))
        } else if let Some(found) = known.get(parent_path) {
            Some((found.id, found.kind))
        } else {
            let why = match refused_rows.get(parent_path) {
                Some(at) => format!("上级场所“{}”在第 {at} 行没有通过", joined(parent_path)),
                None => format!(
                    "上级场所“{}”不存在：请先建好它，或把它也写进表里",
                    joined(parent_path)
                ),
            };
            plan.refuse(row, PATH, why);
            refused_rows.insert(path, row);
            continue;
        };
        let name = path[path.len() - 1].clone();
        let input = PlaceInput {
            parent_id: parent.map(|(id, _)| id),
            kind,
            name,
        };
        let input = match input.validate(parent.map(|(_, kind)| kind)) {
            Ok(input) => input,
            Err(error) => {
                let (field, problem) = first_problem(&error);
                let (column, problem) = if field == "parent_id" {
                    (
                        KIND,
                        format!(
                            "“{}”不能放在“{}”下",
                            place_kind_name(Locale::zh, kind),
                            parent.map_or("最上层", |(_, k)| place_kind_name(Locale::zh, k))
                        ),
                    )
                } else {
                    (PATH, format!("名称{problem}"))
                };
                plan.refuse(row, column, problem);
                refused_rows.insert(path, row);
                continue;
            }
        };
        let text = format!("{}（{}）", joined(&path), place_kind_name(Locale::zh, kind));
        match known.get(&path) {
            Some(found) if found.kind == kind && found.parent_id == input.parent_id => {
                plan.preview.unchanged += 1;
                planned.insert(path, (found.id, kind));
            }
            Some(found) => {
                let id = found.id;
                plan.update(
                    row,
                    format!("{text}，原为{}", place_kind_name(Locale::zh, found.kind)),
                    Op::UpdatePlace(id, input),
                );
                planned.insert(path, (id, kind));
            }
            None => {
                let id = Uuid::now_v7();
                plan.add(row, text, Op::AddPlace(id, input));
                planned.insert(path, (id, kind));
            }
        }
    }
    Ok(())
}

/// The active people, to find a class teacher or a responsible person by user name or by name.
struct People {
    by_username: HashMap<String, Uuid>,
    by_name: HashMap<String, Vec<Uuid>>,
}

async fn people(conn: &mut AnyConnection) -> Result<People, sqlx::Error> {
    let rows = sqlx::query("SELECT id, username, display_name FROM users WHERE active = 1")
        .fetch_all(conn)
        .await?;
    let mut people = People {
        by_username: HashMap::new(),
        by_name: HashMap::new(),
    };
    for row in rows {
        let id = uuid(row.try_get("id")?)?;
        people
            .by_username
            .insert(row.try_get::<String, _>("username")?.to_lowercase(), id);
        people
            .by_name
            .entry(row.try_get("display_name")?)
            .or_default()
            .push(id);
    }
    Ok(people)
}

impl People {
    /// The person a cell names: a user name, or a name only one active person has.
    fn find(&self, cell: &str) -> Result<Uuid, String> {
        if let Some(id) = self.by_username.get(&cell.to_lowercase()) {
            return Ok(*id);
        }
        match self.by_name.get(cell).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(many) if !many.is_empty() => {
                Err(format!("有 {} 位叫“{cell}”的人员，请写用户名", many.len()))
            }
            _ => Err(format!(
                "人员里没有“{cell}”（先在“人员”里添加，或写用户名）"
            )),
        }
    }
}

/// `三年级`, `3`, `3年级` → 3.
fn grade(cell: &str) -> Option<i64> {
    const NAMES: [&str; 6] = ["一", "二", "三", "四", "五", "六"];
    let bare = cell.trim_end_matches("年级").trim();
    bare.parse::<i64>()
        .ok()
        .or_else(|| NAMES.iter().position(|n| *n == bare).map(|i| i as i64 + 1))
}

/// `2`, `2班`, `(2)班` → 2.
fn class_number(cell: &str) -> Option<i64> {
    cell.trim_end_matches('班')
        .trim_matches(['(', ')', '（', '）'])
        .trim()
        .parse()
        .ok()
}

async fn plan_classes(
    conn: &mut AnyConnection,
    sheet: &Sheet,
    plan: &mut Plan,
) -> Result<(), sqlx::Error> {
    const GRADE: &str = "年级";
    const NUMBER: &str = "班号";
    const TEACHER: &str = "班主任";
    const ZONE: &str = "卫生区";
    let people = people(conn).await?;
    let known_places = place_paths(conn).await?;
    let known: HashMap<(i64, i64), ActiveClass> = school_classes::active_classes(conn)
        .await?
        .into_iter()
        .map(|class| ((class.grade, class.number), class))
        .collect();
    let mut first_row: HashMap<(i64, i64), u32> = HashMap::new();
    for (row, cells) in &sheet.rows {
        let row = *row;
        let Some(grade) = grade(&cells[GRADE]) else {
            plan.refuse(
                row,
                GRADE,
                format!("“{}”不是年级；应为 1–6 或 一年级…六年级", cells[GRADE]),
            );
            continue;
        };
        let Some(number) = class_number(&cells[NUMBER]) else {
            plan.refuse(
                row,
                NUMBER,
                format!("“{}”不是班号；应为 1–30", cells[NUMBER]),
            );
            continue;
        };
        if let Some(first) = first_row.insert((grade, number), row) {
            plan.refuse(row, NUMBER, format!("与第 {first} 行是同一个班"));
            continue;
        }
        let existing = known.get(&(grade, number));
        let teacher = match cells.get(TEACHER).map(String::as_str).unwrap_or_default() {
            "" => existing.and_then(|c| c.teacher),
            cell => match people.find(cell) {
                Ok(id) => Some(id),
                Err(problem) => {
                    plan.refuse(row, TEACHER, problem);
                    continue;
                }
            },
        };
        let zone = match cells.get(ZONE).map(String::as_str).unwrap_or_default() {
            "" => existing.and_then(|c| c.zone),
            cell => match split_path(cell)
                .ok()
                .and_then(|path| known_places.get(&path))
            {
                Some(place) => Some(place.id),
                None => {
                    plan.refuse(row, ZONE, format!("场所“{cell}”不存在（先导入场所）"));
                    continue;
                }
            },
        };
        let input = SchoolClassInput {
            grade,
            number,
            teacher_id: teacher,
            zone_id: zone,
        };
        let input = match input.validate() {
            Ok(input) => input,
            Err(error) => {
                let (field, problem) = first_problem(&error);
                let column = if field == "grade" { GRADE } else { NUMBER };
                plan.refuse(row, column, problem);
                continue;
            }
        };
        let text = class_name(Locale::zh, grade, number);
        match existing {
            Some(class) if class.teacher == teacher && class.zone == zone => {
                plan.preview.unchanged += 1;
            }
            Some(class) => plan.update(row, text, Op::UpdateClass(class.id, input)),
            None => plan.add(row, text, Op::AddClass(input)),
        }
    }
    Ok(())
}

/// A check point already in the database.
struct KnownPoint {
    id: Uuid,
    kind: String,
    responsible: Option<Uuid>,
}

async fn plan_check_points(
    conn: &mut AnyConnection,
    sheet: &Sheet,
    plan: &mut Plan,
) -> Result<(), sqlx::Error> {
    const PLACE: &str = "场所路径";
    const KIND: &str = "类型";
    const LABEL: &str = "名称";
    const RESPONSIBLE: &str = "负责人";
    let people = people(conn).await?;
    let known_places = place_paths(conn).await?;
    let rows = sqlx::query("SELECT id, place_id, label, kind, responsible_id FROM check_points")
        .fetch_all(&mut *conn)
        .await?;
    let mut known: HashMap<(Uuid, String), KnownPoint> = HashMap::new();
    for row in rows {
        known.insert(
            (uuid(row.try_get("place_id")?)?, row.try_get("label")?),
            KnownPoint {
                id: uuid(row.try_get("id")?)?,
                kind: row.try_get("kind")?,
                responsible: opt_uuid(row.try_get("responsible_id")?)?,
            },
        );
    }
    let mut first_row: HashMap<(Uuid, String), u32> = HashMap::new();
    for (row, cells) in &sheet.rows {
        let row = *row;
        let place = match split_path(&cells[PLACE]) {
            Ok(path) => match known_places.get(&path) {
                Some(place) => place.id,
                None => {
                    plan.refuse(
                        row,
                        PLACE,
                        format!("场所“{}”不存在（先导入场所）", joined(&path)),
                    );
                    continue;
                }
            },
            Err(problem) => {
                plan.refuse(row, PLACE, problem);
                continue;
            }
        };
        let Some(kind) = check_point_kind(&cells[KIND]) else {
            plan.refuse(
                row,
                KIND,
                format!(
                    "“{}”不是检查点类型；应为 {}",
                    cells[KIND],
                    kinds_list(CheckPointKind::ALL, check_point_kind_name)
                ),
            );
            continue;
        };
        let label = cells[LABEL].clone();
        if label.is_empty() {
            plan.refuse(row, LABEL, problem_text(Locale::zh, Problem::Required));
            continue;
        }
        if let Some(first) = first_row.insert((place, label.clone()), row) {
            plan.refuse(
                row,
                LABEL,
                format!("与第 {first} 行是同一个检查点（同一场所、同一名称）"),
            );
            continue;
        }
        let existing = known.get(&(place, label.clone()));
        let responsible = match cells
            .get(RESPONSIBLE)
            .map(String::as_str)
            .unwrap_or_default()
        {
            "" => existing.and_then(|p| p.responsible),
            cell => match people.find(cell) {
                Ok(id) => Some(id),
                Err(problem) => {
                    plan.refuse(row, RESPONSIBLE, problem);
                    continue;
                }
            },
        };
        let input = CheckPointInput {
            place_id: place,
            kind,
            label,
            responsible_id: responsible,
        };
        let input = match input.validate() {
            Ok(input) => input,
            Err(error) => {
                let (_, problem) = first_problem(&error);
                plan.refuse(row, LABEL, problem);
                continue;
            }
        };
        let text = format!(
            "{} · {}（{}）",
            cells[PLACE],
            input.label,
            check_point_kind_name(Locale::zh, kind)
        );
        match existing {
            Some(point) if point.kind == kind.code() && point.responsible == responsible => {
                plan.preview.unchanged += 1;
            }
            Some(point) => plan.update(row, text, Op::UpdatePoint(point.id, input)),
            None => plan.add(row, text, Op::AddPoint(input)),
        }
    }
    Ok(())
}

/// `houqin import places|staff|classes|check-points FILE [--dry-run]`: the same preview on the terminal, then the
/// import unless `--dry-run`. Answers `Ok(false)` when a row is refused or the file cannot be read (nothing is
/// written then).
pub async fn command(kind: &str, file: &std::path::Path, dry_run: bool) -> Result<bool, String> {
    let Some(kind) = ImportKind::from_code(kind) else {
        return Err(format!(
            "不认识 {kind:?}；应为 {}",
            ImportKind::ALL
                .iter()
                .map(|k| k.code())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    };
    let bytes = std::fs::read(file).map_err(|e| format!("{}：{e}", file.display()))?;
    let config = crate::server::config::Config::from_env().map_err(|e| e.to_string())?;
    let db = Db::connect_with(&config.database_url, config.sqlite_synchronous)
        .await
        .map_err(|e| format!("数据库（database）：{e}"))?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let imported = run(&db, kind, &name, &bytes, !dry_run, None)
        .await
        .map_err(|e| e.to_string())?;
    let preview = &imported.preview;
    if let Some(problem) = &preview.file_problem {
        println!("{problem}");
        return Ok(false);
    }
    for line in &preview.add {
        println!("新增 add     第 {} 行  {}", line.row, line.text);
    }
    for line in &preview.update {
        println!("更新 update  第 {} 行  {}", line.row, line.text);
    }
    for refusal in &preview.refused {
        println!(
            "拒绝 refused 第 {} 行  {}：{}",
            refusal.row, refusal.column, refusal.problem
        );
    }
    println!(
        "共 {} 行：新增 {}，更新 {}，不变 {}，拒绝 {}。{}",
        preview.rows,
        preview.add.len(),
        preview.update.len(),
        preview.unchanged,
        preview.refused.len(),
        if imported.applied {
            "已写入（applied）。"
        } else if !preview.refused.is_empty() {
            "有被拒绝的行，什么也没有写入（nothing written）。"
        } else if dry_run {
            "预演，没有写入（--dry-run）。"
        } else {
            "没有要改的（nothing to do）。"
        }
    );
    Ok(preview.refused.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_grades_and_class_numbers_read_as_schools_write_them() {
        assert_eq!(
            split_path(" 教学楼A / 2F／201教室 ").unwrap(),
            ["教学楼A", "2F", "201教室"]
        );
        assert!(split_path("教学楼A//201").unwrap_err().contains("空的一级"));
        assert_eq!(grade("三年级"), Some(3));
        assert_eq!(grade("3"), Some(3));
        assert_eq!(grade("七"), None);
        assert_eq!(class_number("2班"), Some(2));
        assert_eq!(class_number("（12）班"), Some(12));
        assert_eq!(place_kind("房间"), Some(PlaceKind::Room));
        assert_eq!(place_kind("教室"), None);
    }
}
