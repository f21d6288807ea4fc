//! Lists and ledgers for spreadsheets, as CSV or `.xlsx` from one [`Table`]: CSV in UTF-8 with a byte-order mark
//! (Excel on a Chinese Windows reads the names right), fields quoted when they need it, formulas defused; `.xlsx`
//! (rust_xlsxwriter) with every cell written as text, so nothing in it is ever read as a formula.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The content type of an `.xlsx` file.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download, named `filename`.
pub fn attachment(
    content_type: &str,
    filename: &str,
    body: impl Into<axum::body::Body>,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// The two shapes of a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A list or ledger as rows of the words the screen shows, under its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.as_ref().to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push<S: AsRef<str>>(&mut self, fields: &[S]) {
        self.rows
            .push(fields.iter().map(|f| f.as_ref().to_owned()).collect());
    }

    pub fn to_csv(&self) -> String {
        let mut out = String::from(BOM);
        out.push_str(&csv_line(&self.headers));
        for row in &self.rows {
            out.push_str(&csv_line(row));
        }
        out
    }

    /// One worksheet named `sheet`: the headers bold and frozen, columns as wide as their longest cell (CJK
    /// characters count double), every cell text.
    pub fn to_xlsx(&self, sheet: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format as CellFormat, Workbook};
        let mut book = Workbook::new();
        let worksheet = book.add_worksheet();
        // Excel allows 31 characters and no []:*?/\ in a sheet's name.
        let name: String = sheet
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        worksheet.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
        let bold = CellFormat::new().set_bold();
        let width = |text: &str| -> f64 {
            text.chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum::<f64>()
        };
        let mut widths: Vec<f64> = self.headers.iter().map(|h| width(h)).collect();
        for (c, header) in self.headers.iter().enumerate() {
            worksheet.write_string_with_format(0, c as u16, header, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                worksheet.write_string(r as u32 + 1, c as u16, cell)?;
                if let Some(w) = widths.get_mut(c) {
                    *w = w.max(width(cell));
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            worksheet.set_column_width(c as u16, (w + 2.0).min(60.0))?;
        }
        worksheet.set_freeze_panes(1, 0)?;
        book.save_to_buffer()
    }
}

/// A download of `table` as `stem.csv` or `stem.xlsx` (its one sheet named `sheet`), or the status that refused
/// it.
pub fn table_response(
    stem: &str,
    sheet: &str,
    format: Format,
    table: Result<Table, StatusCode>,
) -> Response {
    let table = match table {
        Ok(table) => table,
        Err(status) => return status.into_response(),
    };
    let filename = format!("{stem}.{}", format.extension());
    match format {
        Format::Csv => attachment("text/csv; charset=utf-8", &filename, table.to_csv()),
        Format::Xlsx => match table.to_xlsx(sheet) {
            Ok(bytes) => attachment(XLSX, &filename, bytes),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
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
