//! The composition root's list of jobs: the one place that names them all. The sync engine, the service worker's
//! offline pages and the tests read it; nothing in the engine names a job.

use crate::features::{
    auth, cleaning_scores, directory, gate_visits, repair_tickets, safety_checks,
};
use crate::sync::job::{ENGINE, Job};

/// What the engine and the phone know of each job.
pub const ALL: &[&Job] = &[
    &ENGINE,
    &auth::JOB,
    &directory::JOB,
    &gate_visits::JOB,
    &repair_tickets::JOB,
    &safety_checks::JOB,
    &cleaning_scores::JOB,
];

/// The jobs' entries in the navigation, in the order the home grid and the bottom bar show them.
pub const NAV: &[&crate::components::NavEntry] = &[
    &gate_visits::NAV,
    &safety_checks::NAV,
    &cleaning_scores::NAV,
    &repair_tickets::NAV,
];

/// Each job's server side, in the order of [`ALL`]: the order the demo seeds in and the pull's scope is written
/// in. The order of a push's writes comes from each job's `flush_after`.
#[cfg(feature = "ssr")]
pub static SERVER: &[&dyn crate::server::job::ServerJob] = &[
    &auth::server_job::Auth,
    &directory::server_job::Directory,
    &gate_visits::server_job::GateVisits,
    &repair_tickets::server_job::RepairTickets,
    &safety_checks::server_job::SafetyChecks,
    &cleaning_scores::server_job::CleaningScores,
];

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::components::entries_for;
    use crate::domain::Role;

    fn paths(roles: &[Role]) -> Vec<&'static str> {
        entries_for(super::NAV, roles)
            .iter()
            .map(|e| e.path)
            .collect()
    }

    #[test]
    fn guard_sees_gate_and_repairs() {
        assert_eq!(
            paths(&[Role::GateGuard]),
            ["/gate-visits", "/repair-tickets"]
        );
    }

    #[test]
    fn several_roles_join_their_jobs_without_repeats() {
        let roles = [Role::Maintenance, Role::ClassTeacher, Role::Staff];
        assert_eq!(paths(&roles), ["/cleaning-scores", "/repair-tickets"]);
        assert_eq!(paths(&[Role::CleaningInspector]), ["/cleaning-scores"]);
    }

    #[test]
    fn admin_sees_every_job() {
        assert_eq!(paths(&[Role::Admin]).len(), super::NAV.len());
    }

    /// Every job the phone knows has its server side, and the other way round (the engine's own is no job's).
    #[cfg(feature = "ssr")]
    #[test]
    fn every_job_has_its_server_side_in_the_same_order() {
        let shared: Vec<&str> = super::ALL[1..].iter().map(|job| job.key).collect();
        let server: Vec<&str> = super::SERVER.iter().map(|job| job.job().key).collect();
        assert_eq!(shared, server);
        assert_eq!(super::ALL[0].key, crate::sync::job::ENGINE.key);
        let order = crate::server::job::flush_order(super::SERVER);
        let at = |key: &str| order.iter().position(|k| *k == key).unwrap();
        assert!(at("repair_tickets") < at("safety_checks"), "{order:?}");
        assert_eq!(order.len(), server.len());
    }

    fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    /// The engine and the shared layers know no job: they get the jobs from this list.
    #[test]
    fn the_engine_and_the_shared_layers_name_no_job() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("src/error.rs")];
        for dir in ["src/sync", "src/domain", "src/components", "src/server"] {
            rust_files(&root.join(dir), &mut files);
        }
        let naming: Vec<String> = files
            .iter()
            .filter(|file| {
                let text = std::fs::read_to_string(file).unwrap();
                text.contains("crate::features") || text.contains("features::")
            })
            .map(|file| {
                file.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert!(naming.is_empty(), "these name a job: {naming:?}");
        assert!(files.len() > 40, "{} files", files.len());
    }
}
