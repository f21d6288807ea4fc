//! The guard's page: register a visitor, see who is on campus, sign them out with one tap. Everything reads
//! and writes this phone's local data (snapshot ⊕ pending), so it works the same with no signal.

use super::local_view::{HostChoice, Visits, hosts, use_local_visits, visits_memo};
use crate::components::{
    Choice, ChoiceGroup, Field, Page, SearchPicker, StorageErrorNotice, phone_utc_offset,
    reveal_first_problem, start_form_over, use_directory,
};
use crate::domain::clock::{start_of_day, time};
use crate::domain::visit::{
    IdType, SIGN_IN, SIGN_OUT, SignInArgs, SignOutArgs, WATCH_DECIDE, WatchDecision,
    WatchDecisionArgs, WatchEntry, normalize_phone, returning_visitor,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::sync::local::{LocalData, SaveError, use_local_data};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

/// A list longer than this shows its newest entries; the roll call shows everyone.
const LIST_LIMIT: usize = 200;

fn now_ms() -> i64 {
    crate::components::phone_now_ms()
}

#[component]
pub fn GateVisitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let local = use_local_data();
    let visits = use_local_visits(local);
    let today_start = move || start_of_day(now_ms(), phone_utc_offset());
    let on_campus_today = visits_memo(move || {
        let start = today_start();
        visits.with(|v| {
            v.iter()
                .filter(|v| v.on_campus() && v.visit.corrected_time_in() >= start)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let never_signed_out = visits_memo(move || {
        let start = today_start();
        visits.with(|v| {
            v.iter()
                .filter(|v| v.on_campus() && v.visit.corrected_time_in() < start)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let left_today = visits_memo(move || {
        let start = today_start();
        visits.with(|v| {
            v.iter()
                .filter(|v| !v.on_campus() && v.visit.corrected_time_in() >= start)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Page title=move || t_string!(i18n, jobs.gate_visits).to_string()>
            <button type="button" class="link jump" on:click=move |_| {
                #[cfg(feature = "hydrate")]
                if let Some(list) = document().get_element_by_id("on-campus") {
                    list.scroll_into_view();
                }
            }>
                {t!(i18n, gate.on_campus)} " " <strong>{move || on_campus_today.with(Vec::len)}</strong> " ↓"
            </button>
            <WatchWarnings local />
            <RegisterForm local visits />
            <section class="section" aria-labelledby="on-campus">
                <h2 id="on-campus">
                    {t!(i18n, gate.on_campus)} " "
                    <span class="count" data-testid="on-campus-count">{move || on_campus_today.with(Vec::len)}</span>
                </h2>
                <VisitList visits=on_campus_today local empty=move || t_string!(i18n, gate.nobody_on_campus).to_string() />
                <div class="row-actions">
                    <A href="/gate-visits/roll-call" attr:class="button button-secondary">{t!(i18n, gate.roll_call)}</A>
                    <A href="/gate-visits/register" attr:class="button button-secondary">{t!(i18n, gate.register)}</A>
                </div>
            </section>
            <Show when=move || !never_signed_out.with(Vec::is_empty)>
                <section class="section" aria-labelledby="never-signed-out">
                    <h2 id="never-signed-out">{t!(i18n, gate.never_signed_out)}</h2>
                    <VisitList visits=never_signed_out local empty=String::new />
                </section>
            </Show>
            <Show when=move || !left_today.with(Vec::is_empty)>
                <section class="section" aria-labelledby="left-today">
                    <h2 id="left-today">{t!(i18n, gate.left_today)}</h2>
                    <VisitList visits=left_today local empty=String::new />
                </section>
            </Show>
        </Page>
    }
}

/// The registration form: the fewest taps for the common case (ID card, one person, no car).
#[component]
fn RegisterForm(local: LocalData, visits: Memo<Visits>) -> impl IntoView {
    let i18n = use_i18n();
    let visit_id = RwSignal::new(Uuid::now_v7());
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let id_type = RwSignal::new(IdType::ResidentCard);
    let id_number = RwSignal::new(String::new());
    let organisation = RwSignal::new(String::new());
    let host = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let party = RwSignal::new("1".to_owned());
    let plate = RwSignal::new(String::new());
    // A returning visitor: the earlier visit whose ID is reused, and its masked number.
    let same_id_as = RwSignal::new(None::<(Uuid, Option<String>)>);
    let problems = RwSignal::new(None::<AppError>);
    let storage_error = RwSignal::new(None::<SaveError>);
    let saved = RwSignal::new(None::<String>);
    let watch_warning = RwSignal::new(None::<WatchEntry>);
    let host_choices = Memo::new(move |_| hosts(local));
    // People apart from places, and only those a visitor may come to see.
    // Memos: the picker reads these on every keystroke, and they change only with the hosts or the visits.
    let host_groups: Signal<Vec<ChoiceGroup>> = Memo::new(move |_| {
        let locale = i18n.get_locale();
        let group = |heading: &str, person: bool| ChoiceGroup {
            heading: heading.to_owned(),
            choices: host_choices.with(|hosts| {
                hosts
                    .iter()
                    .filter(|h| h.offered && h.choice.user().is_some() == person)
                    .map(|h| Choice {
                        value: h.choice.code(),
                        label: h.label.clone(),
                        initials: h.initials.clone(),
                    })
                    .collect()
            }),
        };
        vec![
            group(td_string!(locale, gate.host_people), true),
            group(td_string!(locale, gate.host_places), false),
        ]
    })
    .into();
    // The hosts of this gate's last visits, offered before anything is typed.
    let recent_hosts: Signal<Vec<String>> = Memo::new(move |_| {
        visits.with(|visits| {
            let mut recent: Vec<String> = Vec::new();
            for visit in visits.iter() {
                let choice = HostChoice::of(visit.visit.host_user_id, visit.visit.host_place_id);
                if let Some(code) = choice.map(HostChoice::code)
                    && !recent.contains(&code)
                {
                    recent.push(code);
                }
                if recent.len() == 4 {
                    break;
                }
            }
            recent
        })
    })
    .into();
    // The reason is typed only when none of the usual ones fits.
    let other_reason = RwSignal::new(false);
    let form = NodeRef::<leptos::html::Form>::new();
    let reasons = move || {
        let locale = i18n.get_locale();
        [
            td_string!(locale, gate.reason_official),
            td_string!(locale, gate.reason_parent),
            td_string!(locale, gate.reason_delivery),
            td_string!(locale, gate.reason_works),
            td_string!(locale, gate.reason_visit),
        ]
        .map(|r| r.to_string())
    };

    // Prefill a returning visitor from their phone number (only fields still empty): who they are, and whom
    // they came to see and why, as last time.
    Effect::new(move |_| {
        let typed = phone.get();
        if same_id_as.get_untracked().is_some() || !name.get_untracked().is_empty() {
            return;
        }
        let found =
            visits.with_untracked(|v| returning_visitor(v.iter().map(|v| &**v), &typed).cloned());
        if let Some(earlier) = found {
            name.set(earlier.visit.visitor_name.clone());
            organisation.set(earlier.visit.organisation.clone());
            id_type.set(earlier.visit.id_type);
            if earlier.visit.id_type != IdType::None {
                same_id_as.set(Some((earlier.visit.id, earlier.visit.id_masked.clone())));
            }
            let last_host = HostChoice::of(earlier.visit.host_user_id, earlier.visit.host_place_id);
            let still_there = |choice: HostChoice| {
                host_choices.with_untracked(|c| c.iter().any(|h| h.offered && h.choice == choice))
            };
            if let Some(choice) =
                last_host.filter(|c| host.with_untracked(String::is_empty) && still_there(*c))
            {
                host.set(choice.code());
            }
            if reason.with_untracked(String::is_empty) && !earlier.visit.reason.is_empty() {
                other_reason.set(!reasons().contains(&earlier.visit.reason));
                reason.set(earlier.visit.reason.clone());
            }
        }
    });

    let problem = move |field: &'static str| {
        Signal::derive(move || problems.with(|p| p.as_ref().and_then(|e| e.field_problem(field))))
    };
    let args = move || SignInArgs {
        visit_id: visit_id.get_untracked(),
        visitor_name: name.get_untracked(),
        phone: phone.get_untracked(),
        id_type: id_type.get_untracked(),
        id_number: if same_id_as.get_untracked().is_some() {
            String::new()
        } else {
            id_number.get_untracked()
        },
        id_from_visit: same_id_as.get_untracked().map(|(id, _)| id),
        id_masked: None,
        id_sealed: None,
        organisation: organisation.get_untracked(),
        host_user_id: HostChoice::parse(&host.get_untracked()).and_then(|h| h.user()),
        host_place_id: HostChoice::parse(&host.get_untracked()).and_then(|h| h.place()),
        reason: reason.get_untracked(),
        party_size: party.get_untracked().trim().parse().unwrap_or(0),
        plate: plate.get_untracked(),
        time_in_ms: now_ms(),
        gate_id: None,
    };
    let reset = move || {
        visit_id.set(Uuid::now_v7());
        for field in [name, phone, id_number, organisation, host, reason, plate] {
            field.set(String::new());
        }
        party.set("1".into());
        id_type.set(IdType::ResidentCard);
        same_id_as.set(None);
        other_reason.set(false);
        problems.set(None);
        watch_warning.set(None);
    };
    // Saves the registration (and the guard's decision on a watch-list match) on this phone.
    let directory = use_directory();
    let finish = move |decision: Option<WatchDecision>| {
        // The phone keeps the number only sealed to the server's key, with its mask for the lists here. A
        // directory without a key (an older server) gets the number as before.
        let plain = args();
        let key = directory
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|d| d.id_seal_key);
        let args = match key {
            Some(key) => plain.clone().sealed(&key).unwrap_or(plain),
            None => plain,
        };
        let Ok(value) = serde_json::to_value(&args) else {
            return;
        };
        storage_error.set(None);
        match local.save(SIGN_IN, value) {
            Ok(_) => {}
            Err(error) => {
                // The form keeps everything typed; nothing is lost.
                storage_error.set(Some(error));
                return;
            }
        }
        if let Some(decision) = decision {
            let _ = serde_json::to_value(WatchDecisionArgs {
                visit_id: args.visit_id,
                decision,
            })
            .map(|v| local.save(WATCH_DECIDE, v));
            if decision == WatchDecision::TurnedAway {
                let _ = serde_json::to_value(SignOutArgs {
                    sign_out_id: Uuid::now_v7(),
                    visit_id: args.visit_id,
                    time_out_ms: now_ms(),
                })
                .map(|v| local.save(SIGN_OUT, v));
            }
        }
        saved.set(Some(args.visitor_name.trim().to_owned()));
        reset();
        start_form_over(form);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let args = args();
        if let Err(error) = args.clone().validate() {
            problems.set(Some(error));
            reveal_first_problem(form);
            return;
        }
        problems.set(None);
        let typed_phone = normalize_phone(&args.phone).unwrap_or_default();
        let hit = local
            .rows::<WatchEntry>()
            .into_iter()
            .find(|w| w.phone.as_deref() == Some(typed_phone.as_str()));
        if let Some(entry) = hit {
            watch_warning.set(Some(entry));
            return;
        }
        finish(None);
    };
    let id_types = [
        IdType::ResidentCard,
        IdType::Passport,
        IdType::Other,
        IdType::None,
    ];
    view! {
        <form class="form card" on:submit=submit novalidate data-testid="register-form" node_ref=form>
            <h2>{t!(i18n, gate.register_visitor)}</h2>
            <Show when=move || saved.get().is_some()>
                <p class="notice notice-ok" role="status" data-testid="saved">
                    {move || saved.get().unwrap_or_default()} " · " {t!(i18n, sync.saved_on_phone)}
                </p>
            </Show>
            <Field label=move || t_string!(i18n, gate.phone).to_string() problem=problem("phone")>
                <input type="tel" inputmode="tel" autocomplete="off" name="phone" bind:value=phone />
            </Field>
            <Field label=move || t_string!(i18n, gate.visitor_name).to_string() problem=problem("visitor_name")>
                <input type="text" autocomplete="off" name="visitor_name" bind:value=name />
            </Field>
            <Show when=move || same_id_as.get().is_some()>
                <p class="notice notice-ok" data-testid="returning">
                    {t!(i18n, gate.returning_visitor)} " "
                    <strong>{move || same_id_as.get().and_then(|(_, m)| m).unwrap_or_default()}</strong> " "
                    <button type="button" class="link" on:click=move |_| { same_id_as.set(None); name.set(String::new()); organisation.set(String::new()); }>
                        {t!(i18n, gate.not_the_same)}
                    </button>
                </p>
            </Show>
            <fieldset class="field">
                <legend class="field-label">{t!(i18n, gate.id_type)}</legend>
                <div class="segmented">
                    {id_types.into_iter().map(|kind| view! {
                        <button type="button" class="segment" aria-pressed=move || (id_type.get() == kind).to_string()
                            on:click=move |_| { id_type.set(kind); same_id_as.set(None); }>
                            {move || id_type_name(i18n.get_locale(), kind)}
                        </button>
                    }).collect_view()}
                </div>
            </fieldset>
            <Show when=move || id_type.get() != IdType::None && same_id_as.get().is_none()>
                <Field label=move || t_string!(i18n, gate.id_number).to_string() problem=problem("id_number")>
                    // A resident card number is digits with at most a final X: the keypad, and a key for the X.
                    <div class="input-with-key">
                        <input type="text" autocomplete="off" autocapitalize="characters" name="id_number"
                            inputmode=move || if id_type.get() == IdType::ResidentCard { "numeric" } else { "text" }
                            bind:value=id_number />
                        <Show when=move || id_type.get() == IdType::ResidentCard>
                            <button type="button" class="button button-secondary input-key"
                                aria-label=move || t_string!(i18n, gate.type_x).to_string()
                                on:click=move |_| id_number.update(|n| n.push('X'))>"X"</button>
                        </Show>
                    </div>
                </Field>
            </Show>
            <Field label=move || t_string!(i18n, gate.host).to_string() problem=problem("host")>
                <SearchPicker groups=host_groups selected=host quick=recent_hosts name="host"
                    quick_heading=Signal::derive(move || t_string!(i18n, gate.recent_hosts).to_string()) />
            </Field>
            <fieldset class="field">
                <legend class="field-label">{t!(i18n, gate.reason)}</legend>
                <div class="chips">
                    {move || reasons().into_iter().map(|text| {
                        let value = text.clone();
                        view! {
                            <button type="button" class="chip" aria-pressed=move || (!other_reason.get() && reason.get() == value).to_string()
                                on:click={let text = text.clone(); move |_| { other_reason.set(false); reason.set(text.clone()); }}>{text.clone()}</button>
                        }
                    }).collect_view()}
                    <button type="button" class="chip" aria-pressed=move || other_reason.get().to_string()
                        on:click=move |_| { other_reason.set(true); reason.set(String::new()); }>{t!(i18n, gate.reason_other)}</button>
                </div>
                <Show when=move || other_reason.get()>
                    <Field label=move || t_string!(i18n, gate.reason_other_label).to_string() problem=problem("reason")>
                        <input type="text" name="reason" autocomplete="off" bind:value=reason />
                    </Field>
                </Show>
            </fieldset>
            <Field label=move || t_string!(i18n, gate.organisation).to_string() problem=problem("organisation")>
                <input type="text" autocomplete="off" name="organisation" bind:value=organisation />
            </Field>
            <div class="field-row">
                <Field label=move || t_string!(i18n, gate.party_size).to_string() problem=problem("party_size")>
                    <input type="number" inputmode="numeric" min="1" max="200" name="party_size" bind:value=party />
                </Field>
                <Field label=move || t_string!(i18n, gate.plate).to_string() problem=problem("plate")>
                    <input type="text" autocomplete="off" autocapitalize="characters" name="plate" bind:value=plate />
                </Field>
            </div>
            <Show when=move || problems.get().is_some()>
                <p class="notice notice-error" role="alert">{t!(i18n, gate.fix_fields)}</p>
            </Show>
            <StorageErrorNotice error=storage_error />
            <Show when=move || watch_warning.get().is_some()>
                <div class="notice notice-warn" role="alertdialog" data-testid="watch-warning">
                    <strong>{t!(i18n, gate.watch_match)}</strong>
                    <p>{move || watch_warning.get().map(|w| w.note).unwrap_or_default()}</p>
                    <div class="row-actions">
                        <button type="button" class="button" on:click=move |_| finish(Some(WatchDecision::LetIn))>{t!(i18n, gate.let_in)}</button>
                        <button type="button" class="button button-danger" on:click=move |_| finish(Some(WatchDecision::TurnedAway))>{t!(i18n, gate.turn_away)}</button>
                    </div>
                </div>
            </Show>
            <button type="submit" class="button button-big">{t!(i18n, gate.save_visit)}</button>
        </form>
    }
}

/// How long a sign-out can be taken back before it is sent.
const UNDO_MS: i64 = 5_000;

#[component]
fn VisitList(
    visits: Memo<Visits>,
    local: LocalData,
    #[prop(into)] empty: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The last sign-out, while it can still be taken back: (its entry, the visitor's name).
    let undo = RwSignal::new(None::<(Uuid, String)>);
    let sign_out = move |visit_id: Uuid, name: String| {
        let args = SignOutArgs {
            sign_out_id: Uuid::now_v7(),
            visit_id,
            time_out_ms: now_ms(),
        };
        let Ok(value) = serde_json::to_value(args) else {
            return;
        };
        // Saved at once (a closed tab loses nothing), sent only once the undo window has passed.
        if let Ok(entry) = local.save_undoable(SIGN_OUT, value, UNDO_MS) {
            undo.set(Some((entry, name)));
            set_timeout(
                move || {
                    if undo.with_untracked(|u| u.as_ref().is_some_and(|(e, _)| *e == entry)) {
                        undo.set(None);
                    }
                },
                std::time::Duration::from_millis(UNDO_MS.unsigned_abs()),
            );
        }
    };
    let take_back = move |_| {
        if let Some((entry, _)) = undo.get_untracked() {
            local.withdraw(entry);
        }
        undo.set(None);
    };
    view! {
        {move || undo.get().map(|(_, name)| view! {
            <div class="notice notice-ok sheet undo-bar" role="status" data-testid="undo-sign-out">
                <span>{t_string!(i18n, gate.signed_out_name, name = name).to_string()}</span>
                <button type="button" class="button button-secondary" on:click=take_back>{t!(i18n, gate.undo)}</button>
            </div>
        })}
        <Show when=move || !visits.with(Vec::is_empty) fallback=move || view! { <p class="muted">{move || empty.get()}</p> }>
            <ul class="list visit-list">
                <For each=move || visits.with(|v| v.iter().take(LIST_LIMIT).cloned().collect::<Vec<_>>()) key=|v| (v.visit.id, v.time_out_ms, v.pending, v.sign_out_pending) let:item>
                    {
                        let id = item.visit.id;
                        let offset = phone_utc_offset();
                        let out = item.time_out_ms;
                        view! {
                            <li class="visit" data-testid="visit">
                                <div class="visit-main">
                                    <div class="visit-title">
                                    <strong class="visit-name">{item.visit.visitor_name.clone()}</strong>
                                    {(item.visit.party_size > 1).then(|| view! { <span class="badge">{format!("×{}", item.visit.party_size)}</span> })}
                                    {(item.pending || item.sign_out_pending).then(|| view! { <span class="badge badge-pending">{t!(i18n, sync.pending_badge)}</span> })}
                                    {item.visit.watch_note.clone().map(|_| view! { <span class="badge badge-warn">{t!(i18n, gate.watch_badge)}</span> })}
                                    </div>
                                    <span class="muted">{[item.visit.organisation.clone(), item.visit.host_name.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" → ")}</span>
                                    <span class="muted">
                                        {time(item.visit.corrected_time_in(), offset)}
                                        {out.map(|t| format!(" – {}", time(t, offset)))}
                                        {(!item.visit.plate.is_empty()).then(|| format!(" · {}", item.visit.plate))}
                                    </span>
                                </div>
                                {out.is_none().then(|| {
                                    let name = item.visit.visitor_name.clone();
                                    view! {
                                        <button type="button" class="button button-small" on:click=move |_| sign_out(id, name.clone())>{t!(i18n, gate.sign_out)}</button>
                                    }
                                })}
                            </li>
                        }
                    }
                </For>
            </ul>
            <Show when=move || visits.with(|v| v.len() > LIST_LIMIT)>
                <p class="muted">{move || t_string!(i18n, gate.more_in_roll_call, count = visits.with(|v| v.len() - LIST_LIMIT)).to_string()}</p>
            </Show>
        </Show>
    }
}

/// Registrations the server matched against the watch list (by ID, which the phone cannot check itself):
/// the guard confirms or dismisses each.
#[component]
fn WatchWarnings(local: LocalData) -> impl IntoView {
    let i18n = use_i18n();
    // Warnings the guard has not decided yet: a decision pending on this phone or synced from any phone
    // settles it (the phone-number match was decided in the form before the server's warning came back).
    let decided = Memo::new(move |_| {
        let mut visits: std::collections::HashSet<Uuid> = local
            .pending_args::<WatchDecisionArgs>(WATCH_DECIDE)
            .into_iter()
            .map(|d| d.visit_id)
            .collect();
        visits.extend(
            local
                .rows::<crate::domain::visit::Visit>()
                .into_iter()
                .filter(|v| v.watch_decision.is_some())
                .map(|v| v.id),
        );
        visits
    });
    let all_hits = Memo::new(move |_| {
        local.status.with(|s| {
            s.attention
                .iter()
                .filter(|a| a.mutation.name == SIGN_IN && matches!(&a.outcome, crate::domain::sync::Outcome::ConflictRecorded { code, .. } if code == "watch_list"))
                .filter_map(|a| serde_json::from_value::<SignInArgs>(a.mutation.args.clone()).ok().map(|args| (a.clone(), args.visit_id)))
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        let decided = decided.get();
        for (hit, visit) in all_hits.get() {
            if decided.contains(&visit) {
                local.dismiss(hit.mutation.id);
            }
        }
    });
    let hits = Memo::new(move |_| {
        let decided = decided.get();
        all_hits
            .get()
            .into_iter()
            .filter(|(_, visit)| !decided.contains(visit))
            .map(|(hit, _)| hit)
            .collect::<Vec<_>>()
    });
    let decide = move |attention_id: Uuid, visit_id: Uuid, decision: WatchDecision| {
        let saved = serde_json::to_value(WatchDecisionArgs { visit_id, decision })
            .map(|v| local.save(WATCH_DECIDE, v));
        if decision == WatchDecision::TurnedAway {
            let _ = serde_json::to_value(SignOutArgs {
                sign_out_id: Uuid::now_v7(),
                visit_id,
                time_out_ms: now_ms(),
            })
            .map(|v| local.save(SIGN_OUT, v));
        }
        if matches!(saved, Ok(Ok(_))) {
            local.dismiss(attention_id);
        }
    };
    view! {
        <For each=move || hits.get() key=|a| a.mutation.id let:hit>
            {
                let args: Option<SignInArgs> = serde_json::from_value(hit.mutation.args.clone()).ok();
                let visit_id = args.as_ref().map(|a| a.visit_id).unwrap_or_default();
                let name = args.map(|a| a.visitor_name).unwrap_or_default();
                let note = match &hit.outcome { crate::domain::sync::Outcome::ConflictRecorded { message, .. } => message.clone(), _ => String::new() };
                let attention_id = hit.mutation.id;
                view! {
                    <div class="notice notice-warn" role="alert" data-testid="watch-hit">
                        <strong>{t!(i18n, gate.watch_match)} " · " {name}</strong>
                        <p>{note}</p>
                        <div class="row-actions">
                            <button type="button" class="button" on:click=move |_| decide(attention_id, visit_id, WatchDecision::LetIn)>{t!(i18n, gate.let_in)}</button>
                            <button type="button" class="button button-danger" on:click=move |_| decide(attention_id, visit_id, WatchDecision::TurnedAway)>{t!(i18n, gate.turn_away)}</button>
                        </div>
                    </div>
                }
            }
        </For>
    }
}

pub fn id_type_name(locale: Locale, kind: IdType) -> String {
    match kind {
        IdType::ResidentCard => td_string!(locale, gate.id_resident_card),
        IdType::Passport => td_string!(locale, gate.id_passport),
        IdType::Other => td_string!(locale, gate.id_other),
        IdType::None => td_string!(locale, gate.id_none),
    }
    .to_string()
}
