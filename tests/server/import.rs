//! Importing the school's sheets through the real route, on SQLite and PostgreSQL: a preview changes nothing, a
//! sheet with a refused row changes nothing, a clean one applies whole, importing it again duplicates nothing; a
//! GBK CSV of classes and an .xlsx of check points; files that are not sheets; the admin only.

use crate::harness::{Browser, TestApp, both};
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn import(
    admin: &Browser,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
    apply: bool,
) -> Value {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    let (status, answer) = admin
        .call(
            "directory/import",
            json!({ "kind": kind, "file_name": file_name, "data": data, "apply": apply }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// (row, column) of every refusal, and the problems' text.
pub fn refused(answer: &Value) -> Vec<(u64, String, String)> {
    answer["preview"]["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["column"].as_str().unwrap().to_owned(),
                r["problem"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub fn counted(answer: &Value, what: &str) -> usize {
    answer["preview"][what].as_array().map_or(0, Vec::len)
}

async fn places_import_previews_refuses_whole_applies_once(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let places_before = app.count("SELECT COUNT(*) FROM places").await;
    // A floor listed before its building, a room under the demo's existing 教学楼A/1F, and three bad rows.
    let sheet = "场所路径,类型\n\
                 科学楼/1F,楼层\n\
                 科学楼,楼栋\n\
                 科学楼/1F/实验室一,房间\n\
                 教学楼A/1F/105教室,房间\n\
                 图书馆/2F,楼层\n\
                 科学楼/1F/实验室二,教室\n\
                 南门/岗亭,房间\n\
                 科学楼,楼栋\n";
    let preview = import(&admin, "places", "places.csv", sheet.as_bytes(), false).await;
    assert_eq!(preview["applied"], false);
    assert_eq!(counted(&preview, "add"), 4, "{preview}");
    let refusals = refused(&preview);
    let rows: Vec<(u64, &str)> = refusals.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        rows,
        [(6, "场所路径"), (7, "类型"), (8, "类型"), (9, "场所路径")],
        "{refusals:?}"
    );
    assert!(
        refusals[0].2.contains("图书馆"),
        "the missing parent is named: {refusals:?}"
    );
    assert!(refusals[1].2.contains("不是场所类型"), "{refusals:?}");
    assert!(refusals[2].2.contains("不能放在"), "{refusals:?}");
    assert!(
        refusals[3].2.contains("第 3 行"),
        "the duplicate names its first row: {refusals:?}"
    );
    // Applying a sheet with refused rows changes nothing.
    let refused_whole = import(&admin, "places", "places.csv", sheet.as_bytes(), true).await;
    assert_eq!(refused_whole["applied"], false);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM places").await,
        places_before
    );

    let clean: String = sheet.lines().take(5).map(|l| format!("{l}\n")).collect();
    let applied = import(&admin, "places", "places.csv", clean.as_bytes(), true).await;
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM places").await,
        places_before + 4
    );
    let floor_parent = app
        .count(
            "SELECT COUNT(*) FROM places f JOIN places b ON f.parent_id = b.id \
             WHERE f.name = '1F' AND b.name = '科学楼' AND b.kind = 'building' AND f.kind = 'floor'",
        )
        .await;
    assert_eq!(
        floor_parent, 1,
        "the floor hangs under the building listed after it"
    );
    // The same sheet again: nothing to add, nothing doubled.
    let again = import(&admin, "places", "places.csv", clean.as_bytes(), true).await;
    assert_eq!(counted(&again, "add"), 0, "{again}");
    assert_eq!(again["preview"]["unchanged"], 4);
    assert_eq!(again["applied"], false);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM places").await,
        places_before + 4
    );
    // A kind changed in the sheet is an update of the same place.
    let changed = clean.replace("实验室一,房间", "实验室一,区域");
    let updated = import(&admin, "places", "places.csv", changed.as_bytes(), true).await;
    assert_eq!(counted(&updated, "update"), 1, "{updated}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM places WHERE name = '实验室一' AND kind = 'area'")
            .await,
        1
    );
}
both!(places_import_previews_refuses_whole_applies_once);

async fn a_gbk_csv_of_classes_and_an_xlsx_of_check_points_import(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    // Excel in China saves CSV as GBK.
    let sheet = "年级,班号,班主任,卫生区\n一年级,5班,张老师,操场/操场东侧\n1,6,anquan2,\n七年级,1,,\n2,3,没有这个人,\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(sheet);
    let preview = import(&admin, "classes", "班级.csv", &gbk, true).await;
    assert_eq!(
        preview["applied"], false,
        "a refused row holds the whole sheet back"
    );
    let refusals = refused(&preview);
    let rows: Vec<(u64, &str)> = refusals.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(rows, [(4, "年级"), (5, "班主任")], "{refusals:?}");
    assert!(refusals[1].2.contains("没有这个人"), "{refusals:?}");
    let clean: String = sheet.lines().take(3).map(|l| format!("{l}\r\n")).collect();
    let (gbk, _, _) = encoding_rs::GBK.encode(&clean);
    let applied = import(&admin, "classes", "班级.csv", &gbk, true).await;
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM school_classes c JOIN users u ON c.teacher_id = u.id \
             JOIN places p ON c.zone_id = p.id \
             WHERE c.grade = 1 AND c.number = 5 AND u.username = 'anquan' AND p.name = '操场东侧'"
        )
        .await,
        1,
        "teacher found by name, zone by path"
    );
    // Again, with another teacher for 一年级5班: one update, no new class.
    let classes = app.count("SELECT COUNT(*) FROM school_classes").await;
    let changed = clean.replace("张老师", "jiaozhigong");
    let (gbk, _, _) = encoding_rs::GBK.encode(&changed);
    let updated = import(&admin, "classes", "班级.csv", &gbk, true).await;
    assert_eq!(
        (counted(&updated, "add"), counted(&updated, "update")),
        (0, 1),
        "{updated}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM school_classes").await,
        classes
    );

    // Check points from an .xlsx, as the template is filled in.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, header) in ["场所路径*", "类型*", "名称*", "负责人"].iter().enumerate() {
        sheet.write_string(0, c as u16, *header).unwrap();
    }
    let rows = [
        ["教学楼B/2F", "灭火器", "B-2F-东-01", "吴老师"],
        ["教学楼B/2F", "应急照明灯", "B-2F-西-02", ""],
        ["教学楼B/9F", "灭火器", "B-9F-01", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *cell).unwrap();
        }
    }
    let xlsx = book.save_to_buffer().unwrap();
    let preview = import(&admin, "check-points", "检查点.xlsx", &xlsx, false).await;
    let refusals = refused(&preview);
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!((refusals[0].0, refusals[0].1.as_str()), (4, "场所路径"));
    let points = app.count("SELECT COUNT(*) FROM check_points").await;
    book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, header) in ["场所路径*", "类型*", "名称*", "负责人"].iter().enumerate() {
        sheet.write_string(0, c as u16, *header).unwrap();
    }
    for (r, row) in rows[..2].iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *cell).unwrap();
        }
    }
    let xlsx = book.save_to_buffer().unwrap();
    let applied = import(&admin, "check-points", "检查点.xlsx", &xlsx, true).await;
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM check_points").await,
        points + 2
    );
    let again = import(&admin, "check-points", "检查点.xlsx", &xlsx, true).await;
    assert_eq!(again["preview"]["unchanged"], 2, "{again}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM check_points").await,
        points + 2
    );
}
both!(a_gbk_csv_of_classes_and_an_xlsx_of_check_points_import);

async fn files_that_are_not_sheets_are_refused_whole_and_only_the_admin_imports(app: TestApp) {
    let admin = app.signed_in("zhuren").await;
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    let answer = import(&admin, "places", "photo.xlsx", png, true).await;
    assert!(
        answer["preview"]["file_problem"]
            .as_str()
            .unwrap()
            .contains(".xlsx"),
        "{answer}"
    );
    let wrong_headers = import(
        &admin,
        "places",
        "x.csv",
        "名字,种类\n教学楼C,楼栋\n".as_bytes(),
        true,
    )
    .await;
    assert!(
        wrong_headers["preview"]["file_problem"]
            .as_str()
            .unwrap()
            .contains("缺少列“场所路径”"),
        "{wrong_headers}"
    );
    let huge = format!(
        "场所路径,类型\n{}",
        (0..10_000)
            .map(|i| format!("楼{i},楼栋\n"))
            .collect::<String>()
    );
    let many = import(&admin, "places", "x.csv", huge.as_bytes(), true).await;
    assert!(
        many["preview"]["file_problem"]
            .as_str()
            .unwrap()
            .contains("上限"),
        "{many}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM places WHERE name LIKE '楼%'")
            .await,
        0
    );
    let guard = app.signed_in("menwei").await;
    let (status, _) = guard
        .call(
            "directory/import",
            json!({ "kind": "places", "file_name": "x.csv", "data": "", "apply": false }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The template downloads for the admin, and reads back.
    let template = admin
        .client
        .get(format!("{}/api/import/places-template.xlsx", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), StatusCode::OK);
    let bytes = template.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an .xlsx");
    let refused_for_guard = guard
        .client
        .get(format!("{}/api/import/places-template.xlsx", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused_for_guard.status(), StatusCode::FORBIDDEN);
}
both!(files_that_are_not_sheets_are_refused_whole_and_only_the_admin_imports);
