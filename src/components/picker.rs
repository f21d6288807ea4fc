//! A searchable picker for a person or a place: type part of a name or its pinyin initials (`lzr`, `jxl`) and tap
//! the match. It replaces a long native `<select>`, which on a phone is a wheel of a hundred lines.

use crate::domain::search::matches;
use crate::i18n::*;
use leptos::prelude::*;

/// One entry a picker offers: its value, what it shows (a name, or a place's whole path), and the pinyin
/// initials of what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub initials: String,
}

/// Entries under a heading (人员, 场所), in the order they are offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceGroup {
    pub heading: String,
    pub choices: Vec<Choice>,
}

/// At most this many matches are shown at once: a thumb's worth above the keyboard.
const SHOWN: usize = 8;

/// The matches for `query`, group by group, at most [`SHOWN`] in all; with nothing typed, the `quick` ones
/// (the last few chosen) head the list under their own heading.
fn shown_choices(
    groups: &[ChoiceGroup],
    quick: &[String],
    quick_heading: &str,
    query: &str,
) -> Vec<ChoiceGroup> {
    let mut left = SHOWN;
    let mut out = Vec::new();
    let mut take = |heading: &str, choices: Vec<Choice>, out: &mut Vec<ChoiceGroup>| {
        let choices: Vec<Choice> = choices.into_iter().take(left).collect();
        left -= choices.len();
        if !choices.is_empty() {
            out.push(ChoiceGroup {
                heading: heading.to_owned(),
                choices,
            });
        }
    };
    if query.trim().is_empty() && !quick.is_empty() {
        let recent = quick
            .iter()
            .filter_map(|value| {
                groups
                    .iter()
                    .flat_map(|g| &g.choices)
                    .find(|c| &c.value == value)
                    .cloned()
            })
            .collect();
        take(quick_heading, recent, &mut out);
    }
    for group in groups {
        let found = group
            .choices
            .iter()
            .filter(|c| matches(query, &c.label, &c.initials))
            .filter(|c| !out.iter().any(|g| g.choices.contains(c)))
            .cloned()
            .collect();
        take(&group.heading, found, &mut out);
    }
    out
}

/// The picker's text box and its matches. Put it inside a [`super::Field`], whose label names the text box. The
/// chosen value is `selected` (empty for none); choosing fills the box with the entry's label, and typing
/// anything else clears the choice.
#[component]
pub fn SearchPicker(
    #[prop(into)] groups: Signal<Vec<ChoiceGroup>>,
    selected: RwSignal<String>,
    /// Values offered before anything is typed, under `quick_heading`.
    #[prop(into, optional)]
    quick: Signal<Vec<String>>,
    #[prop(into, optional)] quick_heading: Signal<String>,
    /// The text box's name in a form, for tests and autofill hints.
    #[prop(optional)]
    name: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let label_of = move |value: &str| {
        groups.with(|groups| {
            groups
                .iter()
                .flat_map(|g| &g.choices)
                .find(|c| c.value == value)
                .map(|c| c.label.clone())
        })
    };
    let query = RwSignal::new(String::new());
    // A choice made elsewhere (a returning visitor's host) shows in the box; a choice cleared elsewhere (the form
    // started over) empties it.
    Effect::new(move |_| {
        let value = selected.get();
        if value.is_empty() {
            if holds_a_label(query, groups) {
                query.set(String::new());
            }
        } else if let Some(label) = label_of(&value)
            && query.get_untracked() != label
        {
            query.set(label);
        }
    });
    let chosen = move || !selected.with(String::is_empty);
    let list = Memo::new(move |_| {
        if chosen() {
            return Vec::new();
        }
        let quick = quick.get();
        groups.with(|g| shown_choices(g, &quick, &quick_heading.get(), &query.get()))
    });
    let list_id = format!("picker-{name}");
    view! {
        <div class="picker">
            <div class="input-with-key">
                <input type="search" name=name autocomplete="off" enterkeyhint="done"
                    role="combobox" aria-autocomplete="list" aria-controls=list_id.clone()
                    aria-expanded=move || (!list.with(Vec::is_empty)).to_string()
                    class:picker-chosen=chosen
                    placeholder=move || t_string!(i18n, common.type_to_search).to_string()
                    prop:value=move || query.get()
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        // A whole label typed (or autofilled) is that entry chosen.
                        let exact = exactly_one(groups, &typed);
                        query.set(typed);
                        match exact {
                            Some(value) => selected.set(value),
                            None if chosen() => selected.set(String::new()),
                            None => {}
                        }
                    } />
                <Show when=chosen>
                    <button type="button" class="button button-secondary input-key"
                        aria-label=move || t_string!(i18n, common.clear_choice).to_string()
                        on:click=move |_| { selected.set(String::new()); query.set(String::new()); }>"✕"</button>
                </Show>
            </div>
            <div class="picker-list" id=list_id role="group">
                {move || list.get().into_iter().map(|group| view! {
                    <p class="picker-heading">{group.heading}</p>
                    {group.choices.into_iter().map(|choice| {
                        let Choice { value, label, .. } = choice;
                        let shown = label.clone();
                        view! {
                            <button type="button" class="picker-choice" on:click=move |_| {
                                query.set(label.clone());
                                selected.set(value.clone());
                            }>{shown}</button>
                        }
                    }).collect_view()}
                }).collect_view()}
                <Show when=move || !chosen() && list.with(Vec::is_empty) && !query.with(|q| q.trim().is_empty())>
                    <p class="muted picker-none">{t!(i18n, common.nothing_found)}</p>
                </Show>
            </div>
        </div>
    }
}

/// Whether the box holds exactly the label of some entry (left over from a choice since cleared).
fn holds_a_label(query: RwSignal<String>, groups: Signal<Vec<ChoiceGroup>>) -> bool {
    let typed = query.get_untracked();
    groups.with_untracked(|groups| {
        groups
            .iter()
            .flat_map(|g| &g.choices)
            .any(|c| c.label == typed)
    })
}

/// The value of the one entry labelled `typed`, if exactly one is.
fn exactly_one(groups: Signal<Vec<ChoiceGroup>>, typed: &str) -> Option<String> {
    groups.with_untracked(|groups| {
        let mut found = groups
            .iter()
            .flat_map(|g| &g.choices)
            .filter(|c| c.label == typed);
        match (found.next(), found.next()) {
            (Some(only), None) => Some(only.value.clone()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(value: &str, label: &str, initials: &str) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            initials: initials.into(),
        }
    }

    fn groups() -> Vec<ChoiceGroup> {
        vec![
            ChoiceGroup {
                heading: "人员".into(),
                choices: vec![choice("p1", "李主任", "lzr"), choice("p2", "孙老师", "sls")],
            },
            ChoiceGroup {
                heading: "场所".into(),
                choices: (1..=9)
                    .map(|n| {
                        choice(
                            &format!("r{n}"),
                            &format!("教学楼A · 1F · 10{n}教室"),
                            &format!("jxla1f10{n}js"),
                        )
                    })
                    .collect(),
            },
        ]
    }

    fn labels(shown: &[ChoiceGroup]) -> Vec<(String, Vec<String>)> {
        shown
            .iter()
            .map(|g| {
                (
                    g.heading.clone(),
                    g.choices.iter().map(|c| c.label.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn typing_initials_finds_people_and_places_apart() {
        let shown = shown_choices(&groups(), &[], "最近", "ls");
        assert_eq!(
            labels(&shown),
            [("人员".to_owned(), vec!["孙老师".to_owned()])]
        );
        let shown = shown_choices(&groups(), &[], "最近", "jxl 103");
        assert_eq!(
            labels(&shown),
            [("场所".to_owned(), vec!["教学楼A · 1F · 103教室".to_owned()])]
        );
    }

    #[test]
    fn recent_choices_come_first_once_and_the_list_stays_short() {
        let shown = shown_choices(&groups(), &["r5".into()], "最近", "");
        assert_eq!(shown[0].heading, "最近");
        assert_eq!(shown[0].choices[0].value, "r5");
        assert_eq!(shown.iter().map(|g| g.choices.len()).sum::<usize>(), SHOWN);
        assert!(
            shown[1..]
                .iter()
                .all(|g| g.choices.iter().all(|c| c.value != "r5")),
            "a recent choice is not offered twice"
        );
    }
}
