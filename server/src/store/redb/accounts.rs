//! [`Store`] for [`RedbStore`]: stores, users, devices and sessions (tokens). Every call is one
//! read or write transaction on tokio's blocking pool.

use ::redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, WriteTransaction};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::RedbStore;
use super::codec::{all_json, decode, encode, get_json};
use super::tables::{DEVICES, STORES, TOKENS, USERS, USERS_BY_USERNAME};
use super::txn::begin_write;
use crate::store::{
    DeviceRec, Session, SessionWith, Store, StoreError, StoreFuture, StoreRec, TokenHash, UserRec,
    normalize_username,
};

fn insert_user(txn: &WriteTransaction, user: &UserRec) -> Result<(), StoreError> {
    let key = normalize_username(&user.username);
    let mut by_name = txn.open_table(USERS_BY_USERNAME)?;
    if let Some(existing) = by_name.get(key.as_str())?
        && existing.value() != user.id.as_u128()
    {
        return Err(StoreError::UsernameTaken(user.username.clone()));
    }
    by_name.insert(key.as_str(), user.id.as_u128())?;
    let mut users = txn.open_table(USERS)?;
    users.insert(user.id.as_u128(), encode(user)?.as_slice())?;
    Ok(())
}

/// Deletes every session of `user_id` except `keep`; returns how many.
fn delete_sessions_of(
    txn: &WriteTransaction,
    user_id: Uuid,
    keep: Option<TokenHash>,
) -> Result<usize, StoreError> {
    let mut tokens = txn.open_table(TOKENS)?;
    let mut doomed = Vec::new();
    for entry in tokens.iter()? {
        let (k, v) = entry?;
        let session: Session = decode(v.value())?;
        if session.user_id == user_id && keep.is_none_or(|t| t.as_slice() != k.value()) {
            doomed.push(k.value().to_vec());
        }
    }
    for k in &doomed {
        tokens.remove(k.as_slice())?;
    }
    Ok(doomed.len())
}

impl Store for RedbStore {
    fn ping(&self) -> StoreFuture<'_, ()> {
        self.boxed(|db| {
            let txn = db.begin_read()?;
            txn.open_table(STORES)?.len()?;
            Ok(())
        })
    }

    fn has_stores(&self) -> StoreFuture<'_, bool> {
        self.boxed(|db| {
            let txn = db.begin_read()?;
            Ok(!txn.open_table(STORES)?.is_empty()?)
        })
    }

    fn create_store(&self, store: StoreRec, users: Vec<UserRec>) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut stores = txn.open_table(STORES)?;
                if stores.get(store.id.as_str())?.is_some() {
                    return Err(StoreError::StoreExists(store.id));
                }
                stores.insert(store.id.as_str(), encode(&store)?.as_slice())?;
            }
            for user in &users {
                if user.store_id != store.id {
                    return Err(StoreError::NoSuchStore(user.store_id.clone()));
                }
                insert_user(&txn, user)?;
            }
            txn.commit()?;
            Ok(())
        })
    }

    fn set_up_store(&self, store: StoreRec, users: Vec<UserRec>) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut stores = txn.open_table(STORES)?;
                if !stores.is_empty()? {
                    return Err(StoreError::AlreadySetUp);
                }
                stores.insert(store.id.as_str(), encode(&store)?.as_slice())?;
            }
            for user in &users {
                if user.store_id != store.id {
                    return Err(StoreError::NoSuchStore(user.store_id.clone()));
                }
                insert_user(&txn, user)?;
            }
            txn.commit()?;
            Ok(())
        })
    }

    fn get_store(&self, id: String) -> StoreFuture<'_, Option<StoreRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(STORES)?, id.as_str())
        })
    }

    fn create_user(&self, user: UserRec) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            if txn
                .open_table(STORES)?
                .get(user.store_id.as_str())?
                .is_none()
            {
                return Err(StoreError::NoSuchStore(user.store_id));
            }
            insert_user(&txn, &user)?;
            txn.commit()?;
            Ok(())
        })
    }

    fn get_user(&self, id: Uuid) -> StoreFuture<'_, Option<UserRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(USERS)?, id.as_u128())
        })
    }

    fn set_password(
        &self,
        user_id: Uuid,
        password_hash: String,
        must_change: bool,
        keep: Option<TokenHash>,
    ) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut users = txn.open_table(USERS)?;
                let Some(mut user): Option<UserRec> = get_json(&users, user_id.as_u128())? else {
                    return Ok(false);
                };
                user.password_hash = password_hash;
                user.must_change_password = must_change;
                users.insert(user_id.as_u128(), encode(&user)?.as_slice())?;
            }
            delete_sessions_of(&txn, user_id, keep)?;
            txn.commit()?;
            Ok(true)
        })
    }

    fn deactivate_user(&self, user_id: Uuid, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut users = txn.open_table(USERS)?;
                let Some(mut user): Option<UserRec> = get_json(&users, user_id.as_u128())? else {
                    return Ok(false);
                };
                if user.deactivated_at.is_none() {
                    user.deactivated_at = Some(at);
                }
                users.insert(user_id.as_u128(), encode(&user)?.as_slice())?;
            }
            delete_sessions_of(&txn, user_id, None)?;
            txn.commit()?;
            Ok(true)
        })
    }

    fn get_user_by_username(&self, username: String) -> StoreFuture<'_, Option<UserRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let key = normalize_username(&username);
            let id = match txn.open_table(USERS_BY_USERNAME)?.get(key.as_str())? {
                Some(g) => g.value(),
                None => return Ok(None),
            };
            get_json(&txn.open_table(USERS)?, id)
        })
    }

    fn users_in_store(&self, store_id: String) -> StoreFuture<'_, Vec<UserRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let mut users: Vec<UserRec> = all_json(&txn.open_table(USERS)?)?;
            users.retain(|u| u.store_id == store_id);
            Ok(users)
        })
    }

    fn get_device(&self, id: Uuid) -> StoreFuture<'_, Option<DeviceRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(DEVICES)?, id.as_u128())
        })
    }

    fn devices_in_store(&self, store_id: String) -> StoreFuture<'_, Vec<DeviceRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let mut devices: Vec<DeviceRec> = all_json(&txn.open_table(DEVICES)?)?;
            devices.retain(|d| d.store_id == store_id);
            Ok(devices)
        })
    }

    fn save_login(
        &self,
        device: DeviceRec,
        token: TokenHash,
        session: Session,
    ) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut devices = txn.open_table(DEVICES)?;
                devices.insert(device.id.as_u128(), encode(&device)?.as_slice())?;
                let mut tokens = txn.open_table(TOKENS)?;
                tokens.insert(token.as_slice(), encode(&session)?.as_slice())?;
            }
            txn.commit()?;
            Ok(())
        })
    }

    fn get_session(&self, token: TokenHash) -> StoreFuture<'_, Option<Session>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(TOKENS)?, token.as_slice())
        })
    }

    fn get_session_with(&self, token: TokenHash) -> StoreFuture<'_, Option<SessionWith>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let Some(session): Option<Session> =
                get_json(&txn.open_table(TOKENS)?, token.as_slice())?
            else {
                return Ok(None);
            };
            let device = get_json(&txn.open_table(DEVICES)?, session.device_id.as_u128())?;
            let user = get_json(&txn.open_table(USERS)?, session.user_id.as_u128())?;
            Ok(Some((session, device, user)))
        })
    }

    fn delete_session(&self, token: TokenHash) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            let removed = txn.open_table(TOKENS)?.remove(token.as_slice())?.is_some();
            txn.commit()?;
            Ok(removed)
        })
    }

    fn purge_expired_sessions(
        &self,
        now: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> StoreFuture<'_, usize> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            let mut expired = Vec::new();
            {
                let mut tokens = txn.open_table(TOKENS)?;
                for entry in tokens.iter()? {
                    let (k, v) = entry?;
                    let session: Session = decode(v.value())?;
                    if session.is_expired(now, idle) {
                        expired.push(k.value().to_vec());
                    }
                }
                for k in &expired {
                    tokens.remove(k.as_slice())?;
                }
            }
            txn.commit()?;
            Ok(expired.len())
        })
    }

    fn touch_session(&self, token: TokenHash, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut tokens = txn.open_table(TOKENS)?;
                let Some(mut session): Option<Session> = get_json(&tokens, token.as_slice())?
                else {
                    return Ok(false);
                };
                session.last_used_at = Some(at);
                tokens.insert(token.as_slice(), encode(&session)?.as_slice())?;
            }
            txn.commit()?;
            Ok(true)
        })
    }

    fn delete_user_sessions(&self, user_id: Uuid) -> StoreFuture<'_, usize> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            let n = delete_sessions_of(&txn, user_id, None)?;
            txn.commit()?;
            Ok(n)
        })
    }

    fn size_bytes(&self) -> StoreFuture<'_, u64> {
        let path = self.path().to_path_buf();
        self.boxed(move |_| {
            std::fs::metadata(&path)
                .map(|m| m.len())
                .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))
        })
    }

    fn backup(&self, dest: std::path::PathBuf) -> StoreFuture<'_, crate::store::BackupSummary> {
        self.boxed(move |db| super::backup::backup_database(db, &dest))
    }

    fn revoke_device(&self, id: Uuid, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut devices = txn.open_table(DEVICES)?;
                let mut device: DeviceRec = match get_json(&devices, id.as_u128())? {
                    Some(d) => d,
                    None => return Ok(false),
                };
                if !device.revoked {
                    device.revoked = true;
                    device.revoked_at = Some(at);
                }
                devices.insert(id.as_u128(), encode(&device)?.as_slice())?;

                let mut tokens = txn.open_table(TOKENS)?;
                let mut doomed = Vec::new();
                for entry in tokens.iter()? {
                    let (k, v) = entry?;
                    let session: Session = decode(v.value())?;
                    if session.device_id == id {
                        doomed.push(k.value().to_vec());
                    }
                }
                for k in doomed {
                    tokens.remove(k.as_slice())?;
                }
            }
            txn.commit()?;
            Ok(true)
        })
    }
}
