//! The school's own settings: its name.

use sqlx::AnyConnection;

/// The school's name, empty until the admin gives one.
pub async fn school_name(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM school WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name.unwrap_or_default())
}

pub async fn save_school_name(conn: &mut AnyConnection, name: &str) -> Result<(), sqlx::Error> {
    let done = sqlx::query("UPDATE school SET name = $1 WHERE id = 1")
        .bind(name)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        sqlx::query("INSERT INTO school (id, name) VALUES (1, $1)")
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
