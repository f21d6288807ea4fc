//! A sheet as rows of text: the first worksheet of an `.xlsx` (calamine), or a `.csv` in UTF-8 (with or without
//! its byte-order mark) or GBK (what Excel in China saves as "CSV"). Each row keeps the number the spreadsheet
//! shows; empty rows are skipped.

use super::{Column, MAX_FILE_BYTES, MAX_ROWS};
use std::collections::HashMap;

/// The rows of a sheet, each cell under its column's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// (row number as the spreadsheet shows it, cells by column header).
    pub rows: Vec<(u32, HashMap<&'static str, String>)>,
}

/// Why a file cannot be read as a sheet, in Chinese.
pub fn read(file_name: &str, bytes: &[u8], columns: &[Column]) -> Result<Sheet, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "文件有 {:.1} MB，超过 {} MB 的上限；请分成几个文件导入",
            bytes.len() as f64 / 1e6,
            MAX_FILE_BYTES / 1_000_000
        ));
    }
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        xlsx(bytes)?
    } else if file_name.to_ascii_lowercase().ends_with(".xlsx")
        || file_name.to_ascii_lowercase().ends_with(".xls")
    {
        return Err(
            "这个文件不是 .xlsx 表格（打不开）；请在 Excel 里另存为 .xlsx 或 .csv 再导入".into(),
        );
    } else {
        csv_grid(bytes)?
    };
    let mut rows = grid
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let Some((header_row, headers)) = rows.next() else {
        return Err("表格是空的：第 1 行应是列名".into());
    };
    let mut positions: HashMap<&'static str, usize> = HashMap::new();
    for column in columns {
        let found = headers.iter().position(|h| {
            let h = h.trim().trim_end_matches(['*', '＊']).trim();
            h == column.header || column.aliases.iter().any(|a| h.eq_ignore_ascii_case(a))
        });
        match found {
            Some(at) => {
                positions.insert(column.header, at);
            }
            None if column.required => {
                return Err(format!(
                    "第 {header_row} 行缺少列“{}”；列名应为：{}（可下载模板对照）",
                    column.header,
                    columns
                        .iter()
                        .map(|c| c.header)
                        .collect::<Vec<_>>()
                        .join("、")
                ));
            }
            None => {}
        }
    }
    let rows: Vec<_> = rows
        .map(|(number, cells)| {
            let by_column = positions
                .iter()
                .map(|(header, at)| {
                    (
                        *header,
                        cells
                            .get(*at)
                            .map(|c| c.trim().to_owned())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            (number, by_column)
        })
        .collect();
    if rows.len() > MAX_ROWS {
        return Err(format!(
            "表格有 {} 行，超过 {MAX_ROWS} 行的上限；请分成几个文件导入",
            rows.len()
        ));
    }
    Ok(Sheet { rows })
}

/// The first worksheet's cells as text, with the row numbers Excel shows.
fn xlsx(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("这个 .xlsx 文件打不开（{e}）；请在 Excel 里重新保存后再导入"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("这个 .xlsx 文件里没有工作表")?
        .map_err(|e| format!("第一个工作表读不出来（{e}）"))?;
    let first_row = range.start().map_or(0, |(row, _)| row);
    let first_column = range.start().map_or(0, |(_, column)| column) as usize;
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut texts = vec![String::new(); first_column];
            texts.extend(cells.iter().map(cell_text));
            (first_row + i as u32 + 1, texts)
        })
        .collect())
}

/// A cell as the admin sees it: whole numbers without ".0".
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// A CSV's rows, decoded from UTF-8, or from GBK when the bytes are not UTF-8.
fn csv_grid(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GBK.decode(bytes);
            if bad {
                return Err("这个文件既不是 UTF-8 也不是 GBK 编码的 CSV，也不是 .xlsx；请在 Excel 里另存为 .xlsx 再导入".into());
            }
            text.into_owned()
        }
    };
    if text.contains('\0') {
        return Err("这个文件不是表格（含二进制内容）；请导入 .xlsx 或 .csv".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("CSV 读不下去：{e}"))?;
        // The row Excel shows is the line the record starts on. The csv crate's position may point at the line
        // break before it, or at blank lines it skipped: step over those to the record's first character.
        let bytes = text.as_bytes();
        let mut start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let line = bytes[..start].iter().filter(|b| **b == b'\n').count() + 1;
        rows.push((line as u32, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::directory::import::PLACE_COLUMNS;

    #[test]
    fn a_gbk_csv_reads_as_a_utf8_one() {
        let text = "场所路径,类型\r\n教学楼A,楼栋\r\n\r\n教学楼A/2F,楼层\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let from_gbk = read("places.csv", &gbk, PLACE_COLUMNS).unwrap();
        let from_utf8 = read(
            "places.csv",
            format!("\u{feff}{text}").as_bytes(),
            PLACE_COLUMNS,
        )
        .unwrap();
        assert_eq!(from_gbk, from_utf8);
        let rows: Vec<(u32, &str)> = from_gbk
            .rows
            .iter()
            .map(|(n, r)| (*n, r["场所路径"].as_str()))
            .collect();
        assert_eq!(
            rows,
            [(2, "教学楼A"), (4, "教学楼A/2F")],
            "row numbers as the sheet shows them"
        );
    }

    #[test]
    fn a_missing_column_or_a_binary_file_is_refused_whole() {
        let wrong = read(
            "x.csv",
            "名称,类型\n教学楼A,楼栋\n".as_bytes(),
            PLACE_COLUMNS,
        )
        .unwrap_err();
        assert!(wrong.contains("缺少列“场所路径”"), "{wrong}");
        let binary = read("x.xlsx", b"\x00\x01not a sheet", PLACE_COLUMNS).unwrap_err();
        assert!(binary.contains("不是 .xlsx"), "{binary}");
        let many = format!("场所路径,类型\n{}", "教学楼A,楼栋\n".repeat(MAX_ROWS + 1));
        assert!(
            read("x.csv", many.as_bytes(), PLACE_COLUMNS)
                .unwrap_err()
                .contains("上限")
        );
    }
}
