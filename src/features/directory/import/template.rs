//! The template a school fills in, one per kind (`GET /api/import/{kind}/template.xlsx`): the headers (a `*` on
//! the required ones), one example row and a note on each header saying what goes in it.

use super::ImportKind;
use rust_xlsxwriter::{Color, Format, Note, Workbook, XlsxError};

pub fn template(kind: ImportKind) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(kind.title())?;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE0F0EE));
    for (i, column) in kind.columns().iter().enumerate() {
        let i = i as u16;
        let title = if column.required {
            format!("{}*", column.header)
        } else {
            column.header.to_owned()
        };
        sheet.write_string_with_format(0, i, title, &header)?;
        sheet.write_string(1, i, column.example)?;
        sheet.insert_note(0, i, &Note::new(column.hint).set_author("后勤"))?;
        sheet.set_column_width(i, 26)?;
    }
    book.save_to_buffer()
}

/// The route's handler: the admin's template download.
pub async fn download(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    jar: axum_extra::extract::CookieJar,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let user = match crate::server::route_user(&state, &jar).await {
        Ok(user) => user,
        Err(status) => return status.into_response(),
    };
    if !user.has(crate::domain::Role::Admin) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(kind) = file
        .strip_suffix("-template.xlsx")
        .and_then(ImportKind::from_code)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match template(kind) {
        Ok(bytes) => crate::server::csv::attachment(
            crate::server::csv::XLSX,
            &format!("houqin-{}-template.xlsx", kind.code()),
            bytes,
        ),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_reads_back_with_its_example_row() {
        for kind in ImportKind::ALL {
            let bytes = template(*kind).unwrap();
            let sheet = super::super::sheet::read("t.xlsx", &bytes, kind.columns()).unwrap();
            assert_eq!(sheet.rows.len(), 1, "{kind:?}");
            let (row, cells) = &sheet.rows[0];
            assert_eq!(*row, 2);
            for column in kind.columns() {
                assert_eq!(cells[column.header], column.example, "{kind:?}");
            }
        }
    }
}
