//! Importing a store's real A-card sheet (`/api/import/a_cards`, and its first path
//! `/api/sales/import`): a title row above the header, phones with spaces, full-width digits
//! and +86, lower-case grades, text dates and Excel serials, the store's words for sources,
//! consultants who are not users or have left, the same phone twice in the file and against the
//! store; in UTF-8, GBK and UTF-16. Through the router with `oneshot`.

mod common;

use axum::http::StatusCode;
use domain::sales::facts::facts_from_records;
use domain::sales::grade::{CadenceSettings, FollowUpCard, Urgency, today_list};
use domain::sales::kpi::{Period, SalesKpi, Scope, sales_kpis};
use domain::sync::RecordState;
use domain::time::StoreClock;
use serde_json::{Value, json};

use common::TestApp;
use common::sheets::{
    Login, login, outcomes, records, row, send_sheet, store_with_catalogue, text, user_id,
};

/// The sheet as a store keeps it (row numbers in the comments).
const SHEET: &str = "XX丰田4S店 意向客户(A卡)登记表,,,,,,,
填表人:李强,,,,,,,
序号,客户姓名,手机号码,意向车型,级别,客户来源,销售顾问,首次来店日期
1,王建华,138 1234 5678,卡罗拉,h,电话咨询,王芳,2026/10/15
2,李娜,１３８１２３４５６７９,凯美瑞,a,车展,赵磊,2026.10.16
3,陈晓明,+86 139-1234-5670,RAV4,B,朋友介绍,孙浩,2026年9月3日
4,周婷婷,0086 139 1234 5671,汉兰达,C,汽车之家,张伟,2026-08-20 10:30
5,吴刚,13912345672,思域,A,隔壁老王,路人甲,45900
6,郑爽,12345,凯美瑞,A,来电,,2026/10/1
7,,13912345673,凯美瑞,A,,,2026/10/2
8,王建华,13812345678,雷凌,A,展会,王芳,2026/11/20
9,张伟民,139 0000 1111,卡罗拉,b,懂车帝,钱丽,2025-12-01

10,刘备,13912345674,致炫,X级,巡展,孙浩,2026/07/07
";

fn mapping() -> Value {
    json!({
        "name": "客户姓名",
        "phone": "手机号码",
        "intended_model": "意向车型",
        "grade": "级别",
        "source": "客户来源",
        "consultant": "销售顾问",
        "first_contact_at": "首次来店日期"
    })
}

/// The store's KPI figure of built A-cards this month, and the cards' count.
async fn this_months_cards(t: &TestApp, token: &str) -> (usize, usize) {
    let cards = records(t, token, "a_card").await;
    let clock = StoreClock::default();
    let today = clock.local(chrono::Utc::now()).date();
    let facts = facts_from_records(cards.iter(), clock);
    let k = sales_kpis(&facts.facts(), Period::month_of(today), Scope::Store);
    let f = k.get(SalesKpi::ACardCloseRate);
    (f.denominator.len(), cards.len())
}

/// Logs in as the GM, deactivates 孙浩 (a consultant who has left).
async fn sunhao_leaves(t: &TestApp) -> String {
    let id = user_id(t, "sunhao").await;
    let gm = login(t, "gm").await;
    let r = t
        .post_auth(&format!("/api/users/{id}/deactivate"), &gm.token)
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    id
}

async fn import(t: &TestApp, who: &Login, lang: &str, file: &[u8], people: &Value) -> Value {
    let r = send_sheet(
        t,
        "/api/import/a_cards",
        &who.token,
        lang,
        "意向客户.csv",
        file,
        &[
            ("mapping", mapping().to_string()),
            ("people", people.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn card<'a>(cards: &'a [RecordState], phone: &str, first: &str) -> &'a RecordState {
    cards
        .iter()
        .find(|c| text(c, "phone") == Some(phone) && text(c, "first_contact_at") == Some(first))
        .unwrap_or_else(|| panic!("no card {phone} {first}"))
}

#[tokio::test]
async fn a_stores_sheet_is_imported_as_written_with_an_exact_report() {
    let (t, mgr) = store_with_catalogue().await;
    sunhao_leaves(&t).await;
    let wangfang = user_id(&t, "consultant").await;
    let zhaolei = user_id(&t, "zhaolei").await;
    let qianli = user_id(&t, "qianli").await;

    // The preview finds the header below the title rows and lists the people.
    let r = send_sheet(
        &t,
        "/api/import/a_cards/preview",
        &mgr.token,
        "zh-CN",
        "意向客户.csv",
        SHEET.as_bytes(),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(p["header_row"], 3);
    assert_eq!(p["encoding"], "UTF-8");
    assert_eq!(p["total_rows"], 10);
    assert_eq!(p["suggested_mapping"], mapping(), "{p}");
    assert_eq!(
        p["top_rows"][0]["cells"][0],
        "XX丰田4S店 意向客户(A卡)登记表"
    );
    let people: Vec<(String, u64, bool, bool)> = p["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_owned(),
                n["rows"].as_u64().unwrap(),
                n["user_id"].is_string(),
                n["left"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            ("王芳".into(), 2, true, false),
            ("赵磊".into(), 1, true, false),
            ("孙浩".into(), 2, false, true),
            ("张伟".into(), 1, false, false),
            ("路人甲".into(), 1, false, false),
            ("钱丽".into(), 1, true, false),
        ]
    );
    let users: Vec<&str> = p["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(
        users.contains(&"赵磊") && !users.contains(&"孙浩"),
        "{users:?}"
    );

    let before = this_months_cards(&t, &mgr.token).await;
    assert_eq!(before, (1, 1), "the store's one card, built today");

    // 孙浩's customers go to 赵磊, who took them over; 路人甲 stays as written.
    let people = json!({"孙浩": zhaolei, "路人甲": ""});
    let v = import(&t, &mgr, "zh-CN", SHEET.as_bytes(), &people).await;
    assert_eq!(
        (
            &v["imported"],
            &v["existing"],
            &v["refused"],
            &v["warned"],
            &v["total_rows"]
        ),
        (&json!(8), &json!(0), &json!(2), &json!(5), &json!(10)),
        "{v}"
    );
    assert_eq!(
        outcomes(&v),
        [
            row(7, "new", &[], &["import_person_unknown"]),
            row(
                8,
                "new",
                &[],
                &[
                    "a_card_model_not_in_catalogue",
                    "import_source_unknown",
                    "import_person_unknown"
                ]
            ),
            row(9, "refused", &["phone_invalid_mobile"], &[]),
            row(10, "refused", &["a_card_name_missing"], &[]),
            row(11, "new", &[], &["import_duplicate_in_file"]),
            row(12, "new", &[], &["import_duplicate_existing"]),
            row(
                14,
                "new",
                &[],
                &["a_card_model_not_on_sale", "import_grade_invalid"]
            ),
        ]
    );
    let rows = v["rows"].as_array().unwrap();
    let warning = |i: usize, j: usize| rows[i]["warnings"][j]["message"].as_str().unwrap();
    assert!(warning(4, 0).contains("第 4 行"), "{}", warning(4, 0));
    assert!(warning(4, 0).contains("撞单"), "{}", warning(4, 0));
    assert!(warning(1, 1).contains("隔壁老王"), "{}", warning(1, 1));

    // The cards carry the sheet's words as the store's, its dates and its people.
    let cards = records(&t, &mgr.token, "a_card").await;
    assert_eq!(cards.len(), 9);
    let wang = card(&cards, "13812345678", "2026-10-15T09:00:00");
    assert_eq!(text(wang, "grade"), Some("H"));
    assert_eq!(text(wang, "source"), Some("phone_inquiry"));
    assert_eq!(text(wang, "consultant_id"), Some(wangfang.as_str()));
    assert_eq!(text(wang, "intended_model"), Some("corolla"));
    let li = card(&cards, "13812345679", "2026-10-16T09:00:00");
    assert_eq!(text(li, "source"), Some("offsite_event"));
    assert_eq!(text(li, "consultant_id"), Some(zhaolei.as_str()));
    let chen = card(&cards, "13912345670", "2026-09-03T09:00:00");
    assert_eq!(text(chen, "source"), Some("referral"));
    assert_eq!(text(chen, "consultant_id"), Some(zhaolei.as_str()));
    let zhou = card(&cards, "13912345671", "2026-08-20T10:30:00");
    assert_eq!(text(zhou, "source"), Some("online"));
    assert_eq!(zhou.value("consultant_id"), None);
    let mut tags = domain::records::field::set(zhou, "tags");
    tags.sort();
    assert_eq!(tags, ["原顾问:张伟", "平台:汽车之家"]);
    let wu = card(&cards, "13912345672", "2025-08-31T09:00:00");
    assert_eq!(text(wu, "source"), Some("隔壁老王"), "kept as written");
    assert_eq!(text(wu, "intended_model"), Some("思域"), "kept as written");
    let zhang = card(&cards, "13900001111", "2025-12-01T09:00:00");
    assert_eq!(text(zhang, "consultant_id"), Some(qianli.as_str()));
    let liu = card(&cards, "13912345674", "2026-07-07T09:00:00");
    assert_eq!(text(liu, "grade"), Some("X级"), "kept as written");
    assert_eq!(text(liu, "intended_model"), Some("yaris"));

    // Old cards do not move this month's KPIs.
    assert_eq!(this_months_cards(&t, &mgr.token).await, (1, 9));
    // Nor are they all overdue on the import day: each card's next follow-up runs from its own
    // sheet date by the store's cadence, the first date of it after today once that date has
    // passed (a sleeping card's by the slowest cadence, C's 15 days; `domain::sales::imported`).
    let cadence = CadenceSettings::default();
    let clock = StoreClock::default();
    let today = clock.local(chrono::Utc::now()).date();
    let follow = |c: &RecordState| {
        let card = domain::records::ACard::of(c, clock);
        let planned = card.next_follow_up.expect("a next follow-up");
        let f = FollowUpCard::of_card(
            c.id,
            card.grade,
            card.first_contact_at.map(|t| t.date()),
            [],
            Some(planned),
        )
        .expect("a first contact");
        (f, planned)
    };
    let imported: Vec<(FollowUpCard, chrono::NaiveDate)> = cards
        .iter()
        .filter(|c| c.value("first_contact_at").is_some())
        .map(follow)
        .collect();
    assert_eq!(
        imported.len(),
        8,
        "the imported cards (not the consultant's own)"
    );
    for (f, planned) in &imported {
        assert!(*planned >= today, "{f:?}");
        assert!(
            (*planned - f.last_contact).num_days() <= (today - f.last_contact).num_days() + 15,
            "within a cadence of today: {f:?}"
        );
        if (today - f.last_contact).num_days() >= 30 {
            assert_eq!((*planned - f.last_contact).num_days() % 15, 0, "{f:?}");
        }
    }
    let followed: Vec<FollowUpCard> = imported.into_iter().map(|(f, _)| f).collect();
    let list = today_list(&followed, &cadence, today);
    assert!(
        list.iter().all(|e| e.urgency == Urgency::DueToday),
        "none overdue: {list:?}"
    );

    // The same phone twice is in the 撞单 queue, the earliest first contact owning it.
    let r = t.get_auth("/api/sales/duplicates", &mgr.token).await;
    assert_eq!(r.status, StatusCode::OK);
    let groups = r.json();
    let owner = |phone: &str| {
        groups
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["phone"] == phone)
            .map(|g| {
                (
                    g["owner"].as_str().unwrap().to_owned(),
                    g["cards"].as_array().unwrap().len(),
                )
            })
    };
    assert_eq!(owner("13812345678"), Some((wang.id.to_string(), 2)));
    assert_eq!(owner("13900001111"), Some((zhang.id.to_string(), 2)));

    // The same file again (a resend after a cut network): nothing is added.
    let v = import(&t, &mgr, "en", SHEET.as_bytes(), &people).await;
    assert_eq!(
        (&v["imported"], &v["existing"], &v["refused"]),
        (&json!(0), &json!(8), &json!(2)),
        "{v}"
    );
    let refused: Vec<&Value> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "refused")
        .collect();
    assert_eq!(refused[0]["row"], 9);
    assert!(
        refused[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("mobile"),
        "English messages: {v}"
    );
    assert_eq!(records(&t, &mgr.token, "a_card").await.len(), 9);
}

#[tokio::test]
async fn gbk_and_utf16_files_are_read() {
    let (t, mgr) = store_with_catalogue().await;
    let csv = "客户姓名,手机,意向车型,来店日期\n王建华,13812345678,卡罗拉,2026/10/15\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    utf16.extend(
        "客户姓名\t手机\t意向车型\t来店日期\n李娜\t13812345679\t凯美瑞\t2026-10-16\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    for (file, encoding, phone) in [
        (gbk.to_vec(), "GB18030", "13812345678"),
        (utf16, "UTF-16LE", "13812345679"),
    ] {
        let r = send_sheet(
            &t,
            "/api/sales/import/preview",
            &mgr.token,
            "zh-CN",
            "a.csv",
            &file,
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let p = r.json();
        assert_eq!(p["encoding"], encoding);
        assert_eq!(
            p["columns"],
            json!(["客户姓名", "手机", "意向车型", "来店日期"])
        );
        let r = send_sheet(
            &t,
            "/api/sales/import",
            &mgr.token,
            "zh-CN",
            "a.csv",
            &file,
            &[("mapping", p["suggested_mapping"].to_string())],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        assert_eq!(v["imported"], 1, "{v}");
        assert_eq!(v["rows"], json!([]));
        let cards = records(&t, &mgr.token, "a_card").await;
        assert!(cards.iter().any(|c| text(c, "phone") == Some(phone)));
    }
    // A header row the person picks: row 1 of a file with a title is refused as incomplete
    // (the title is no heading), row 2 is the header.
    let sheet = "意向客户登记表\n姓名,手机,车型\n王建华,13812345678,卡罗拉\n";
    let r = send_sheet(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "zh-CN",
        "a.csv",
        sheet.as_bytes(),
        &[("header_row", "1".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["columns"], json!(["意向客户登记表", "B", "C"]));
    assert_eq!(r.json()["total_rows"], 2);
    let r = send_sheet(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "zh-CN",
        "a.csv",
        sheet.as_bytes(),
        &[("header_row", "7".into())],
    )
    .await;
    r.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_header_row_invalid",
    );
}

#[tokio::test]
async fn who_may_import_and_the_limits() {
    let (t, mgr) = store_with_catalogue().await;
    let consultant = login(&t, "consultant").await;
    let csmgr = login(&t, "csmgr").await;
    for (who, path) in [
        (&consultant, "/api/sales/import/preview"),
        (&consultant, "/api/import/a_cards"),
        (&csmgr, "/api/import/a_cards"),
    ] {
        let r = send_sheet(
            &t,
            path,
            &who.token,
            "zh-CN",
            "a.csv",
            SHEET.as_bytes(),
            &[("mapping", mapping().to_string())],
        )
        .await;
        r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let r = send_sheet(
        &t,
        "/api/import/parts/preview",
        &mgr.token,
        "en",
        "a.csv",
        SHEET.as_bytes(),
        &[],
    )
    .await;
    r.assert_error(StatusCode::NOT_FOUND, "import_sheet_unknown");
    // Over 100,000 rows.
    let mut rows = String::from("姓名,手机,车型\n");
    for i in 0..100_001 {
        rows.push_str(&format!("王建华,138{i:08},卡罗拉\n"));
    }
    let r = send_sheet(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "rows.csv",
        rows.as_bytes(),
        &[(
            "mapping",
            json!({"name": "姓名", "phone": "手机", "intended_model": "车型"}).to_string(),
        )],
    )
    .await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "import_too_many_rows");
    // Bytes in no encoding.
    let r = send_sheet(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "en",
        "bad.csv",
        b"\x81\x20\xff\xfe\xff",
        &[],
    )
    .await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "import_not_utf8");
    assert!(msg.contains("GBK"), "{msg}");
    // No mapping, a mapping without a required field, an unknown column.
    for (parts, code) in [
        (vec![], "import_mapping_missing"),
        (
            vec![(
                "mapping",
                json!({"name": "客户姓名", "phone": "手机号码"}).to_string(),
            )],
            "import_mapping_incomplete",
        ),
        (
            vec![(
                "mapping",
                json!({"name": "客户姓名", "phone": "电话号", "intended_model": "意向车型"})
                    .to_string(),
            )],
            "import_unknown_column",
        ),
        (
            vec![
                ("mapping", mapping().to_string()),
                ("people", "王芳".to_string()),
            ],
            "import_people_invalid",
        ),
    ] {
        let r = send_sheet(
            &t,
            "/api/sales/import",
            &mgr.token,
            "zh-CN",
            "a.csv",
            SHEET.as_bytes(),
            &parts,
        )
        .await;
        let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
        if code == "import_mapping_incomplete" {
            assert!(msg.contains("意向车型"), "{msg}");
        }
    }
    // Nothing was written by any of these.
    assert_eq!(records(&t, &mgr.token, "a_card").await.len(), 1);
}

#[tokio::test]
async fn import_needs_a_catalogue() {
    let t = common::app().await;
    let mgr = login(&t, "salesmgr").await;
    let r = send_sheet(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "a.csv",
        SHEET.as_bytes(),
        &[("mapping", mapping().to_string())],
    )
    .await;
    r.assert_error(StatusCode::CONFLICT, "sales_catalogue_empty");
}

#[tokio::test]
async fn an_import_cut_part_way_resumes_without_double_records() {
    let (t, mgr) = store_with_catalogue().await;
    // The first rows reached the store before the cut (their batch was written)…
    let cut: String = SHEET.lines().take(8).map(|l| format!("{l}\n")).collect();
    let people = json!({});
    let v = import(&t, &mgr, "zh-CN", cut.as_bytes(), &people).await;
    assert_eq!(v["imported"], 5, "{v}");
    // …then the whole file is imported again: those are found, the rest written once.
    let v = import(&t, &mgr, "zh-CN", SHEET.as_bytes(), &people).await;
    assert_eq!(
        (&v["imported"], &v["existing"], &v["refused"]),
        (&json!(3), &json!(5), &json!(2)),
        "{v}"
    );
    assert_eq!(records(&t, &mgr.token, "a_card").await.len(), 9);
}
