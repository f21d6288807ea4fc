//! Classes (班级): grade and number, a class teacher, and the outdoor cleaning zone (包干区) they keep.

use crate::error::{AppError, Checks, Problem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const GRADES: std::ops::RangeInclusive<i64> = 1..=6;
pub const CLASS_NUMBERS: std::ops::RangeInclusive<i64> = 1..=30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolClass {
    pub id: Uuid,
    pub grade: i64,
    pub number: i64,
    pub teacher_id: Option<Uuid>,
    pub teacher_name: Option<String>,
    pub zone_id: Option<Uuid>,
    pub zone_path: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolClassInput {
    pub grade: i64,
    pub number: i64,
    pub teacher_id: Option<Uuid>,
    pub zone_id: Option<Uuid>,
}

impl SchoolClassInput {
    pub fn validate(self) -> Result<SchoolClassInput, AppError> {
        let mut checks = Checks::new();
        if !GRADES.contains(&self.grade) {
            checks.add("grade", Problem::Invalid);
        }
        if !CLASS_NUMBERS.contains(&self.number) {
            checks.add("number", Problem::Invalid);
        }
        checks.finish()?;
        Ok(self)
    }
}

/// 三年级2班: the name the seed and the school use.
pub fn chinese_name(grade: i64, number: i64) -> String {
    const GRADE_NAMES: [&str; 6] = ["一", "二", "三", "四", "五", "六"];
    let grade_name = usize::try_from(grade - 1)
        .ok()
        .and_then(|i| GRADE_NAMES.get(i))
        .copied();
    match grade_name {
        Some(g) => format!("{g}年级{number}班"),
        None => format!("{grade}年级{number}班"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_the_school_writes_them() {
        assert_eq!(chinese_name(3, 2), "三年级2班");
        assert_eq!(chinese_name(6, 12), "六年级12班");
    }

    #[test]
    fn grade_seven_is_not_a_primary_school_grade() {
        let err = SchoolClassInput {
            grade: 7,
            number: 1,
            teacher_id: None,
            zone_id: None,
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field_problem("grade"), Some(Problem::Invalid));
        assert_eq!(err.field_problem("number"), None);
    }
}
