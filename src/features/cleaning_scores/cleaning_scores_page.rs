//! Classes and their cleaning zones; the class teacher's own class is marked.

use crate::components::{Page, class_name, use_directory, use_user};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn CleaningScoresPage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = use_directory();
    let user = use_user();
    view! {
        <Page title=move || t_string!(i18n, jobs.cleaning_scores).to_string()>
            <p class="notice">{t!(i18n, jobs.coming_next)}</p>
            <Transition>
                {move || Suspend::new(async move {
                    let directory = directory.await.unwrap_or_default();
                    let me = user.get_untracked().map(|u| u.id);
                    view! {
                        <ul class="list">
                            {directory.school_classes.into_iter().filter(|c| c.active).map(|class| {
                                let mine = class.teacher_id.is_some() && class.teacher_id == me;
                                view! {
                                    <li class:mine=mine>
                                        <strong>{move || class_name(i18n.get_locale(), class.grade, class.number)}</strong>
                                        <span class="muted">{class.zone_path.unwrap_or_default()} " · " {class.teacher_name.unwrap_or_default()}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </Page>
    }
}
