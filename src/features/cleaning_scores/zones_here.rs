//! On a place's page, which its QR label opens: the cleaning zones at this place, each with its latest scores on
//! this phone and, for an inspector, one tap to score it now (a class zone at the current fixed time, an office
//! by spot check). An inspector at a zone scans its label instead of finding it in a list of sixty.

use super::local_view::{self, kind_name, score_badge, zone_title};
use crate::components::{phone_utc_offset, use_user};
use crate::domain::Role;
use crate::domain::cleaning::{League, current_slot};
use crate::domain::clock::{date, time};
use crate::i18n::*;
use crate::sync::local::use_local_data;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

/// How many of a zone's latest checks the place page lists.
const RECENT: usize = 3;

#[component]
pub fn ZonesAtPlace(place_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let user = use_user();
    let may_score = Memo::new(move |_| {
        user.get()
            .is_some_and(|u| u.has(Role::CleaningInspector) || u.has(Role::Admin))
    });
    // This phone's data and clock exist only in the browser: the server renders no zones, and hydration then
    // fills them in (a value read while hydrating would keep the server's).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let settings = Memo::new(move |_| local_view::settings(local));
    let zones = Memo::new(move |_| {
        if !hydrated.get() {
            return Vec::new();
        }
        let zones: Vec<_> = local_view::zones(local)
            .into_iter()
            .filter(|z| z.place_id == place_id)
            .collect();
        let checks = local_view::checks(local, &zones);
        zones
            .into_iter()
            .map(|zone| {
                let recent: Vec<_> = checks
                    .iter()
                    .rev()
                    .filter(|c| c.check.zone_id == zone.id)
                    .take(RECENT)
                    .cloned()
                    .collect();
                (zone, recent)
            })
            .collect::<Vec<_>>()
    });
    view! {
        <Show when=move || !zones.with(Vec::is_empty)>
            <h2>{t!(i18n, place.cleaning_scores)}</h2>
            <ul class="list" data-testid="zones-here">
                <For each=move || zones.get()
                    key=|(z, recent)| (z.id, recent.iter().map(|c| (c.check.id, c.pending)).collect::<Vec<_>>())
                    let:item>
                    {
                        let (zone, recent) = item;
                        let threshold = settings.with_untracked(|s| s.threshold_centi);
                        let href = match zone.league {
                            League::Class => {
                                let slot = settings
                                    .with_untracked(|s| current_slot(&s.daily_times, local_view::minute_now()))
                                    .unwrap_or_default();
                                format!("/cleaning-scores/check?zone={}&kind=daily&slot={slot}", zone.id)
                            }
                            League::Office => format!("/cleaning-scores/check?zone={}&kind=spot", zone.id),
                        };
                        let offset = phone_utc_offset();
                        let empty = recent.is_empty();
                        view! {
                            <li>
                                <strong>{let zone = zone.clone(); move || zone_title(i18n.get_locale(), &zone)}</strong>
                                <Show when=move || empty>
                                    <p class="muted">{t!(i18n, place.no_scores)}</p>
                                </Show>
                                <ul class="plain">
                                    {recent.into_iter().map(|c| {
                                        let (text, class) = score_badge(c.check.score, c.check.full_score, threshold);
                                        let kind = c.check.kind;
                                        let when = format!("{} {}", date(c.check.checked_at, offset), time(c.check.checked_at, offset));
                                        view! {
                                            <li data-testid="zone-here-check">
                                                <span class=class>{text}</span> " "
                                                <span class="muted">{when} " · " {move || kind_name(i18n.get_locale(), kind)}</span>
                                                {c.pending.then(|| view! { " " <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <Show when=move || may_score.get()>
                                    <A href=href.clone() attr:class="button button-primary" attr:data-testid="score-here">
                                        {t!(i18n, place.score_zone)}
                                    </A>
                                </Show>
                            </li>
                        }
                    }
                </For>
            </ul>
        </Show>
    }
}
