//! Importing customers and their vehicles (C卡, `/api/import/c_cards`) from an .xlsx with a
//! title row, then their past services from the old DMS (`/api/import/service_history`) from a
//! GBK CSV: exact row reports, the records as written (dates, local, the vehicle's C-card
//! linked by VIN or plate), a second import adding nothing, and who may: a service advisor may
//! neither import nor write a past service by hand, and an imported one is not changed.

mod common;

use axum::http::StatusCode;
use domain::records::SERVICE_HISTORY;
use domain::sales::vin::check_digit;
use domain::sync::{Edit, Hlc, Op, RecordState, new_id};
use serde_json::{Value, json};

use common::TestApp;
use common::sheets::{
    Login, login, now_ms, outcomes, rand10, records, row, send_sheet, store_with_catalogue, text,
    user_id,
};

/// A valid VIN from 17 characters (the 9th replaced by the check digit).
fn vin(s: &str) -> String {
    let d = check_digit(s).expect("17 VIN characters");
    s.chars()
        .enumerate()
        .map(|(i, c)| if i == 8 { d } else { c })
        .collect()
}

fn customers(vin1: &str, vin2: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(
            0,
            0,
            0,
            11,
            "XX丰田4S店 保有客户及车辆清单",
            &Default::default(),
        )
        .unwrap();
    let header = [
        "车主姓名",
        "联系电话",
        "车架号",
        "车牌号",
        "车型",
        "交车日期",
        "保修到期",
        "保险到期日",
        "年审日期",
        "生日",
        "本地/外地",
        "销售顾问",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let rows: [[&str; 12]; 5] = [
        [
            "王建华",
            "138 1234 5678",
            vin1,
            "粤A12345",
            "凯美瑞",
            "2025/06/01",
            "2028-06-01",
            "2026年12月20日",
            "2027-06-01",
            "1985-03-02",
            "本地",
            "王芳",
        ],
        [
            "李娜",
            "+86 13812345679",
            vin2,
            "粤A22222",
            "RAV4",
            "",
            "",
            "",
            "",
            "",
            "外地",
            "",
        ],
        [
            "陈晓明",
            "13912345670",
            "LVGBE40K08G12345X",
            "粤B33333",
            "卡罗拉",
            "2024-12-01",
            "",
            "",
            "",
            "",
            "也许",
            "",
        ],
        [
            "周婷婷",
            "",
            "",
            "粤B44444",
            "卡罗拉",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "吴刚",
            "13912345672",
            vin1,
            "粤B55555",
            "卡罗拉",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ];
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(2 + r as u32, c as u16, *v).unwrap();
            }
        }
    }
    // 李娜's delivery date as Excel keeps a date: a serial number.
    sheet.write_number(3, 5, 45_800.0).unwrap();
    book.save_to_buffer().unwrap()
}

fn history(vin1: &str, vin9: &str) -> Vec<u8> {
    let csv = format!(
        "VIN码,车牌,进厂日期,进厂里程,工单号,维修类型,结算金额,服务顾问\n\
         {vin1},,2025/07/01,5000,RO1,首保,0,张伟\n\
         ,粤A 22222,2025.11.11,\"12,000 km\",RO2,定期保养,￥680,张伟\n\
         {vin9},,2025-01-01,30000,RO3,维修,1200,\n\
         {vin1},,下周,,RO4,保养,,\n\
         {vin1},,2025-09-09,9000,RO5,改装,免费,\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    gbk.into_owned()
}

async fn import(t: &TestApp, who: &Login, sheet: &str, name: &str, file: &[u8]) -> Value {
    let path = format!("/api/import/{sheet}/preview");
    let r = send_sheet(t, &path, &who.token, "zh-CN", name, file, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    let path = format!("/api/import/{sheet}");
    let r = send_sheet(
        t,
        &path,
        &who.token,
        "zh-CN",
        name,
        file,
        &[("mapping", p["suggested_mapping"].to_string())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn customers_vehicles_and_their_past_services() {
    let (t, mgr) = store_with_catalogue().await;
    let wangfang = user_id(&t, "consultant").await;
    let vin1 = vin("LVGBE40K08G123456");
    let vin2 = vin("LFV2A21K0A3654321");
    let vin9 = vin("LSGPC52U0AF987654");
    let file = customers(&vin1, &vin2);

    let r = send_sheet(
        &t,
        "/api/import/c_cards/preview",
        &mgr.token,
        "zh-CN",
        "客户.xlsx",
        &file,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(p["header_row"], 2, "the title row above is skipped");
    assert_eq!(p["encoding"], "xlsx");
    assert_eq!(p["total_rows"], 5);
    assert_eq!(p["suggested_mapping"].as_object().unwrap().len(), 12, "{p}");

    let v = import(&t, &mgr, "c_cards", "客户.xlsx", &file).await;
    assert_eq!(
        (&v["imported"], &v["refused"], &v["existing"]),
        (&json!(3), &json!(2), &json!(0)),
        "{v}"
    );
    assert_eq!(
        outcomes(&v),
        [
            row(
                5,
                "new",
                &[],
                &["import_vin_invalid", "import_local_unknown"]
            ),
            row(6, "refused", &["phone_empty"], &[]),
            row(7, "refused", &["import_vin_in_file"], &[]),
        ]
    );
    let cards = records(&t, &mgr.token, "c_card").await;
    assert_eq!(cards.len(), 3);
    let wang = cards
        .iter()
        .find(|c| text(c, "name") == Some("王建华"))
        .unwrap();
    assert_eq!(text(wang, "phone"), Some("13812345678"));
    assert_eq!(text(wang, "vin"), Some(vin1.as_str()));
    assert_eq!(text(wang, "plate"), Some("粤A12345"));
    assert_eq!(text(wang, "model"), Some("camry"));
    for (f, d) in [
        ("delivery_date", "2025-06-01"),
        ("warranty_end", "2028-06-01"),
        ("insurance_expiry", "2026-12-20"),
        ("inspection_date", "2027-06-01"),
        ("birthday", "1985-03-02"),
    ] {
        assert_eq!(text(wang, f), Some(d), "{f}");
    }
    assert_eq!(wang.value("local"), Some(&json!(true)));
    assert_eq!(text(wang, "consultant_id"), Some(wangfang.as_str()));
    let li = cards
        .iter()
        .find(|c| text(c, "name") == Some("李娜"))
        .unwrap();
    assert_eq!(text(li, "delivery_date"), Some("2025-05-23"));
    assert_eq!(li.value("local"), Some(&json!(false)));
    let chen = cards
        .iter()
        .find(|c| text(c, "name") == Some("陈晓明"))
        .unwrap();
    assert_eq!(
        text(chen, "vin"),
        Some("LVGBE40K08G12345X"),
        "kept as written"
    );
    assert_eq!(chen.value("local"), None);

    // The past services, from a GBK CSV.
    let file = history(&vin1, &vin9);
    let v = import(&t, &mgr, "service_history", "维修记录.csv", &file).await;
    assert_eq!(
        (&v["imported"], &v["refused"], &v["existing"]),
        (&json!(4), &json!(1), &json!(0)),
        "{v}"
    );
    assert_eq!(
        outcomes(&v),
        [
            row(4, "new", &[], &["import_vehicle_unknown"]),
            row(5, "refused", &["import_date_invalid"], &[]),
            row(
                6,
                "new",
                &[],
                &["import_kind_unknown", "import_number_invalid"]
            ),
        ]
    );
    let past = records(&t, &mgr.token, "service_history").await;
    assert_eq!(past.len(), 4);
    let by_ro = |ro: &str| {
        past.iter()
            .find(|h| text(h, "ro_number") == Some(ro))
            .unwrap()
    };
    let first = by_ro("RO1");
    assert_eq!(text(first, "c_card_id"), Some(wang.id.to_string().as_str()));
    assert_eq!(text(first, "date"), Some("2025-07-01"));
    assert_eq!(text(first, "kind"), Some("first_maintenance"));
    assert_eq!(text(first, "odometer"), Some("5000"));
    assert_eq!(text(first, "amount"), Some("0.00"));
    assert_eq!(text(first, "advisor"), Some("张伟"));
    let second = by_ro("RO2");
    assert_eq!(
        text(second, "c_card_id"),
        Some(li.id.to_string().as_str()),
        "by plate"
    );
    assert_eq!(text(second, "kind"), Some("maintenance"));
    assert_eq!(text(second, "odometer"), Some("12000"));
    assert_eq!(text(second, "amount"), Some("680.00"));
    assert_eq!(by_ro("RO3").value("c_card_id"), None);
    let odd = by_ro("RO5");
    assert_eq!(text(odd, "kind"), Some("other"));
    assert_eq!(text(odd, "note"), Some("改装;金额:免费"));
    assert_eq!(odd.value("amount"), None);

    // Both files again: nothing added.
    let v = import(&t, &mgr, "c_cards", "客户.xlsx", &customers(&vin1, &vin2)).await;
    assert_eq!(
        (&v["imported"], &v["existing"]),
        (&json!(0), &json!(3)),
        "{v}"
    );
    let v = import(&t, &mgr, "service_history", "维修记录.csv", &file).await;
    assert_eq!(
        (&v["imported"], &v["existing"]),
        (&json!(0), &json!(4)),
        "{v}"
    );
    assert_eq!(records(&t, &mgr.token, "c_card").await.len(), 3);
    assert_eq!(records(&t, &mgr.token, "service_history").await.len(), 4);

    // The customer-service manager may import them too; a service advisor may not.
    let csmgr = login(&t, "csmgr").await;
    let v = import(&t, &csmgr, "service_history", "维修记录.csv", &file).await;
    assert_eq!(v["existing"], 4);
    let advisor = login(&t, "advisor").await;
    for sheet in ["c_cards", "service_history"] {
        let r = send_sheet(
            &t,
            &format!("/api/import/{sheet}/preview"),
            &advisor.token,
            "zh-CN",
            "a.csv",
            &file,
            &[],
        )
        .await;
        r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }

    // By hand: a service advisor's past service is refused, and so is a manager's change of an
    // imported one; nothing is written.
    let push = |who: &Login, op: &Op| {
        let body = json!({"ops": [op]});
        let auth = format!("Bearer {}", who.token);
        let t: &TestApp = &t;
        async move {
            t.post_json(
                "/api/sync/push",
                &body,
                &[("authorization", &auth), ("accept-language", "zh-CN")],
            )
            .await
        }
    };
    let id = new_id(now_ms(), rand10());
    let fresh = RecordState::new(id, "service_history", "demo");
    let e = Edit::new(&fresh, &SERVICE_HISTORY);
    let op = Op {
        op_id: new_id(now_ms(), rand10()),
        device_id: advisor.device,
        user_id: advisor.user_id.clone(),
        store_id: "demo".into(),
        record_id: id,
        record_type: "service_history".into(),
        hlc: Hlc::new(now_ms(), 0),
        changes: vec![
            e.set("date", json!("2025-01-02")).unwrap(),
            e.set("vin", json!(vin1)).unwrap(),
        ],
    };
    push(&advisor, &op)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let stored = by_ro("RO1");
    let e = Edit::new(stored, &SERVICE_HISTORY);
    let op = Op {
        op_id: new_id(now_ms(), rand10()),
        device_id: mgr.device,
        user_id: mgr.user_id.clone(),
        store_id: "demo".into(),
        record_id: stored.id,
        record_type: "service_history".into(),
        hlc: Hlc::new(now_ms(), 0),
        changes: vec![e.set("amount", json!("9999.00")).unwrap()],
    };
    let r = push(&mgr, &op).await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "service_history_final");
    assert!(msg.contains("历史维修记录"), "{msg}");
    let past = records(&t, &mgr.token, "service_history").await;
    assert_eq!(past.len(), 4);
    assert!(past.iter().all(|h| text(h, "amount") != Some("9999.00")));
}
