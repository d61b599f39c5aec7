//! The import's column mapping is remembered per STORE: after the sales manager imports a
//! C-card sheet with a mapping of her own, the next file with the same headings previewed by
//! another manager on another device comes with that mapping (`remembered_mapping`); a file of
//! other headings, or the same headings as another sheet, comes with none; a later import's
//! mapping replaces it. By hand: a consultant may not write a remembered mapping, and a
//! manager's mapping whose id does not follow its sheet and headings is refused; nothing is
//! written.

mod common;

use axum::http::StatusCode;
use domain::records::import_mapping::{IMPORT_MAPPING, import_mapping_id, mapping_fields};
use domain::sync::{Edit, Hlc, Op, RecordState, new_id};
use serde_json::{Value, json};

use common::TestApp;
use common::sheets::{Login, login, now_ms, rand10, records, send_sheet, store_with_catalogue};

const HEADINGS: &str = "客户,手机,备用电话,车架,牌照";

fn sheet(rows: &[&str]) -> Vec<u8> {
    let mut s = format!("{HEADINGS}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

async fn preview(t: &TestApp, who: &Login, kind: &str, file: &[u8]) -> Value {
    let r = send_sheet(
        t,
        &format!("/api/import/{kind}/preview"),
        &who.token,
        "zh-CN",
        "客户.csv",
        file,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn import(t: &TestApp, who: &Login, file: &[u8], mapping: &Value) -> Value {
    let r = send_sheet(
        t,
        "/api/import/c_cards",
        &who.token,
        "zh-CN",
        "客户.csv",
        file,
        &[("mapping", mapping.to_string())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn push(t: &TestApp, who: &Login, op: &Op) -> common::Resp {
    t.post_json(
        "/api/sync/push",
        &json!({"ops": [op]}),
        &[
            ("authorization", &format!("Bearer {}", who.token)),
            ("accept-language", "zh-CN"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_stores_mapping_comes_back_for_the_next_file_of_the_same_headings_on_any_device() {
    let (t, mgr) = store_with_catalogue().await;
    let first = sheet(&["王建华,,138 1234 5678,,粤A12345"]);
    let p = preview(&t, &mgr, "c_cards", &first).await;
    assert_eq!(p["remembered_mapping"], Value::Null, "{p}");
    // The phone is in 备用电话, not in the column the suggestion takes.
    let mine = json!({"name": "客户", "phone": "备用电话", "plate": "牌照"});
    assert_ne!(p["suggested_mapping"]["phone"], json!("备用电话"), "{p}");
    let v = import(&t, &mgr, &first, &mine).await;
    assert_eq!(v["imported"], 1, "{v}");

    // Another manager, another device, another file of the same headings.
    let csmgr = login(&t, "csmgr").await;
    let next = sheet(&[
        "李娜,,13812345679,,粤A22222",
        "陈晓明,,13912345670,,粤B33333",
    ]);
    let p = preview(&t, &csmgr, "c_cards", &next).await;
    assert_eq!(p["remembered_mapping"], mine, "{p}");
    // Other headings, or the same headings as past services: none.
    let other = "姓名,手机,车架\n吴刚,13912345672,\n".as_bytes();
    assert_eq!(
        preview(&t, &csmgr, "c_cards", other).await["remembered_mapping"],
        Value::Null
    );
    assert_eq!(
        preview(&t, &csmgr, "service_history", &next).await["remembered_mapping"],
        Value::Null
    );

    // The later import's mapping replaces it; one record per shape.
    let theirs = json!({"name": "客户", "phone": "备用电话", "vin": "车架"});
    let v = import(&t, &csmgr, &next, &theirs).await;
    assert_eq!(v["imported"], 2, "{v}");
    let p = preview(&t, &mgr, "c_cards", &first).await;
    assert_eq!(p["remembered_mapping"], theirs, "{p}");
    assert_eq!(records(&t, &mgr.token, "import_mapping").await.len(), 1);

    // By hand: a consultant may not keep a mapping; a manager's with an id of other headings
    // is refused. Nothing is written.
    let columns: Vec<String> = HEADINGS.split(',').map(str::to_owned).collect();
    let mapping = [("name".to_owned(), "客户".to_owned())].into();
    let op_of = |who: &Login, record_id| {
        let state = RecordState::new(record_id, IMPORT_MAPPING.name, "demo");
        let e = Edit::new(&state, &IMPORT_MAPPING);
        Op {
            op_id: new_id(now_ms(), rand10()),
            device_id: who.device,
            user_id: who.user_id.clone(),
            store_id: "demo".into(),
            record_id,
            record_type: IMPORT_MAPPING.name.into(),
            hlc: Hlc::new(now_ms(), 0),
            changes: mapping_fields("c_cards", &columns, &mapping)
                .into_iter()
                .map(|(f, v)| e.set(f, v).unwrap())
                .collect(),
        }
    };
    let consultant = login(&t, "consultant").await;
    let id = import_mapping_id("demo", "c_cards", &columns);
    push(&t, &consultant, &op_of(&consultant, id))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let elsewhere = import_mapping_id("demo", "c_cards", &["客户".to_owned()]);
    let msg = push(&t, &mgr, &op_of(&mgr, elsewhere)).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_mapping_record_invalid",
    );
    assert!(msg.contains("字段对应"), "{msg}");
    let kept = records(&t, &mgr.token, "import_mapping").await;
    assert_eq!(kept.len(), 1);
    assert_eq!(
        preview(&t, &mgr, "c_cards", &first).await["remembered_mapping"],
        theirs
    );
}
