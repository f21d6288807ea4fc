//! What the engine knows of a job: plain data each job declares once in its own folder, and the composition
//! root (`crate::jobs`) lists. The server's pull and the phone's pruning read the same table specs, so a
//! retention window is defined once and a new synced table cannot be forgotten by either side.

use crate::domain::clock::DAY_MS;

/// One job (or area) as the engine sees it.
#[derive(Debug)]
pub struct Job {
    pub key: &'static str,
    /// The tables its pull sends to phones.
    pub tables: &'static [Table],
    /// The pages a phone keeps for offline use (the service worker stores them once the user signs in).
    pub offline_pages: &'static [&'static str],
}

/// A synced table: its name on the wire, its children, and how long a phone keeps its rows.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// Tables whose rows belong to a row of this one: (table, field naming the parent's id). They leave the
    /// phone with their parent.
    pub children: &'static [(&'static str, &'static str)],
    pub keep: Keep,
}

impl Table {
    /// A table with no children whose rows stay as long as the server sends them.
    pub const fn always(name: &'static str) -> Table {
        Table {
            name,
            children: &[],
            keep: Keep::Always,
        }
    }
}

/// How long a row stays on a phone (and within what window the server sends it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// As long as the server sends it (the directory, settings, open work): it leaves by a delete or a leave.
    Always,
    /// Until `days` after the time (milliseconds, the server's clock) in the row's `field`; a row whose field
    /// is empty (a ticket not yet closed) stays.
    DaysAfter { field: &'static str, days: i64 },
}

impl Keep {
    /// The window in milliseconds, if any.
    pub fn window_ms(self) -> Option<i64> {
        match self {
            Keep::Always => None,
            Keep::DaysAfter { days, .. } => Some(days * DAY_MS),
        }
    }

    /// Whether a phone drops `row` at `now` (the server's clock).
    pub fn expired(self, row: &serde_json::Value, now: i64) -> bool {
        match self {
            Keep::Always => false,
            Keep::DaysAfter { field, .. } => row
                .get(field)
                .and_then(serde_json::Value::as_i64)
                .is_some_and(|at| self.window_ms().is_some_and(|window| at < now - window)),
        }
    }
}

/// The engine's own: the photos records carry (uploaded once, shown by every job), and the pages every user has.
pub const ENGINE: Job = Job {
    key: "sync",
    tables: &[Table::always("photos")],
    offline_pages: &["/", "/sync"],
};

static INSTALLED: std::sync::OnceLock<&'static [&'static Job]> = std::sync::OnceLock::new();

/// Gives the engine the app's jobs, once, before anything syncs (the composition root calls it at start).
pub fn install(jobs: &'static [&'static Job]) {
    let _ = INSTALLED.set(jobs);
}

/// The jobs the composition root installed (none before it did).
pub fn installed() -> &'static [&'static Job] {
    INSTALLED.get().copied().unwrap_or(&[])
}

impl Job {
    pub fn table(&self, name: &str) -> Option<&'static Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The names of its tables.
    pub fn table_names(&self) -> impl Iterator<Item = &'static str> {
        self.tables.iter().map(|t| t.name)
    }
}

/// The table spec of `name` among `jobs`.
pub fn table_of(jobs: &[&'static Job], name: &str) -> Option<&'static Table> {
    jobs.iter().find_map(|job| job.table(name))
}

/// The window of `name` in milliseconds, for the server's pull. Panics on a table the job declares without a
/// window: a programming error the tests catch at once.
pub fn window_ms(job: &Job, name: &str) -> i64 {
    job.table(name)
        .and_then(|t| t.keep.window_ms())
        .unwrap_or_else(|| panic!("{} declares no window for {name}", job.key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_row_expires_only_once_its_time_is_past_the_window() {
        let keep = Keep::DaysAfter {
            field: "closed_at",
            days: 30,
        };
        let now = 100 * DAY_MS;
        assert!(keep.expired(&json!({ "closed_at": 69 * DAY_MS }), now));
        assert!(!keep.expired(&json!({ "closed_at": 71 * DAY_MS }), now));
        assert!(
            !keep.expired(&json!({ "closed_at": null }), now),
            "still open"
        );
        assert!(!Keep::Always.expired(&json!({ "closed_at": 0 }), now));
    }
}
