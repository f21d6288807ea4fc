//! A job's entry in the navigation: its card on the home page's 工作台 grid and its tab in the bottom bar. Each
//! job declares one in its folder; the composition root (`crate::jobs::NAV`) lists them in the order shown.

use super::Icon;
use crate::domain::Role;
use crate::i18n::Locale;

#[derive(Debug)]
pub struct NavEntry {
    pub path: &'static str,
    pub icon: Icon,
    /// The roles that open it.
    pub roles: &'static [Role],
    pub name: fn(Locale) -> &'static str,
    /// One line on its home card.
    pub summary: fn(Locale) -> &'static str,
    /// Its cards on the admin's overview (管理).
    pub admin: &'static [AdminLink],
    /// What its home card counts, from the phone's own data (so it shows offline too).
    pub home_count: Option<HomeCount>,
}

/// A number on a job's home card: what is waiting for the person (visitors on campus, points due, open tickets).
#[derive(Debug)]
pub struct HomeCount {
    pub count: fn(crate::sync::local::LocalData) -> usize,
    /// What the number counts, after it ("人在校", "个点待检").
    pub label: fn(Locale) -> &'static str,
}

/// A way into a job's administration, as a card on the admin's overview.
#[derive(Debug)]
pub struct AdminLink {
    pub path: &'static str,
    pub name: fn(Locale) -> &'static str,
}

impl NavEntry {
    pub fn allowed_for(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.roles.contains(role))
    }
}

/// The entries a person holding `roles` opens, in the list's order. The admin opens every job.
pub fn entries_for(
    entries: &'static [&'static NavEntry],
    roles: &[Role],
) -> Vec<&'static NavEntry> {
    entries
        .iter()
        .copied()
        .filter(|entry| roles.contains(&Role::Admin) || entry.allowed_for(roles))
        .collect()
}

impl NavEntry {
    /// Whether `page` is this job's: its own path or one below it.
    fn holds(&self, page: &str) -> bool {
        page.strip_prefix(self.path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// Of `pages`, those a person holding `roles` keeps for offline use: the pages of the jobs they open, and the
/// pages of no job (the home page, the sync page). A guard's phone keeps no cleaning page, nor its code.
pub fn pages_for<'a>(
    entries: &'static [&'static NavEntry],
    roles: &[Role],
    pages: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let allowed = entries_for(entries, roles);
    pages
        .into_iter()
        .filter(|page| {
            let mut owners = entries.iter().filter(|entry| entry.holds(page)).peekable();
            owners.peek().is_none()
                || owners.any(|owner| allowed.iter().any(|a| std::ptr::eq(*a, *owner)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GATE: NavEntry = NavEntry {
        path: "/gate-visits",
        icon: Icon::Home,
        roles: &[Role::GateGuard],
        name: |_| "gate",
        summary: |_| "",
        admin: &[],
        home_count: None,
    };
    const CLEANING: NavEntry = NavEntry {
        path: "/cleaning-scores",
        icon: Icon::Home,
        roles: &[Role::ClassTeacher],
        name: |_| "cleaning",
        summary: |_| "",
        admin: &[],
        home_count: None,
    };
    const ENTRIES: &[&NavEntry] = &[&GATE, &CLEANING];
    const PAGES: [&str; 5] = [
        "/",
        "/sync",
        "/gate-visits",
        "/gate-visits/roll-call",
        "/cleaning-scores",
    ];

    #[test]
    fn a_phone_keeps_the_pages_of_its_own_jobs_and_of_none() {
        assert_eq!(
            pages_for(ENTRIES, &[Role::GateGuard], PAGES),
            ["/", "/sync", "/gate-visits", "/gate-visits/roll-call"]
        );
        assert_eq!(
            pages_for(ENTRIES, &[Role::ClassTeacher], PAGES),
            ["/", "/sync", "/cleaning-scores"]
        );
        assert_eq!(pages_for(ENTRIES, &[Role::Admin], PAGES), PAGES);
    }

    #[test]
    fn a_page_belongs_to_a_job_by_whole_segments() {
        assert!(GATE.holds("/gate-visits"));
        assert!(GATE.holds("/gate-visits/register"));
        assert!(!GATE.holds("/gate-visits-old"));
        assert!(!GATE.holds("/"));
    }
}
