//! Demo data: on a server with no store at all, the store `demo` (演示4S店) with one user per
//! role, password `demo1234` (docs/demo.md, "Demo store").

use chrono::Utc;
use domain::Role;
use uuid::Uuid;

use crate::{
    auth::{PasswordCost, hash_password},
    error::Error,
    store::{Store, StoreRec, UserRec},
};

pub use crate::store::DEMO_STORE_ID;
pub const DEMO_STORE_NAME: &str = "演示4S店";
pub const DEMO_PASSWORD: &str = "demo1234";

/// username, display name, role.
pub const DEMO_USERS: [(&str, &str, Role); 15] = [
    ("consultant", "王芳", Role::SalesConsultant),
    ("salesmgr", "李强", Role::SalesManager),
    ("advisor", "张伟", Role::ServiceAdvisor),
    ("tech", "刘洋", Role::Technician),
    ("qc", "陈静", Role::QcInspector),
    ("parts", "杨磊", Role::PartsClerk),
    ("cs", "赵敏", Role::CustomerService),
    ("csmgr", "周婷", Role::CustomerServiceManager),
    ("gm", "孙建国", Role::GeneralManager),
    ("zhaolei", "赵磊", Role::SalesConsultant),
    ("qianli", "钱丽", Role::SalesConsultant),
    ("sunhao", "孙浩", Role::SalesConsultant),
    ("wanggang", "王刚", Role::Technician),
    ("zhoujie", "周杰", Role::Technician),
    ("cs2", "钱琳", Role::CustomerService),
];

/// Creates the demo store if the server has no store yet. Returns whether it did.
pub async fn seed_if_empty(store: &dyn Store, cost: PasswordCost) -> Result<bool, Error> {
    if store.has_stores().await? {
        return Ok(false);
    }
    let now = Utc::now();
    let users = tokio::task::spawn_blocking(move || {
        // One hash for all: the demo password is public, and argon2 at the default cost takes
        // about 0.2 s a hash, which fourteen times over would slow the first start.
        let password_hash = hash_password(cost, DEMO_PASSWORD)?;
        DEMO_USERS
            .iter()
            .map(|(username, display_name, role)| {
                Ok(UserRec {
                    id: Uuid::now_v7(),
                    store_id: DEMO_STORE_ID.to_owned(),
                    username: (*username).to_owned(),
                    display_name: (*display_name).to_owned(),
                    roles: vec![*role],
                    password_hash: password_hash.clone(),
                    created_at: now,
                    deactivated_at: None,
                    must_change_password: false,
                })
            })
            .collect::<Result<Vec<_>, Error>>()
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))??;
    let demo = StoreRec {
        id: DEMO_STORE_ID.to_owned(),
        name: DEMO_STORE_NAME.to_owned(),
        created_at: now,
        demo: true,
        utc_offset_minutes: crate::store::DEFAULT_UTC_OFFSET_MINUTES,
    };
    store.create_store(demo, users).await?;
    Ok(true)
}
