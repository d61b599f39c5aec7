//! `forecourt setup`: the first start of a real store from the command line, the same as the
//! app's setup page (`POST /api/setup`, routes/setup.rs) and checked by the same rules.

use crate::{
    auth::{PasswordCost, hash_password},
    config::{Config, SetupArgs},
    routes::setup::{SetupRequest, check_setup, setup_records},
    store::{OpenError, RedbStore, Store},
};

/// The password in a password file: its first line, without the line end.
pub fn password_from_file(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Creates the store and its general manager in `config.data`; returns the line to print.
pub async fn setup_command(config: &Config, args: &SetupArgs) -> Result<String, String> {
    let text = std::fs::read_to_string(&args.gm_password_file)
        .map_err(|e| format!("{}: {e}", args.gm_password_file.display()))?;
    let req = SetupRequest {
        store_name: args.store_name.clone(),
        utc_offset_minutes: args.utc_offset_minutes,
        username: args.gm_username.clone(),
        display_name: args
            .gm_display_name
            .clone()
            .unwrap_or_else(|| args.gm_username.clone()),
        password: password_from_file(&text).to_owned(),
    };
    check_setup(&req).map_err(|e| e.message(crate::lang::Lang::En))?;
    std::fs::create_dir_all(&config.data)
        .map_err(|e| format!("cannot create {}: {e}", config.data.display()))?;
    let db_path = config.database_path();
    let store = tokio::task::spawn_blocking(move || RedbStore::open(db_path))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| match e {
            OpenError::InUse(_) => {
                "the server is running on this data directory: stop it, or use the app's setup page"
                    .to_owned()
            }
            e => e.to_string(),
        })?;
    let password = req.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(PasswordCost::Default, &password))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let (store_rec, gm) = setup_records(&req, hash);
    store
        .set_up_store(store_rec.clone(), vec![gm.clone()])
        .await
        .map_err(|e| match e {
            crate::store::StoreError::AlreadySetUp => {
                format!(
                    "{} already has a store; setup is done once",
                    config.data.display()
                )
            }
            e => e.to_string(),
        })?;
    Ok(format!(
        "store {:?} set up with the general manager {:?}; start the server with --data {}",
        store_rec.name,
        gm.username,
        config.data.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_the_first_line() {
        assert_eq!(
            password_from_file("Lantern-Harbour-42\n"),
            "Lantern-Harbour-42"
        );
        assert_eq!(password_from_file("a b c d e f\r\nsecond"), "a b c d e f");
        assert_eq!(password_from_file(""), "");
    }
}
