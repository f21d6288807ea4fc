//! Always one tap away: the header chip (pending count or "synced") and the sync page with the pending count,
//! the age of the oldest pending entry, the last successful sync, persistent storage, and the needs-attention
//! list with the server's reason for each.

use super::local::{Link, use_local_data};
use crate::components::{Page, phone_utc_offset, problem_text};
use crate::domain::clock::{date, time};
use crate::domain::sync::{CLOCK_SKEW_WARN_MS, Outcome};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

fn now_ms() -> i64 {
    crate::components::phone_now_ms()
}

/// Minutes, hours or days, in the user's language.
fn age(locale: Locale, ms: i64) -> String {
    let minutes = (ms / 60_000).max(0);
    if minutes < 60 {
        td_string!(locale, sync.minutes, count = minutes).to_string()
    } else if minutes < 48 * 60 {
        td_string!(locale, sync.hours, count = minutes / 60).to_string()
    } else {
        td_string!(locale, sync.days, count = minutes / 1440).to_string()
    }
}

#[component]
pub fn SyncChip() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let label = move || {
        local.status.with(|s| {
            let locale = i18n.get_locale();
            match s.link {
                Link::SignedOut => td_string!(locale, sync.signed_out_short).to_string(),
                Link::UpdateRequired => td_string!(locale, sync.update_short).to_string(),
                Link::StorageUnavailable => td_string!(locale, sync.no_storage_short).to_string(),
                _ if s.pending > 0 => {
                    td_string!(locale, sync.pending_count, count = s.pending).to_string()
                }
                Link::Offline => td_string!(locale, sync.offline_short).to_string(),
                // A phone whose first sync has not finished holds nothing yet: it must not say 已同步.
                Link::Starting | Link::Syncing if s.last_sync_ms.is_none() => {
                    td_string!(locale, sync.syncing_short).to_string()
                }
                _ if !s.attention.is_empty() => {
                    td_string!(locale, sync.attention_count, count = s.attention.len()).to_string()
                }
                _ => td_string!(locale, sync.synced_short).to_string(),
            }
        })
    };
    let warn = move || {
        local.status.with(|s| {
            s.pending > 0
                || !s.attention.is_empty()
                || !matches!(s.link, Link::Idle | Link::Syncing | Link::Starting)
        })
    };
    view! {
        <A href="/sync" attr:class=move || if warn() { "sync-chip sync-chip-warn" } else { "sync-chip" } attr:data-testid="sync-chip">
            {label}
        </A>
    }
}

#[component]
pub fn SyncPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let status = local.status;
    let link_text = move || {
        let locale = i18n.get_locale();
        match status.with(|s| s.link) {
            Link::Starting => td_string!(locale, common.loading),
            Link::Idle => td_string!(locale, sync.link_idle),
            Link::Syncing => td_string!(locale, sync.link_syncing),
            Link::Offline => td_string!(locale, sync.link_offline),
            Link::SignedOut => td_string!(locale, sync.link_signed_out),
            Link::UpdateRequired => td_string!(locale, sync.link_update),
            Link::StorageUnavailable => td_string!(locale, sync.storage_unavailable),
        }
        .to_string()
    };
    view! {
        <Page title=move || t_string!(i18n, sync.title).to_string()>
            <dl class="facts card">
                <dt>{t!(i18n, sync.state)}</dt><dd data-testid="sync-state">{link_text}</dd>
                <dt>{t!(i18n, sync.pending)}</dt><dd data-testid="pending-count">{move || status.with(|s| s.pending)}</dd>
                <dt>{t!(i18n, sync.oldest)}</dt>
                <dd>{move || status.with(|s| s.oldest_pending_ms).map(|t| age(i18n.get_locale(), now_ms() - t)).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, sync.last_sync)}</dt>
                <dd data-testid="last-sync">{move || status.with(|s| s.last_sync_ms).map(|t| { let o = phone_utc_offset(); format!("{} {}", date(t, o), time(t, o)) }).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, sync.photos_waiting)}</dt>
                <dd data-testid="photos-waiting">{move || status.with(|s| s.photos_waiting)}</dd>
                <dt>{t!(i18n, sync.persistent)}</dt>
                <dd>{move || match status.with(|s| s.persisted) {
                    Some(true) => t_string!(i18n, sync.persistent_yes).to_string(),
                    Some(false) => t_string!(i18n, sync.persistent_no).to_string(),
                    None => "—".to_string(),
                }}</dd>
            </dl>
            <Show when=move || status.with(|s| s.clock_skew_ms.abs() > CLOCK_SKEW_WARN_MS)>
                <p class="notice notice-warn">{move || t_string!(i18n, sync.clock_skew, minutes = status.with(|s| s.clock_skew_ms / 60_000)).to_string()}</p>
            </Show>
            <div class="row-actions">
                <button type="button" class="button" on:click=move |_| local.sync_now()>{t!(i18n, sync.sync_now)}</button>
                <button type="button" class="button button-secondary" disabled=move || status.with(|s| s.pending == 0) on:click=move |_| local.download_pending()>{t!(i18n, sync.download)}</button>
            </div>
            <h2>{t!(i18n, sync.attention)}</h2>
            <Show when=move || status.with(|s| !s.attention.is_empty()) fallback=move || view! { <p class="muted">{t!(i18n, sync.attention_none)}</p> }>
                <ul class="list" data-testid="attention">
                    <For each=move || status.with(|s| s.attention.clone()) key=|a| a.mutation.id let:item>
                        {
                            let id = item.mutation.id;
                            let summary = summary_of(&item.mutation.args);
                            let reason = move || {
                                let locale = i18n.get_locale();
                                match &item.outcome {
                                    Outcome::Rejected { code, message, fields } => {
                                        let reason = reason_text(locale, code).unwrap_or_else(|| message.clone());
                                        let fields: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, problem_text(locale, f.problem))).collect();
                                        if fields.is_empty() { reason } else { format!("{reason} — {}", fields.join("; ")) }
                                    }
                                    Outcome::ConflictRecorded { code, message } => format!("{} — {message}", reason_text(locale, code).unwrap_or_default()),
                                    Outcome::Applied => String::new(),
                                }
                            };
                            view! {
                                <li>
                                    <strong>{summary}</strong>
                                    <span class="muted">{reason}</span>
                                    <button type="button" class="button button-small button-secondary" on:click=move |_| local.dismiss(id)>{t!(i18n, sync.dismiss)}</button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </Page>
    }
}

/// A short description of what an entry was about (the visitor's name, say).
fn summary_of(args: &serde_json::Value) -> String {
    [
        "visitor_name",
        "title",
        "name",
        "description",
        "note",
        "reason",
    ]
    .iter()
    .find_map(|k| args.get(*k).and_then(|v| v.as_str()))
    .unwrap_or("")
    .to_owned()
}

fn reason_text(locale: Locale, code: &str) -> Option<String> {
    Some(
        match code {
            "invalid" => td_string!(locale, sync.reason_invalid),
            "ticket_moved" => td_string!(locale, repair.reason_moved),
            "photo_refused" => td_string!(locale, repair.reason_photo_refused),
            "request_refused" => td_string!(locale, sync.reason_request_refused),
            "not_stored" => td_string!(locale, sync.reason_not_stored),
            "transition_forbidden" => td_string!(locale, repair.reason_transition),
            "forbidden" => td_string!(locale, sync.reason_forbidden),
            "watch_list" => td_string!(locale, gate.watch_match),
            "appeal_closed" => td_string!(locale, cleaning.reason_appeal_closed),
            "already_appealed" => td_string!(locale, cleaning.reason_already_appealed),
            "corrected_again" => td_string!(locale, cleaning.reason_corrected_again),
            "host_inactive" => td_string!(locale, gate.host_inactive),
            "id_unreadable" => td_string!(locale, gate.id_unreadable),
            "already_registered" | "already_recorded" | "mutation_id_reused"
            | "sequence_reused" => {
                td_string!(locale, sync.reason_duplicate)
            }
            _ => return None,
        }
        .to_string(),
    )
}
