//! Importing the school's own sheets (`/admin/import`, `houqin import`): places, staff, classes and check points
//! from `.xlsx` or `.csv` (UTF-8 or GBK). Nothing changes before the admin has seen the preview — rows to add, to
//! update and refused, each with the row number the spreadsheet shows (the header is row 1), the column and the
//! problem in Chinese — and confirmed; then the whole sheet applies in one transaction. A sheet imported again
//! updates by natural key (a place's path; a person's user name; a class's grade and number; a check point's
//! place and name) and never duplicates. People imported have no password: each signs in once with a one-time
//! code from a printed slip (`features::users::slips`) and sets their own.

mod import_page;
#[cfg(feature = "ssr")]
pub mod plan;
#[cfg(feature = "ssr")]
pub mod sheet;
#[cfg(feature = "ssr")]
pub mod template;

pub use import_page::ImportPage;

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    Places,
    Staff,
    Classes,
    CheckPoints,
}

/// One column of a kind's sheet, as the template writes it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header, as the school writes it.
    pub header: &'static str,
    /// Other headers taken for the same column (English, and common variants).
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// What the template's comment on the header says.
    pub hint: &'static str,
    pub example: &'static str,
}

const fn column(
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    hint: &'static str,
    example: &'static str,
) -> Column {
    Column {
        header,
        aliases,
        required,
        hint,
        example,
    }
}

pub const PLACE_COLUMNS: &[Column] = &[
    column(
        "场所路径",
        &["路径", "场所", "path", "place"],
        true,
        "从楼栋写到房间，用 / 分隔；上级要么已在系统里，要么也写在表里",
        "教学楼A/2F/201教室",
    ),
    column(
        "类型",
        &["场所类型", "kind", "type"],
        true,
        "楼栋、楼层、房间、区域、室外区域 或 校门",
        "房间",
    ),
];

pub const STAFF_COLUMNS: &[Column] = &[
    column(
        "姓名",
        &["名字", "name", "display name"],
        true,
        "记录和名单上显示的名字",
        "王晓红",
    ),
    column(
        "用户名",
        &["账号", "登录名", "username", "user name"],
        true,
        "登录用，不重复：小写字母、数字、_ . -，如姓名拼音 wangxiaohong；再次导入时按它更新",
        "wangxiaohong",
    ),
    column(
        "手机号",
        &["手机", "电话", "联系电话", "phone"],
        false,
        "11 位手机号或带区号的座机；不填则不改",
        "13800138000",
    ),
    column(
        "角色",
        &["岗位", "roles", "role"],
        true,
        "一个或几个，用 、或 , 分隔：后勤主任、门卫、安全检查员、卫生检查员、维修工、教职工、班主任",
        "教职工、班主任",
    ),
    column(
        "任教班级",
        &["所带班级", "班级", "class taught", "class"],
        false,
        "班主任带的班，如 三年级2班，须已在班级里（或之后导入班级时填班主任）；不填则不改",
        "三年级2班",
    ),
];

pub const CLASS_COLUMNS: &[Column] = &[
    column(
        "年级",
        &["grade"],
        true,
        "1–6，或 一年级 … 六年级",
        "三年级",
    ),
    column(
        "班号",
        &["班级", "班", "number", "class"],
        true,
        "1–30，可写 2 或 2班",
        "2",
    ),
    column(
        "班主任",
        &["class teacher", "teacher"],
        false,
        "姓名或用户名，须已在人员里；重名时写用户名；不填则不改",
        "王老师",
    ),
    column(
        "卫生区",
        &["卫生责任区", "zone", "cleaning zone"],
        false,
        "场所路径，须已在系统里；不填则不改",
        "操场/跑道东侧",
    ),
];

pub const CHECK_POINT_COLUMNS: &[Column] = &[
    column(
        "场所路径",
        &["场所", "位置", "path", "place"],
        true,
        "检查点所在的场所，须已在系统里（先导入场所）",
        "教学楼A/2F",
    ),
    column(
        "类型",
        &["检查点类型", "kind", "type"],
        true,
        "灭火器、消火栓、火灾报警器、应急照明灯、安全出口标志、疏散通道、防火门、门锁、防盗门窗 或 监控摄像头",
        "灭火器",
    ),
    column(
        "名称",
        &["编号", "检查点", "label", "name"],
        true,
        "在同一场所里不重复，如 2F-东-01",
        "2F-东-01",
    ),
    column(
        "负责人",
        &["责任人", "responsible"],
        false,
        "姓名或用户名，须已在人员里；重名时写用户名；不填则不改",
        "李老师",
    ),
];

impl ImportKind {
    /// In the order a school imports them: people before the classes that name their teachers.
    pub const ALL: &'static [ImportKind] = &[
        ImportKind::Places,
        ImportKind::Staff,
        ImportKind::Classes,
        ImportKind::CheckPoints,
    ];

    /// As the command line and the template's address write it.
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Places => "places",
            ImportKind::Staff => "staff",
            ImportKind::Classes => "classes",
            ImportKind::CheckPoints => "check-points",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Places => PLACE_COLUMNS,
            ImportKind::Staff => STAFF_COLUMNS,
            ImportKind::Classes => CLASS_COLUMNS,
            ImportKind::CheckPoints => CHECK_POINT_COLUMNS,
        }
    }

    /// The sheet's name in the template and the file name it downloads as.
    pub fn title(self) -> &'static str {
        match self {
            ImportKind::Places => "场所",
            ImportKind::Staff => "人员",
            ImportKind::Classes => "班级",
            ImportKind::CheckPoints => "检查点",
        }
    }
}

/// A row that will be added or changed, as the preview lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The row number the spreadsheet shows (the header is row 1).
    pub row: u32,
    pub text: String,
}

/// A row refused: where, and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub row: u32,
    pub column: String,
    pub problem: String,
}

/// What importing a sheet would do (or did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Preview {
    /// The sheet as a whole cannot be read (not a spreadsheet, a missing column, too many rows).
    pub file_problem: Option<String>,
    pub rows: usize,
    pub add: Vec<Line>,
    pub update: Vec<Line>,
    pub unchanged: usize,
    pub refused: Vec<Refusal>,
}

impl Preview {
    /// A sheet applies only whole: nothing refused, something to do.
    pub fn can_apply(&self) -> bool {
        self.file_problem.is_none()
            && self.refused.is_empty()
            && !(self.add.is_empty() && self.update.is_empty())
    }
}

/// The answer to an import: its preview, and whether it was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub preview: Preview,
    pub applied: bool,
}

/// The largest file taken (a school's sheet is far smaller).
pub const MAX_FILE_BYTES: usize = 1_000_000;
/// The most rows taken in one sheet.
pub const MAX_ROWS: usize = 5_000;

/// Reads `data` (the file's bytes, base64) as a sheet of `kind` and previews it; with `apply`, applies it in one
/// transaction if nothing is refused. The admin only.
#[server(endpoint = "directory/import", input = Json)]
pub async fn import_sheet(
    kind: ImportKind,
    file_name: String,
    data: String,
    apply: bool,
) -> Result<Imported, AppError> {
    crate::server::respond(handlers::import(kind, file_name, data, apply).await)
}

#[cfg(feature = "ssr")]
mod handlers {
    use super::{ImportKind, Imported};
    use crate::domain::Role;
    use crate::error::{AppError, Problem};
    use crate::features::auth::session;

    pub async fn import(
        kind: ImportKind,
        file_name: String,
        data: String,
        apply: bool,
    ) -> Result<Imported, AppError> {
        let session::Caller { state, user } = session::require_role(&[Role::Admin]).await?;
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|_| AppError::invalid("data", Problem::Invalid))?;
        super::plan::run(&state.db, kind, &file_name, &bytes, apply, Some(user.id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::{check_point_kind_name, place_kind_name};
    use crate::domain::{CheckPointKind, PlaceKind};
    use crate::i18n::Locale;

    #[test]
    fn the_templates_hints_name_every_kind_as_the_app_does() {
        for kind in PlaceKind::ALL {
            assert!(
                PLACE_COLUMNS[1]
                    .hint
                    .contains(place_kind_name(Locale::zh, *kind)),
                "{kind:?}"
            );
        }
        for role in crate::domain::Role::ALL {
            assert!(
                STAFF_COLUMNS[3]
                    .hint
                    .contains(crate::components::role_name(Locale::zh, *role)),
                "{role:?}"
            );
        }
        for kind in CheckPointKind::ALL {
            assert!(
                CHECK_POINT_COLUMNS[1]
                    .hint
                    .contains(check_point_kind_name(Locale::zh, *kind)),
                "{kind:?}"
            );
        }
    }
}
