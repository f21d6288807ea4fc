//! The inspector's check points: mine first, then everyone's (the admin sees all).

use crate::components::{Page, check_point_kind_name, use_directory, use_user};
use crate::domain::CheckPoint;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SafetyChecksPage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    let user = use_user();
    view! {
        <Page title=move || t_string!(i18n, jobs.safety_checks).to_string()>
            <p class="notice">{t!(i18n, jobs.coming_next)}</p>
            <Transition>
                {move || Suspend::new(async move {
                    let directory = directory.await.unwrap_or_default();
                    let me = user.get_untracked().map(|u| u.id);
                    let (mine, others): (Vec<CheckPoint>, Vec<CheckPoint>) =
                        directory.check_points.into_iter().filter(|c| c.active).partition(|c| c.responsible_id.is_some() && c.responsible_id == me);
                    let count = mine.len();
                    view! {
                        <h2>{move || t_string!(i18n, safety.mine, count = count).to_string()}</h2>
                        <CheckPointList points=mine />
                        <h2>{t!(i18n, safety.others)}</h2>
                        <CheckPointList points=others />
                    }
                })}
            </Transition>
        </Page>
    }
}

#[component]
fn CheckPointList(points: Vec<CheckPoint>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="list">
            {points.into_iter().map(|point| {
                let kind = point.kind;
                view! {
                    <li>
                        <A href=format!("/check-points/{}", point.id)><strong>{point.label}</strong></A>
                        <span class="muted">{move || check_point_kind_name(i18n.get_locale(), kind)} " · " {point.responsible_name.unwrap_or_default()}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
