//! The staff sheet: a person per row, found again by user name. A new person gets no password (nobody can sign
//! in as them) until the admin prints their slip with a one-time code (`features::users::slips`); a person
//! already here keeps their password, and the sheet sets their name, phone, roles and the class they teach.

use super::{Op, Plan, class_number, grade, kinds_list};
use crate::components::{class_name, role_name};
use crate::domain::Role;
use crate::domain::user::{DISPLAY_NAME_MAX, USERNAME_MAX, username_chars_ok};
use crate::features::auth::db as users;
use crate::i18n::Locale;
use crate::server::db::{bump_version, now_ms, uuid};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use uuid::Uuid;

const NAME: &str = "姓名";
const USERNAME: &str = "用户名";
const PHONE: &str = "手机号";
const ROLES: &str = "角色";
const CLASS: &str = "任教班级";

/// The longest phone number kept (digits, with a leading `+` and an extension at most).
const PHONE_MAX: usize = 20;

/// What the sheet says of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub roles: Vec<Role>,
    /// The class this person is class teacher of, when the sheet names one, and how the preview says it.
    pub class: Option<(Uuid, String)>,
}

/// A person already in the database.
struct Known {
    id: Uuid,
    display_name: String,
    phone: Option<String>,
    roles: Vec<Role>,
    active: bool,
}

/// `后勤主任、班主任`, `教职工,班主任`, `staff; class_teacher` → the roles, or the word not understood.
fn roles(cell: &str) -> Result<Vec<Role>, String> {
    let mut found = Vec::new();
    for word in cell
        .split(['、', ',', '，', ';', '；', '/', '|'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let role = Role::ALL.iter().copied().find(|role| {
            word == role_name(Locale::zh, *role)
                || word.eq_ignore_ascii_case(role_name(Locale::en, *role))
                || word.eq_ignore_ascii_case(role.code())
        });
        match role {
            Some(role) => found.push(role),
            None => {
                return Err(format!(
                    "“{word}”不是角色；应为 {}",
                    kinds_list(Role::ALL, role_name)
                ));
            }
        }
    }
    if found.is_empty() {
        return Err("不能为空：至少写一个角色，如 教职工".into());
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// A phone number as schools write it (`138 0013 8000`, `0571-8888 6666`, `+86 138…`), kept as digits.
fn phone(cell: &str) -> Result<Option<String>, String> {
    let kept: String = cell
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）'))
        .collect();
    if kept.is_empty() {
        return Ok(None);
    }
    let digits = kept.strip_prefix('+').unwrap_or(&kept);
    if digits.chars().all(|c| c.is_ascii_digit()) && (7..=PHONE_MAX).contains(&digits.len()) {
        Ok(Some(kept))
    } else {
        Err(format!(
            "“{cell}”不是电话号码：应为 11 位手机号或带区号的座机"
        ))
    }
}

/// `三年级2班`, `3年级(2)班`, `3-2` → (3, 2).
fn class_cell(cell: &str) -> Option<(i64, i64)> {
    let (grade_part, number_part) = cell
        .split_once("年级")
        .map(|(g, n)| (format!("{g}年级"), n))
        .or_else(|| {
            cell.split_once(['-', '.', '·'])
                .map(|(g, n)| (g.to_owned(), n))
        })?;
    Some((grade(&grade_part)?, class_number(number_part)?))
}

pub(super) async fn plan_staff(
    conn: &mut AnyConnection,
    sheet: &super::Sheet,
    plan: &mut Plan,
    by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let known = known_people(conn).await?;
    // Active classes by grade and number, with their class teacher.
    let classes: HashMap<(i64, i64), (Uuid, Option<Uuid>)> =
        crate::features::directory::db::school_classes::active_classes(conn)
            .await?
            .into_iter()
            .map(|c| ((c.grade, c.number), (c.id, c.teacher)))
            .collect();
    let names: HashMap<Uuid, &str> = known
        .values()
        .map(|p| (p.id, p.display_name.as_str()))
        .collect();
    let mut first_row: HashMap<String, u32> = HashMap::new();
    let mut class_rows: HashMap<Uuid, u32> = HashMap::new();
    // Who holds the admin role after the sheet, and the rows that take it away.
    let mut admins: std::collections::HashSet<Uuid> = known
        .values()
        .filter(|p| p.active && p.roles.contains(&Role::Admin))
        .map(|p| p.id)
        .collect();
    let mut gains_admin = false;
    let mut loses_admin: Vec<u32> = Vec::new();
    for (row, cells) in &sheet.rows {
        let row = *row;
        let display_name = cells[NAME].clone();
        if display_name.is_empty() {
            plan.refuse(row, NAME, "不能为空");
            continue;
        }
        if display_name.chars().count() > DISPLAY_NAME_MAX as usize
            || display_name.chars().any(char::is_control)
        {
            plan.refuse(
                row,
                NAME,
                format!("姓名最多 {DISPLAY_NAME_MAX} 个字，且不能有控制字符"),
            );
            continue;
        }
        let username = cells[USERNAME].to_lowercase();
        if username.is_empty() {
            plan.refuse(row, USERNAME, "不能为空：登录要用它（可用姓名拼音）");
            continue;
        }
        if username.chars().count() > USERNAME_MAX as usize || !username_chars_ok(&username) {
            plan.refuse(
                row,
                USERNAME,
                format!(
                    "“{}”不能做用户名：最多 {USERNAME_MAX} 个字符，只用小写字母、数字、_ . -",
                    cells[USERNAME]
                ),
            );
            continue;
        }
        if let Some(first) = first_row.get(&username) {
            plan.refuse(row, USERNAME, format!("与第 {first} 行的用户名相同"));
            continue;
        }
        first_row.insert(username.clone(), row);
        let phone = match phone(cells.get(PHONE).map(String::as_str).unwrap_or_default()) {
            Ok(phone) => phone,
            Err(problem) => {
                plan.refuse(row, PHONE, problem);
                continue;
            }
        };
        let mut roles = match roles(&cells[ROLES]) {
            Ok(roles) => roles,
            Err(problem) => {
                plan.refuse(row, ROLES, problem);
                continue;
            }
        };
        let existing = known.get(&username);
        // The admin importing cannot take away their own admin role and lock everyone out.
        if let (Some(person), Some(admin)) = (existing, by)
            && person.id == admin
            && !roles.contains(&Role::Admin)
        {
            plan.refuse(
                row,
                ROLES,
                "这是你自己的账号：角色里须有 后勤主任，否则就没有人能管理了",
            );
            continue;
        }
        let class_cell_text = cells.get(CLASS).map(String::as_str).unwrap_or_default();
        let class = if class_cell_text.is_empty() {
            None
        } else {
            let Some((grade, number)) = class_cell(class_cell_text) else {
                plan.refuse(
                    row,
                    CLASS,
                    format!("“{class_cell_text}”不是班级；应写成 三年级2班"),
                );
                continue;
            };
            if existing.is_some_and(|p| !p.active) {
                plan.refuse(
                    row,
                    CLASS,
                    "这个人员已停用，不能任班主任（先在“人员”里启用）",
                );
                continue;
            }
            let Some((class_id, teacher_now)) = classes.get(&(grade, number)) else {
                plan.refuse(
                    row,
                    CLASS,
                    format!(
                        "{}不在班级里（先导入班级，或留空，之后导入班级时填班主任）",
                        class_name(Locale::zh, grade, number)
                    ),
                );
                continue;
            };
            if let Some(first) = class_rows.insert(*class_id, row) {
                plan.refuse(
                    row,
                    CLASS,
                    format!("第 {first} 行已是这个班的班主任；一个班只有一位班主任"),
                );
                continue;
            }
            // Who teaches a class is a class teacher.
            if !roles.contains(&Role::ClassTeacher) {
                roles.push(Role::ClassTeacher);
                roles.sort();
            }
            // Another class teacher before: the preview says whom this row replaces.
            let mut taught = format!("{}班主任", class_name(Locale::zh, grade, number));
            if let Some(before) = teacher_now
                .filter(|t| existing.is_none_or(|p| p.id != *t))
                .and_then(|t| names.get(&t))
            {
                taught.push_str(&format!("（原为 {before}）"));
            }
            Some((*class_id, taught, *teacher_now))
        };
        // Whether the person already teaches the class the sheet names (or it names none).
        let teaches_already = existing.is_none_or(|person| {
            class
                .as_ref()
                .is_none_or(|(_, _, teacher)| *teacher == Some(person.id))
        });
        let class = class.map(|(id, taught, _)| (id, taught));
        // Someone still class teacher of a class keeps the role while they teach it.
        if let Some(person) = existing
            && !roles.contains(&Role::ClassTeacher)
            && let Some(taught) = classes
                .iter()
                .find(|(_, (_, teacher))| *teacher == Some(person.id))
        {
            plan.refuse(
                row,
                ROLES,
                format!(
                    "仍是{}的班主任：角色里须有 班主任（或先在“班级”里换人）",
                    class_name(Locale::zh, taught.0.0, taught.0.1)
                ),
            );
            continue;
        }
        match existing {
            Some(person) if person.active && !roles.contains(&Role::Admin) => {
                if admins.remove(&person.id) {
                    loses_admin.push(row);
                }
            }
            Some(person) if person.active => gains_admin |= !admins.contains(&person.id),
            Some(_) => {}
            None => gains_admin |= roles.contains(&Role::Admin),
        }
        let role_names = kinds_list(&roles, role_name);
        let mut text = format!("{display_name}（{username}）{role_names}");
        if let Some((_, taught)) = &class {
            text.push_str(&format!("，{taught}"));
        }
        let staff = StaffRow {
            username: username.clone(),
            display_name: display_name.clone(),
            phone: phone.clone(),
            roles: roles.clone(),
            class,
        };
        match existing {
            Some(person)
                if person.display_name == display_name
                    && (phone.is_none() || person.phone == phone)
                    && person.roles == roles
                    && teaches_already =>
            {
                plan.preview.unchanged += 1;
            }
            Some(person) => {
                if !person.active {
                    text.push_str("（已停用，导入不会启用）");
                }
                plan.update(row, text, Op::UpdateUser(person.id, staff));
            }
            None => plan.add(row, format!("{text}（待发登录码）"), Op::AddUser(staff)),
        }
    }
    // From the command line too: a sheet never leaves the school with no one to run it.
    if admins.is_empty() && !gains_admin {
        for row in loses_admin {
            plan.preview.update.retain(|line| line.row != row);
            plan.refuse(
                row,
                ROLES,
                "导入后就没有后勤主任了：至少留一位有 后勤主任 角色的人员",
            );
        }
    }
    Ok(())
}

async fn known_people(conn: &mut AnyConnection) -> Result<HashMap<String, Known>, sqlx::Error> {
    let mut roles: HashMap<String, Vec<Role>> = HashMap::new();
    for row in sqlx::query("SELECT user_id, role FROM user_roles")
        .fetch_all(&mut *conn)
        .await?
    {
        if let Some(role) = Role::from_code(&row.try_get::<String, _>("role")?) {
            roles.entry(row.try_get("user_id")?).or_default().push(role);
        }
    }
    let mut known = HashMap::new();
    for row in sqlx::query("SELECT id, username, display_name, phone, active FROM users")
        .fetch_all(&mut *conn)
        .await?
    {
        let id: String = row.try_get("id")?;
        let mut user_roles = roles.remove(&id).unwrap_or_default();
        user_roles.sort();
        known.insert(
            row.try_get::<String, _>("username")?,
            Known {
                id: uuid(&id)?,
                display_name: row.try_get("display_name")?,
                phone: row.try_get("phone")?,
                roles: user_roles,
                active: row.try_get::<i64, _>("active")? == 1,
            },
        );
    }
    Ok(known)
}

/// A hash no password matches (not a PHC string: `session::verify_password` answers false): a person imported
/// cannot be signed in as until the admin gives them a code.
const NO_PASSWORD: &str = "-";

/// Adds or updates a person as the sheet says; a new person's class, if any, is set after.
pub(super) async fn add(conn: &mut AnyConnection, staff: StaffRow) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let version = bump_version(conn).await?;
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, locale, active, created_at, version, phone, password_set)
         VALUES ($1, $2, $3, $4, 'zh', 1, $5, $6, $7, 0)",
    )
    .bind(id.to_string())
    .bind(&staff.username)
    .bind(&staff.display_name)
    .bind(NO_PASSWORD)
    .bind(now_ms())
    .bind(version)
    .bind(&staff.phone)
    .execute(&mut *conn)
    .await?;
    users::replace_roles(conn, id, &staff.roles).await?;
    teach(conn, id, staff.class).await?;
    Ok(id)
}

pub(super) async fn update(
    conn: &mut AnyConnection,
    id: Uuid,
    staff: StaffRow,
) -> Result<(), sqlx::Error> {
    let version = bump_version(conn).await?;
    // An empty phone cell leaves the number kept.
    sqlx::query(
        "UPDATE users SET display_name = $1, phone = COALESCE($2, phone), version = $3 WHERE id = $4",
    )
    .bind(&staff.display_name)
    .bind(&staff.phone)
    .bind(version)
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    users::replace_roles(conn, id, &staff.roles).await?;
    teach(conn, id, staff.class).await
}

/// Makes `teacher` the class teacher of `class`, in place of whoever was (any other class they teach keeps them,
/// as the class editor allows).
async fn teach(
    conn: &mut AnyConnection,
    teacher: Uuid,
    class: Option<(Uuid, String)>,
) -> Result<(), sqlx::Error> {
    let Some((class, _)) = class else {
        return Ok(());
    };
    let version = bump_version(conn).await?;
    sqlx::query("UPDATE school_classes SET teacher_id = $1, version = $2 WHERE id = $3")
        .bind(teacher.to_string())
        .bind(version)
        .bind(class.to_string())
        .execute(&mut *conn)
        .await?;
    crate::features::cleaning_scores::db::class_saved(conn, class).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_phones_and_classes_read_as_schools_write_them() {
        assert_eq!(
            roles("教职工、班主任").unwrap(),
            [Role::Staff, Role::ClassTeacher]
        );
        assert_eq!(
            roles("Gate guard, staff").unwrap(),
            [Role::GateGuard, Role::Staff]
        );
        assert!(roles("校长").unwrap_err().contains("“校长”不是角色"));
        assert!(roles(" 、 ").is_err());
        assert_eq!(
            phone("138 0013 8000").unwrap().as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            phone("0571-8888 6666").unwrap().as_deref(),
            Some("057188886666")
        );
        assert_eq!(phone("").unwrap(), None);
        assert!(phone("一三八").is_err());
        assert_eq!(class_cell("三年级2班"), Some((3, 2)));
        assert_eq!(class_cell("3年级（12）班"), Some((3, 12)));
        assert_eq!(class_cell("3-2"), Some((3, 2)));
        assert_eq!(class_cell("二班"), None);
    }
}
