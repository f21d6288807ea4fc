//! CSV for spreadsheets: UTF-8 with a byte-order mark (Excel on a Chinese Windows reads the names right),
//! fields quoted when they need it, formulas defused.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A CSV download named `filename`, or the status that refused it.
pub fn csv_response(filename: &str, body: Result<String, StatusCode>) -> Response {
    match body {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(status) => status.into_response(),
    }
}

/// The byte-order mark every export starts with.
pub const BOM: &str = "\u{feff}";

/// One CSV line of `fields`, ended by CRLF.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line: String = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// Quotes a field when it needs it, and defuses spreadsheet formulas: a cell starting with `=`, `+`, `-` or `@`,
/// or with a TAB or CR before one (spreadsheets skip those and read the formula anyway).
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::csv_field("王,五"), "\"王,五\"");
        assert_eq!(super::csv_field("=cmd()"), "'=cmd()");
        assert_eq!(super::csv_field("\t=cmd()"), "'\t=cmd()");
        assert_eq!(super::csv_field("\r=cmd()"), "\"'\r=cmd()\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("a\"b,c"), "\"a\"\"b,c\"");
    }
}
