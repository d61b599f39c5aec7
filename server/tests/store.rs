//! The redb store on its own: persistence across reopen, uniqueness, revocation, locking.

use chrono::{Duration, Utc};
use domain::Role;
use forecourt_server::store::{
    DeviceRec, OpenError, RedbStore, Session, Store, StoreError, StoreRec, UserRec,
};
use uuid::Uuid;

fn user(store: &str, username: &str, roles: Vec<Role>) -> UserRec {
    UserRec {
        id: Uuid::now_v7(),
        store_id: store.into(),
        username: username.into(),
        display_name: format!("{username} 显示名"),
        roles,
        password_hash: "$argon2id$fake".into(),
        created_at: Utc::now(),
        deactivated_at: None,
        must_change_password: false,
    }
}

fn device(store: &str, user: Uuid, name: &str) -> DeviceRec {
    let now = Utc::now();
    DeviceRec {
        id: Uuid::now_v7(),
        store_id: store.into(),
        name: name.into(),
        user_id: user,
        created_at: now,
        last_seen_at: now,
        revoked: false,
        revoked_at: None,
    }
}

fn session(user: Uuid, device: Uuid) -> Session {
    let now = Utc::now();
    Session {
        user_id: user,
        device_id: device,
        created_at: now,
        expires_at: now + Duration::days(30),
        last_used_at: None,
    }
}

fn store_rec(id: &str) -> StoreRec {
    StoreRec {
        id: id.into(),
        name: format!("{id} 店"),
        created_at: Utc::now(),
        demo: false,
        utc_offset_minutes: 480,
    }
}

#[tokio::test]
async fn data_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forecourt.redb");
    let mgr = user(
        "s1",
        "Manager",
        vec![Role::SalesManager, Role::GeneralManager],
    );
    let tablet = device("s1", mgr.id, "平板");
    let token = [7u8; 32];
    {
        let s = RedbStore::open(&path).unwrap();
        assert!(!s.has_stores().await.unwrap());
        s.create_store(store_rec("s1"), vec![mgr.clone()])
            .await
            .unwrap();
        let extra = user("s1", "extra", vec![Role::Technician]);
        s.create_user(extra).await.unwrap();
        s.save_login(tablet.clone(), token, session(mgr.id, tablet.id))
            .await
            .unwrap();
        s.close().expect("last handle");
    }
    let s = RedbStore::open(&path).unwrap();
    assert!(s.has_stores().await.unwrap());
    s.ping().await.unwrap();
    assert_eq!(
        s.get_store("s1".into()).await.unwrap().unwrap().name,
        "s1 店"
    );
    assert_eq!(s.get_user(mgr.id).await.unwrap().unwrap(), mgr);
    assert_eq!(
        s.get_user_by_username(" manager ".into())
            .await
            .unwrap()
            .unwrap()
            .id,
        mgr.id,
        "usernames are case-insensitive"
    );
    assert_eq!(s.users_in_store("s1".into()).await.unwrap().len(), 2);
    assert_eq!(s.get_device(tablet.id).await.unwrap().unwrap(), tablet);
    assert_eq!(
        s.devices_in_store("s1".into()).await.unwrap(),
        vec![tablet.clone()]
    );
    assert!(s.devices_in_store("other".into()).await.unwrap().is_empty());
    assert_eq!(
        s.get_session(token).await.unwrap().unwrap().device_id,
        tablet.id
    );
}

#[tokio::test]
async fn usernames_are_unique_and_users_need_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let s = RedbStore::open(dir.path().join("f.redb")).unwrap();
    s.create_store(
        store_rec("s1"),
        vec![user("s1", "wang", vec![Role::SalesConsultant])],
    )
    .await
    .unwrap();
    assert!(matches!(
        s.create_user(user("s1", "WANG", vec![Role::Technician]))
            .await,
        Err(StoreError::UsernameTaken(_))
    ));
    assert!(matches!(
        s.create_user(user("nowhere", "li", vec![Role::Technician]))
            .await,
        Err(StoreError::NoSuchStore(_))
    ));
    assert!(matches!(
        s.create_store(store_rec("s1"), vec![]).await,
        Err(StoreError::StoreExists(_))
    ));
    // A failed store creation writes nothing (all or nothing).
    let clash = s
        .create_store(
            store_rec("s2"),
            vec![user("s2", "zhao", vec![]), user("s2", "wang", vec![])],
        )
        .await;
    assert!(matches!(clash, Err(StoreError::UsernameTaken(_))));
    assert!(s.get_store("s2".into()).await.unwrap().is_none());
    assert!(
        s.get_user_by_username("zhao".into())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn revoking_a_device_deletes_its_sessions_only() {
    let dir = tempfile::tempdir().unwrap();
    let s = RedbStore::open(dir.path().join("f.redb")).unwrap();
    let u = user("s1", "wang", vec![Role::SalesConsultant]);
    s.create_store(store_rec("s1"), vec![u.clone()])
        .await
        .unwrap();
    let a = device("s1", u.id, "A");
    let b = device("s1", u.id, "B");
    s.save_login(a.clone(), [1; 32], session(u.id, a.id))
        .await
        .unwrap();
    s.save_login(a.clone(), [2; 32], session(u.id, a.id))
        .await
        .unwrap();
    s.save_login(b.clone(), [3; 32], session(u.id, b.id))
        .await
        .unwrap();
    assert!(s.revoke_device(a.id, Utc::now()).await.unwrap());
    assert!(s.get_session([1; 32]).await.unwrap().is_none());
    assert!(s.get_session([2; 32]).await.unwrap().is_none());
    assert!(s.get_session([3; 32]).await.unwrap().is_some());
    let a2 = s.get_device(a.id).await.unwrap().unwrap();
    assert!(a2.revoked && a2.revoked_at.is_some());
    assert!(!s.revoke_device(Uuid::now_v7(), Utc::now()).await.unwrap());
    assert!(s.delete_session([3; 32]).await.unwrap());
    assert!(!s.delete_session([3; 32]).await.unwrap());
}

#[tokio::test]
async fn expired_sessions_are_purged() {
    let dir = tempfile::tempdir().unwrap();
    let s = RedbStore::open(dir.path().join("f.redb")).unwrap();
    let u = user("s1", "wang", vec![Role::SalesConsultant]);
    s.create_store(store_rec("s1"), vec![u.clone()])
        .await
        .unwrap();
    let d = device("s1", u.id, "A");
    let mut old = session(u.id, d.id);
    old.expires_at = Utc::now() - Duration::seconds(1);
    s.save_login(d.clone(), [1; 32], old).await.unwrap();
    s.save_login(d.clone(), [2; 32], session(u.id, d.id))
        .await
        .unwrap();
    assert_eq!(
        s.purge_expired_sessions(Utc::now(), Duration::hours(12))
            .await
            .unwrap(),
        1
    );
    assert!(s.get_session([1; 32]).await.unwrap().is_none());
    assert!(s.get_session([2; 32]).await.unwrap().is_some());
}

#[tokio::test]
async fn a_second_open_of_the_same_file_is_refused_while_the_first_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.redb");
    let first = RedbStore::open(&path).unwrap();
    let err = RedbStore::open(&path).unwrap_err();
    assert!(matches!(err, OpenError::InUse(_)), "{err:?}");
    assert!(err.to_string().contains("in use"), "{err}");
    first.close().unwrap();
    RedbStore::open(&path).expect("free again after close");
}
