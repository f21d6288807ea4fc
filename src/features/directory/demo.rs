//! The demo school's directory: people, places, classes and check points, built with the same inserts the admin
//! pages use, so the demo exercises the real write path (and its version counter). Sign-ins are listed in the
//! README.

use super::db::{check_points, places, school_classes};
use crate::domain::{
    CheckPointInput, CheckPointKind, NewUser, PlaceInput, PlaceKind, Role, SchoolClassInput,
};
use crate::error::AppError;
use crate::features::auth::{db as users, session::hash_password};
use crate::server::demo::DEMO_PASSWORD;
use sqlx::AnyConnection;
use uuid::Uuid;

/// One person per role, then the twelve class teachers.
const PEOPLE: &[(&str, &str, &[Role])] = &[
    ("zhuren", "李主任", &[Role::Admin, Role::Staff]),
    ("menwei", "王师傅", &[Role::GateGuard]),
    ("menwei2", "周师傅", &[Role::GateGuard]),
    ("anquan", "张老师", &[Role::SafetyInspector, Role::Staff]),
    ("anquan2", "吴老师", &[Role::SafetyInspector, Role::Staff]),
    (
        "weisheng",
        "陈老师",
        &[Role::CleaningInspector, Role::Staff],
    ),
    (
        "jianduyuan",
        "刘同学(文明监督岗)",
        &[Role::CleaningInspector],
    ),
    ("weixiu", "赵师傅", &[Role::Maintenance]),
    ("weixiu2", "钱师傅", &[Role::Maintenance]),
    ("jiaozhigong", "孙老师", &[Role::Staff]),
];

const CLASS_TEACHERS: [&str; 12] = [
    "杨老师",
    "黄老师",
    "徐老师",
    "马老师",
    "胡老师",
    "郭老师",
    "何老师",
    "高老师",
    "林老师",
    "罗老师",
    "郑老师",
    "梁老师",
];

/// The classes' outdoor cleaning zones (包干区), one per class in order.
const CLEANING_ZONES: [&str; 12] = [
    "南门广场",
    "北门通道",
    "升旗台",
    "东花坛",
    "西花坛",
    "自行车棚",
    "食堂门前",
    "教学楼A前",
    "教学楼B前",
    "操场东侧",
    "操场西侧",
    "篮球场",
];

/// The directory's part of the demo school: its people (one per role, then the class teachers, all with the
/// password [`DEMO_PASSWORD`]), its places, classes and check points.
///
/// The one password hash is made here, inside the demo's transaction: Argon2's tens of milliseconds hold the
/// write lock once, on an empty database's first start.
pub async fn seed(conn: &mut AnyConnection) -> Result<(), AppError> {
    let hash = hash_password(DEMO_PASSWORD.to_owned()).await?;
    seed_with(conn, &hash).await
}

async fn add_user(
    conn: &mut AnyConnection,
    username: &str,
    name: &str,
    roles: &[Role],
    hash: &str,
) -> Result<Uuid, AppError> {
    let user = NewUser {
        username: username.into(),
        display_name: name.into(),
        password: DEMO_PASSWORD.into(),
        roles: roles.to_vec(),
    }
    .validate()?;
    Ok(users::insert_user(conn, &user, hash).await?)
}

async fn add_place(
    conn: &mut AnyConnection,
    parent: Option<Uuid>,
    kind: PlaceKind,
    name: &str,
    order: i64,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    places::insert_place(
        conn,
        id,
        &PlaceInput {
            parent_id: parent,
            kind,
            name: name.into(),
        },
        order,
    )
    .await?;
    Ok(id)
}

async fn add_point(
    conn: &mut AnyConnection,
    place: Uuid,
    kind: CheckPointKind,
    label: &str,
    who: Uuid,
) -> Result<(), AppError> {
    let input = CheckPointInput {
        place_id: place,
        kind,
        label: label.into(),
        responsible_id: Some(who),
    };
    check_points::insert_check_point(conn, Uuid::now_v7(), &input).await?;
    Ok(())
}

async fn seed_with(conn: &mut AnyConnection, hash: &str) -> Result<(), AppError> {
    let mut people = std::collections::HashMap::new();
    for (username, name, roles) in PEOPLE {
        people.insert(
            *username,
            add_user(conn, username, name, roles, hash).await?,
        );
    }
    let mut teachers = Vec::new();
    for (i, name) in CLASS_TEACHERS.iter().enumerate() {
        let username = format!("banzhuren{}{}", i / 2 + 1, i % 2 + 1);
        teachers.push(
            add_user(
                conn,
                &username,
                name,
                &[Role::ClassTeacher, Role::Staff],
                hash,
            )
            .await?,
        );
    }
    let anquan = people["anquan"];
    let anquan2 = people["anquan2"];
    let zhuren = people["zhuren"];

    use PlaceKind::*;
    let south_gate = add_place(conn, None, Gate, "南门", 1).await?;
    let north_gate = add_place(conn, None, Gate, "北门", 2).await?;
    let mut floors = Vec::new();
    for (order, building) in [(10, "教学楼A"), (11, "教学楼B")] {
        let b = add_place(conn, None, Building, building, order).await?;
        for floor in 1..=3 {
            let f = add_place(conn, Some(b), Floor, &format!("{floor}F"), floor).await?;
            for room in 1..=4 {
                add_place(conn, Some(f), Room, &format!("{floor}0{room}教室"), room).await?;
            }
            add_place(conn, Some(f), Area, "东走廊", 10).await?;
            add_place(conn, Some(f), Area, "西楼梯", 11).await?;
            floors.push((building, floor, f));
        }
    }
    let office = add_place(conn, None, Building, "综合办公楼", 12).await?;
    let office_1f = add_place(conn, Some(office), Floor, "1F", 1).await?;
    let office_2f = add_place(conn, Some(office), Floor, "2F", 2).await?;
    let zongwu = add_place(conn, Some(office_1f), Room, "总务处", 1).await?;
    let finance = add_place(conn, Some(office_1f), Room, "财务室", 2).await?;
    add_place(conn, Some(office_1f), Room, "校长室", 3).await?;
    add_place(conn, Some(office_2f), Room, "教师办公室一", 1).await?;
    add_place(conn, Some(office_2f), Room, "教师办公室二", 2).await?;
    let computer_room = add_place(conn, Some(office_2f), Room, "计算机房", 3).await?;
    add_place(conn, Some(office_2f), Room, "会议室", 4).await?;
    let canteen = add_place(conn, None, Building, "食堂", 13).await?;
    let canteen_1f = add_place(conn, Some(canteen), Floor, "1F", 1).await?;
    let kitchen = add_place(conn, Some(canteen_1f), Room, "厨房", 1).await?;
    let dining = add_place(conn, Some(canteen_1f), Area, "餐厅", 2).await?;
    let playground = add_place(conn, None, OutdoorZone, "操场", 20).await?;
    let mut zones = Vec::new();
    for (order, zone) in CLEANING_ZONES.iter().enumerate() {
        let parent = (zone.starts_with("操场") || *zone == "篮球场").then_some(playground);
        zones.push(
            add_place(
                conn,
                parent,
                OutdoorZone,
                zone,
                30 + i64::try_from(order).unwrap_or(0),
            )
            .await?,
        );
    }

    for (i, (teacher, zone)) in teachers.iter().zip(&zones).enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let input = SchoolClassInput {
            grade: i / 2 + 1,
            number: i % 2 + 1,
            teacher_id: Some(*teacher),
            zone_id: Some(*zone),
        };
        school_classes::insert_school_class(conn, Uuid::now_v7(), &input).await?;
    }
    use CheckPointKind::*;
    for (building, floor, f) in &floors {
        let who = if *building == "教学楼A" {
            anquan
        } else {
            anquan2
        };
        add_point(
            conn,
            *f,
            Extinguisher,
            &format!("{building} {floor}F 灭火器#1"),
            who,
        )
        .await?;
        if *floor == 1 {
            add_point(conn, *f, Hydrant, &format!("{building} 1F 消火栓"), who).await?;
            add_point(
                conn,
                *f,
                ExitSign,
                &format!("{building} 1F 安全出口标志"),
                who,
            )
            .await?;
        }
        if *floor == 2 {
            add_point(
                conn,
                *f,
                EmergencyLight,
                &format!("{building} 2F 应急照明灯"),
                who,
            )
            .await?;
            add_point(
                conn,
                *f,
                EscapeRoute,
                &format!("{building} 2F 疏散通道"),
                who,
            )
            .await?;
        }
    }
    add_point(
        conn,
        office_1f,
        FireAlarm,
        "综合办公楼 火灾报警控制器",
        anquan,
    )
    .await?;
    add_point(conn, office_2f, FireDoor, "综合办公楼 2F 防火门", anquan).await?;
    add_point(conn, zongwu, Lock, "总务处 门锁", zhuren).await?;
    add_point(conn, finance, AntiTheft, "财务室 防盗门", zhuren).await?;
    add_point(conn, computer_room, AntiTheft, "计算机房 防盗窗", anquan2).await?;
    add_point(conn, kitchen, Extinguisher, "厨房 灭火器#1", anquan2).await?;
    add_point(conn, dining, EmergencyLight, "餐厅 应急照明灯", anquan2).await?;
    add_point(conn, south_gate, Camera, "南门 监控摄像头", anquan).await?;
    add_point(conn, north_gate, Camera, "北门 监控摄像头", anquan).await?;
    add_point(conn, playground, Camera, "操场 监控摄像头", anquan2).await?;
    Ok(())
}
