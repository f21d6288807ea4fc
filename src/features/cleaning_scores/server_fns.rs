//! The cleaning scores' server functions, for pages used online: the league board and its publication, a
//! class's term (trend and checks), appeals for the admin to resolve, and the settings, zones and rubrics.
//! Checks and appeals themselves are sync mutations (`mutations.rs`).

use crate::domain::cleaning::{
    AppealRow, CheckRow, League, Period, Rubric, Settings, Standing, ZoneKind, ZoneRow,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One line of a league table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeagueRow {
    /// A class (class league) or an office zone (office league).
    pub subject: Uuid,
    /// The class as (grade, number); an office by its name.
    pub class: Option<(i64, i64)>,
    pub name: String,
    /// The zones it keeps, by name.
    pub zones: Vec<String>,
    pub teacher: Option<String>,
    pub standing: Standing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeagueBoard {
    pub league: League,
    pub period: Period,
    /// When the admin published this period, and who; `None`: a draft only the admin sees.
    pub published: Option<(i64, String)>,
    pub rows: Vec<LeagueRow>,
    pub threshold_centi: i64,
    pub spot_weight_pct: i64,
    /// Checks counted, and checks left out (superseded or withdrawn on appeal).
    pub counted: usize,
    pub left_out: usize,
    /// Checks of this period (and league) that reached the server after it was published: a phone that was
    /// offline, or one dated back. Kept, flagged, and counted only once the admin publishes again.
    #[serde(default)]
    pub arrived_after_publication: usize,
}

#[server(endpoint = "cleaning/league", input = Json)]
pub async fn load_league(league: League, period: String) -> Result<LeagueBoard, AppError> {
    crate::server::respond(handlers::league(league, period).await)
}

#[server(endpoint = "cleaning/publish", input = Json)]
pub async fn publish_league(league: League, period: String) -> Result<(), AppError> {
    crate::server::respond(handlers::publish(league, period).await)
}

/// A class's term: its weekly score and rank, and its checks with their appeals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassTerm {
    pub class_id: Uuid,
    pub class: (i64, i64),
    pub teacher: Option<String>,
    pub term_start: String,
    /// (Monday, score, rank, classes ranked) per week of the term, oldest first.
    pub weeks: Vec<(String, Option<i64>, Option<u32>, u32)>,
    /// Newest first, with the zone's name, the inspector's name and the appeals against each.
    pub checks: Vec<(CheckRow, String, String, Vec<AppealRow>)>,
    pub threshold_centi: i64,
}

#[server(endpoint = "cleaning/class_term", input = Json)]
pub async fn load_class_term(class_id: Uuid) -> Result<ClassTerm, AppError> {
    crate::server::respond(handlers::class_term(class_id).await)
}

/// An appeal with what the admin needs to decide it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppealCase {
    pub appeal: AppealRow,
    pub check: CheckRow,
    pub class: Option<(i64, i64)>,
    pub zone: String,
    pub teacher: String,
    pub inspector: String,
}

#[server(endpoint = "cleaning/appeals", input = Json)]
pub async fn load_appeals() -> Result<Vec<AppealCase>, AppError> {
    crate::server::respond(handlers::appeals().await)
}

#[server(endpoint = "cleaning/resolve_appeal", input = Json)]
pub async fn resolve_appeal(appeal_id: Uuid, accept: bool, note: String) -> Result<(), AppError> {
    crate::server::respond(handlers::resolve(appeal_id, accept, note).await)
}

/// Everything the admin sets: settings, zones, the latest rubric of each kind, and the places and classes to
/// pick new zones from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleaningSetup {
    pub settings: Settings,
    pub zones: Vec<ZoneRow>,
    pub rubrics: Vec<Rubric>,
    /// (id, path) of every active place.
    pub places: Vec<(Uuid, String)>,
    /// (id, grade, number) of every active class.
    pub classes: Vec<(Uuid, i64, i64)>,
}

#[server(endpoint = "cleaning/setup", input = Json)]
pub async fn load_cleaning_setup() -> Result<CleaningSetup, AppError> {
    crate::server::respond(handlers::setup().await)
}

#[server(endpoint = "cleaning/save_settings", input = Json)]
pub async fn save_cleaning_settings(settings: Settings) -> Result<(), AppError> {
    crate::server::respond(handlers::save_settings(settings).await)
}

#[server(endpoint = "cleaning/add_zone", input = Json)]
pub async fn add_cleaning_zone(
    place_id: Uuid,
    kind: ZoneKind,
    class_id: Option<Uuid>,
) -> Result<Uuid, AppError> {
    crate::server::respond(handlers::add_zone(place_id, kind, class_id).await)
}

#[server(endpoint = "cleaning/set_zone_active", input = Json)]
pub async fn set_cleaning_zone_active(zone_id: Uuid, active: bool) -> Result<(), AppError> {
    crate::server::respond(handlers::set_zone_active(zone_id, active).await)
}

#[server(endpoint = "cleaning/save_rubric", input = Json)]
pub async fn save_cleaning_rubric(rubric: Rubric) -> Result<i64, AppError> {
    crate::server::respond(handlers::save_rubric(rubric).await)
}

#[cfg(feature = "ssr")]
pub(crate) mod handlers {
    use super::super::db;
    use super::{AppealCase, ClassTerm, CleaningSetup, LeagueBoard, LeagueRow};
    use crate::domain::cleaning::{
        AppealStatus, CheckRow, League, Period, Rubric, ScoreRow, Settings, ZoneKind, ZoneRow,
        league_table, period_of,
    };
    use crate::domain::clock::{DAY_MS, SCHOOL_UTC_OFFSET_MINUTES, date};
    use crate::domain::{PlaceKind, Role};
    use crate::error::{AppError, Checks, Problem};
    use crate::features::auth::session;
    use crate::features::directory::db::places::names_and_places;
    use crate::server::db::{Deactivatable, bump_version, now_ms, set_row_active};
    use sqlx::AnyConnection;
    use std::collections::{HashMap, HashSet};
    use uuid::Uuid;

    /// Who sees the league: everyone on the staff who works with cleaning; the board is published for them.
    const VIEWERS: &[Role] = &[Role::CleaningInspector, Role::ClassTeacher, Role::Staff];

    /// The subjects of a league in display order: (id, class, name, zone names, teacher id).
    type Subject = (Uuid, Option<(i64, i64)>, String, Vec<String>, Option<Uuid>);

    /// The class league lists the active classes and those scored among `checks` (graduated since, say), each
    /// by the name its row holds: a graduated class is still 六年级1班 in the weeks it was scored.
    async fn subjects(
        conn: &mut AnyConnection,
        league: League,
        zones: &[ZoneRow],
        checks: &[ScoreRow],
    ) -> Result<Vec<Subject>, sqlx::Error> {
        let active = zones.iter().filter(|z| z.active && z.league == league);
        Ok(match league {
            League::Class => {
                let mut kept: HashMap<Uuid, Vec<String>> = HashMap::new();
                for zone in active {
                    if let Some(class) = zone.class_id {
                        kept.entry(class).or_default().push(zone.name.clone());
                    }
                }
                let all = db::all_classes(conn).await?;
                db::league_classes(&all, checks)
                    .into_iter()
                    .map(|(id, grade, number, teacher)| {
                        let name = crate::domain::school_class::chinese_name(grade, number);
                        (
                            id,
                            Some((grade, number)),
                            name,
                            kept.remove(&id).unwrap_or_default(),
                            teacher,
                        )
                    })
                    .collect()
            }
            League::Office => active
                .map(|z| (z.id, None, z.name.clone(), vec![z.name.clone()], None))
                .collect(),
        })
    }

    /// The league table of a period's checks at the school's clock (see [`league_table`]).
    pub fn table(
        league: League,
        subjects: &[Uuid],
        checks: &[ScoreRow],
        withdrawn: &HashSet<Uuid>,
        settings: &Settings,
    ) -> (Vec<crate::domain::cleaning::Standing>, usize, usize) {
        league_table(
            league,
            subjects,
            checks,
            withdrawn,
            settings,
            SCHOOL_UTC_OFFSET_MINUTES,
        )
    }

    /// The league of a period, as the board shows it. Everyone who works with cleaning sees a published
    /// period; the admin also sees drafts.
    pub async fn league(league: League, period: String) -> Result<LeagueBoard, AppError> {
        let session::Caller { state, user } = session::require_role(VIEWERS).await?;
        let admin = user.has(Role::Admin);
        let text = if period.trim().is_empty() {
            date(now_ms(), SCHOOL_UTC_OFFSET_MINUTES)
        } else {
            period
        };
        let period = period_of(league, &text, SCHOOL_UTC_OFFSET_MINUTES)
            .ok_or_else(|| AppError::invalid("period", Problem::Invalid))?;
        let mut conn = state.db.pool.acquire().await?;
        let published = db::publications(&mut conn)
            .await?
            .remove(&(league, period.key.clone()));
        if published.is_none() && !admin {
            return Err(AppError::NotFound);
        }
        board(&mut conn, league, period, published).await
    }

    /// The board of a period, published at `published` (or a draft).
    pub async fn board(
        conn: &mut AnyConnection,
        league: League,
        period: Period,
        published: Option<(i64, Uuid)>,
    ) -> Result<LeagueBoard, AppError> {
        let settings = db::settings(&mut *conn).await?;
        let zones = db::zones(&mut *conn).await?;
        let mut checks = db::scores_between(&mut *conn, period.from_ms, period.to_ms).await?;
        // A published board stays as published: what arrived later is shown as waiting, not counted.
        let before = checks.len();
        if let Some((published_at, _)) = &published {
            checks.retain(|c| c.league != league || c.received_at <= *published_at);
        }
        let arrived_after_publication = before - checks.len();
        let subjects = subjects(&mut *conn, league, &zones, &checks).await?;
        let withdrawn = db::withdrawn_checks(&mut *conn).await?;
        let ids: Vec<Uuid> = subjects.iter().map(|s| s.0).collect();
        let (table, counted, left_out) = table(league, &ids, &checks, &withdrawn, &settings);
        let (people, _) = names_and_places(&mut *conn).await?;
        let by_id: HashMap<Uuid, &Subject> = subjects.iter().map(|s| (s.0, s)).collect();
        let rows = table
            .into_iter()
            .filter_map(|standing| {
                let (_, class, name, zones, teacher) = by_id.get(&standing.subject)?;
                Some(LeagueRow {
                    subject: standing.subject,
                    class: *class,
                    name: name.clone(),
                    zones: zones.clone(),
                    teacher: teacher.and_then(|t| people.get(&t).cloned()),
                    standing,
                })
            })
            .collect();
        Ok(LeagueBoard {
            league,
            period,
            published: published.map(|(at, by)| (at, people.get(&by).cloned().unwrap_or_default())),
            rows,
            threshold_centi: settings.threshold_centi,
            spot_weight_pct: settings.spot_weight_pct,
            counted,
            left_out,
            arrived_after_publication,
        })
    }

    pub async fn publish(league: League, period: String) -> Result<(), AppError> {
        let session::Caller { state, user: admin } = session::require_role(&[]).await?;
        let period = period_of(league, &period, SCHOOL_UTC_OFFSET_MINUTES)
            .ok_or_else(|| AppError::invalid("period", Problem::Invalid))?;
        if period.from_ms > now_ms() {
            // A week that has not begun has nothing to publish.
            return Err(AppError::invalid("period", Problem::Invalid));
        }
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        db::publish(&mut tx, league, &period.key, admin.id, version).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The classes a user may follow: the admin and the inspectors every class, a class teacher their own.
    async fn may_follow(
        conn: &mut AnyConnection,
        user: &crate::domain::SessionUser,
        class: Uuid,
    ) -> Result<bool, sqlx::Error> {
        if user.has(Role::Admin) || user.has(Role::CleaningInspector) {
            return Ok(true);
        }
        Ok(db::classes_of_teacher(conn, user.id)
            .await?
            .contains(&class))
    }

    pub async fn class_term(class: Uuid) -> Result<ClassTerm, AppError> {
        let session::Caller { state, user } =
            session::require_role(&[Role::CleaningInspector, Role::ClassTeacher]).await?;
        let mut conn = state.db.pool.acquire().await?;
        // A graduated class too: the board lists it in the weeks it was scored, and links here.
        let classes = db::all_classes(&mut conn).await?;
        let Some(&(_, grade, number, teacher, _)) = classes.iter().find(|c| c.0 == class) else {
            return Err(AppError::NotFound);
        };
        if !may_follow(&mut conn, &user, class).await? {
            return Err(AppError::Forbidden);
        }
        let settings = db::settings(&mut conn).await?;
        let start = period_of(
            League::Class,
            &settings.term_start,
            SCHOOL_UTC_OFFSET_MINUTES,
        )
        .ok_or(AppError::Internal)?;
        let now = now_ms();
        // The whole school's scores rank each week; only this class's checks are read with their ratings.
        let checks = db::scores_between(&mut conn, start.from_ms, now + DAY_MS).await?;
        let withdrawn = db::withdrawn_checks(&mut conn).await?;
        let mut weeks = Vec::new();
        let mut from = start.from_ms;
        // Every week of the term up to this one (at most a year's worth).
        while from <= now && weeks.len() < 53 {
            let to = from + 7 * DAY_MS;
            let of_week: Vec<ScoreRow> = checks
                .iter()
                .filter(|c| (from..to).contains(&c.checked_at))
                .copied()
                .collect();
            let subjects: Vec<Uuid> = db::league_classes(&classes, &of_week)
                .iter()
                .map(|c| c.0)
                .collect();
            let (table, _, _) = table(League::Class, &subjects, &of_week, &withdrawn, &settings);
            let ranked = table.iter().filter(|s| s.rank.is_some()).count() as u32;
            let mine = table.iter().find(|s| s.subject == class);
            weeks.push((
                date(from, SCHOOL_UTC_OFFSET_MINUTES),
                mine.and_then(|s| s.score),
                mine.and_then(|s| s.rank),
                ranked,
            ));
            from = to;
        }
        let zones: HashMap<Uuid, String> = db::zones(&mut conn)
            .await?
            .into_iter()
            .map(|z| (z.id, z.name))
            .collect();
        let (people, _) = names_and_places(&mut conn).await?;
        let mine: Vec<CheckRow> =
            db::checks_of_class(&mut conn, class, start.from_ms, now + DAY_MS)
                .await?
                .into_iter()
                .collect();
        // Appeals carry a teacher's words: the admin and the class's own teacher only, as in the pull.
        let mut appeals: HashMap<Uuid, Vec<_>> = HashMap::new();
        if user.has(Role::Admin) || teacher == Some(user.id) {
            for appeal in db::appeals(&mut conn).await? {
                appeals.entry(appeal.check_id).or_default().push(appeal);
            }
        }
        let mut listed: Vec<_> = mine
            .into_iter()
            .map(|c| {
                let zone = zones.get(&c.zone_id).cloned().unwrap_or_default();
                let inspector = people.get(&c.inspector_id).cloned().unwrap_or_default();
                let of_check = appeals.remove(&c.id).unwrap_or_default();
                (c, zone, inspector, of_check)
            })
            .collect();
        listed.reverse();
        Ok(ClassTerm {
            class_id: class,
            class: (grade, number),
            teacher: teacher.and_then(|t| people.get(&t).cloned()),
            term_start: settings.term_start,
            weeks,
            checks: listed,
            threshold_centi: settings.threshold_centi,
        })
    }

    /// Every appeal, open ones first, then the latest decided.
    pub async fn appeals() -> Result<Vec<AppealCase>, AppError> {
        let state = session::require_role(&[]).await?.state;
        let mut conn = state.db.pool.acquire().await?;
        let mut all = db::appeals(&mut conn).await?;
        all.sort_by_key(|a| (a.status != AppealStatus::Open, -a.filed_at));
        all.truncate(200);
        let check_ids: HashSet<Uuid> = all.iter().map(|a| a.check_id).collect();
        let checks: HashMap<Uuid, CheckRow> = db::checks_by_ids(&mut conn, &check_ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let zones: HashMap<Uuid, ZoneRow> = db::zones(&mut conn)
            .await?
            .into_iter()
            .map(|z| (z.id, z))
            .collect();
        let (people, _) = names_and_places(&mut conn).await?;
        // Every class, graduated ones too: an appeal keeps the name of the class it was made for.
        let classes: HashMap<Uuid, (i64, i64)> = db::all_classes(&mut conn)
            .await?
            .into_iter()
            .map(|(id, g, n, _, _)| (id, (g, n)))
            .collect();
        Ok(all
            .into_iter()
            .filter_map(|appeal| {
                let check = checks.get(&appeal.check_id)?.clone();
                let zone = zones.get(&check.zone_id);
                Some(AppealCase {
                    // The class the check was made for, whoever keeps the zone now.
                    class: check.class_id.and_then(|c| classes.get(&c).copied()),
                    zone: zone.map(|z| z.name.clone()).unwrap_or_default(),
                    teacher: people.get(&appeal.teacher_id).cloned().unwrap_or_default(),
                    inspector: people.get(&check.inspector_id).cloned().unwrap_or_default(),
                    appeal,
                    check,
                })
            })
            .collect())
    }

    pub async fn resolve(appeal: Uuid, accept: bool, note: String) -> Result<(), AppError> {
        let session::Caller { state, user: admin } = session::require_role(&[]).await?;
        let mut checks = Checks::new();
        let note = checks
            .optional_text("note", &note, crate::domain::cleaning::NOTE_MAX)
            .unwrap_or_default();
        checks.finish()?;
        let status = if accept {
            AppealStatus::Accepted
        } else {
            AppealStatus::Rejected
        };
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        if !db::resolve_appeal(&mut tx, appeal, status, &note, admin.id, version).await? {
            // No such appeal, or another admin decided it first: nothing changes.
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn setup() -> Result<CleaningSetup, AppError> {
        let state = session::require_role(&[]).await?.state;
        let mut conn = state.db.pool.acquire().await?;
        let mut latest: HashMap<ZoneKind, Rubric> = HashMap::new();
        for rubric in db::rubrics(&mut conn).await? {
            if latest
                .get(&rubric.kind)
                .is_none_or(|r| r.version < rubric.version)
            {
                latest.insert(rubric.kind, rubric);
            }
        }
        let mut rubrics: Vec<Rubric> = latest.into_values().collect();
        rubrics.sort_by_key(|r| r.kind);
        let places = crate::features::directory::db::places::places_on(&mut conn)
            .await?
            .into_iter()
            .filter(|p| p.active && p.kind != PlaceKind::Building && p.kind != PlaceKind::Floor)
            .map(|p| (p.id, p.path))
            .collect();
        Ok(CleaningSetup {
            settings: db::settings(&mut conn).await?,
            zones: db::zones(&mut conn).await?,
            rubrics,
            places,
            classes: db::classes(&mut conn)
                .await?
                .into_iter()
                .map(|(id, g, n, _)| (id, g, n))
                .collect(),
        })
    }

    pub async fn save_settings(settings: Settings) -> Result<(), AppError> {
        let state = session::require_role(&[]).await?.state;
        let settings = settings.validate()?;
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        db::save_settings(&mut tx, &settings, version).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a zone: kept by a class (class league) or, with no class, a teachers' office (office league).
    pub async fn add_zone(
        place: Uuid,
        kind: ZoneKind,
        class: Option<Uuid>,
    ) -> Result<Uuid, AppError> {
        let db = session::require_role(&[]).await?.state.db;
        let mut tx = db.begin_write().await?;
        let mut checks = Checks::new();
        if crate::features::directory::db::places::place_kind(&mut tx, place)
            .await?
            .is_none()
        {
            checks.add("place_id", Problem::Unknown);
        }
        if let Some(class) = class
            && !db::classes(&mut tx).await?.iter().any(|c| c.0 == class)
        {
            checks.add("class_id", Problem::Unknown);
        }
        if class.is_none() && kind != ZoneKind::Office {
            // Only offices stand alone; any other zone is kept by a class.
            checks.add("class_id", Problem::Required);
        }
        checks.finish()?;
        let league = if class.is_some() {
            League::Class
        } else {
            League::Office
        };
        let version = bump_version(&mut tx).await?;
        let id = db::insert_zone(&mut tx, place, kind, league, class, version).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_zone_active(zone: Uuid, active: bool) -> Result<(), AppError> {
        let db = session::require_role(&[]).await?.state.db;
        let mut tx = db.begin_write().await?;
        if !set_row_active(&mut tx, Deactivatable::CleaningZones, zone, active).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves a kind's rubric as a new version; checks scored with the old one keep it.
    pub async fn save_rubric(rubric: Rubric) -> Result<i64, AppError> {
        let state = session::require_role(&[]).await?.state;
        let rubric = rubric.validate()?;
        let db = state.db;
        let mut tx = db.begin_write().await?;
        let version = bump_version(&mut tx).await?;
        let number = db::add_rubric(&mut tx, &rubric, version).await?;
        tx.commit().await?;
        Ok(number)
    }
}
