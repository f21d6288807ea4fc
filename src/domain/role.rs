//! Roles a person can hold. Which jobs each opens is each job's to say (its navigation entry).

use super::coded_enum;

coded_enum! {
    /// 后勤主任, 门卫, 安全检查员, 卫生检查员, 维修工, 教职工, 班主任. A person may hold several.
    pub enum Role {
        Admin = "admin",
        GateGuard = "gate_guard",
        SafetyInspector = "safety_inspector",
        CleaningInspector = "cleaning_inspector",
        Maintenance = "maintenance",
        Staff = "staff",
        ClassTeacher = "class_teacher",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(*role));
        }
        assert_eq!(Role::from_code("root"), None);
    }
}
