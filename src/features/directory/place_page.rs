//! What a QR label opens: one place (or check point) with what hangs under it, its check points and the
//! classes whose cleaning zone it is, its cleaning scores, and the jobs' actions here (report a fault, score the
//! zone, check a point).

use crate::components::{
    NotOnThisPhone, Page, check_point_kind_name, class_name, place_kind_name, use_directory,
    use_user,
};
use crate::domain::Role;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

fn id_param() -> Memo<Option<Uuid>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    })
}

#[component]
pub fn PlacePage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    let user = use_user();
    let id = id_param();
    let is_admin = move || user.get().is_some_and(|u| u.has(Role::Admin));
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let directory = directory.await.unwrap_or_default();
                let Some(place) = id.get().and_then(|id| directory.place(id).cloned()) else {
                    return view! {
                        <Page title=move || t_string!(i18n, errors.not_found).to_string()><NotOnThisPhone /></Page>
                    }.into_any();
                };
                let children: Vec<_> = directory.places.iter().filter(|p| p.parent_id == Some(place.id) && p.active).cloned().collect();
                let points: Vec<_> = directory.check_points.iter().filter(|c| c.place_id == place.id && c.active).cloned().collect();
                let classes: Vec<_> = directory.school_classes.iter().filter(|c| c.zone_id == Some(place.id) && c.active).cloned().collect();
                let (kind, place_id, title) = (place.kind, place.id, place.name.clone());
                let (has_classes, has_points, has_children) = (!classes.is_empty(), !points.is_empty(), !children.is_empty());
                view! {
                    <Page title=move || title.clone()>
                        <p class="muted">{place.path.clone()} " · " {move || place_kind_name(i18n.get_locale(), kind)}
                            {(!place.active).then(|| view! { " · " {t!(i18n, common.inactive)} })}</p>
                        <div class="row-actions">
                            <A href=format!("/repair-tickets/new?place={place_id}") attr:class="button button-primary" attr:data-testid="report-here">
                                {t!(i18n, repair.new_title)}
                            </A>
                        </div>
                        <Show when=move || has_classes>
                            <h2>{t!(i18n, place.cleaning_zone_of)}</h2>
                            <ul class="list">
                                {classes.clone().into_iter().map(|c| view! {
                                    <li><strong>{move || class_name(i18n.get_locale(), c.grade, c.number)}</strong>
                                        <span class="muted">{c.teacher_name.clone()}</span></li>
                                }).collect_view()}
                            </ul>
                        </Show>
                        <crate::features::cleaning_scores::ZonesAtPlace place_id />
                        <Show when=move || has_points>
                            <h2>{t!(i18n, place.check_points)}</h2>
                            <ul class="list">
                                {points.clone().into_iter().map(|c| {
                                    let point_kind = c.kind;
                                    view! {
                                        <li><A href=format!("/check-points/{}", c.id)><strong>{c.label.clone()}</strong></A>
                                            <span class="muted">{move || check_point_kind_name(i18n.get_locale(), point_kind)} " · " {c.responsible_name.clone()}</span></li>
                                    }
                                }).collect_view()}
                            </ul>
                        </Show>
                        <Show when=move || has_children>
                            <h2>{t!(i18n, place.inside)}</h2>
                            <ul class="list">
                                {children.clone().into_iter().map(|p| view! {
                                    <li><A href=format!("/places/{}", p.id)><strong>{p.name.clone()}</strong></A></li>
                                }).collect_view()}
                            </ul>
                        </Show>
                        <Show when=is_admin>
                            <A href=format!("/places/{place_id}/label") attr:class="button">{t!(i18n, common.label)}</A>
                        </Show>
                    </Page>
                }
                .into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn CheckPointPage() -> impl IntoView {
    // Scanned from the label on site (the label's address carries `qr=1`), not reached through the directory.
    let scanned = use_query_map().with_untracked(|q| q.get("qr").is_some_and(|v| v == "1"));
    let i18n = use_i18n();
    let directory = use_directory();
    let user = use_user();
    let id = id_param();
    let is_admin = move || user.get().is_some_and(|u| u.has(Role::Admin));
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let directory = directory.await.unwrap_or_default();
                let Some(point) = id.get().and_then(|id| directory.check_points.iter().find(|c| c.id == id).cloned()) else {
                    return view! {
                        <Page title=move || t_string!(i18n, errors.not_found).to_string()><NotOnThisPhone /></Page>
                    }.into_any();
                };
                let (kind, title) = (point.kind, point.label.clone());
                view! {
                    <Page title=move || title.clone()>
                        <dl class="facts">
                            <dt>{t!(i18n, fields.check_point_kind)}</dt>
                            <dd>{move || check_point_kind_name(i18n.get_locale(), kind)}</dd>
                            <dt>{t!(i18n, fields.place)}</dt>
                            <dd><A href=format!("/places/{}", point.place_id)>{point.place_path.clone()}</A></dd>
                            <dt>{t!(i18n, fields.responsible)}</dt>
                            <dd>{point.responsible_name.clone()}</dd>
                        </dl>
                        // Checking from a scanned label records the scan with the check, as presence on site.
                        <div class="row-actions">
                            <A href=format!("/safety-checks/check?point={}{}", point.id, if scanned { "&scan=1" } else { "" }) attr:class="button button-primary" attr:data-testid="start-check">
                                {t!(i18n, safety.start_check)}
                            </A>
                        </div>
                        <Show when=is_admin>
                            <A href=format!("/check-points/{}/label", point.id) attr:class="button">{t!(i18n, common.label)}</A>
                        </Show>
                    </Page>
                }
                .into_any()
            })}
        </Transition>
    }
}
