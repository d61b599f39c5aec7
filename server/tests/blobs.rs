//! The blob API (docs/api.md, "Blobs"): uploads checked against their id and size, idempotent,
//! readable only by their own store, the resume question, and blobs kept by backup and restore.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::Utc;
use common::{Resp, TestApp, app};
use forecourt_server::store::{RedbStore, Store, StoreRec, UserRec, blob::BlobStore};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn id_of(bytes: &[u8]) -> String {
    let digest: [u8; 32] = Sha256::digest(bytes).into();
    domain::blob::id_of_digest(&digest)
}

/// Pseudo-random bytes (a JPEG would not compress either), `n` long, different per `seed`.
fn picture(n: usize, seed: u8) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9 ^ u32::from(seed);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

async fn put(t: &TestApp, token: &str, id: &str, mime: &str, bytes: Vec<u8>) -> Resp {
    t.send(
        Request::put(format!("/api/blobs/{id}"))
            .header("authorization", format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, mime)
            .body(Body::from(bytes))
            .unwrap(),
    )
    .await
}

async fn missing(t: &TestApp, token: &str, ids: &[&str]) -> Resp {
    t.post_json(
        "/api/blobs/missing",
        &json!({ "ids": ids }),
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
}

#[tokio::test]
async fn an_upload_is_stored_once_and_read_back_with_immutable_caching() {
    let t = app().await;
    let token = t.token("advisor", Uuid::now_v7()).await;
    let bytes = picture(200 * 1024, 1);
    let id = id_of(&bytes);

    let r = put(&t, &token, &id, "image/jpeg", bytes.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"id": id, "size": 200 * 1024, "created": true})
    );
    // Repeated (an upload cut after the commit, resent): the same answer but 200, nothing new.
    let r = put(&t, &token, &id, "image/jpeg", bytes.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["created"], false);

    // Any user of the store reads it (here a technician on another device).
    let tech = t.token("tech", Uuid::now_v7()).await;
    let r = t.get_auth(&format!("/api/blobs/{id}"), &tech).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.as_ref(), bytes.as_slice());
    assert_eq!(r.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        r.header("cache-control"),
        Some("private, max-age=31536000, immutable")
    );

    // Unknown: 404; malformed: 400; no token: 401.
    let other = id_of(b"never uploaded");
    t.get_auth(&format!("/api/blobs/{other}"), &token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    t.get_auth("/api/blobs/sha256-abc", &token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_path");
    t.get(&format!("/api/blobs/{id}"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let r = t
        .send(
            Request::put(format!("/api/blobs/{id}"))
                .header(header::CONTENT_TYPE, "image/jpeg")
                .body(Body::from(bytes))
                .unwrap(),
        )
        .await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_wrong_hash_a_wrong_type_and_a_too_large_blob_are_refused() {
    let t = app().await;
    let token = t.token("advisor", Uuid::now_v7()).await;
    let bytes = picture(10_000, 2);
    let id = id_of(&bytes);

    // Damaged on the way: one byte differs.
    let mut damaged = bytes.clone();
    damaged[5_000] ^= 1;
    put(&t, &token, &id, "image/jpeg", damaged)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "blob_hash_mismatch");
    put(&t, &token, &id, "text/html", bytes.clone())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "blob_type_not_allowed");
    put(&t, &token, &id_of(b""), "image/png", Vec::new())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "blob_empty");
    put(&t, &token, "sha256-xyz", "image/png", bytes.clone())
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_path");

    // One byte over 5 MiB (its own hash: refused for the size, not the hash).
    let big = picture(domain::blob::MAX_BLOB_BYTES + 1, 3);
    put(&t, &token, &id_of(&big), "image/jpeg", big)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Far over: cut by the body limit, the same answer.
    let huge = picture(domain::blob::MAX_BLOB_BYTES * 2, 4);
    put(&t, &token, &id_of(&huge), "image/jpeg", huge)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Exactly 5 MiB is taken.
    let max = picture(domain::blob::MAX_BLOB_BYTES, 5);
    let r = put(&t, &token, &id_of(&max), "image/webp", max).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    // Nothing of the refused ones was kept.
    let r = missing(&t, &token, &[&id]).await;
    assert_eq!(r.json(), json!({"missing": [id]}));
}

#[tokio::test]
async fn another_stores_blob_is_not_readable() {
    let t = app().await;
    let token = t.token("advisor", Uuid::now_v7()).await;
    let bytes = picture(5_000, 6);
    let id = id_of(&bytes);
    let r = put(&t, &token, &id, "image/png", bytes.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED);

    let now = Utc::now();
    let hash = forecourt_server::auth::hash_password(
        forecourt_server::auth::PasswordCost::Fast,
        "other1234",
    )
    .unwrap();
    t.store
        .create_store(
            StoreRec {
                id: "north".into(),
                name: "北区店".into(),
                created_at: now,
                demo: false,
                utc_offset_minutes: 480,
            },
            vec![UserRec {
                id: Uuid::now_v7(),
                store_id: "north".into(),
                username: "northgm".into(),
                display_name: "北区总经理".into(),
                roles: vec![domain::Role::GeneralManager],
                password_hash: hash,
                created_at: now,
                deactivated_at: None,
                must_change_password: false,
            }],
        )
        .await
        .unwrap();
    let r = t
        .login_from(1, "northgm", "other1234", Uuid::now_v7(), "北区PC", "zh-CN")
        .await;
    let north = r.json()["token"].as_str().unwrap().to_owned();

    // The other store neither reads it nor is told it exists.
    t.get_auth(&format!("/api/blobs/{id}"), &north)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        missing(&t, &north, &[&id]).await.json(),
        json!({"missing": [id]})
    );
    // Its own upload of the same picture is its own copy.
    let r = put(&t, &north, &id, "image/png", bytes).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["created"], true);
}

#[tokio::test]
async fn a_device_learns_what_is_left_to_upload() {
    let t = app().await;
    let token = t.token("tech", Uuid::now_v7()).await;
    let photos: Vec<Vec<u8>> = (0..4).map(|i| picture(3_000, 10 + i)).collect();
    let ids: Vec<String> = photos.iter().map(|p| id_of(p)).collect();
    // The network dropped after two uploads.
    for (id, p) in ids.iter().zip(&photos).take(2) {
        assert_eq!(
            put(&t, &token, id, "image/jpeg", p.clone()).await.status,
            StatusCode::CREATED
        );
    }
    let asked: Vec<&str> = ids.iter().map(String::as_str).collect();
    let r = missing(&t, &token, &asked).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"missing": [ids[2], ids[3]]}));

    missing(&t, &token, &["sha256-nope"])
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    let many: Vec<&str> = std::iter::repeat_n(asked[0], 501).collect();
    missing(&t, &token, &many)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

#[tokio::test]
async fn backup_and_restore_keep_the_blobs() {
    let t = app().await;
    let token = t.token("advisor", Uuid::now_v7()).await;
    let bytes = picture(200 * 1024, 20);
    let id = id_of(&bytes);
    assert_eq!(
        put(&t, &token, &id, "image/jpeg", bytes.clone())
            .await
            .status,
        StatusCode::CREATED
    );

    let backup = t.dir.path().join("backup.redb");
    t.store.backup(backup.clone()).await.unwrap();
    let restored = t.dir.path().join("restored");
    let file = forecourt_server::backup::restore(&backup, &restored).unwrap();
    let copy = RedbStore::open(&file).unwrap();
    let (info, kept) = copy
        .get_blob("demo".into(), id.clone())
        .await
        .unwrap()
        .expect("the blob is in the restored database");
    assert_eq!(kept, bytes);
    assert_eq!(info.mime, "image/jpeg");
    assert_eq!(info.size, 200 * 1024);
}
