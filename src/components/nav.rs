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
