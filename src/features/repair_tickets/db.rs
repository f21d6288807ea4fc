//! SQL for repair tickets: tickets, their timeline, who sees them, assignment rules, and photos.

use crate::domain::photo::PhotoRow;
use crate::domain::ticket::{Action, Category, Status, Ticket, TicketEvent, Urgency};
use crate::server::db::{json_list, json_texts, opt_uuid, uuid};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const TICKET_COLUMNS: &str = "id, place_id, category, urgency, description, reporter_id, assignee_id, status, \
     rating, reported_at, received_at, due_at, done_at, closed_at, version, source_check_id";
const EVENT_COLUMNS: &str = "e.id, e.ticket_id, e.ord, e.actor_id, e.action, e.from_status, e.to_status, \
     e.applied, e.note, e.rating, e.assignee_id, e.client_time, e.received_at, e.version";
const PHOTO_COLUMNS: &str =
    "p.id, p.owner_kind, p.owner_id, p.part_id, p.stored_at, p.declared_at, p.version";

fn ids_json(ids: &HashSet<Uuid>) -> String {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    json_list(ids.iter().map(String::as_str))
}

fn bad_code(what: &str, code: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} {code:?}").into())
}

pub fn ticket_from_row(row: &AnyRow) -> Result<Ticket, sqlx::Error> {
    let category: String = row.try_get("category")?;
    let urgency: String = row.try_get("urgency")?;
    let status: String = row.try_get("status")?;
    Ok(Ticket {
        id: uuid(row.try_get("id")?)?,
        place_id: uuid(row.try_get("place_id")?)?,
        category: Category::from_code(&category).ok_or_else(|| bad_code("category", &category))?,
        urgency: Urgency::from_code(&urgency).ok_or_else(|| bad_code("urgency", &urgency))?,
        description: row.try_get("description")?,
        reporter_id: uuid(row.try_get("reporter_id")?)?,
        assignee_id: opt_uuid(row.try_get("assignee_id")?)?,
        status: Status::from_code(&status).ok_or_else(|| bad_code("status", &status))?,
        rating: row.try_get("rating")?,
        reported_at: row.try_get("reported_at")?,
        due_at: row.try_get("due_at")?,
        done_at: row.try_get("done_at")?,
        closed_at: row.try_get("closed_at")?,
        source_check_id: opt_uuid(row.try_get("source_check_id")?)?,
    })
}

fn event_from_row(row: &AnyRow) -> Result<TicketEvent, sqlx::Error> {
    let action: String = row.try_get("action")?;
    let status = |column: &str| -> Result<Option<Status>, sqlx::Error> {
        let code: Option<String> = row.try_get(column)?;
        code.map(|c| Status::from_code(&c).ok_or_else(|| bad_code("status", &c)))
            .transpose()
    };
    Ok(TicketEvent {
        id: uuid(row.try_get("id")?)?,
        ticket_id: uuid(row.try_get("ticket_id")?)?,
        version: row.try_get("version")?,
        ord: row.try_get("ord")?,
        actor_id: opt_uuid(row.try_get("actor_id")?)?,
        action: Action::from_code(&action).ok_or_else(|| bad_code("action", &action))?,
        from_status: status("from_status")?,
        to_status: status("to_status")?,
        applied: row.try_get::<i64, _>("applied")? == 1,
        note: row.try_get("note")?,
        rating: row.try_get("rating")?,
        assignee_id: opt_uuid(row.try_get("assignee_id")?)?,
        client_time: row.try_get("client_time")?,
        received_at: row.try_get("received_at")?,
    })
}

fn photo_from_row(row: &AnyRow) -> Result<PhotoRow, sqlx::Error> {
    Ok(PhotoRow {
        id: uuid(row.try_get("id")?)?,
        owner_kind: row.try_get("owner_kind")?,
        owner_id: uuid(row.try_get("owner_id")?)?,
        part_id: opt_uuid(row.try_get("part_id")?)?,
        stored: row.try_get::<Option<i64>, _>("stored_at")?.is_some(),
        declared_at: row.try_get("declared_at")?,
    })
}

/// The tickets among `ids`, as stored.
pub async fn tickets_by_id(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, Ticket>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE id IN ({})",
        json_texts(conn)
    );
    let rows = sqlx::query(&sql)
        .bind(ids_json(ids))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| ticket_from_row(row).map(|t| (t.id, t)))
        .collect()
}

/// Everyone ever assigned to each of the tickets `ids`: (ticket, user).
pub async fn past_assignees(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashSet<(Uuid, Uuid)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT DISTINCT ticket_id, user_id FROM ticket_access WHERE visible = 1 AND ticket_id IN ({})",
        json_texts(conn)
    );
    sqlx::query_as::<_, (String, String)>(&sql)
        .bind(ids_json(ids))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(ticket, user)| Ok((uuid(&ticket)?, uuid(&user)?)))
        .collect()
}

/// For each of `ids` that is a user holding the maintenance role: whether they are active.
pub async fn maintenance_flags(
    conn: &mut AnyConnection,
    ids: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, bool>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT u.id, u.active FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'maintenance' \
         WHERE u.id IN ({})",
        json_texts(conn)
    );
    sqlx::query_as::<_, (String, i64)>(&sql)
        .bind(ids_json(ids))
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, active)| Ok((uuid(&id)?, active == 1)))
        .collect()
}

/// The assignment rules: category → assignee.
pub async fn rules(conn: &mut AnyConnection) -> Result<HashMap<Category, Uuid>, sqlx::Error> {
    sqlx::query_as::<_, (String, String)>("SELECT category, assignee_id FROM ticket_rules")
        .fetch_all(conn)
        .await?
        .into_iter()
        .filter_map(|(category, assignee)| {
            Category::from_code(&category).map(|c| uuid(&assignee).map(|a| (c, a)))
        })
        .collect()
}

/// Sets (or with `None` removes) the rule for one category.
pub async fn set_rule(
    conn: &mut AnyConnection,
    category: Category,
    assignee: Option<Uuid>,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ticket_rules WHERE category = $1")
        .bind(category.code())
        .execute(&mut *conn)
        .await?;
    if let Some(assignee) = assignee {
        sqlx::query(
            "INSERT INTO ticket_rules (category, assignee_id, version) VALUES ($1, $2, $3)",
        )
        .bind(category.code())
        .bind(assignee.to_string())
        .bind(version)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Writes a ticket's new state.
pub async fn update_ticket(
    conn: &mut AnyConnection,
    ticket: &Ticket,
    version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tickets SET status = $1, assignee_id = $2, rating = $3, done_at = $4, closed_at = $5, \
         version = $6 WHERE id = $7",
    )
    .bind(ticket.status.code())
    .bind(ticket.assignee_id.map(|a| a.to_string()))
    .bind(ticket.rating)
    .bind(ticket.done_at)
    .bind(ticket.closed_at)
    .bind(version)
    .bind(ticket.id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Who may see which tickets: the admin all, anyone else those they reported or are assigned.
fn visible_to(admin: bool) -> &'static str {
    if admin {
        // Binds the user anyway, so every query takes the same three parameters on both databases.
        "CAST($3 AS TEXT) IS NOT NULL"
    } else {
        "(t.reporter_id = $3 OR t.assignee_id = $3)"
    }
}

/// A ticket's rows for a phone, each with the version it was written at.
pub struct TicketChanges {
    pub tickets: Vec<(i64, Ticket)>,
    pub events: Vec<TicketEvent>,
    pub photos: Vec<(i64, PhotoRow)>,
    /// Tickets that left this user's view (reassigned away), at a version.
    pub left: Vec<(i64, Uuid)>,
}

/// What changed in `after < version <= up_to` among the tickets `user` sees, plus the whole history of any
/// ticket that came into their view in that range (assigned to them: its older events are below their cursor).
/// Tickets closed before `closed_since` are left out: a phone keeps what is open and what closed lately, not
/// every ticket of past years.
pub async fn changes_for(
    conn: &mut AnyConnection,
    user: Uuid,
    admin: bool,
    after: i64,
    up_to: i64,
    closed_since: i64,
) -> Result<TicketChanges, sqlx::Error> {
    let visible = format!(
        "{} AND (t.closed_at IS NULL OR t.closed_at >= $4)",
        visible_to(admin)
    );
    let user_text = user.to_string();
    let tickets = sqlx::query(&format!(
        "SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.version > $1 AND t.version <= $2 AND {visible}"
    ))
    .bind(after)
    .bind(up_to)
    .bind(&user_text)
    .bind(closed_since)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| Ok((row.try_get("version")?, ticket_from_row(row)?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let events = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
         WHERE e.version > $1 AND e.version <= $2 AND {visible}"
    ))
    .bind(after)
    .bind(up_to)
    .bind(&user_text)
    .bind(closed_since)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(event_from_row)
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let photos = sqlx::query(&format!(
        "SELECT {PHOTO_COLUMNS} FROM photos p JOIN tickets t ON p.owner_kind = 'ticket' AND t.id = p.owner_id \
         WHERE p.version > $1 AND p.version <= $2 AND {visible}"
    ))
    .bind(after)
    .bind(up_to)
    .bind(&user_text)
    .bind(closed_since)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| Ok((row.try_get("version")?, photo_from_row(row)?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let mut changes = TicketChanges {
        tickets,
        events,
        photos,
        left: Vec::new(),
    };
    if admin {
        return Ok(changes);
    }
    // The last change of access per ticket in the range decides: came into view, or left it.
    let access: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT ticket_id, visible, version FROM ticket_access WHERE user_id = $3 AND version > $1 \
         AND version <= $2 ORDER BY version",
    )
    .bind(after)
    .bind(up_to)
    .bind(&user_text)
    .fetch_all(&mut *conn)
    .await?;
    let mut last: HashMap<Uuid, i64> = HashMap::new();
    for (ticket, _, version) in &access {
        last.insert(uuid(ticket)?, *version);
    }
    if last.is_empty() {
        return Ok(changes);
    }
    let ids: HashSet<Uuid> = last.keys().copied().collect();
    let still_visible: HashMap<Uuid, Ticket> = tickets_by_id(conn, &ids)
        .await?
        .into_iter()
        .filter(|(_, t)| t.reporter_id == user || t.assignee_id == Some(user))
        .collect();
    let entered: HashSet<Uuid> = still_visible.keys().copied().collect();
    for (id, version) in &last {
        match still_visible.get(id) {
            Some(ticket) => changes.tickets.push((*version, ticket.clone())),
            None => changes.left.push((*version, *id)),
        }
    }
    if !entered.is_empty() {
        // The whole history of the tickets that came into view, stamped with the version they came in at so
        // the phone gets it in order.
        let list = ids_json(&entered);
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM ticket_events e WHERE e.version <= $2 AND e.ticket_id IN ({})",
            json_texts(conn)
        );
        let rows = sqlx::query(&sql)
            .bind(&list)
            .bind(up_to)
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            changes.events.push(event_from_row(row)?);
        }
        let sql = format!(
            "SELECT {PHOTO_COLUMNS} FROM photos p WHERE p.owner_kind = 'ticket' AND p.version <= $2 \
             AND p.owner_id IN ({})",
            json_texts(conn)
        );
        let rows = sqlx::query(&sql)
            .bind(&list)
            .bind(up_to)
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            let photo = photo_from_row(row)?;
            let version = last.get(&photo.owner_id).copied().unwrap_or(up_to);
            changes.photos.push((version, photo));
        }
    }
    Ok(changes)
}

/// Whether `user` may see the ticket (and so its photos).
pub async fn may_see(
    conn: &mut AnyConnection,
    ticket: Uuid,
    user: Uuid,
    admin: bool,
) -> Result<bool, sqlx::Error> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT reporter_id, assignee_id FROM tickets WHERE id = $1")
            .bind(ticket.to_string())
            .fetch_optional(conn)
            .await?;
    let user = user.to_string();
    Ok(row.is_some_and(|(reporter, assignee)| {
        admin || reporter == user || assignee.as_deref() == Some(user.as_str())
    }))
}

/// Tickets reported in `from <= reported_at < to`, oldest first, for the repair log.
pub async fn tickets_between(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
) -> Result<Vec<Ticket>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE reported_at >= $1 AND reported_at < $2 ORDER BY reported_at, id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?
    .iter()
    .map(ticket_from_row)
    .collect()
}

/// Photos declared more than `before` ago whose bytes never arrived: (photo, owner ticket, declared at).
pub async fn missing_photos(
    conn: &mut AnyConnection,
    before: i64,
) -> Result<Vec<(Uuid, Uuid, i64)>, sqlx::Error> {
    sqlx::query_as::<_, (String, String, i64)>(
        "SELECT id, owner_id, declared_at FROM photos WHERE owner_kind = 'ticket' AND stored_at IS NULL \
         AND declared_at < $1 ORDER BY declared_at",
    )
    .bind(before)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(id, owner, at)| Ok((uuid(&id)?, uuid(&owner)?, at)))
    .collect()
}
