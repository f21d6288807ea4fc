//! Roles a person can hold, and which jobs each role opens in the app.

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

coded_enum! {
    /// The four field jobs and the administration, in the order the bottom navigation shows them.
    pub enum Job {
        GateVisits = "gate_visits",
        SafetyChecks = "safety_checks",
        CleaningScores = "cleaning_scores",
        RepairTickets = "repair_tickets",
        Admin = "admin",
    }
}

impl Job {
    pub fn path(self) -> &'static str {
        match self {
            Job::GateVisits => "/gate-visits",
            Job::SafetyChecks => "/safety-checks",
            Job::CleaningScores => "/cleaning-scores",
            Job::RepairTickets => "/repair-tickets",
            Job::Admin => "/admin",
        }
    }

    /// Whether a person holding `roles` may open this job.
    pub fn allowed_for(self, roles: &[Role]) -> bool {
        roles.iter().any(|role| role.jobs().contains(&self))
    }
}

impl Role {
    /// The jobs this role works in. Anyone on the staff can report a repair.
    pub fn jobs(self) -> &'static [Job] {
        match self {
            Role::Admin => Job::ALL,
            Role::GateGuard => &[Job::GateVisits, Job::RepairTickets],
            Role::SafetyInspector => &[Job::SafetyChecks, Job::RepairTickets],
            Role::CleaningInspector => &[Job::CleaningScores],
            Role::Maintenance => &[Job::RepairTickets],
            Role::Staff => &[Job::RepairTickets],
            Role::ClassTeacher => &[Job::CleaningScores, Job::RepairTickets],
        }
    }
}

/// The jobs for the bottom navigation: every job any of the roles opens, once, in `Job::ALL` order.
pub fn jobs_for(roles: &[Role]) -> Vec<Job> {
    Job::ALL
        .iter()
        .copied()
        .filter(|job| job.allowed_for(roles))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_sees_gate_and_repairs_but_not_admin() {
        let jobs = jobs_for(&[Role::GateGuard]);
        assert_eq!(jobs, vec![Job::GateVisits, Job::RepairTickets]);
        assert!(!Job::Admin.allowed_for(&[Role::GateGuard]));
    }

    #[test]
    fn several_roles_join_their_jobs_without_repeats() {
        let jobs = jobs_for(&[Role::Maintenance, Role::ClassTeacher, Role::Staff]);
        assert_eq!(jobs, vec![Job::CleaningScores, Job::RepairTickets]);
    }

    #[test]
    fn admin_sees_everything() {
        assert_eq!(jobs_for(&[Role::Admin]), Job::ALL.to_vec());
    }

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(*role));
        }
        assert_eq!(Role::from_code("root"), None);
    }
}
