//! A-card import (`/api/sales/import/preview`, `/api/sales/import`) and the .xlsx export
//! (`/api/export/xlsx`), through the router with `oneshot`.

mod common;

use std::collections::HashMap;
use std::io::Cursor;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use calamine::{Data, Reader, Xlsx};
use domain::records::{A_CARD, SALES_SETTINGS};
use domain::sales::a_card::CatalogueModel;
use domain::sync::{Edit, Hlc, Op, RecordState, new_id};
use forecourt_server::sales_import::model_element;
use serde_json::{Value, json};
use uuid::Uuid;

use common::{Resp, TestApp, app};

const BOUNDARY: &str = "forecourt-test-boundary-7d1f";

struct Login {
    token: String,
    user_id: String,
    device: Uuid,
}

async fn login(t: &TestApp, username: &str) -> Login {
    let device = Uuid::now_v7();
    let r = t.login(username, device, "测试平板").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    Login {
        token: v["token"].as_str().unwrap().to_owned(),
        user_id: v["user"]["id"].as_str().unwrap().to_owned(),
        device,
    }
}

fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis() as u64
}

/// Pushes one op of `who` through the sync API.
async fn push(
    t: &TestApp,
    who: &Login,
    rt: &'static domain::sync::RecordType,
    changes: impl FnOnce(&Edit<'_>) -> Vec<domain::sync::Change>,
) {
    let record_id = new_id(now_ms(), rand10());
    let state = RecordState::new(record_id, rt.name, "demo");
    let op = Op {
        op_id: new_id(now_ms(), rand10()),
        device_id: who.device,
        user_id: who.user_id.clone(),
        store_id: "demo".into(),
        record_id,
        record_type: rt.name.into(),
        hlc: Hlc::new(now_ms(), 0),
        changes: changes(&Edit::new(&state, rt)),
    };
    post_op(t, who, &op).await;
}

/// Sends one op of `who` to the push endpoint and expects it accepted.
async fn post_op(t: &TestApp, who: &Login, op: &Op) {
    let r = t
        .post_json(
            "/api/sync/push",
            &json!({"ops": [op]}),
            &[("authorization", &format!("Bearer {}", who.token))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

fn rand10() -> [u8; 10] {
    let b = Uuid::now_v7().into_bytes();
    b[6..].try_into().unwrap()
}

/// The demo store with a catalogue (one model off sale) and one A-card with 139 0000 1111.
async fn store_with_catalogue() -> (TestApp, Login) {
    let t = app().await;
    let mgr = login(&t, "salesmgr").await;
    let models = [
        ("corolla", "卡罗拉", "Corolla", true),
        ("camry", "凯美瑞", "Camry", true),
        ("rav4", "RAV4荣放", "RAV4", true),
        ("highlander", "汉兰达", "Highlander", true),
        ("levin", "雷凌", "Levin", true),
        ("yaris", "致炫", "Yaris L", false),
    ];
    let settings_id = new_id(now_ms(), rand10());
    let mut state = RecordState::new(settings_id, "sales_settings", "demo");
    for (code, zh, en, on_sale) in models {
        let elem = model_element(&CatalogueModel {
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            on_sale,
        });
        let op = Op {
            op_id: new_id(now_ms(), rand10()),
            device_id: mgr.device,
            user_id: mgr.user_id.clone(),
            store_id: "demo".into(),
            record_id: settings_id,
            record_type: "sales_settings".into(),
            hlc: Hlc::new(now_ms(), 0),
            changes: vec![
                Edit::new(&state, &SALES_SETTINGS)
                    .set_add("models", &elem)
                    .unwrap(),
            ],
        };
        domain::sync::apply(&mut state, &op, &SALES_SETTINGS).unwrap();
        post_op(&t, &mgr, &op).await;
    }
    let consultant = login(&t, "consultant").await;
    push(&t, &consultant, &A_CARD, |e| {
        vec![
            e.set("name", json!("张伟民")).unwrap(),
            e.set("phone", json!("13900001111")).unwrap(),
            e.set("intended_model", json!("camry")).unwrap(),
        ]
    })
    .await;
    (t, mgr)
}

fn multipart(file_name: &str, file: &[u8], mapping: Option<&Value>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n");
    if let Some(m) = mapping {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\n{m}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(
    t: &TestApp,
    path: &str,
    token: &str,
    lang: &str,
    file_name: &str,
    file: &[u8],
    mapping: Option<&Value>,
) -> Resp {
    let req = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::from(multipart(file_name, file, mapping)))
        .unwrap();
    t.send(req).await
}

const CSV: &str = "\u{feff}序号,客户姓名,手机,意向车型,级别,来源,区域\n\
1,王建华,138 1234 5678,卡罗拉,H,自然到店,天河区\n\
2,王先生,13812345679,camry,A,,\n\
3,李娜,12345,凯美瑞,B,,\n\
4,张卫东,13900001111,RAV4,C,,\n\
5,刘洋,+86 138-1234-5678,卡罗拉,,,\n\
6,陈静,13700002222,思域,X,,\n\
7,杨磊,13700003333,致炫,,,\n\
8,周婷,13700004444,Highlander,b,网络,海珠区\n\
\n\
9,赵敏,13700005555,levin,,,\n";

fn csv_mapping() -> Value {
    json!({
        "name": "客户姓名",
        "phone": "手机",
        "intended_model": "意向车型",
        "grade": "级别",
        "source": "来源",
        "district": "区域"
    })
}

/// `{row: [codes]}` of the bad rows, and the good rows.
fn report(v: &Value) -> (HashMap<u64, Vec<String>>, Vec<u64>) {
    let mut bad = HashMap::new();
    let mut good = Vec::new();
    for r in v["rows"].as_array().unwrap() {
        let row = r["row"].as_u64().unwrap();
        let codes: Vec<String> = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(r["ok"].as_bool().unwrap(), codes.is_empty(), "{r}");
        if codes.is_empty() {
            good.push(row);
        } else {
            bad.insert(row, codes);
        }
    }
    (bad, good)
}

/// The store's A-cards by phone, with the op that wrote each.
async fn cards(t: &TestApp, token: &str) -> HashMap<String, (RecordState, Op)> {
    let r = t.get_auth("/api/sync/pull?limit=1000", token).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut out = HashMap::new();
    for pulled in r.json()["ops"].as_array().unwrap() {
        let op: Op = serde_json::from_value(pulled["op"].clone()).unwrap();
        if op.record_type != "a_card" {
            continue;
        }
        let mut state = RecordState::for_op(&op);
        domain::sync::apply(&mut state, &op, &A_CARD).unwrap();
        let phone = state.value("phone").unwrap().as_str().unwrap().to_owned();
        out.insert(phone, (state, op));
    }
    out
}

fn field<'a>(s: &'a RecordState, f: &str) -> Option<&'a str> {
    s.value(f).and_then(Value::as_str)
}

#[tokio::test]
async fn preview_suggests_the_mapping() {
    let (t, mgr) = store_with_catalogue().await;
    let r = upload(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "zh-CN",
        "a卡.csv",
        CSV.as_bytes(),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(
        v["columns"],
        json!([
            "序号",
            "客户姓名",
            "手机",
            "意向车型",
            "级别",
            "来源",
            "区域"
        ])
    );
    assert_eq!(v["sample_rows"].as_array().unwrap().len(), 5);
    assert_eq!(
        v["sample_rows"][0],
        json!([
            "1",
            "王建华",
            "138 1234 5678",
            "卡罗拉",
            "H",
            "自然到店",
            "天河区"
        ])
    );
    assert_eq!(v["total_rows"], 9);
    assert_eq!(v["suggested_mapping"], csv_mapping());

    let english = "Customer Name,Mobile,Model,Grade,Lead Source,Area,Sales Consultant\n\
                   Wang Jianhua,13812345678,Corolla,H,Walk-in,Tianhe,consultant\n";
    let r = upload(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "en",
        "list.csv",
        english.as_bytes(),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json()["suggested_mapping"],
        json!({
            "name": "Customer Name",
            "phone": "Mobile",
            "intended_model": "Model",
            "grade": "Grade",
            "source": "Lead Source",
            "district": "Area",
            "consultant": "Sales Consultant"
        })
    );
}

#[tokio::test]
async fn csv_import_reports_every_row_and_writes_exactly_the_good_ones() {
    let (t, mgr) = store_with_catalogue().await;
    let mapping = csv_mapping();
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "a卡.csv",
        CSV.as_bytes(),
        Some(&mapping),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["imported"], 3, "{v}");
    let (bad, good) = report(&v);
    assert_eq!(good, [2, 9, 11]);
    let expected: HashMap<u64, Vec<String>> = [
        (3, vec!["a_card_name_incomplete"]),
        (4, vec!["phone_invalid_mobile"]),
        (5, vec!["import_duplicate_existing"]),
        (6, vec!["import_duplicate_in_file"]),
        (
            7,
            vec!["a_card_model_not_in_catalogue", "import_grade_invalid"],
        ),
        (8, vec!["a_card_model_not_on_sale"]),
    ]
    .into_iter()
    .map(|(r, c)| (r, c.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(bad, expected);
    // Messages in Chinese, naming the row a duplicate repeats.
    let row6 = &v["rows"][4];
    assert_eq!(row6["row"], 6);
    assert_eq!(row6["errors"][0]["field"], "phone");
    assert!(
        row6["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("第 2 行"),
        "{row6}"
    );

    let all = cards(&t, &mgr.token).await;
    assert_eq!(all.len(), 4, "the existing card and the 3 good rows");
    let (wang, op) = &all["13812345678"];
    assert_eq!(field(wang, "name"), Some("王建华"));
    assert_eq!(field(wang, "intended_model"), Some("corolla"));
    assert_eq!(field(wang, "grade"), Some("H"));
    assert_eq!(field(wang, "source"), Some("walk_in"));
    assert_eq!(field(wang, "district"), Some("天河区"));
    assert!(field(wang, "first_contact_at").is_some());
    assert_eq!(op.device_id, mgr.device);
    assert_eq!(op.user_id, mgr.user_id);
    let (zhou, _) = &all["13700004444"];
    assert_eq!(field(zhou, "intended_model"), Some("highlander"));
    assert_eq!(field(zhou, "grade"), Some("B"));
    assert_eq!(field(zhou, "source"), Some("online"));
    let (zhao, _) = &all["13700005555"];
    assert_eq!(field(zhao, "name"), Some("赵敏"));
    assert_eq!(field(zhao, "intended_model"), Some("levin"));
    assert_eq!(zhao.value("grade"), None);

    // The same file again: every good row is now a duplicate of a card; nothing is written.
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "en",
        "a.csv",
        CSV.as_bytes(),
        Some(&mapping),
    )
    .await;
    let v = r.json();
    assert_eq!(v["imported"], 0);
    let (bad, good) = report(&v);
    assert!(good.is_empty());
    assert_eq!(bad[&2], ["import_duplicate_existing"]);
    assert!(
        v["rows"][0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{v}"
    );
    assert_eq!(cards(&t, &mgr.token).await.len(), 4);
}

#[tokio::test]
async fn xlsx_import_with_numbers_and_a_custom_header() {
    let (t, mgr) = store_with_catalogue().await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = ["客户", "联系手机(必填)", "车型", "顾问", "建卡日期"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: good, the phone stored as a number, consultant by name, a date.
    sheet.write_string(1, 0, "欧阳文博").unwrap();
    sheet.write_number(1, 1, 13_600_001_111.0).unwrap();
    sheet.write_string(1, 2, "凯美瑞").unwrap();
    sheet.write_string(1, 3, "王芳").unwrap();
    sheet.write_string(1, 4, "2026-03-01").unwrap();
    // Row 3: no name, unknown consultant.
    sheet.write_number(2, 1, 13_600_002_222.0).unwrap();
    sheet.write_string(2, 2, "rav4").unwrap();
    sheet.write_string(2, 3, "路人甲").unwrap();
    // Row 4: good, consultant by username.
    sheet.write_string(3, 0, "Li Ming").unwrap();
    sheet.write_string(3, 1, "0086 136 0000 3333").unwrap();
    sheet.write_string(3, 2, "RAV4").unwrap();
    sheet.write_string(3, 3, "zhaolei").unwrap();
    // Row 5: a landline is a valid phone too; a bad date.
    sheet.write_string(4, 0, "孙丽").unwrap();
    sheet.write_string(4, 1, "020-87654321").unwrap();
    sheet.write_string(4, 2, "卡罗拉").unwrap();
    sheet.write_string(4, 4, "下周").unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let r = upload(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "zh-CN",
        "list.xlsx",
        &bytes,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["sample_rows"][0][1], "13600001111");
    assert_eq!(v["suggested_mapping"]["name"], "客户");
    assert_eq!(v["suggested_mapping"]["intended_model"], "车型");
    assert_eq!(v["suggested_mapping"]["consultant"], "顾问");
    assert_eq!(v["suggested_mapping"]["first_contact_at"], "建卡日期");
    assert!(v["suggested_mapping"].get("phone").is_none());

    let mapping = json!({
        "name": "客户",
        "phone": "联系手机(必填)",
        "intended_model": "车型",
        "consultant": "顾问",
        "first_contact_at": "建卡日期",
        "grade": null
    });
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "list.xlsx",
        &bytes,
        Some(&mapping),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["imported"], 2, "{v}");
    let (bad, good) = report(&v);
    assert_eq!(good, [2, 4]);
    assert_eq!(
        bad[&3],
        ["a_card_name_missing", "import_consultant_unknown"]
    );
    assert_eq!(bad[&5], ["import_date_invalid"]);

    let consultant = login(&t, "consultant").await;
    let zhaolei = login(&t, "zhaolei").await;
    let all = cards(&t, &mgr.token).await;
    assert_eq!(all.len(), 3);
    let (ouyang, _) = &all["13600001111"];
    assert_eq!(field(ouyang, "name"), Some("欧阳文博"));
    assert_eq!(field(ouyang, "intended_model"), Some("camry"));
    assert_eq!(
        field(ouyang, "consultant_id"),
        Some(consultant.user_id.as_str())
    );
    assert_eq!(
        field(ouyang, "first_contact_at"),
        Some("2026-03-01T09:00:00")
    );
    let (li, _) = &all["13600003333"];
    assert_eq!(field(li, "name"), Some("Li Ming"));
    assert_eq!(field(li, "intended_model"), Some("rav4"));
    assert_eq!(field(li, "consultant_id"), Some(zhaolei.user_id.as_str()));
}

#[tokio::test]
async fn who_may_import_and_the_limits() {
    let (t, mgr) = store_with_catalogue().await;
    let consultant = login(&t, "consultant").await;
    for path in ["/api/sales/import/preview", "/api/sales/import"] {
        let r = upload(
            &t,
            path,
            &consultant.token,
            "zh-CN",
            "a.csv",
            CSV.as_bytes(),
            Some(&csv_mapping()),
        )
        .await;
        r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let gm = login(&t, "gm").await;
    let r = upload(
        &t,
        "/api/sales/import/preview",
        &gm.token,
        "zh-CN",
        "a.csv",
        CSV.as_bytes(),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);

    // Over 5 MiB.
    let big = vec![b'a'; 5 * 1024 * 1024 + 10];
    let r = upload(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "en",
        "big.csv",
        &big,
        None,
    )
    .await;
    let msg = r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large");
    assert!(msg.contains("5 MB"), "{msg}");
    // Over the request body limit too: the same answer.
    let huge = vec![b'a'; 7 * 1024 * 1024];
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "huge.csv",
        &huge,
        Some(&csv_mapping()),
    )
    .await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large");
    // Over 5,000 rows.
    let mut rows = String::from("姓名,手机,车型\n");
    for i in 0..5001 {
        rows.push_str(&format!("王建华,1380000{i:04},卡罗拉\n"));
    }
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "rows.csv",
        rows.as_bytes(),
        Some(&json!({"name": "姓名", "phone": "手机", "intended_model": "车型"})),
    )
    .await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "import_too_many_rows");
    // A GBK file.
    let gbk = b"\xd0\xd5\xc3\xfb,\xca\xd6\xbb\xfa\n";
    let r = upload(
        &t,
        "/api/sales/import/preview",
        &mgr.token,
        "en",
        "gbk.csv",
        gbk,
        None,
    )
    .await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "import_not_utf8");
    assert!(msg.contains("UTF-8"));
    // No mapping, a mapping without a required field, an unknown column.
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "a.csv",
        CSV.as_bytes(),
        None,
    )
    .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "import_mapping_missing");
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "a.csv",
        CSV.as_bytes(),
        Some(&json!({"name": "客户姓名", "phone": "手机"})),
    )
    .await;
    let msg = r.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_mapping_incomplete",
    );
    assert!(msg.contains("意向车型"), "{msg}");
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "a.csv",
        CSV.as_bytes(),
        Some(&json!({"name": "客户姓名", "phone": "电话号", "intended_model": "意向车型"})),
    )
    .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "import_unknown_column");
    // Nothing was written by any of these.
    assert_eq!(cards(&t, &mgr.token).await.len(), 1);
}

#[tokio::test]
async fn import_needs_a_catalogue() {
    let t = app().await;
    let mgr = login(&t, "salesmgr").await;
    let r = upload(
        &t,
        "/api/sales/import",
        &mgr.token,
        "zh-CN",
        "a.csv",
        CSV.as_bytes(),
        Some(&csv_mapping()),
    )
    .await;
    r.assert_error(StatusCode::CONFLICT, "sales_catalogue_empty");
}

fn cell(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Null,
        Data::String(s) => json!(s),
        Data::Float(f) => json!(f),
        Data::Int(i) => json!(i),
        other => panic!("unexpected cell {other:?}"),
    }
}

#[tokio::test]
async fn export_round_trips_through_calamine() {
    let t = app().await;
    let consultant = login(&t, "consultant").await;
    let body = json!({
        "title": "A卡列表 2026/11",
        "columns": ["姓名", "手机号码", "意向车型", "级别", "预算(万)"],
        "rows": [
            ["王建华", "13812345678", "卡罗拉", "H", 12.5],
            ["Li Ming", "020-87654321", null, "C", 30],
            ["欧阳文博", "", "RAV4荣放", null, null]
        ]
    });
    let auth = format!("Bearer {}", consultant.token);
    let r = t
        .post_json("/api/export/xlsx", &body, &[("authorization", &auth)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let disposition = r.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''A%E5%8D%A1%E5%88%97%E8%A1%A8%202026_11.xlsx"),
        "{disposition}"
    );

    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.body.to_vec())).unwrap();
    assert_eq!(book.sheet_names(), ["A卡列表 2026_11"]);
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let got: Vec<Vec<Value>> = range
        .rows()
        .map(|row| row.iter().map(cell).collect())
        .collect();
    let mut want = vec![body["columns"].as_array().unwrap().clone()];
    for row in body["rows"].as_array().unwrap() {
        let row: Vec<Value> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| match c {
                Value::Number(n) => json!(n.as_f64().unwrap()),
                Value::String(s) if s.is_empty() => Value::Null,
                other => other.clone(),
            })
            .collect();
        want.push(row);
    }
    assert_eq!(got, want);
}

#[tokio::test]
async fn export_limits_and_errors() {
    let t = app().await;
    let consultant = login(&t, "consultant").await;
    let auth = format!("Bearer {}", consultant.token);
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["a"], "rows": []}),
            &[],
        )
        .await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let rows: Vec<Value> = (0..50_001).map(|i| json!([i])).collect();
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["n"], "rows": rows}),
            &[("authorization", &auth), ("accept-language", "en")],
        )
        .await;
    let msg = r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "export_too_many_rows");
    assert!(msg.contains("50000"), "{msg}");
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["a"], "rows": [["1", "2"]]}),
            &[("authorization", &auth)],
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "export_row_too_wide");
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["a"], "rows": [[{"x": 1}]]}),
            &[("authorization", &auth)],
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "export_cell_invalid");
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"columns": ["a"], "rows": []}),
            &[("authorization", &auth)],
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}
