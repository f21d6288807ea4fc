//! The admin home's backup card: when the last backup was taken and its size, and a warning when there is none,
//! it is older than two days, or the last one failed (`server::backup`).

use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A backup older than this is warned of.
pub const STALE_AFTER_MS: i64 = 2 * crate::domain::clock::DAY_MS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupStatus {
    /// `HOUQIN_BACKUP_DIR` is set: one is taken every night.
    pub nightly: bool,
    pub last: Option<Taken>,
    /// The last failure after the last backup that worked.
    pub failed: Option<Failed>,
    /// The server's clock, which ages the backup.
    pub now_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Taken {
    pub at_ms: i64,
    pub file: String,
    pub bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    pub at_ms: i64,
    pub error: String,
}

impl BackupStatus {
    /// What the card warns of, if anything.
    pub fn warning(&self) -> Option<Warning> {
        match (&self.last, &self.failed) {
            (_, Some(_)) => Some(Warning::Failed),
            (None, None) => Some(Warning::None),
            (Some(last), None) if self.now_ms - last.at_ms > STALE_AFTER_MS => Some(Warning::Old),
            // Backups by hand only: nobody remembers them for long.
            _ if !self.nightly => Some(Warning::NoNightly),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    None,
    Old,
    Failed,
    NoNightly,
}

#[server(endpoint = "home/backup_status", input = Json)]
pub async fn load_backup_status() -> Result<BackupStatus, AppError> {
    crate::server::respond(handlers::status().await)
}

#[cfg(feature = "ssr")]
mod handlers {
    use super::{BackupStatus, Failed, Taken};
    use crate::domain::Role;
    use crate::error::AppError;
    use crate::features::auth::session;

    pub async fn status() -> Result<BackupStatus, AppError> {
        let state = session::require_role(&[Role::Admin]).await?.state;
        let (last, failed) = crate::server::backup::last_backups(&state.db).await?;
        Ok(BackupStatus {
            nightly: state.config.backup_dir.is_some(),
            last: last.map(|row| Taken {
                at_ms: row.finished_at,
                file: row.file.unwrap_or_default(),
                bytes: row.bytes.unwrap_or_default(),
            }),
            failed: failed.map(|row| Failed {
                at_ms: row.finished_at,
                error: row.error.unwrap_or_default(),
            }),
            now_ms: crate::server::db::now_ms(),
        })
    }
}

/// The card: the last backup, or what is wrong with the backups.
#[component]
pub fn BackupCard() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| load_backup_status());
    let at = |ms: i64| {
        use crate::domain::clock::SCHOOL_UTC_OFFSET_MINUTES;
        crate::domain::clock::date_time(ms, SCHOOL_UTC_OFFSET_MINUTES)
    };
    view! {
        <Transition>
            {move || Suspend::new(async move {
                // Offline, or not yet known: the card says nothing rather than something wrong.
                let status = status.await.ok()?;
                let warning = status.warning();
                let class = if warning.is_some() { "notice notice-warn" } else { "notice notice-ok" };
                let last = status.last.clone().map(|last| {
                    let size = format!("{:.1} MB", last.bytes as f64 / 1_000_000.0);
                    view! {
                        <p>{t!(i18n, backup.last, at = at(last.at_ms), size = size)}</p>
                        <p class="muted">{last.file}</p>
                    }
                });
                let failed = status.failed.clone().map(|failed| {
                    view! { <p>{t!(i18n, backup.failed, at = at(failed.at_ms))}" "<span class="muted">{failed.error}</span></p> }
                });
                let headline = move || match warning {
                    Some(Warning::None) => t_string!(i18n, backup.none).to_string(),
                    Some(Warning::Old) => t_string!(i18n, backup.old).to_string(),
                    Some(Warning::Failed) => t_string!(i18n, backup.failed_title).to_string(),
                    Some(Warning::NoNightly) => t_string!(i18n, backup.no_nightly_title).to_string(),
                    None => t_string!(i18n, backup.ok).to_string(),
                };
                let nightly = (!status.nightly).then(|| view! { <p class="muted">{t!(i18n, backup.no_nightly)}</p> });
                Some(view! {
                    <section class=class role=warning.map(|_| "alert") data-testid="backup-card">
                        <strong>{headline}</strong>
                        {last}
                        {failed}
                        {nightly}
                    </section>
                })
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(last: Option<i64>, failed: bool) -> BackupStatus {
        BackupStatus {
            nightly: true,
            last: last.map(|at_ms| Taken {
                at_ms,
                file: "houqin.tar".into(),
                bytes: 1,
            }),
            failed: failed.then(|| Failed {
                at_ms: 5,
                error: "disk full".into(),
            }),
            now_ms: 3 * crate::domain::clock::DAY_MS,
        }
    }

    #[test]
    fn the_card_warns_of_no_old_or_failed_backups() {
        let day = crate::domain::clock::DAY_MS;
        assert_eq!(status(None, false).warning(), Some(Warning::None));
        assert_eq!(status(Some(day / 2), false).warning(), Some(Warning::Old));
        assert_eq!(status(Some(2 * day), false).warning(), None);
        assert_eq!(status(Some(2 * day), true).warning(), Some(Warning::Failed));
        let by_hand = BackupStatus {
            nightly: false,
            ..status(Some(2 * day), false)
        };
        assert_eq!(by_hand.warning(), Some(Warning::NoNightly));
    }
}
