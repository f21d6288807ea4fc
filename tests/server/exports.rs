//! Reading an `.xlsx` download back, for the tests of each job's exports.

use crate::harness::Browser;
use reqwest::StatusCode;

/// The first sheet of the `.xlsx` at `path`, as rows of text; fails the test unless every cell is text.
pub async fn xlsx_rows(browser: &Browser, path: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let response = browser
        .client
        .get(format!("{}{path}", browser.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    calamine::Data::String(text) => text.clone(),
                    calamine::Data::Empty => String::new(),
                    other => panic!("{path}: a cell that is not text: {other:?}"),
                })
                .collect()
        })
        .collect()
}
