//! Sign-in slips (`/admin/sign-in-slips`), each with a one-time code. People imported from the staff sheet have no
//! password; the admin chooses them (those with no code that still works come chosen), and the server gives
//! each a new code — 8 characters with no look-alikes, good for [`CODE_DAYS`] days, kept only
//! as its Argon2 hash — and answers one page of slips to print and cut: the school, the person, their user
//! name, the code, the date it ends and a QR of the sign-in address. Printing again reissues: the codes on
//! the earlier slips stop working. The first sign-in with a code asks for a password of their own
//! (`features::auth::first_sign_in`).

use crate::components::{ErrorNotice, Page, use_directory};
use crate::domain::UserSummary;
use crate::domain::search::matches;
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// How long a code signs in.
pub const CODE_DAYS: i64 = 14;
/// The most slips printed at once (a large school's staff).
pub const SLIPS_MAX: usize = 300;

/// One person's slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slip {
    pub display_name: String,
    pub username: String,
    /// As printed: `k7m2-p9xq`.
    pub code: String,
}

/// A page of slips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slips {
    pub school_name: String,
    /// The sign-in address, printed and as a QR code.
    pub url: String,
    pub qr_svg: String,
    /// The codes' last day, `YYYY-MM-DD` in school time.
    pub until: String,
    pub slips: Vec<Slip>,
}

/// Gives each person in `ids` a new one-time code (ending any password, session and sign-in lockout they had)
/// and answers their slips. The admin only, and not for the admin's own account.
#[server(endpoint = "users/make_slips", input = Json)]
pub async fn make_slips(ids: Vec<Uuid>) -> Result<Slips, AppError> {
    crate::server::respond(handlers::make(ids).await)
}

#[cfg(feature = "ssr")]
pub mod handlers {
    use super::{CODE_DAYS, SLIPS_MAX, Slip, Slips};
    use crate::domain::Role;
    use crate::error::{AppError, Problem};
    use crate::features::auth::{db, session};
    use crate::server::db::now_ms;
    use uuid::Uuid;

    use crate::domain::user::{CODE_ALPHABET, code_as_typed};

    const CODE_LENGTH: usize = 8;

    /// A new code as printed (`k7m2-p9xq`); typed back, the dash and case do not matter.
    pub fn new_code() -> String {
        use rand::Rng;
        let mut rng = rand::rngs::OsRng;
        let mut code = String::with_capacity(CODE_LENGTH + 1);
        for i in 0..CODE_LENGTH {
            if i == CODE_LENGTH / 2 {
                code.push('-');
            }
            code.push(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char);
        }
        code
    }

    pub async fn make(ids: Vec<Uuid>) -> Result<Slips, AppError> {
        let session::Caller { state, user: admin } = session::require_role(&[Role::Admin]).await?;
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<Uuid> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
        if ids.is_empty() {
            return Err(AppError::invalid("ids", Problem::Required));
        }
        if ids.len() > SLIPS_MAX {
            return Err(AppError::invalid(
                "ids",
                Problem::TooLong {
                    max: SLIPS_MAX as u32,
                },
            ));
        }
        // The admin's own password stays: a code would sign them out of the page they print from.
        if ids.contains(&admin.id) {
            return Err(AppError::invalid("ids", Problem::Invalid));
        }
        let people = db::list_users(&state.db).await?;
        let mut chosen = Vec::with_capacity(ids.len());
        for id in &ids {
            let person = people
                .iter()
                .find(|p| p.id == *id)
                .ok_or(AppError::NotFound)?;
            if !person.active {
                return Err(AppError::invalid("ids", Problem::Unknown));
            }
            chosen.push(person);
        }
        // Hashed before the write transaction, one at a time (Argon2 takes its turns with sign-ins).
        let mut slips = Vec::with_capacity(chosen.len());
        let mut hashes = Vec::with_capacity(chosen.len());
        for person in &chosen {
            let code = new_code();
            hashes.push(session::hash_password(code_as_typed(&code)).await?);
            slips.push(Slip {
                display_name: person.display_name.clone(),
                username: person.username.clone(),
                code,
            });
        }
        let expires_at = now_ms() + CODE_DAYS * 86_400_000;
        let mut tx = state.db.begin_write().await?;
        for (person, hash) in chosen.iter().zip(&hashes) {
            if !db::set_sign_in_code(&mut tx, person.id, hash, expires_at).await? {
                return Err(AppError::NotFound);
            }
            db::delete_sessions_of(&mut tx, person.id, None).await?;
            // A person locked out by mistyping an old code starts afresh with the new one.
            db::clear_failures_of_user(&mut tx, person.id).await?;
        }
        let names: Vec<&str> = chosen.iter().map(|p| p.username.as_str()).collect();
        crate::server::audit::record(
            &mut tx,
            Some(admin.id),
            "sign_in_codes_issued",
            None,
            &format!("{} 人：{}", chosen.len(), names.join(", ")),
        )
        .await?;
        tx.commit().await?;
        for person in &chosen {
            state.sign_ins.forget(&person.username);
        }
        let url = format!(
            "{}/sign-in",
            crate::server::links::public_base_url(&state).await?
        );
        let school_name = crate::features::directory::db::school::school_name(
            &mut *state.db.pool.acquire().await?,
        )
        .await?;
        Ok(Slips {
            school_name,
            qr_svg: crate::server::links::qr_svg(&url)?,
            url,
            until: crate::domain::clock::date(
                expires_at,
                crate::domain::clock::SCHOOL_UTC_OFFSET_MINUTES,
            ),
            slips,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_code_has_no_look_alikes_and_reads_back_as_typed() {
            let code = new_code();
            assert_eq!(code.len(), CODE_LENGTH + 1);
            assert_eq!(code.as_bytes()[CODE_LENGTH / 2], b'-');
            let typed = code_as_typed(&code.to_uppercase());
            assert_eq!(typed.len(), CODE_LENGTH);
            assert!(typed.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            assert_ne!(new_code(), new_code());
        }
    }
}

/// The admin's slips page: choose people (those waiting with no code that still works come chosen), make their
/// codes, print.
#[component]
pub fn SlipsPage() -> impl IntoView {
    let i18n = use_i18n();
    let people = Resource::new(|| (), |()| super::list_users());
    let directory = use_directory();
    let me = crate::components::use_user();
    let chosen = RwSignal::new(BTreeSet::<Uuid>::new());
    let search = RwSignal::new(String::new());
    let only_waiting = RwSignal::new(true);
    // Everyone waiting for a first sign-in with no code that still works comes chosen, when the list first
    // arrives: someone holding a slip keeps it unless the admin chooses them.
    Effect::new(move |chosen_once: Option<bool>| {
        if chosen_once == Some(true) {
            return true;
        }
        let Some(Ok(list)) = people.get() else {
            return false;
        };
        chosen.set(
            list.iter()
                .filter(|p| p.active && p.awaiting_first_sign_in && !p.has_code)
                .map(|p| p.id)
                .collect(),
        );
        true
    });
    let make = Action::new(|ids: &Vec<Uuid>| make_slips(ids.clone()));
    let sheet = make.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = sheet.get() {
            people.refetch();
            directory.refetch();
        }
    });
    let error = Signal::derive(move || sheet.get().and_then(Result::err));
    let made = move || sheet.with(|s| matches!(s, Some(Ok(_))));
    let listed = move || -> Vec<UserSummary> {
        let Some(Ok(list)) = people.get() else {
            return Vec::new();
        };
        let query = search.get();
        let my_id = me.get().map(|u| u.id);
        list.into_iter()
            .filter(|p| p.active && Some(p.id) != my_id)
            .filter(|p| !only_waiting.get() || p.awaiting_first_sign_in)
            .filter(|p| {
                query.trim().is_empty()
                    || matches(&query, &p.display_name, &p.initials)
                    || p.username.contains(query.trim())
            })
            .collect()
    };
    view! {
        <Page title=move || t_string!(i18n, slips.title).to_string()>
            // Once made, the slips come first (with 100 people the list would push them off the screen); the
            // choice comes back on request.
            <Show when=move || !made() fallback=move || view! {
                <button type="button" class="button button-secondary no-print" data-testid="slips-again"
                    on:click=move |_| sheet.set(None)>
                    {t!(i18n, slips.choose_again)}
                </button>
            }>
                <form class="form card no-print" data-testid="slips-choice" on:submit=move |ev| {
                    ev.prevent_default();
                    make.dispatch(chosen.get_untracked().into_iter().collect());
                }>
                    <p class="muted">{t!(i18n, slips.intro, days = CODE_DAYS)}</p>
                    <label class="check-row">
                        <input type="checkbox" prop:checked=move || only_waiting.get()
                            on:change:target=move |ev| only_waiting.set(ev.target().checked()) />
                        {t!(i18n, slips.only_waiting)}
                    </label>
                    <label class="field">
                        <span class="field-label">{t!(i18n, users.search)}</span>
                        <input type="search" bind:value=search />
                    </label>
                    <ul class="list" data-testid="slips-people">
                        {move || listed().into_iter().map(|person| {
                            let id = person.id;
                            view! {
                                <li class="list-row">
                                    <label class="check-row">
                                        <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                                            on:change:target=move |ev| {
                                                let on = ev.target().checked();
                                                chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                                            } />
                                        {person.display_name.clone()}
                                        <span class="muted">" " {person.username.clone()}</span>
                                        {(person.awaiting_first_sign_in && !person.has_code).then(|| view! {
                                            <span class="badge badge-pending">{t!(i18n, slips.waiting)}</span>
                                        })}
                                        {person.has_code.then(|| view! {
                                            <span class="badge">{t!(i18n, slips.has_code)}</span>
                                        })}
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p class="muted">{move || t_string!(i18n, slips.chosen, count = chosen.with(BTreeSet::len)).to_string()}</p>
                    <p class="muted">{t!(i18n, slips.reissue_warning)}</p>
                    <ErrorNotice error />
                    <button type="submit" class="button button-primary" data-testid="slips-make"
                        disabled=move || make.pending().get() || chosen.with(BTreeSet::is_empty)>
                        {t!(i18n, slips.make)}
                    </button>
                </form>
            </Show>
            {move || sheet.get().and_then(Result::ok).map(|slips| view! { <SlipSheet slips /> })}
        </Page>
    }
}

/// The slips, as many to an A4 page as fit, each to be cut out and handed over in person.
#[component]
fn SlipSheet(slips: Slips) -> impl IntoView {
    let i18n = use_i18n();
    let Slips {
        school_name,
        url,
        qr_svg,
        until,
        slips,
    } = slips;
    let count = slips.len();
    view! {
        <p class="notice notice-ok no-print" role="status" data-testid="slips-made">
            {t!(i18n, slips.made, count = count)}
        </p>
        <button type="button" class="button button-primary no-print" on:click=move |_| { let _ = window().print(); }>
            {t!(i18n, slips.print)}
        </button>
        <section class="slip-sheet" data-testid="slips">
            {slips.into_iter().map(|slip| {
                let school = if school_name.is_empty() { t_string!(i18n, app.name).to_string() } else { school_name.clone() };
                view! {
                    <div class="slip" data-testid="slip">
                        <div class="slip-qr" inner_html=qr_svg.clone()></div>
                        <div class="slip-text">
                            <p class="slip-school">{school}</p>
                            <p class="slip-name">{slip.display_name}</p>
                            <p>{t!(i18n, slips.username)} ": " <strong class="slip-mono">{slip.username}</strong></p>
                            <p>{t!(i18n, slips.code)} ": " <strong class="slip-mono" data-testid="slip-code">{slip.code}</strong></p>
                            <p class="slip-small">{t!(i18n, slips.until, date = until.clone())}</p>
                            <p class="slip-small">{t!(i18n, slips.how, url = url.clone())}</p>
                        </div>
                    </div>
                }
            }).collect_view()}
        </section>
    }
}
